import { randomUUID } from 'node:crypto';
import type { Pool } from '../../core/db/connect.js';
import type { Saldo } from '../../core/saldo.js';
import { eur } from './ledger-fixtures.js';
import { API_KEY } from './saldo.js';

export interface Answer {
  status: number;
  code?: string;
  orderId?: string;
  replayed: boolean;
  retryAfter: string | null;
}

/** Checks out one VPS month for `ref` under `key` through a server's JSON API, as a panel would. */
export async function checkoutOver(url: string, ref: string, key: string): Promise<Answer> {
  const res = await fetch(`${url}/api/v1/accounts/${ref}/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}`, 'idempotency-key': key },
    body: JSON.stringify({ items: [{ product: 'vps-s', cycle: 'monthly' }] }),
  });
  const body = await res.json().catch(() => ({}));
  return {
    status: res.status, code: body.error?.code, orderId: body.order?.id, replayed: res.headers.get('idempotent-replayed') === 'true',
    retryAfter: res.headers.get('retry-after'),
  };
}

/** A product at 10.00 a month and `count` prepaid customers with 1 000.00 each; their refs. */
export async function fundedCustomers(saldo: Saldo, count: number): Promise<string[]> {
  await saldo.catalogue.upsert({ code: 'vps-s', names: { en: 'VPS S', fr: 'VPS S', es: 'VPS S' }, currency: 'EUR', prices: { monthly: eur(1_000n) } });
  const refs: string[] = [];
  for (let i = 0; i < count; i++) {
    const account = await saldo.accounts.create({ externalRef: `buyer-${randomUUID()}`, name: 'Buyer', email: 'b@example.com', country: 'FR', locale: 'fr' });
    await saldo.wallets.topUp(account.id, eur(100_000n), { idempotencyKey: 'fund' });
    refs.push(account.externalRef);
  }
  return refs;
}

/** Per checkout key: its orders, and the charges the ledger holds for it. */
export async function ledgerByKey(sql: Pool): Promise<Map<string, { orders: string[]; charges: number }>> {
  const byKey = new Map<string, { orders: string[]; charges: number }>();
  const entry = (key: string) => byKey.get(key) ?? byKey.set(key, { orders: [], charges: 0 }).get(key)!;
  for (const o of await sql<{ key: string; id: bigint }[]>`SELECT idempotency_key AS key, id FROM orders`) entry(o.key).orders.push(o.id.toString());
  for (const t of await sql<{ key: string; n: bigint }[]>`
    SELECT metadata ->> 'checkout' AS key, count(*) AS n FROM ledger_transfers WHERE metadata ? 'checkout' GROUP BY 1`) {
    entry(t.key).charges = Number(t.n);
  }
  return byKey;
}
