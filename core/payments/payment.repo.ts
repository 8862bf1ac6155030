import { type Currency, type Money, money } from '@saldo/sdk';
import type { Sql } from '../db/connect.js';
import { canMove, type PaymentStatus } from './lifecycle.js';

export type PaymentPurpose = 'top_up' | 'order' | 'renewal' | 'invoice';
export type TransitionSource = 'start' | 'return' | 'webhook' | 'reconcile' | 'refund' | 'operator';

export interface Payment {
  id: string;
  accountId: bigint;
  gateway: string;
  purpose: PaymentPurpose;
  orderId: bigint | null;
  serviceId: bigint | null;
  periodStart: Date | null;
  amount: Money;
  status: PaymentStatus;
  reference: string | null;
  redirectUrl: string | null;
  instructions: Record<string, string> | null;
  reason: string | null;
  methodId: string | null;
  saveMethod: boolean;
  offSession: boolean;
  termsVersion: string | null;
  refunded: Money;
  transferId: bigint | null;
  calledAt: Date | null;
  outcomeUnknown: boolean;
  createdAt: Date;
  updatedAt: Date;
}

interface PaymentRow {
  id: string; account_id: bigint; idempotency_key: string; request_hash: string; gateway: string; purpose: PaymentPurpose;
  order_id: bigint | null; service_id: bigint | null; period_start: Date | null; amount_minor: bigint; currency: Currency;
  status: PaymentStatus; reference: string | null; redirect_url: string | null; instructions: Record<string, string> | null;
  reason: string | null; method_id: string | null; save_method: boolean; off_session: boolean; terms_version: string | null;
  refunded_minor: bigint; transfer_id: bigint | null; called_at: Date | null; outcome_unknown: boolean; created_at: Date; updated_at: Date;
}

export const toPayment = (r: PaymentRow): Payment => ({
  id: r.id, accountId: r.account_id, gateway: r.gateway, purpose: r.purpose, orderId: r.order_id, serviceId: r.service_id,
  periodStart: r.period_start, amount: money(r.amount_minor, r.currency), status: r.status, reference: r.reference,
  redirectUrl: r.redirect_url, instructions: r.instructions, reason: r.reason, methodId: r.method_id, saveMethod: r.save_method,
  offSession: r.off_session, termsVersion: r.terms_version, refunded: money(r.refunded_minor, r.currency), transferId: r.transfer_id,
  calledAt: r.called_at, outcomeUnknown: r.outcome_unknown, createdAt: r.created_at, updatedAt: r.updated_at,
});

export interface NewPayment {
  accountId: bigint;
  idempotencyKey: string;
  requestHash: string;
  gateway: string;
  purpose: PaymentPurpose;
  orderId?: bigint | null;
  serviceId?: bigint | null;
  periodStart?: Date | null;
  amount: Money;
  methodId?: string | null;
  saveMethod?: boolean;
  offSession?: boolean;
  termsVersion?: string | null;
}

/**
 * Records the intent to collect, marked as about to be called. Answers the payment and whether
 * this call made it: the same (account, key) again finds the first one, whose request hash tells a
 * replay from a conflicting reuse of the key.
 */
export async function insertPayment(sql: Sql, p: NewPayment): Promise<{ payment: Payment; requestHash: string; created: boolean }> {
  const [created] = await sql<PaymentRow[]>`
    INSERT INTO payments (account_id, idempotency_key, request_hash, gateway, purpose, order_id, service_id, period_start,
                          amount_minor, currency, method_id, save_method, off_session, terms_version, called_at)
    VALUES (${p.accountId}, ${p.idempotencyKey}, ${p.requestHash}, ${p.gateway}, ${p.purpose}, ${p.orderId ?? null}, ${p.serviceId ?? null},
            ${p.periodStart ?? null}, ${p.amount.amount}, ${p.amount.currency}, ${p.methodId ?? null}, ${p.saveMethod ?? false},
            ${p.offSession ?? false}, ${p.termsVersion ?? null}, now())
    ON CONFLICT (account_id, idempotency_key) DO NOTHING
    RETURNING *`;
  if (created) return { payment: toPayment(created), requestHash: created.request_hash, created: true };
  const [existing] = await sql<PaymentRow[]>`SELECT * FROM payments WHERE account_id = ${p.accountId} AND idempotency_key = ${p.idempotencyKey}`;
  return { payment: toPayment(existing!), requestHash: existing!.request_hash, created: false };
}

