import { type Ctx, stripeOf } from './client.js';

export type Flow = 'checkout' | 'direct';

export interface PaymentRecord {
  payment_id: string;
  flow: Flow;
  customer_id: string | null;
  reference: string | null;
  created_at: Date;
}

/**
 * Notes the payment before Stripe is called (the same payment again finds its first note): from
 * here on Stripe may know of it, and reconciliation looks for it there rather than assume it never
 * was.
 */
export async function notePayment(ctx: Ctx, paymentId: string, flow: Flow, customerId: string | null): Promise<PaymentRecord> {
  await ctx.sql`
    INSERT INTO card_stripe_payments (payment_id, flow, customer_id) VALUES (${paymentId}, ${flow}, ${customerId})
    ON CONFLICT (payment_id) DO NOTHING`;
  return (await recordOf(ctx, paymentId))!;
}

/** Stripe's id for the payment, kept as soon as Stripe answers, whether or not Saldo still waits. */
export async function noteReference(ctx: Ctx, paymentId: string, reference: string): Promise<void> {
  await ctx.sql`UPDATE card_stripe_payments SET reference = ${reference}, updated_at = now() WHERE payment_id = ${paymentId}`;
}

export async function recordOf(ctx: Ctx, paymentId: string): Promise<PaymentRecord | undefined> {
  const [row] = await ctx.sql<PaymentRecord[]>`SELECT * FROM card_stripe_payments WHERE payment_id = ${paymentId}`;
  return row;
}

/** The account's Stripe Customer, if it has one already. */
export async function knownCustomer(ctx: Ctx, customerNumber: string): Promise<string | undefined> {
  const [row] = await ctx.sql<{ customer_id: string }[]>`SELECT customer_id FROM card_stripe_customers WHERE customer_number = ${customerNumber}`;
  return row?.customer_id;
}

/**
 * The account's Stripe Customer, made the first time a card is to be kept. Stripe's idempotency
 * key is the customer number, so two payments starting at once (or a retry after a crash between
 * Stripe's answer and the row) get the same Customer; the first row written wins.
 */
export async function customerFor(ctx: Ctx, customerNumber: string): Promise<string> {
  const known = await knownCustomer(ctx, customerNumber);
  if (known) return known;
  const customer = await stripeOf(ctx).customers.create(
    { description: `Saldo customer ${customerNumber}`, metadata: { saldo_customer_number: customerNumber } },
    { idempotencyKey: `saldo-customer-${customerNumber}` },
  );
  await ctx.sql`
    INSERT INTO card_stripe_customers (customer_number, customer_id) VALUES (${customerNumber}, ${customer.id})
    ON CONFLICT (customer_number) DO NOTHING`;
  return (await knownCustomer(ctx, customerNumber))!;
}
