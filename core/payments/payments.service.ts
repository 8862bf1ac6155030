import type { GatewayHttpRequest, PaymentStatus as GatewayStatus, Money } from '@saldo/sdk';
import { pendingRefunds, reconcileRefunds, type Refund, refundPayment } from './refund-payment.js';
import type { SaldoConfig } from '../../config/schema.js';
import type { Pool } from '../db/connect.js';
import { BillingError } from '../errors.js';
import { applyOutcome, type BookingDeps } from './apply-outcome.js';
import type { Gateways } from './gateways.js';
import { isOpen } from './lifecycle.js';
import { findMethod, methodsOf, type PaymentMethod } from './payment-methods.repo.js';
import { findPayment, lockPayment, type Payment, toPayment } from './payment.repo.js';
import { type StartDeps, type StartPayment, startPayment, within } from './start-payment.js';

/**
 * The payment spine every gateway uses: start a payment, take the processor's notifications,
 * answer a customer coming back, and reconcile what is left open. Money is booked by the core
 * alone (apply-outcome.ts), once per payment.
 */
export class PaymentsService {
  constructor(private readonly deps: StartDeps) {}

  get gateways(): Gateways {
    return this.deps.gateways;
  }

  start(accountId: bigint, request: StartPayment): Promise<Payment> {
    return startPayment(this.deps, accountId, request);
  }

  /** Gives money back to where the payment came from, whole or in part (see refund-payment.ts). */
  refund(accountId: bigint, paymentId: string, request: { amount?: Money; reason: string; idempotencyKey: string }): Promise<Refund> {
    return refundPayment(this.deps, accountId, paymentId, request);
  }

  /** Refunds still waiting for their gateway's answer (reconciliation asks again while it can). */
  pendingRefunds(): Promise<Refund[]> {
    return pendingRefunds(this.deps);
  }

  /** A payment of this account; another account's is not found. */
  async get(accountId: bigint, paymentId: string): Promise<Payment> {
    const payment = await findPayment(this.deps.sql, paymentId);
    if (!payment || payment.accountId !== accountId) throw new BillingError('PAYMENT_NOT_FOUND');
    return payment;
  }

  /**
   * The customer is back from the processor's page: if the payment is still open, ask the
   * processor now rather than wait for its notification (which may come late, or never).
   */
  async refresh(accountId: bigint, paymentId: string): Promise<Payment> {
    const payment = await this.get(accountId, paymentId);
    return isOpen(payment.status) ? this.ask(payment, 'return') : payment;
  }

  /** The account's saved payment methods, the default first. */
  methods(accountId: bigint): Promise<PaymentMethod[]> {
    return methodsOf(this.deps.sql, accountId);
  }

  /** Makes one of the account's saved methods the one offered first. */
  async setDefaultMethod(accountId: bigint, methodId: string): Promise<void> {
    const method = await findMethod(this.deps.sql, accountId, methodId);
    if (!method) throw new BillingError('PAYMENT_METHOD_NOT_FOUND');
    await this.deps.sql.begin(async (tx) => {
      await tx`UPDATE payment_methods SET is_default = false WHERE account_id = ${accountId} AND is_default`;
      await tx`UPDATE payment_methods SET is_default = true WHERE id = ${method.id}`;
    });
  }

  /**
   * Forgets a saved method: the processor first (outside any transaction), then here; automatic
   * top-ups that used it stop, since nothing could be charged any more.
   */
  async removeMethod(accountId: bigint, methodId: string): Promise<void> {
    const method = await findMethod(this.deps.sql, accountId, methodId);
    if (!method) throw new BillingError('PAYMENT_METHOD_NOT_FOUND');
    const gateway = this.deps.gateways.get(method.gateway);
    await gateway.plugin.removeMethod?.(gateway.ctx, method.token);
    await this.deps.sql.begin(async (tx) => {
      await tx`UPDATE payment_methods SET removed_at = now(), is_default = false WHERE id = ${method.id}`;
      await tx`UPDATE auto_topups SET enabled = false, method_id = NULL, updated_at = now() WHERE method_id = ${method.id}`;
      // The next one becomes the default, so automatic payments and the forms keep a first choice.
      await tx`
        UPDATE payment_methods SET is_default = true WHERE id = (
          SELECT id FROM payment_methods WHERE account_id = ${accountId} AND removed_at IS NULL ORDER BY created_at LIMIT 1)
          AND NOT EXISTS (SELECT 1 FROM payment_methods WHERE account_id = ${accountId} AND is_default AND removed_at IS NULL)`;
    });
  }

