import { type GatewayOutcome, money, type SavedMethod } from '@saldo/sdk';
import { type Ctx, declineReason, isRefusal, type Stripe, stripeOf, toBrand } from './client.js';

/** The card a PaymentIntent was paid with: expanded already, or fetched. */
async function cardOf(ctx: Ctx, intent: Stripe.PaymentIntent): Promise<Stripe.PaymentMethod | undefined> {
  const method = intent.payment_method;
  if (!method) return undefined;
  return typeof method === 'string' ? stripeOf(ctx).paymentMethods.retrieve(method) : method;
}

/**
 * The allow-list in force when the customer was asked to pay, kept on the intent: that payment is
 * judged by it. Judged by today's list, a report of a payment booked long ago (Stripe resends
 * events; a late one arrives after the list lost the brand) would refund a card whose credit
 * stays on the balance. Intents made before the list was kept are judged by today's.
 */
export const brandsMetadata = (ctx: Ctx) => ctx.config.brands.join(' ');
const acceptedFor = (ctx: Ctx, intent: Stripe.PaymentIntent): readonly string[] =>
  intent.metadata.saldo_brands?.split(' ') ?? ctx.config.brands;

/**
 * A collected payment with a brand outside the allow-list — one Stripe's page could not block
 * (JCB, Diners, … have no switch there), or one the allow-list lost since the card was kept — is
 * given back whole and declined. The refund's idempotency key is the intent, so every report of
 * the same success (notification, return, reconciliation) refunds it once.
 */
async function refuseBrand(ctx: Ctx, intent: Stripe.PaymentIntent): Promise<GatewayOutcome> {
  try {
    await stripeOf(ctx).refunds.create(
      { payment_intent: intent.id, metadata: { saldo_payment_id: intent.metadata.saldo_payment_id ?? '', saldo_reason: 'brand_not_accepted' } },
      { idempotencyKey: `saldo-brand-refusal-${intent.id}` },
    );
  } catch (error) {
    // Refunded already: a report more than a day later, when Stripe no longer replays the key.
    if (!(isRefusal(error) && error.code === 'charge_already_refunded')) throw error;
  }
  return { status: 'declined', reference: intent.id, reason: 'brand_not_accepted' };
}

/** What a PaymentIntent says of the payment, in Saldo's outcomes. */
export async function intentOutcome(ctx: Ctx, intent: Stripe.PaymentIntent): Promise<GatewayOutcome> {
  const reference = intent.id;
  switch (intent.status) {
    case 'succeeded': {
      const card = await cardOf(ctx, intent);
      const brand = toBrand(card?.card?.brand);
      if (!acceptedFor(ctx, intent).includes(brand)) return refuseBrand(ctx, intent);
      // Stripe's amounts are integers of at most eight digits: exact as JSON numbers, checked by money().
      const amount = money(intent.amount_received, intent.currency.toUpperCase());
      const saved = intent.setup_future_usage && card?.card ? savedMethodOf(card.id, brand, card.card) : undefined;
      return { status: 'succeeded', reference, amount, ...(saved && { savedMethod: saved }) };
    }
    case 'processing':
      return { status: 'pending', reference };
    case 'requires_action': {
      const url = intent.next_action?.redirect_to_url?.url;
      return url ? { status: 'requires_action', reference, redirectUrl: url } : { status: 'pending', reference };
    }
    case 'requires_payment_method':
      // Confirmed and refused (a decline, a failed 3-D Secure step): Saldo never confirms it again.
      return { status: 'declined', reference, reason: declineReason(intent.last_payment_error) };
    case 'canceled':
      return { status: 'canceled', reference };
    default:
      // requires_confirmation, requires_capture: states Saldo's calls never leave an intent in.
      return { status: 'unknown', reference };
  }
}

/** What a Checkout Session says of the payment: still open, paid (its intent tells), or lapsed. */
export async function sessionOutcome(ctx: Ctx, session: Stripe.Checkout.Session): Promise<GatewayOutcome> {
  if (session.status === 'open') return { status: 'requires_action', reference: session.id, redirectUrl: session.url! };
  if (session.status === 'expired') return { status: 'canceled', reference: session.id };
  if (session.payment_status !== 'paid' || !session.payment_intent) return { status: 'pending', reference: session.id };
  const intent = typeof session.payment_intent === 'string'
    ? await stripeOf(ctx).paymentIntents.retrieve(session.payment_intent, { expand: ['payment_method'] })
    : session.payment_intent;
  return intentOutcome(ctx, intent);
}

const savedMethodOf = (token: string, brand: string, card: Stripe.PaymentMethod.Card): SavedMethod =>
  ({ token, brand, last4: card.last4, expMonth: card.exp_month, expYear: card.exp_year });