/** The payment an account made under an idempotency key, with the fingerprint of its request. */
export async function findPaymentByKey(sql: Sql, accountId: bigint, key: string): Promise<{ payment: Payment; requestHash: string } | undefined> {
  const [row] = await sql<PaymentRow[]>`SELECT * FROM payments WHERE account_id = ${accountId} AND idempotency_key = ${key}`;
  return row && { payment: toPayment(row), requestHash: row.request_hash };
}

export async function findPayment(sql: Sql, id: string): Promise<Payment | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await sql<PaymentRow[]>`SELECT * FROM payments WHERE id = ${id}`;
  return row && toPayment(row);
}

/** Locks the payment for the rest of the transaction: its outcomes are applied one at a time. */
export async function lockPayment(sql: Sql, by: { id: string } | { gateway: string; reference: string }): Promise<Payment | undefined> {
  const [row] = 'id' in by
    ? /^[0-9a-f-]{36}$/i.test(by.id) ? await sql<PaymentRow[]>`SELECT * FROM payments WHERE id = ${by.id} FOR UPDATE` : []
    : await sql<PaymentRow[]>`SELECT * FROM payments WHERE gateway = ${by.gateway} AND reference = ${by.reference} FOR UPDATE`;
  return row && toPayment(row);
}

/** What a state change sets besides the state. */
export interface Change {
  source: TransitionSource;
  reference?: string | null;
  redirectUrl?: string | null;
  instructions?: Record<string, string> | null;
  reason?: string | null;
  transferId?: bigint;
  refunded?: bigint;
  methodId?: string;
  detail?: Record<string, unknown>;
}

/**
 * The one way a payment's state changes. Moves `payment` (locked by the caller) to `to` when the
 * lifecycle allows it and records the step; a move the lifecycle forbids changes nothing but the
 * log. Staying in the same open state may still learn the processor's reference or a new page to
 * send the customer to. Answers whether the state changed.
 */
export async function transition(sql: Sql, payment: Payment, to: PaymentStatus, change: Change): Promise<boolean> {
  const moves = payment.status !== to && canMove(payment.status, to);
  const refreshes = payment.status === to;
  if (!moves) {
    await sql`
      INSERT INTO payment_transitions (payment_id, from_status, to_status, applied, source, detail)
      VALUES (${payment.id}, ${payment.status}, ${to}, false, ${change.source}, ${sql.json((change.detail ?? {}) as never)})`;
    if (!refreshes) {
      console.warn(`[saldo] payment ${payment.id}: ${change.source} outcome "${to}" ignored, it is already "${payment.status}"`);
      return false;
    }
  }
  await sql`
    UPDATE payments SET
      status = ${to},
      reference = coalesce(${change.reference ?? null}, reference),
      redirect_url = ${to === 'requires_action' ? change.redirectUrl ?? null : null},
      instructions = coalesce(${change.instructions ? sql.json(change.instructions) : null}, instructions),
      reason = coalesce(${change.reason ?? null}, reason),
      transfer_id = coalesce(${change.transferId ?? null}, transfer_id),
      refunded_minor = coalesce(${change.refunded ?? null}, refunded_minor),
      method_id = coalesce(${change.methodId ?? null}, method_id),
      outcome_unknown = false,
      updated_at = now()
     WHERE id = ${payment.id}`;
  if (moves) {
    await sql`
      INSERT INTO payment_transitions (payment_id, from_status, to_status, applied, source, detail)
      VALUES (${payment.id}, ${payment.status}, ${to}, true, ${change.source}, ${sql.json((change.detail ?? {}) as never)})`;
  }
  return moves;
}

/** The payment's last call lost its answer: listed for operators until reconciliation settles it. */
export async function markUnknown(sql: Sql, id: string, reference?: string): Promise<void> {
  await sql`UPDATE payments SET outcome_unknown = true, reference = coalesce(${reference ?? null}, reference), updated_at = now() WHERE id = ${id}`;
}
