import { money, toJSON } from '@saldo/sdk';
import type { Pool, Sql } from '../db/connect.js';
import type { EventLog } from '../events/event-log.js';
import type { JobQueue } from '../jobs/job-queue.js';

export const AUTO_TOP_UP_QUEUE = 'auto-topup';

/** What an automatic top-up job is sent with: whose, and the charge that crossed the threshold (its idempotency). */
export interface AutoTopUpJob {
  accountId: string;
  transferId: string;
}

interface CrossingRow { transfer_id: bigint; account_id: bigint; alert: boolean; auto_topup: boolean; usable_minor: bigint; alert_minor: bigint | null; currency: string }

/**
 * What follows a charge that crossed a threshold — recorded by the database in the charge's own
 * statement (migration 0020) — in one transaction that takes the record: the panel is told when
 * usable credit fell below the customer's low-balance alert (`balance.low`), and an automatic
 * top-up job is sent, keyed by account so one at most waits per account. Taking the record makes
 * this happen once, whoever gets there first: the charging call right after its charge, or the
 * sweep of records left by a process that stopped in between.
 */
export async function followCrossing(tx: Sql, deps: { events: EventLog; jobs: JobQueue }, transferId: bigint): Promise<void> {
  const [c] = await tx<CrossingRow[]>`DELETE FROM balance_crossings WHERE transfer_id = ${transferId} RETURNING *`;
  if (!c) return;
  if (c.alert) {
    await deps.events.emit(tx, 'balance.low', c.account_id, {
      usableCredit: toJSON(money(c.usable_minor, c.currency)), threshold: toJSON(money(c.alert_minor!, c.currency)),
    });
  }
  if (c.auto_topup) {
    await deps.jobs.send(tx, AUTO_TOP_UP_QUEUE, { accountId: c.account_id.toString(), transferId: c.transfer_id.toString() } satisfies AutoTopUpJob, { singletonKey: c.account_id.toString() });
  }
}

/** Crossings a stopped process left behind, older than a minute (a running one follows its own at once). */
export async function followLeftCrossings(sql: Pool, deps: { events: EventLog; jobs: JobQueue }): Promise<number> {
  const left = await sql<{ transfer_id: bigint }[]>`
    SELECT transfer_id FROM balance_crossings WHERE created_at < now() - interval '1 minute' ORDER BY transfer_id LIMIT 1000`;
  for (const { transfer_id } of left) await sql.begin((tx) => followCrossing(tx, deps, transfer_id));
  return left.length;
}
