import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { routes } from './api.js';
import { blockName, newId, now, parseForm, StripeFault, type StripeObject, TEST_CARDS, type TestCard, toJson } from './objects.js';
import { Store } from './store.js';

export const FAKE_SECRET_KEY = 'sk_test_saldo_fake_0123456789';
export const FAKE_WEBHOOK_SECRET = 'whsec_saldo_fake_0123456789abcdef';

/**
 * A local stand-in for Stripe's API: the endpoints the card gateway calls, with Stripe's JSON
 * shapes, error shapes (`402 card_error`, `404 resource_missing`, …), idempotency keys (a replay
 * answers the first result; other parameters under the same key are an `idempotency_error`) and
 * the events Stripe would send. It does not send them: a test signs them the way Stripe does
 * (`notification()`) and posts them in the order it wants. What a customer does on Stripe's pages
 * is `pay()`, `expire()`, `authenticate()`.
 */
export class FakeStripe {
  private address = '';
  readonly store = new Store(() => this.address);
  /** Every call, as Stripe's request log shows it, with its parameters. */
  readonly requests: { method: string; path: string; idempotencyKey?: string; params: Record<string, unknown> }[] = [];
  private readonly replays = new Map<string, { path: string; body: string; status: number; answer: string }>();
  private dropping = { left: 0, path: '' };
  private readonly server = createServer((req, res) => void this.serve(req, res));

  /** Starts the fake's server; its address is what the Stripe client is pointed at. */
  async listen(): Promise<{ apiHost: string; apiPort: number; apiProtocol: 'http' }> {
    if (!this.address) {
      await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
      this.address = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }
    return { apiHost: '127.0.0.1', apiPort: Number(new URL(this.address).port), apiProtocol: 'http' };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The next `n` answers (to `path`, or to any call) are lost on the way back: the call is carried out, the connection drops. */
  loseAnswers(n: number, path = ''): void {
    this.dropping = { left: n, path };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const url = new URL(req.url ?? '/', this.address);
    const key = req.headers['idempotency-key'] as string | undefined;
    const params = parseForm(req.method === 'GET' ? url.search.slice(1) : body);
    this.requests.push({ method: req.method!, path: url.pathname, params, ...(key && { idempotencyKey: key }) });
    const first = req.method === 'POST' && key ? this.replays.get(key) : undefined;
    let status: number;
    let answer: string;
    if (!first) {
      [status, answer] = this.answer(req, url, params);
      if (req.method === 'POST' && key) this.replays.set(key, { path: url.pathname, body, status, answer });
    } else if (first.path === url.pathname && first.body === body) {
      [status, answer] = [first.status, first.answer];
    } else {
      [status, answer] = [400, toJson({ error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.` } })];
    }
    if (this.dropping.left > 0 && url.pathname.startsWith(this.dropping.path)) {
      this.dropping.left--;
      req.socket.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req') }).end(answer);
  }

  /** Carries out one call (a replayed idempotency key never comes here). */
  private answer(req: IncomingMessage, url: URL, params: Record<string, unknown>): [number, string] {
    if (req.headers.authorization !== `Bearer ${FAKE_SECRET_KEY}`) {
      return [401, toJson({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } })];
    }
    const route = routes.find(([method, path]) => method === req.method && path.test(url.pathname));
    if (!route) return [404, toJson({ error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname}).` } })];
    try {
      return [200, toJson(route[2](this.store, params, route[1].exec(url.pathname)![1] ?? ''))];
    } catch (error) {
      if (error instanceof StripeFault) return [error.status, toJson({ error: error.body })];
      throw error;
    }
  }

  /**
   * The customer on the Checkout page enters `card` and pays: a network the session blocks is
   * refused on the page (nothing happens); a decline leaves the session open for another card;
   * otherwise the intent is made (lazily, as Checkout does), collected, the session completed.
   */
  pay(sessionId: string, card: TestCard, options: { authenticated?: boolean } = {}): 'blocked' | 'declined' | 'paid' {
    const session = this.store.get('checkout.session', sessionId);
    if (session.status !== 'open') throw new Error(`session ${sessionId} is ${String(session.status)}`);
    const blocked = (session.payment_method_options as { card: { restrictions: { brands_blocked: string[] } } }).card.restrictions.brands_blocked;
    if (blocked.includes(blockName[TEST_CARDS[card].brand] ?? '')) return 'blocked';
    const data = session.payment_intent_data as { metadata?: Record<string, string>; setup_future_usage?: string; description?: string };
    const intent = session.payment_intent
      ? this.store.get('payment_intent', session.payment_intent as string)
      : this.store.add({
        id: newId('pi'), object: 'payment_intent', amount: session.amount_total, amount_received: 0n, currency: session.currency, status: 'requires_payment_method',
        customer: session.customer, payment_method: null, metadata: data.metadata ?? {}, description: data.description ?? null,
        setup_future_usage: data.setup_future_usage ?? null, last_payment_error: null, next_action: null, latest_charge: null, created: now(), livemode: false,
      });
    session.payment_intent = intent.id;
    const method = this.store.card(card, data.setup_future_usage ? (session.customer as string | null) : null);
    // Checkout runs 3-D Secure on its own page: the customer passes it unless told otherwise.
    if (this.store.charge(intent, method, { offSession: false, authenticated: options.authenticated ?? true })) return 'declined';
    Object.assign(session, { status: 'complete', payment_status: 'paid' });
    this.store.emit('checkout.session.completed', session);
    return 'paid';
  }

  /** The session lapses unpaid; an intent it made is canceled. */
  expire(sessionId: string): void {
    const session = this.store.get('checkout.session', sessionId);
    session.status = 'expired';
    if (session.payment_intent) {
      const intent = this.store.get('payment_intent', session.payment_intent as string);
      Object.assign(intent, { status: 'canceled', cancellation_reason: 'abandoned' });
      this.store.emit('payment_intent.canceled', intent);
    }
    this.store.emit('checkout.session.expired', session);
  }

  /** The customer on the 3-D Secure page of a kept card's charge: confirms, or fails. */
  authenticate(intentId: string, ok: boolean): void {
    const intent = this.store.get('payment_intent', intentId);
    if (ok) return void this.store.charge(intent, this.store.get('payment_method', intent.payment_method as string), { offSession: false, authenticated: true });
    Object.assign(intent, { status: 'requires_payment_method', next_action: null, last_payment_error: { type: 'card_error', code: 'payment_intent_authentication_failure', message: 'The provided PaymentMethod has failed authentication.' } });
    this.store.emit('payment_intent.payment_failed', intent);
  }

  /** A card the customer kept, attached to `customer`, as Stripe's test PaymentMethods are. */
  keptCard(card: TestCard, customer: string): string {
    return this.store.card(card, customer).id;
  }

  /** The events Stripe sent about Saldo's payment `paymentId`, oldest first. */
  eventsOf(paymentId: string, type?: string): StripeObject[] {
    return this.store.events.filter((e) => {
      const object = (e.data as { object: { metadata?: Record<string, string> } }).object;
      return object.metadata?.saldo_payment_id === paymentId && (!type || e.type === type);
    });
  }
}

/**
 * An event as Stripe posts it to the webhook endpoint: the JSON body and its `Stripe-Signature`
 * header, made by the library's own `generateTestHeaderString` (with another secret, or at
 * another time, for the forged and the stale).
 */
export function notification(event: StripeObject, options: { secret?: string; timestamp?: number } = {}) {
  const body = toJson(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: options.secret ?? FAKE_WEBHOOK_SECRET, timestamp: options.timestamp ?? now() });
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
}
