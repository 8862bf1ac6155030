import type { GatewayOutcome, PaymentRequest } from '@saldo/sdk';
import { brandLabel } from '../brands.js';
import {
  blockedOnCheckout, type Ctx, declineReason, isMissing, settingsOf, Stripe, stripeAmount, stripeCurrency, stripeOf, toBrand,
} from './client.js';
import { brandsMetadata, intentOutcome } from './outcomes.js';
import { customerFor, notePayment, noteReference } from './records.js';

/**
 * The customer pays on Stripe's own page (Checkout, mode `payment`): the card number goes from
 * the customer's browser to Stripe and nowhere else — Saldo serves no card form and loads no
 * script of Stripe's, so its pages keep their strict CSP. The session's idempotency key is Saldo's
 * payment id and every parameter is derived from the payment (the expiry from the first note of
 * it), so a repeated call finds the same session.
 */
export async function startCheckout(ctx: Ctx, payment: PaymentRequest): Promise<GatewayOutcome> {
  const settings = settingsOf(ctx);
  // A card to keep belongs to a Customer, so that it can be charged later (automatic top-ups).
  const customer = payment.saveMethod ? await customerFor(ctx, payment.customerNumber) : null;
  const noted = await notePayment(ctx, payment.paymentId, 'checkout', customer);
  const t = (key: string, params?: Record<string, string>) => ctx.t(key, payment.locale, params);
  const blocked = blockedOnCheckout(ctx.config.brands);
  const metadata = { saldo_payment_id: payment.paymentId, saldo_flow: 'checkout', saldo_brands: brandsMetadata(ctx) };
  const session = await stripeOf(ctx).checkout.sessions.create({
    mode: 'payment',
    allowed_payment_method_types: ['card'],
    line_items: [{
      quantity: 1,
      price_data: { currency: stripeCurrency(payment.amount), unit_amount: stripeAmount(payment.amount), product_data: { name: t('stripe.item', { customer: payment.customerNumber }) } },
    }],
    locale: payment.locale,
    success_url: payment.returnUrl,
    cancel_url: payment.returnUrl,
    client_reference_id: payment.paymentId,
    expires_at: Math.floor(noted.created_at.getTime() / 1000) + settings.expiresAfterMinutes * 60,
    metadata,
    ...(customer && { customer }),
    payment_intent_data: { description: payment.description, metadata, ...(payment.saveMethod && { setup_future_usage: 'off_session' as const }) },
    // The page itself refuses the networks outside the allow-list; others are checked once paid.
    ...(blocked.length && { payment_method_options: { card: { restrictions: { brands_blocked: blocked } } } }),
    custom_text: { submit: { message: t('stripe.accepted', { brands: ctx.config.brands.map((b) => brandLabel(b)).join(', ') }) } },
  }, { idempotencyKey: payment.paymentId });
  await noteReference(ctx, payment.paymentId, session.id);
  return { status: 'requires_action', reference: session.id, redirectUrl: session.url! };
}

/**
 * Charges a kept card. Its brand is checked first (the allow-list may have changed since it was
 * kept), so a refused brand is never charged. Without the customer (an automatic top-up) Stripe
 * is told so, and a bank that wants the customer to confirm makes a decline, not a question;
 * with the customer, a 3-D Secure step sends them to Stripe's page and back.
 */
export async function chargeSaved(ctx: Ctx, payment: PaymentRequest & { savedMethod: { token: string } }): Promise<GatewayOutcome> {
  const stripe = stripeOf(ctx);
  const card = await stripe.paymentMethods.retrieve(payment.savedMethod.token).catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  const customer = typeof card?.customer === 'string' ? card.customer : card?.customer?.id;
  // A card no longer attached to a Customer was removed: Stripe would refuse to charge it again.
  if (!card || !customer) return { status: 'declined', reason: 'card_not_found' };
  if (!ctx.config.brands.includes(toBrand(card.card?.brand))) return { status: 'declined', reason: 'brand_not_accepted' };

  await notePayment(ctx, payment.paymentId, 'direct', customer);
  try {
    const intent = await stripe.paymentIntents.create({
      amount: stripeAmount(payment.amount),
      currency: stripeCurrency(payment.amount),
      customer,
      payment_method: payment.savedMethod.token,
      allowed_payment_method_types: ['card'],
      confirm: true,
      description: payment.description,
      metadata: { saldo_payment_id: payment.paymentId, saldo_flow: 'direct', saldo_brands: brandsMetadata(ctx) },
      expand: ['payment_method'],
      ...(payment.offSession ? { off_session: true } : { return_url: payment.returnUrl }),
    }, { idempotencyKey: payment.paymentId });
    await noteReference(ctx, payment.paymentId, intent.id);
    return intentOutcome(ctx, intent);
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeCardError)) throw error;
    // A decline is an answer, not a failure: Stripe made the intent and says why it was refused.
    const reference = error.payment_intent?.id;
    if (reference) await noteReference(ctx, payment.paymentId, reference);
    return { status: 'declined', reason: declineReason(error), ...(reference && { reference }) };
  }
}
