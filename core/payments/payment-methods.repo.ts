import type { SavedMethod } from '@saldo/sdk';
import type { Sql } from '../db/connect.js';

export interface PaymentMethod {
  id: string;
  gateway: string;
  token: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  isDefault: boolean;
}

interface MethodRow { id: string; gateway: string; token: string; brand: string; last4: string; exp_month: number; exp_year: number; is_default: boolean }
const toMethod = (r: MethodRow): PaymentMethod => ({
  id: r.id, gateway: r.gateway, token: r.token, brand: r.brand, last4: r.last4, expMonth: r.exp_month, expYear: r.exp_year, isDefault: r.is_default,
});

/**
 * Keeps a method the processor saved for the account (the same token saved again is the same
 * method). The account's first method becomes its default.
 */
export async function saveMethod(sql: Sql, accountId: bigint, gateway: string, m: SavedMethod): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO payment_methods (account_id, gateway, token, brand, last4, exp_month, exp_year, is_default)
    VALUES (${accountId}, ${gateway}, ${m.token}, ${m.brand}, ${m.last4}, ${m.expMonth}, ${m.expYear},
            NOT EXISTS (SELECT 1 FROM payment_methods WHERE account_id = ${accountId} AND is_default AND removed_at IS NULL))
    ON CONFLICT (gateway, token) DO UPDATE SET removed_at = NULL
    RETURNING id`;
  return row!.id;
}

/** The account's saved methods, the default first. */
export async function methodsOf(sql: Sql, accountId: bigint): Promise<PaymentMethod[]> {
  const rows = await sql<MethodRow[]>`
    SELECT * FROM payment_methods WHERE account_id = ${accountId} AND removed_at IS NULL ORDER BY is_default DESC, created_at`;
  return rows.map(toMethod);
}

/** One saved method of the account; another account's is not found. */
export async function findMethod(sql: Sql, accountId: bigint, id: string): Promise<PaymentMethod | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await sql<MethodRow[]>`SELECT * FROM payment_methods WHERE id = ${id} AND account_id = ${accountId} AND removed_at IS NULL`;
  return row && toMethod(row);
}
