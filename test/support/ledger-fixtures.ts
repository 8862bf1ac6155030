import { randomUUID } from 'node:crypto';
import type { Sql } from '../../core/db/connect.js';
import * as ledger from '../../core/ledger/ledger.repo.js';
import { money } from '@saldo/sdk';

export const eur = (amount: bigint) => money(amount, 'EUR');
export const key = (label = 'k') => `${label}-${randomUUID()}`;

/** A wallet with `credit` of credit limit, topped up with `balance` from the gateway clearing account. */
export async function fundedWallet(sql: Sql, { balance = 0n, credit = 0n }: { balance?: bigint; credit?: bigint } = {}) {
  const wallet = await ledger.openWallet(sql, `wallet:${randomUUID()}`, eur(-credit));
  const clearing = await ledger.systemAccount(sql, 'gateway_clearing', 'EUR');
  const revenue = await ledger.systemAccount(sql, 'revenue', 'EUR');
  if (balance > 0n) {
    await ledger.transfer(sql, { idempotencyKey: key('fund'), kind: 'top_up', debit: clearing.id, credit: wallet.id, amount: eur(balance) });
  }
  return { wallet: wallet.id, clearing: clearing.id, revenue: revenue.id };
}

/** What the error's code is, or 'no error'. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

export async function countRows(sql: Sql, table: 'ledger_transfers' | 'ledger_entries' | 'ledger_holds'): Promise<bigint> {
  const [row] = await sql<{ n: bigint }[]>`SELECT count(*) AS n FROM ${sql(table)}`;
  return row!.n;
}
