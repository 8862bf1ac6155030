import { randomUUID } from 'node:crypto';
import { type Money, money, parseAmount, parseDecimal } from '@saldo/sdk';
import { type Context, Hono } from 'hono';
import type { BillingAccount } from '../../accounts/types.js';
import { BillingError, isBillingError } from '../../errors.js';
import { productName } from '../../orders/catalogue.js';
import type { Order } from '../../orders/order.repo.js';
import type { PaymentFor } from '../../payments/start-payment.js';
import type { Payment } from '../../payments/payment.repo.js';
import type { Services } from '../../services.js';
import { requestOrigin, type TrustsProxy } from '../forwarded.js';
import { type PageContext, pageContext, renderPage } from '../render.js';
import { savedMethodView } from './saved-methods.js';
import { formAnswer, fromHtmx, refusalMessage } from './forms.js';
import { type PageEnv, requireAccount } from './session.js';

type Deps = Pick<Services, 'config' | 'i18n' | 'sql' | 'accounts' | 'orders' | 'payments' | 'catalogue'>;

/** What a payment form sent: the method chosen (a gateway, or a saved card), the terms, the key. */
interface PaymentChoice {
  gateway: string;
  methodId?: string;
  saveMethod: boolean;
  termsAccepted: boolean;
  idempotencyKey: string;
}

function readChoice(form: Record<string, unknown>): PaymentChoice {
  const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
  const method = text('method');
  const [gateway, methodId] = method.startsWith('saved:') ? method.slice(6).split(':', 2) : [method, undefined];
  return { gateway: gateway ?? '', methodId, saveMethod: text('save') === 'on', termsAccepted: text('terms') === 'on', idempotencyKey: text('key') };
}

/** A field's refusal, shown next to it with what was typed. */
type FieldErrors = Partial<Record<'amount' | 'method' | 'terms' | 'form', string>>;

/**
 * The pages where a customer pays: top up the balance, pay the rest of an order, and see what
 * became of a payment. Card details never reach these pages: a card gateway sends the customer to
 * its processor's page and back.
 */
