import { type Currency, type Money, money, parseDecimal } from '@saldo/sdk';
import type { SaldoConfig } from '../../config/schema.js';
import { AUTO_TOP_UP_QUEUE, type AutoTopUpJob } from '../accounts/after-debit.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { Pool } from '../db/connect.js';
import { BillingError } from '../errors.js';
import type { EventLog } from '../events/event-log.js';
import type { QueueDefinition } from '../jobs/job-queue.js';
import { findMethod } from './payment-methods.repo.js';
import type { PaymentsService } from './payments.service.js';

export interface AutoTopUpSettings {
  enabled: boolean;
  threshold: Money;
  amount: Money;
  methodId: string | null;
  /** Why the last automatic top-up failed, until one succeeds: shown to the customer. */
  lastFailure: string | null;
  lastFailureAt: Date | null;
}

interface Row { enabled: boolean; threshold_minor: bigint; amount_minor: bigint; method_id: string | null; last_failure: string | null; last_failure_at: Date | null }

/**
 * Automatic top-ups: the customer's settings, and the job a charge sends when it takes usable
 * credit below the threshold (see after-debit.ts). The job charges the saved card off-session
 * through the payment spine, keyed by the charge that crossed, so a retried job never charges
 * twice. At most `payments.autoTopUpDailyCap` attempts a day: a card that keeps failing stops
 * there, and the customer (on their pages) and the panel (`auto_topup.failed`) are told.
 */
export class AutoTopUps {
  readonly queue: QueueDefinition<AutoTopUpJob>;

  constructor(private readonly deps: { sql: Pool; config: SaldoConfig; accounts: AccountsService; payments: PaymentsService; events: EventLog }) {
    this.queue = { name: AUTO_TOP_UP_QUEUE, policy: 'stately', retryLimit: 3, retryDelay: 30, retryBackoff: true, run: (job) => this.run(job) };
  }

  async get(accountId: bigint, currency: Currency): Promise<AutoTopUpSettings | null> {
    const [row] = await this.deps.sql<Row[]>`SELECT * FROM auto_topups WHERE account_id = ${accountId}`;
    return row ? {
      enabled: row.enabled, threshold: money(row.threshold_minor, currency), amount: money(row.amount_minor, currency), methodId: row.method_id,
      lastFailure: row.last_failure, lastFailureAt: row.last_failure_at,
    } : null;
  }

  /** Turns it on or off with a threshold, an amount within the top-up bounds, and a card that can be charged without the customer. */
  async save(accountId: bigint, input: { enabled: boolean; threshold: Money; amount: Money; methodId: string | null }): Promise<void> {
    const account = await this.deps.accounts.get(accountId);
    for (const m of [input.threshold, input.amount]) {
      if (m.currency !== account.currency) throw new BillingError('CURRENCY_MISMATCH', { expected: account.currency, actual: m.currency });
    }
    if (input.threshold.amount < 0n) throw new BillingError('AMOUNT_NEGATIVE');
    const min = parseDecimal(this.deps.config.payments.topUpMin, account.currency);
    const max = parseDecimal(this.deps.config.payments.topUpMax, account.currency);
    if (input.amount.amount < min.amount || input.amount.amount > max.amount) throw new BillingError('TOPUP_OUT_OF_RANGE', { min, max });
    const method = input.methodId ? await findMethod(this.deps.sql, accountId, input.methodId) : undefined;
    if (input.methodId && !method) throw new BillingError('PAYMENT_METHOD_NOT_FOUND');
    if (input.enabled && !method) throw new BillingError('PAYMENT_METHOD_REQUIRED');
    if (method) this.deps.payments.gateways.get(method.gateway, ['offSession', 'savedMethods']);
    await this.deps.sql`
      INSERT INTO auto_topups (account_id, enabled, threshold_minor, amount_minor, method_id)
      VALUES (${accountId}, ${input.enabled}, ${input.threshold.amount}, ${input.amount.amount}, ${method?.id ?? null})
      ON CONFLICT (account_id) DO UPDATE SET enabled = excluded.enabled, threshold_minor = excluded.threshold_minor,
        amount_minor = excluded.amount_minor, method_id = excluded.method_id, updated_at = now()`;
  }

  /** One crossing's top-up. Nothing when it was turned off, or the balance is back above the threshold, or today's attempts are spent. */
  private async run(job: AutoTopUpJob): Promise<void> {
    const accountId = BigInt(job.accountId);
    const account = await this.deps.accounts.get(accountId);
    const settings = await this.get(accountId, account.currency);
    if (!settings?.enabled || !settings.methodId) return;
    if ((await this.deps.accounts.balance(accountId)).usableCredit.amount >= settings.threshold.amount) return;
    const cap = this.deps.config.payments.autoTopUpDailyCap;
    const before = await this.attemptsToday(accountId);
    if (before >= cap) return;
    const method = await findMethod(this.deps.sql, accountId, settings.methodId);
    if (!method) return this.failed(accountId, 'card_not_found', before + 1, cap);
    const payment = await this.deps.payments.start(accountId, {
      purpose: 'top_up', amount: settings.amount, gateway: method.gateway, methodId: method.id, offSession: true,
      idempotencyKey: `auto-topup:${job.transferId}`, locale: account.locale, origin: this.deps.config.server.publicUrl ?? 'http://localhost',
    });
    if (payment.status === 'succeeded') {
      await this.deps.sql`UPDATE auto_topups SET last_failure = NULL, last_failure_at = NULL WHERE account_id = ${accountId}`;
    } else if (payment.status === 'declined' || payment.status === 'failed' || payment.status === 'requires_action' || payment.status === 'canceled') {
      await this.failed(accountId, payment.status === 'requires_action' ? 'authentication_required' : payment.reason ?? payment.status, before + 1, cap);
    }
  }

  /** Records the failure for the customer and tells the panel, saying whether today's attempts are spent. */
  private async failed(accountId: bigint, reason: string, attempts: number, cap: number): Promise<void> {
    await this.deps.sql.begin(async (tx) => {
      await tx`UPDATE auto_topups SET last_failure = ${reason}, last_failure_at = now() WHERE account_id = ${accountId}`;
      await this.deps.events.emit(tx, 'auto_topup.failed', accountId, { reason, attemptsToday: attempts, dailyCap: cap, stoppedForToday: attempts >= cap });
    });
  }

  /** Automatic top-ups tried today, in the provider's time zone. */
  private async attemptsToday(accountId: bigint): Promise<number> {
    const [row] = await this.deps.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM payments
       WHERE account_id = ${accountId} AND off_session AND idempotency_key LIKE 'auto-topup:%'
         AND created_at >= (date_trunc('day', now() AT TIME ZONE ${this.deps.config.billing.timeZone}) AT TIME ZONE ${this.deps.config.billing.timeZone})`;
    return row!.n;
  }
}
