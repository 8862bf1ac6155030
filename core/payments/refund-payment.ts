import { type Money, money, type RefundOutcome, toJSON } from '@saldo/sdk';
import type { Sql } from '../db/connect.js';
import { BillingError } from '../errors.js';
import { checkIdempotencyKey } from '../idempotency-key.js';
import { requestHash } from '../ledger/request-hash.js';
import { paymentJson } from './apply-outcome.js';
import { isCollected } from './lifecycle.js';
import { findPayment, lockPayment, type Payment, transition } from './payment.repo.js';
import type { StartDeps } from './start-payment.js';
import { within } from './start-payment.js';

export interface Refund {
  id: string;
  paymentId: string;
  amount: Money;
  reason: string;
  status: 'pending' | 'succeeded' | 'failed';
  reference: string | null;
  failure: string | null;
  createdAt: Date;
}

/** A refund's reservation on the balance lasts until its gateway answers: a hold that does not lapse on its own. */
const UNTIL_ANSWERED = new Date('2999-12-31T00:00:00Z');

interface RefundRow { id: string; payment_id: string; request_hash: string; amount_minor: bigint; currency: string; reason: string; status: Refund['status']; reference: string | null; failure: string | null; hold_id: bigint | null; created_at: Date }
const toRefund = (r: RefundRow): Refund => ({
  id: r.id, paymentId: r.payment_id, amount: money(r.amount_minor, r.currency), reason: r.reason, status: r.status, reference: r.reference, failure: r.failure, createdAt: r.created_at,
});

/**
 * Gives money back where a payment came from. The refund is recorded first, in one transaction
 * that reserves it twice — on the payment (refunds never exceed what was collected: a guarded
 * UPDATE, no read-then-write) and on the customer's balance (a hold: money already spent cannot
 * go back) — then the gateway is called outside any transaction, then its answer books the refund
 * (from the balance to the gateway clearing account, `payment.refunded`) or releases both. The
 * same idempotency key again answers the same refund.
 */
export async function refundPayment(
  deps: StartDeps, accountId: bigint, paymentId: string, request: { amount?: Money; reason: string; idempotencyKey: string },
): Promise<Refund> {
  const key = checkIdempotencyKey(request.idempotencyKey);
  const payment = await findPayment(deps.sql, paymentId);
  if (!payment || payment.accountId !== accountId) throw new BillingError('PAYMENT_NOT_FOUND');
  const gateway = deps.gateways.get(payment.gateway, ['refunds']);
  if (request.amount && request.amount.currency !== payment.amount.currency) {
    throw new BillingError('CURRENCY_MISMATCH', { expected: payment.amount.currency, actual: request.amount.currency });
  }
  if (request.amount && request.amount.amount <= 0n) throw new BillingError('AMOUNT_NOT_POSITIVE');
  // The request as it was sent: "the rest" names a different amount once part of it is refunded.
  const hash = requestHash('refund', { amount: request.amount ?? null, reason: request.reason });

  const recorded = await deps.sql.begin(async (tx) => {
    // The payment's lock first: a request with the same key waits here, then finds this refund.
    const locked = (await lockPayment(tx, { id: payment.id }))!;
    const [earlier] = await tx<RefundRow[]>`SELECT * FROM payment_refunds WHERE payment_id = ${payment.id} AND idempotency_key = ${key}`;
    if (earlier) {
      if (earlier.request_hash !== hash) throw new BillingError('IDEMPOTENCY_CONFLICT', { key });
      return { refund: toRefund(earlier), fresh: false };
    }
    if (!isCollected(locked.status) || locked.status === 'refunded') throw new BillingError('REFUND_NOT_POSSIBLE', { status: locked.status });
    const amount = request.amount ?? money(locked.amount.amount - locked.refunded.amount, locked.amount.currency);
    if (amount.amount <= 0n) throw new BillingError('AMOUNT_NOT_POSITIVE');
    const reserved = await tx`
      UPDATE payments SET refunded_minor = refunded_minor + ${amount.amount}, updated_at = now()
       WHERE id = ${payment.id} AND refunded_minor + ${amount.amount} <= amount_minor`;
    if (reserved.count === 0) {
      throw new BillingError('REFUND_EXCEEDS_PAYMENT', { available: money(locked.amount.amount - locked.refunded.amount, amount.currency) });
    }
    // Reserved until the gateway says what became of the refund, however long that takes.
    const hold = await deps.wallets.hold(accountId, amount, {
      idempotencyKey: `refund-hold:${payment.id}:${key}`, description: request.reason, expiresAt: UNTIL_ANSWERED,
      described: { kind: 'payment_refund', via: { gateway: payment.gateway }, reason: request.reason },
    }, tx);
    const [row] = await tx<RefundRow[]>`
      INSERT INTO payment_refunds (payment_id, idempotency_key, request_hash, amount_minor, currency, reason, hold_id)
      VALUES (${payment.id}, ${key}, ${hash}, ${amount.amount}, ${amount.currency}, ${request.reason}, ${hold.id}) RETURNING *`;
    return { refund: toRefund(row!), fresh: true };
  });
  if (!recorded.fresh) return recorded.refund;

  const outcome = await within(deps.config.payments.gatewayTimeoutMs, () => gateway.plugin.refund!(gateway.ctx, {
    refundId: recorded.refund.id, paymentId: payment.id, reference: payment.reference!, amount: recorded.refund.amount, reason: request.reason,
  }), `gateway ${gateway.code} refund of ${payment.id}`);
  return applyRefundOutcome(deps, payment, recorded.refund.id, outcome);
}