export function paymentPages(deps: Deps, trustsProxy: TrustsProxy): Hono<PageEnv> {
  const { config, i18n, accounts, orders, payments, catalogue } = deps;
  const base = config.server.basePath;
  const app = new Hono<PageEnv>();
  // Where the customer's browser reaches Saldo: the processor sends the customer back there.
  const origin = (c: Context) => requestOrigin(c, trustsProxy);

  /** The methods a customer may pay with for `needs`: each able gateway, and the saved cards of those that keep them. */
  async function methods(account: BillingAccount, ctx: PageContext, needs: 'topUp' | 'payDue') {
    const able = payments.gateways.able([needs]);
    const saved = (await payments.methods(account.id)).filter((m) => able.some((g) => g.code === m.gateway && g.plugin.capabilities.savedMethods));
    return {
      // A gateway may say more than its name: `<code>:description` in its strings.
      gateways: able.map((g) => ({
        code: g.code, label: ctx.t(g.plugin.label), saves: !!g.plugin.capabilities.savedMethods,
        description: i18n.exists(`${g.code}:description`, { lng: ctx.locale }) ? ctx.t(`${g.code}:description`) : '',
      })),
      saved: saved.map(savedMethodView),
    };
  }

  /** Starts the payment and sends the customer on: to the processor's page, or to the payment's own page. */
  async function pay(c: Context<PageEnv>, account: BillingAccount, choice: PaymentChoice, what: PaymentFor): Promise<Response> {
    const payment = await payments.start(account.id, {
      ...what, gateway: choice.gateway, idempotencyKey: choice.idempotencyKey || randomUUID(), locale: c.get('locale'), origin: origin(c),
      ...(choice.methodId && { methodId: choice.methodId }), saveMethod: choice.saveMethod && !choice.methodId, termsVersion: config.payments.termsVersion,
    });
    const to = payment.status === 'requires_action' && payment.redirectUrl ? payment.redirectUrl : `${base}/payments/${payment.id}`;
    if (fromHtmx(c)) return c.body(null, 204, { 'HX-Redirect': to });
    return c.redirect(to, 303);
  }

  /** The preset amounts, as the form sends them back ("50") and as they read ("50,00 €"). */
  const presets = (account: BillingAccount) => config.payments.topUpPresets.map((value) => ({ value, amount: parseDecimal(value, account.currency) }));

  /** The top-up page; after a refused post, its form as sent back (for htmx, the form alone). */
  async function topUpPage(c: Context<PageEnv>, account: BillingAccount, state: { amount?: string; custom?: string; method?: string; errors?: FieldErrors; status?: number } = {}) {
    c.set('here', `${base}/top-up`);
    const ctx = pageContext(c, i18n, config);
    const [balance, options] = await Promise.all([accounts.balance(account.id), methods(account, ctx, 'topUp')]);
    const data = {
      account, balance, ...options, presets: presets(account), min: parseDecimal(config.payments.topUpMin, account.currency),
      max: parseDecimal(config.payments.topUpMax, account.currency), termsUrl: config.payments.termsUrl, key: randomUUID(),
      chosen: { amount: state.amount ?? config.payments.topUpPresets[1] ?? config.payments.topUpPresets[0], custom: state.custom ?? '', method: state.method ?? options.saved.find((s) => s.isDefault)?.value ?? options.gateways[0]?.code },
      errors: state.errors ?? {},
    };
    const page = () => renderPage(c, ctx, 'pages/top-up', data, { title: ctx.t('payments:topUpTitle'), status: (state.status ?? 200) as never });
    return state.errors ? formAnswer(c, ctx, { partial: 'partials/top-up-form', data, status: state.status ?? 422 }, page) : page();
  }

  app.get('/top-up', async (c) => topUpPage(c, await requireAccount(c, accounts)));

  /** The amount chosen: a preset, or one typed in the customer's notation, within the provider's bounds. */
  app.post('/top-up', async (c) => {
    const account = await requireAccount(c, accounts);
    const form = await c.req.parseBody();
    const choice = readChoice(form);
    const chosen = typeof form.amount === 'string' ? form.amount : '';
    const custom = typeof form.custom === 'string' ? form.custom.trim() : '';
    const ctx = pageContext(c, i18n, config);
    const errors: FieldErrors = {};
    let amount: Money | undefined;
    try {
      amount = chosen === 'other' || custom !== '' ? parseAmount(custom, account.currency, c.get('locale')) : parseDecimal(chosen, account.currency);
      const min = parseDecimal(config.payments.topUpMin, account.currency);
      const max = parseDecimal(config.payments.topUpMax, account.currency);
      if (amount.amount < min.amount || amount.amount > max.amount) throw new BillingError('TOPUP_OUT_OF_RANGE', { min, max });
    } catch (error) {
      errors.amount = refusalMessage(ctx, error);
    }
    if (!choice.termsAccepted) errors.terms = refusalMessage(ctx, new BillingError('TERMS_NOT_ACCEPTED'));
    const state = { amount: chosen, custom, method: choice.gateway && (choice.methodId ? `saved:${choice.gateway}:${choice.methodId}` : choice.gateway), errors, status: 422 };
    if (errors.amount || errors.terms) return topUpPage(c, account, state);
    try {
      return await pay(c, account, choice, { purpose: 'top_up', amount: amount! });
    } catch (error) {
      if (!isBillingError(error)) throw error;
      return topUpPage(c, account, { ...state, errors: { method: refusalMessage(ctx, error) } });
    }
  });

  /** What is due, shown with the methods to pay it: an order (its lines, what the balance holds, the rest) or a renewal period. */
  interface Due {
    title: string;
    lines: { quantity: number; name: string; cycle: string; total: Money }[];
    total: Money;
    held: Money;
    due: Money | null;
    notDue?: string;
    action: string;
    what: PaymentFor;
  }

  async function orderDue(account: BillingAccount, ctx: PageContext, id: string): Promise<Due> {
    const order = await orders.get(account.id, numericId(id, 'NOT_FOUND'));
    return {
      title: ctx.t('payments:payOrderTitle', { order: order.id.toString() }), lines: await orderLines(order, ctx), total: order.total, held: order.balanceApplied,
      due: order.status === 'awaiting_payment' ? order.amountDue : null, notDue: ctx.t(`payments:orderNotDue.${order.status}`, { defaultValue: '' }),
      action: `${base}/pay/${order.id}`, what: { purpose: 'order', orderId: order.id },
    };
  }

  /** A service's renewal period waiting for payment (the renewal job could not take it from the balance). */
  async function renewalDue(account: BillingAccount, ctx: PageContext, id: string): Promise<Due> {
    const serviceId = numericId(id, 'SERVICE_NOT_FOUND');
    const service = (await orders.services(account.id)).find((s) => s.id === serviceId);
    if (!service) throw new BillingError('SERVICE_NOT_FOUND');
    const due = (await orders.amountsDue(deps.sql, account.id)).find((d) => d.kind === 'renewal' && d.id === serviceId);
    const [product] = await catalogue.find(deps.sql, [service.productCode]);
    const amount = money(due?.amount ?? 0n, account.currency);
    return {
      title: ctx.t('payments:payRenewalTitle', { product: product ? productName(product, ctx.locale) : service.productCode }),
      lines: [{ quantity: service.quantity, name: product ? productName(product, ctx.locale) : service.productCode, cycle: service.cycle, total: amount }],
      total: amount, held: money(0n, account.currency), due: due ? amount : null, notDue: ctx.t('payments:renewalNotDue'),
      action: `${base}/pay/service/${serviceId}`, what: { purpose: 'renewal', serviceId, period: due?.period ?? service.nextDueAt },
    };
  }

  /** What is due and how to pay it; after a refused post, its form as sent back (for htmx, the form alone). */
  async function duePage(c: Context<PageEnv>, account: BillingAccount, find: (ctx: PageContext) => Promise<Due>, state: { method?: string; errors?: FieldErrors; status?: number } = {}) {
    c.set('here', c.req.path);
    const ctx = pageContext(c, i18n, config);
    const [due, options] = await Promise.all([find(ctx), methods(account, ctx, 'payDue')]);
    const data = {
      account, ...due, ...options, termsUrl: config.payments.termsUrl, key: randomUUID(), errors: state.errors ?? {},
      chosen: { method: state.method ?? options.saved.find((s) => s.isDefault)?.value ?? options.gateways[0]?.code },
    };
    const page = () => renderPage(c, ctx, 'pages/pay-due', data, { title: due.title, status: (state.status ?? 200) as never });
    return state.errors ? formAnswer(c, ctx, { partial: 'partials/pay-due-form', data, status: state.status ?? 422 }, page) : page();
  }

  async function payDue(c: Context<PageEnv>, find: (account: BillingAccount, ctx: PageContext) => Promise<Due>) {
    const account = await requireAccount(c, accounts);
    const choice = readChoice(await c.req.parseBody());
    const ctx = pageContext(c, i18n, config);
    const due = await find(account, ctx);
    if (!choice.termsAccepted) {
      return duePage(c, account, async () => due, { method: choice.gateway, errors: { terms: refusalMessage(ctx, new BillingError('TERMS_NOT_ACCEPTED')) }, status: 422 });
    }
    return pay(c, account, choice, due.what);
  }

  // A renewal period is paid like an order: the same page, the same methods.
  app.get('/pay/service/:id', async (c) => {
    const account = await requireAccount(c, accounts);
    return duePage(c, account, (ctx) => renewalDue(account, ctx, c.req.param('id')));
  });
  app.post('/pay/service/:id', (c) => payDue(c, (account, ctx) => renewalDue(account, ctx, c.req.param('id'))));

  app.get('/pay/:order', async (c) => {
    const account = await requireAccount(c, accounts);
    return duePage(c, account, (ctx) => orderDue(account, ctx, c.req.param('order')));
  });
  app.post('/pay/:order', (c) => payDue(c, (account, ctx) => orderDue(account, ctx, c.req.param('order'))));

  /** A payment's page: its outcome, what happens next, the new balance. htmx asks again while it is open. */
  app.get('/payments/:id', async (c) => {
    const account = await requireAccount(c, accounts);
    const payment = await payments.get(account.id, c.req.param('id'));
    return resultPage(c, account, payment);
  });

  /** Where the processor sends the customer back: ask it now, then show the payment's page. */
  app.get('/payments/:id/return', async (c) => {
    const account = await requireAccount(c, accounts);
    const payment = await payments.refresh(account.id, c.req.param('id'));
    return c.redirect(`${base}/payments/${payment.id}`, 303);
  });

  /** The order's lines with their products' names in the page's language. */
  async function orderLines(order: Order, ctx: PageContext) {
    const products = await catalogue.find(deps.sql, order.lines.map((l) => l.productCode));
    return order.lines.map((l) => {
      const product = products.find((p) => p.code === l.productCode);
      return { ...l, name: product ? productName(product, ctx.locale) : l.productCode };
    });
  }

  async function resultPage(c: Context<PageEnv>, account: BillingAccount, payment: Payment) {
    const ctx = pageContext(c, i18n, config);
    const balance = await accounts.balance(account.id);
    const reason = payment.reason && ctx.t(`payments:reasons.${payment.reason}`, { defaultValue: ctx.t('payments:reasons.other') });
    return renderPage(c, ctx, 'pages/payment', { account, payment, balance, reason }, { title: ctx.t(`payments:status.${payment.status}`) });
  }

  return app;
}

/** An id in the address; anything else is not found. */
const numericId = (text: string, code: 'NOT_FOUND' | 'SERVICE_NOT_FOUND') => {
  if (!/^\d{1,18}$/.test(text)) throw new BillingError(code);
  return BigInt(text);
};

