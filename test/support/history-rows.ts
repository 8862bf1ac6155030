import type { BillingAccount } from '../../core/accounts/types.js';
import type { Pool } from '../../core/db/connect.js';
import * as ledger from '../../core/ledger/ledger.repo.js';

/**
 * What the posting numbered `i` (1 = the oldest) of a bulk history is: every third a usage charge
 * of 12.34 to 12.40, the others card top-ups of 100.00 to 100.99 — signed as the wallet sees it.
 */
export const bulkAmount = (i: number): bigint => (i % 3 === 0 ? -(1234n + BigInt(i % 7)) : 10_000n + BigInt(i % 100));

/**
 * Writes `count` postings into the account's history in one statement, the i-th made `i` seconds
 * after `start`, with structured descriptions and running balances, then sets the wallet's balance
 * to their sum: a long history in seconds instead of `count` round trips through the ledger.
 * Only INSERTs into the ledger, which its immutability allows.
 */
export async function bulkHistory(sql: Pool, account: BillingAccount, count: number, start: Date): Promise<void> {
  const clearing = await ledger.systemAccount(sql, 'gateway_clearing', account.currency);
  const revenue = await ledger.systemAccount(sql, 'revenue', account.currency);
  await sql`
    INSERT INTO ledger_transfers (idempotency_key, request_hash, kind, debit_account_id, credit_account_id, amount_minor, currency,
                                  debit_balance_after, credit_balance_after, description, metadata, created_at)
    SELECT 'bulk:' || ${account.walletId.toString()} || ':' || i, 'bulk', CASE WHEN charge THEN 'charge' ELSE 'top_up' END,
           CASE WHEN charge THEN ${account.walletId} ELSE ${clearing.id} END, CASE WHEN charge THEN ${revenue.id} ELSE ${account.walletId} END,
           abs(signed), ${account.currency}, CASE WHEN charge THEN running END, CASE WHEN charge THEN NULL ELSE running END, '',
           CASE WHEN charge THEN jsonb_build_object('description', jsonb_build_object('kind', 'usage', 'text', '=Traffic; "burst" ' || i))
                ELSE '{"description": {"kind": "top_up", "via": {"gateway": "card", "card": {"brand": "visa", "last4": "4242"}}}}'::jsonb END,
           ${start}::timestamptz + make_interval(secs => i)
      FROM (SELECT i, i % 3 = 0 AS charge, signed, sum(signed) OVER (ORDER BY i) AS running
              FROM (SELECT i, CASE WHEN i % 3 = 0 THEN -(1234 + i % 7) ELSE 10000 + i % 100 END::bigint AS signed
                      FROM generate_series(1, ${count}) AS i) s) r
     ORDER BY i`;
  await sql`
    UPDATE ledger_accounts SET balance_minor = (SELECT coalesce(sum(amount_minor), 0) FROM ledger_entries WHERE account_id = ${account.walletId})
     WHERE id = ${account.walletId}`;
}
