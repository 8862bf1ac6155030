import { missing, newId, now, snapshot, type StripeObject, TEST_CARDS, type TestCard } from './objects.js';

type Kind = 'customer' | 'checkout.session' | 'payment_intent' | 'payment_method' | 'refund';
const prefixes: Record<string, Kind> = { cus: 'customer', cs: 'checkout.session', pi: 'payment_intent', pm: 'payment_method', re: 'refund' };

/** What the fake Stripe account holds, and the events it has sent. */
export class Store {
  private readonly objects = new Map<string, StripeObject>();
  readonly events: StripeObject[] = [];
  /** What was refunded of each intent. */
  readonly refunded = new Map<string, bigint>();

  constructor(readonly base: () => string) {}

  add<T extends StripeObject>(object: T): T {
    this.objects.set(object.id, object);
    return object;
  }

  get(kind: Kind, id: string): StripeObject {
    const found = this.objects.get(id);
    if (!found || found.object !== kind) throw missing(kind, id);
    return found;
  }

  all(kind: Kind): StripeObject[] {
    return [...this.objects.values()].filter((o) => o.object === kind);
  }

  /** An event as Stripe sends it: the object as it is now. */
  emit(type: string, object: StripeObject): void {
    this.events.push({
      id: newId('evt'), object: 'event', api_version: '2026-10-28.endive', created: now(), type, livemode: false,
      data: { object: snapshot(object) }, pending_webhooks: 1, request: { id: null, idempotency_key: null },
    });
  }

  /** Replaces ids by their objects along `paths` (`payment_method`, `payment_intent.payment_method`, `data.payment_method`). */
  expand(value: StripeObject, paths: string[]): StripeObject {
    const copy = snapshot(value);
    for (const path of paths) this.expandPath(copy, path.split('.'));
    return copy;
  }

  private expandPath(node: Record<string, unknown>, [field, ...rest]: string[]): void {
    const value = node[field!];
    if (Array.isArray(value)) return value.forEach((item) => this.expandPath(item as Record<string, unknown>, rest));
    if (typeof value === 'string' && prefixes[value.split('_')[0]!]) node[field!] = snapshot(this.get(prefixes[value.split('_')[0]!]!, value));
    if (rest.length && node[field!] && typeof node[field!] === 'object') this.expandPath(node[field!] as Record<string, unknown>, rest);
  }

  /** A card as Stripe keeps it once a customer entered it (or a test PaymentMethod named it). */
  card(card: TestCard, customer: string | null): StripeObject {
    const { brand, last4 } = TEST_CARDS[card];
    return this.add({
      id: newId('pm'), object: 'payment_method', type: 'card', customer, created: now(), livemode: false, metadata: {},
      card: { brand, last4, exp_month: 12, exp_year: 2034, funding: 'credit', country: 'FR' }, test_card: card,
    });
  }

  /**
   * Charges `intent` with `method` as Stripe would: declined, held for 3-D Secure (with the
   * customer) or refused for want of it (without), or collected. Answers the error to raise, if any.
   */
  charge(intent: StripeObject, method: StripeObject, how: { offSession: boolean; returnUrl?: string; authenticated?: boolean }): Record<string, unknown> | undefined {
    const behaviour = TEST_CARDS[method.test_card as TestCard] as { decline?: { code: string; decline_code: string }; threeDS?: boolean };
    intent.payment_method = method.id;
    const fail = (error: Record<string, unknown>) => {
      Object.assign(intent, { status: 'requires_payment_method', last_payment_error: { type: 'card_error', ...error, payment_method: snapshot(method) }, next_action: null });
      this.emit('payment_intent.payment_failed', intent);
      return { type: 'card_error', ...error };
    };
    if (behaviour.decline) return fail({ ...behaviour.decline, message: 'Your card was declined.' });
    if (behaviour.threeDS && !how.authenticated) {
      if (how.offSession || !how.returnUrl) {
        return fail({ code: 'authentication_required', decline_code: 'authentication_required', message: 'Your card was declined. This transaction requires authentication.' });
      }
      Object.assign(intent, { status: 'requires_action', next_action: { type: 'redirect_to_url', redirect_to_url: { url: `${this.base()}/3ds/${intent.id}`, return_url: how.returnUrl } } });
      this.emit('payment_intent.requires_action', intent);
      return undefined;
    }
    Object.assign(intent, { status: 'succeeded', amount_received: intent.amount, latest_charge: newId('ch'), last_payment_error: null, next_action: null });
    this.emit('payment_intent.succeeded', intent);
    return undefined;
  }
}
