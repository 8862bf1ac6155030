import { amountParam, invalid, newId, now, snapshot, StripeFault, type StripeObject } from './objects.js';
import type { Store } from './store.js';

type Params = Record<string, unknown>;
type Handler = (store: Store, params: Params, id: string) => StripeObject;
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const record = (value: unknown) => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});
const expansions = (params: Params) => (Array.isArray(params.expand) ? (params.expand as string[]) : []);
const list = (data: StripeObject[], url: string, object = 'list') => ({ id: '', object, data, has_more: false, url, ...(object === 'search_result' && { next_page: null }) });

/** The endpoints the card gateway calls, answering as Stripe does, by `METHOD path`. */
export const routes: [string, RegExp, Handler][] = [
  ['POST', /^\/v1\/customers$/, (store, p) =>
    store.add({ id: newId('cus'), object: 'customer', created: now(), description: text(p.description) ?? null, metadata: record(p.metadata), livemode: false })],

  ['POST', /^\/v1\/checkout\/sessions$/, (store, p) => {
    const item = record((p.line_items as unknown[] | undefined)?.[0]);
    const price = record(item.price_data);
    if (p.mode !== 'payment' || !text(p.success_url)) throw invalid('mode and success_url are required');
    const expiresAt = Number(p.expires_at ?? now() + 86_400);
    if (expiresAt < now() + 1_800 - 60 || expiresAt > now() + 86_400) throw invalid('expires_at must be between 30 minutes and 24 hours from now', { param: 'expires_at' });
    const customer = text(p.customer) ?? null;
    if (customer) store.get('customer', customer);
    const id = newId('cs');
    const card = record(record(p.payment_method_options).card);
    return store.add({
      id, object: 'checkout.session', mode: 'payment', status: 'open', payment_status: 'unpaid', livemode: false, created: now(),
      url: `${store.base()}/c/pay/${id}`, amount_total: amountParam(price.unit_amount, 'unit_amount') * BigInt(text(item.quantity) ?? '1'),
      currency: text(price.currency), customer, metadata: record(p.metadata), client_reference_id: text(p.client_reference_id) ?? null,
      success_url: p.success_url, cancel_url: text(p.cancel_url) ?? null, expires_at: expiresAt, locale: text(p.locale) ?? null, payment_intent: null,
      allowed_payment_method_types: p.allowed_payment_method_types ?? null, custom_text: p.custom_text ?? null,
      payment_method_options: { card: { restrictions: { brands_blocked: record(card.restrictions).brands_blocked ?? [] } } },
      payment_intent_data: record(p.payment_intent_data),
    });
  }],

  ['GET', /^\/v1\/checkout\/sessions\/([\w]+)$/, (store, p, id) => store.expand(store.get('checkout.session', id), expansions(p))],

  ['POST', /^\/v1\/payment_intents$/, (store, p) => {
    const customer = text(p.customer) ?? null;
    if (customer) store.get('customer', customer);
    const method = text(p.payment_method) ? store.get('payment_method', text(p.payment_method)!) : undefined;
    if (method && method.customer !== customer) {
      throw invalid('The provided PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.', { code: 'payment_method_unexpected_state' });
    }
    const intent = store.add({
      id: newId('pi'), object: 'payment_intent', amount: amountParam(p.amount, 'amount'), amount_received: 0n, currency: text(p.currency), status: 'requires_payment_method',
      customer, payment_method: null, metadata: record(p.metadata), description: text(p.description) ?? null, setup_future_usage: text(p.setup_future_usage) ?? null,
      last_payment_error: null, next_action: null, latest_charge: null, created: now(), livemode: false, allowed_payment_method_types: p.allowed_payment_method_types ?? null,
    });
    store.emit('payment_intent.created', intent);
    if (p.confirm === 'true' && method) {
      const error = store.charge(intent, method, { offSession: p.off_session === 'true', ...(text(p.return_url) && { returnUrl: text(p.return_url)! }) });
      if (error) throw new StripeFault(402, { ...error, payment_intent: snapshot(intent) });
    }
    return store.expand(intent, expansions(p));
  }],

  ['GET', /^\/v1\/payment_intents\/search$/, (store, p) => {
    const [, key, value] = /^metadata\['(\w+)'\]:'([^']*)'$/.exec(text(p.query) ?? '') ?? [];
    if (!key) throw invalid('The query is not valid', { param: 'query' });
    const found = store.all('payment_intent').filter((i) => record(i.metadata)[key] === value);
    return list(found.map((i) => store.expand(i, expansions(p).map((e) => e.replace(/^data\./, '')))), '/v1/payment_intents/search', 'search_result') as never;
  }],

  ['GET', /^\/v1\/payment_intents$/, (store, p) => {
    const since = Number(record(p.created).gte ?? 0);
    const found = store.all('payment_intent').filter((i) => (!p.customer || i.customer === p.customer) && Number(i.created) >= since).reverse();
    return list(found.map((i) => store.expand(i, expansions(p).map((e) => e.replace(/^data\./, '')))), '/v1/payment_intents') as never;
  }],

  ['GET', /^\/v1\/payment_intents\/([\w]+)$/, (store, p, id) => store.expand(store.get('payment_intent', id), expansions(p))],

  ['GET', /^\/v1\/payment_methods\/([\w]+)$/, (store, p, id) => store.expand(store.get('payment_method', id), expansions(p))],

  ['POST', /^\/v1\/payment_methods\/([\w]+)\/detach$/, (store, _p, id) => {
    const method = store.get('payment_method', id);
    if (!method.customer) throw invalid(`The payment method you provided is not attached to a customer so detachment is impossible.`, { code: 'payment_method_unexpected_state' });
    method.customer = null;
    return snapshot(method);
  }],

  ['GET', /^\/v1\/refunds$/, (store, p) =>
    list(store.all('refund').filter((r) => !p.payment_intent || r.payment_intent === text(p.payment_intent)), '/v1/refunds') as never],

  ['POST', /^\/v1\/refunds$/, (store, p) => {
    const intent = store.get('payment_intent', text(p.payment_intent) ?? '');
    if (intent.status !== 'succeeded') throw invalid('This PaymentIntent does not have a successful charge to refund.', { code: 'charge_not_refundable' });
    const left = (intent.amount_received as bigint) - (store.refunded.get(intent.id) ?? 0n);
    if (left === 0n) throw invalid(`Charge ${String(intent.latest_charge)} has already been refunded.`, { code: 'charge_already_refunded' });
    const amount = p.amount === undefined ? left : amountParam(p.amount, 'amount');
    if (amount > left) throw invalid(`Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`, { code: 'amount_too_large', param: 'amount' });
    store.refunded.set(intent.id, (store.refunded.get(intent.id) ?? 0n) + amount);
    return store.add({
      id: newId('re'), object: 'refund', amount, currency: intent.currency, payment_intent: intent.id, charge: intent.latest_charge, status: 'succeeded',
      metadata: record(p.metadata), created: now(), reason: null,
    });
  }],
];
