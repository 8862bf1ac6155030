import type { Sql } from '../db/connect.js';
import type { EventLog } from '../events/event-log.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { money, toJSON, type Money } from '@saldo/sdk';

export const AUTO_TOP_UP_QUEUE = 'auto-topup';

/** What an automatic top-up job is sent with: whose, and the charge that crossed the threshold (its idempotency). */
export interface AutoTopUpJob {
  accountId: string;
  transferId: string;
}

/**
 * What follows a charge, in the charge's own transaction: when it took usable credit below the
 * customer's low-balance alert, the panel is told (`balance.low`); when below the automatic top-up
 * threshold, a top-up job is sent — keyed by account, so one at most is waiting per account. Both
 * only on the crossing (before ≥ threshold > after): charges racing across it are serialised by
 * the wallet's row lock, so exactly one of them crosses.
 */
export async function afterDebit(tx: Sql, deps: { events: EventLog; jobs: JobQueue }, accountId: bigint, spent: Money, transferId: bigint): Promise<void> {
  const [row] = await tx<{ usable: bigint; alert: bigint | null; auto: bigint | null }[]>`
    SELECT w.balance_minor - w.held_minor - w.min_balance_minor AS usable, a.low_balance_threshold_minor AS alert, t.threshold_minor AS auto
      FROM billing_accounts a JOIN ledger_accounts w ON w.id = a.wallet_id
      LEFT JOIN auto_topups t ON t.account_id = a.id AND t.enabled
     WHERE a.id = ${accountId}`;
  if (!row) return;
  const crosses = (threshold: bigint | null) => threshold !== null && row.usable + spent.amount >= threshold && row.usable < threshold;
  if (crosses(row.alert)) {
    await deps.events.emit(tx, 'balance.low', accountId, { usableCredit: toJSON(money(row.usable, spent.currency)), threshold: toJSON(money(row.alert!, spent.currency)) });
  }
  if (crosses(row.auto)) {
    await deps.jobs.send(tx, AUTO_TOP_UP_QUEUE, { accountId: accountId.toString(), transferId: transferId.toString() } satisfies AutoTopUpJob, { singletonKey: accountId.toString() });
  }
}
