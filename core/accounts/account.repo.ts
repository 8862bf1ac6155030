import type { Sql } from '../db/connect.js';
import { type Currency, type Locale, type Money, money } from '@saldo/sdk';
import type { BillingAccount } from './types.js';

interface AccountRow {
  id: bigint; external_ref: string; customer_number: string; name: string; email: string; currency: Currency;
  locale: Locale; country: string; vat_id: string | null; payment_mode: string; wallet_id: bigint;
  credit_limit_minor: bigint; low_balance_threshold_minor: bigint | null; created_at: Date; updated_at: Date;
}

export const columns = (sql: Sql) => sql`
  a.id, a.external_ref, a.customer_number, a.name, a.email, a.currency, a.locale, a.country, a.vat_id,
  a.payment_mode, a.wallet_id, -w.min_balance_minor AS credit_limit_minor, a.low_balance_threshold_minor,
  a.created_at, a.updated_at`;

export type { AccountRow };

export function toAccount(row: AccountRow): BillingAccount {
  return {
    id: row.id,
    externalRef: row.external_ref,
    customerNumber: row.customer_number,
    name: row.name,
    email: row.email,
    currency: row.currency,
    locale: row.locale,
    country: row.country,
    vatId: row.vat_id,
    paymentMode: row.payment_mode,
    walletId: row.wallet_id,
    creditLimit: money(row.credit_limit_minor, row.currency),
    lowBalanceThreshold: row.low_balance_threshold_minor === null ? null : money(row.low_balance_threshold_minor, row.currency),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function nextCustomerSequence(sql: Sql): Promise<bigint> {
  const [row] = await sql<{ n: bigint }[]>`SELECT nextval('customer_number_seq') AS n`;
  return row!.n;
}

export interface AccountInsert {
  externalRef: string; customerNumber: string; name: string; email: string; currency: Currency; locale: Locale;
  country: string; vatId: string | null; paymentMode: string; walletId: bigint; lowBalanceThreshold: Money | null;
}

export async function insertAccount(sql: Sql, a: AccountInsert): Promise<bigint> {
  const [row] = await sql<{ id: bigint }[]>`
    INSERT INTO billing_accounts (external_ref, customer_number, name, email, currency, locale, country, vat_id,
                                  payment_mode, wallet_id, low_balance_threshold_minor)
    VALUES (${a.externalRef}, ${a.customerNumber}, ${a.name}, ${a.email}, ${a.currency}, ${a.locale}, ${a.country},
            ${a.vatId}, ${a.paymentMode}, ${a.walletId}, ${a.lowBalanceThreshold?.amount ?? null})
    RETURNING id`;
  return row!.id;
}

/** How an account is named: by Saldo's id, or by the host panel's reference. */
export type AccountRef = { id: bigint } | { externalRef: string };

export async function findAccount(sql: Sql, by: AccountRef): Promise<BillingAccount | undefined> {
  const where = 'id' in by ? sql`a.id = ${by.id}` : sql`a.external_ref = ${by.externalRef}`;
  const [row] = await sql<AccountRow[]>`
    SELECT ${columns(sql)} FROM billing_accounts a JOIN ledger_accounts w ON w.id = a.wallet_id WHERE ${where}`;
  return row && toAccount(row);
}

export type AccountUpdate = Partial<Pick<AccountInsert, 'name' | 'email' | 'locale' | 'country' | 'vatId'>>;

const updatable = { name: 'name', email: 'email', locale: 'locale', country: 'country', vatId: 'vat_id' } as const;

/** Writes the given fields (at least one); false when there is no such account. */
export async function updateAccount(sql: Sql, id: bigint, changes: AccountUpdate): Promise<boolean> {
  const row = Object.fromEntries(Object.entries(updatable).flatMap(([field, column]) => {
    const value = changes[field as keyof AccountUpdate];
    return value === undefined ? [] : [[column, value]];
  }));
  const result = await sql`UPDATE billing_accounts SET ${sql(row)}, updated_at = now() WHERE id = ${id}`;
  return result.count === 1;
}