/**
 * Applies what the gateway said of a refund: made (booked), refused (released), or still pending
 * or unknown — then the reservation stays, and reconciliation asks again.
 */
async function applyRefundOutcome(deps: StartDeps, payment: Payment, refundId: string, outcome: RefundOutcome | { status: 'unknown' | 'not_found' }): Promise<Refund> {
  if (outcome.status === 'pending' || outcome.status === 'unknown') {
    if (outcome.status === 'pending') await deps.sql`UPDATE payment_refunds SET reference = coalesce(${outcome.reference}, reference) WHERE id = ${refundId}`;
    const [row] = await deps.sql<RefundRow[]>`SELECT * FROM payment_refunds WHERE id = ${refundId}`;
    return toRefund(row!);
  }
  const result = outcome.status === 'succeeded' ? { ok: true as const, reference: outcome.reference } : { ok: false as const, failure: 'reason' in outcome ? outcome.reason : 'not_found' };
  return deps.sql.begin((tx) => settleRefund(tx, deps, payment, refundId, result));
}

/**
 * Asks the gateways about refunds still pending `payments.reconcileAfterSeconds` after they were
 * made. One the processor never heard of is released; a gateway that cannot say leaves it pending,
 * listed by `pendingRefunds()` for an operator.
 */
export async function reconcileRefunds(deps: StartDeps, limit = 100): Promise<number> {
  const due = await deps.sql<(RefundRow & { gateway: string; payment_reference: string })[]>`
    SELECT r.*, p.gateway, p.reference AS payment_reference FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
     WHERE r.status = 'pending' AND r.created_at < now() - make_interval(secs => ${deps.config.payments.reconcileAfterSeconds})
     ORDER BY r.created_at LIMIT ${limit}`;
  let settled = 0;
  for (const row of due) {
    const gateway = deps.gateways.get(row.gateway);
    if (!gateway.plugin.getRefund) continue;
    const outcome = await within(deps.config.payments.gatewayTimeoutMs,
      () => gateway.plugin.getRefund!(gateway.ctx, { refundId: row.id, paymentId: row.payment_id, reference: row.payment_reference }), `gateway ${gateway.code} refund ${row.id}`);
    const payment = (await findPayment(deps.sql, row.payment_id))!;
    if ((await applyRefundOutcome(deps, payment, row.id, outcome)).status !== 'pending') settled++;
  }
  return settled;
}

/** Refunds still waiting for their gateway's answer, oldest first. */
export async function pendingRefunds(deps: StartDeps): Promise<Refund[]> {
  return (await deps.sql<RefundRow[]>`SELECT * FROM payment_refunds WHERE status = 'pending' ORDER BY created_at`).map(toRefund);
}

/** Books a refund the gateway made, or releases what a failed one reserved. */
async function settleRefund(tx: Sql, deps: StartDeps, payment: Payment, refundId: string, result: { ok: true; reference: string } | { ok: false; failure: string }): Promise<Refund> {
  const [refund] = await tx<RefundRow[]>`SELECT * FROM payment_refunds WHERE id = ${refundId} FOR UPDATE`;
  if (refund!.status !== 'pending') return toRefund(refund!);
  const amount = money(refund!.amount_minor, refund!.currency);
  await deps.wallets.release(payment.accountId, refund!.hold_id!, tx);
  if (!result.ok) {
    await tx`UPDATE payments SET refunded_minor = refunded_minor - ${amount.amount}, updated_at = now() WHERE id = ${payment.id}`;
    const [row] = await tx<RefundRow[]>`UPDATE payment_refunds SET status = 'failed', failure = ${result.failure}, settled_at = now() WHERE id = ${refundId} RETURNING *`;
    return toRefund(row!);
  }
  const transfer = await deps.wallets.returnToGateway(payment.accountId, amount, {
    idempotencyKey: `payment-refund:${refundId}`, description: refund!.reason, described: { kind: 'payment_refund', via: { gateway: payment.gateway }, reason: refund!.reason }, metadata: { payment: payment.id, refund: refundId, reference: result.reference },
  }, tx);
  const [row] = await tx<RefundRow[]>`
    UPDATE payment_refunds SET status = 'succeeded', reference = ${result.reference}, transfer_id = ${transfer.id}, settled_at = now() WHERE id = ${refundId} RETURNING *`;
  const locked = (await lockPayment(tx, { id: payment.id }))!;
  const whole = locked.refunded.amount === locked.amount.amount;
  await transition(tx, locked, whole ? 'refunded' : 'partially_refunded', { source: 'refund', detail: { refund: refundId, amount: toJSON(amount).amount } });
  await deps.events.emit(tx, 'payment.refunded', payment.accountId, { ...paymentJson(locked), refundId, refunded: toJSON(amount), reason: refund!.reason, whole });
  return toRefund(row!);
}
