import type { Sql } from '../db/connect.js';
import type { EventLog } from '../events/event-log.js';
import * as ledger from '../ledger/ledger.repo.js';
import { type Money, toJSON } from '@saldo/sdk';
import type { BillingAccount } from './types.js';

/**
 * Tells the panel (balance.low) when a charge of `spent` has just taken the account's usable
 * credit below its low-balance threshold — once, on the crossing, not on every charge below it.
 * Call with the transaction that made the charge.
 */
export async function noteLowBalance(tx: Sql, events: EventLog, account: Pick<BillingAccount, 'id' | 'walletId' | 'lowBalanceThreshold'>, spent: Money): Promise<void> {
  const threshold = account.lowBalanceThreshold;
  if (!threshold) return;
  const usable = await ledger.usableCredit(tx, account.walletId);
  const before = usable.amount + spent.amount;
  if (before >= threshold.amount && usable.amount < threshold.amount) {
    await events.emit(tx, 'balance.low', account.id, { usableCredit: toJSON(usable), threshold: toJSON(threshold) });
  }
}
