import type { GatewayHttpRequest, GatewayOutcome, WebhookResult } from '@saldo/sdk';
import { type Ctx, declineReason, settingsOf, Stripe } from './client.js';
import { intentOutcome, sessionOutcome } from './outcomes.js';

/** Stripe's own limit, and Saldo's: a notification signed more than five minutes ago is a replay. */
const TOLERANCE_SECONDS = 300;

/**
 * Verifies a notification as Stripe documents it (the library's own check of `Stripe-Signature`
 * over the raw body, five minutes' tolerance) and says what it means for Saldo's payment, found
 * by the `saldo_payment_id` Saldo put in its metadata. The endpoint subscribes to
 * checkout.session.completed|expired and payment_intent.succeeded|payment_failed|canceled|
 * processing|requires_action; any other event, and one about a payment made outside Saldo, is
 * acknowledged and ignored.
 */
export async function parseStripeWebhook(ctx: Ctx, request: GatewayHttpRequest): Promise<WebhookResult> {
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(
      // The age is measured from when the request arrived (the library wants milliseconds there).
      request.rawBody, request.headers['stripe-signature'] ?? '', settingsOf(ctx).webhookSecret, TOLERANCE_SECONDS, undefined, request.receivedAt.getTime(),
    );
  } catch (error) {
    const message = (error as Error).message;
    return { verified: false, reason: /tolerance/i.test(message) ? 'stale' : /header|format/i.test(message) ? 'malformed' : 'mismatch' };
  }
  const object = event.data.object as { metadata?: Record<string, string> | null };
  const paymentId = object.metadata?.saldo_payment_id;
  if (!paymentId) return { verified: true, eventId: event.id, ignored: `${event.type} of a payment made outside Saldo` };
  const outcome = await outcomeOf(ctx, event);
  if (typeof outcome === 'string') return { verified: true, eventId: event.id, ignored: outcome };
  return { verified: true, eventId: event.id, payment: { paymentId }, outcome, occurredAt: new Date(event.created * 1000) };
}

/** The outcome an event reports, or why it reports none. */
async function outcomeOf(ctx: Ctx, event: Stripe.Event): Promise<GatewayOutcome | string> {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.expired':
      return sessionOutcome(ctx, event.data.object);
    case 'payment_intent.succeeded':
    case 'payment_intent.processing':
    case 'payment_intent.canceled':
      return intentOutcome(ctx, event.data.object);
    case 'payment_intent.payment_failed': {
      const intent = event.data.object;
      // On Stripe's page the customer may try another card in the same session: only the
      // session's end (completed or expired) is final. A direct charge is not tried again.
      if (intent.metadata.saldo_flow === 'checkout') return 'a failed attempt on the Checkout page, which stays open';
      return { status: 'declined', reference: intent.id, reason: declineReason(intent.last_payment_error) };
    }
    case 'payment_intent.requires_action': {
      const intent = event.data.object;
      if (!intent.next_action?.redirect_to_url?.url) return 'a step the customer takes on the Checkout page';
      return intentOutcome(ctx, intent);
    }
    default:
      return `${event.type} is not an event Saldo acts on`;
  }
}