  /**
   * A notification from a processor, at `/gateways/<code>/webhook`. The gateway verifies it; the
   * processor's event id is recorded in the transaction that applies it, so a replay — five at
   * once or one a week later — applies nothing again. A notification about a payment Saldo does
   * not know (yet) is refused, so the processor sends it again later; one the gateway says asks
   * nothing of Saldo is acknowledged and applies nothing.
   */
  async webhook(code: string, request: GatewayHttpRequest): Promise<'applied' | 'duplicate' | 'ignored'> {
    const gateway = this.deps.gateways.get(code);
    if (!gateway.plugin.parseWebhook) throw new BillingError('NOT_FOUND');
    const parsed = await gateway.plugin.parseWebhook(gateway.ctx, request);
    if (!parsed.verified) throw new BillingError('WEBHOOK_REJECTED', { reason: parsed.reason });
    if ('ignored' in parsed) return 'ignored';
    return this.deps.sql.begin(async (tx) => {
      const by = 'paymentId' in parsed.payment ? { id: parsed.payment.paymentId } : { gateway: code, reference: parsed.payment.reference };
      const payment = await lockPayment(tx, by);
      if (!payment || payment.gateway !== code) throw new BillingError('PAYMENT_NOT_FOUND');
      const [fresh] = await tx`
        INSERT INTO gateway_events (gateway, event_id, payment_id) VALUES (${code}, ${parsed.eventId}, ${payment.id})
        ON CONFLICT DO NOTHING RETURNING 1`;
      if (!fresh) return 'duplicate' as const;
      await applyOutcome(tx, this.deps, payment.id, parsed.outcome, 'webhook');
      return 'applied' as const;
    });
  }

  /**
   * Asks the processors about payments left open longer than `payments.reconcileAfterSeconds`
   * after their gateway call — a lost answer, a crash between the call and its record, a
   * customer who never came back — and applies what they say. A payment the processor has no
   * record of (the call never reached it) is canceled. Each is claimed (SKIP LOCKED) and checked
   * at most once per interval, so several instances share the work.
   */
  async reconcile(limit = 100): Promise<{ checked: number; settled: number }> {
    const after = this.deps.config.payments.reconcileAfterSeconds;
    const due = await this.deps.sql<Parameters<typeof toPayment>[0][]>`
      WITH due AS (
        SELECT id FROM payments
         WHERE status IN ('created', 'pending', 'requires_action')
           AND called_at < now() - make_interval(secs => ${after})
           AND (checked_at IS NULL OR checked_at < now() - make_interval(secs => ${after}))
         ORDER BY called_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      UPDATE payments p SET checked_at = now() FROM due WHERE p.id = due.id RETURNING p.*`;
    let settled = 0;
    for (const row of due) {
      const payment = await this.ask(toPayment(row), 'reconcile');
      if (!isOpen(payment.status)) settled++;
    }
    settled += await reconcileRefunds(this.deps, limit);
    return { checked: due.length, settled };
  }

  /** Payments whose last answer was lost, for operators: open until reconciliation settles them. */
  async unknown(): Promise<Payment[]> {
    const rows = await this.deps.sql<Parameters<typeof toPayment>[0][]>`
      SELECT * FROM payments WHERE outcome_unknown AND status IN ('created', 'pending', 'requires_action') ORDER BY called_at`;
    return rows.map(toPayment);
  }

  /** Asks the processor about one payment, outside any transaction, then applies the answer. */
  private async ask(payment: Payment, source: 'return' | 'reconcile'): Promise<Payment> {
    const gateway = this.deps.gateways.get(payment.gateway);
    const status: GatewayStatus | { status: 'unknown' } = await within(
      this.deps.config.payments.gatewayTimeoutMs,
      () => gateway.plugin.getPayment(gateway.ctx, { paymentId: payment.id, ...(payment.reference && { reference: payment.reference }) }),
      `gateway ${gateway.code} status of ${payment.id}`,
    );
    // A processor that has no record of the payment may yet receive the call (a client still
    // retrying): it is given up only once no call could still land.
    const abandoned = payment.calledAt !== null && Date.now() - payment.calledAt.getTime() > this.deps.config.payments.abandonAfterMinutes * 60_000;
    const outcome = status.status === 'not_found' ? (abandoned ? { status: 'canceled' as const } : { status: 'unknown' as const }) : status;
    return (await this.deps.sql.begin((tx) => applyOutcome(tx, this.deps, payment.id, outcome, source))) ?? payment;
  }
}

