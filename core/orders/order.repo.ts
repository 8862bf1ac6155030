import type { Sql } from '../db/connect.js';
import { type Currency, type Money, money } from '@saldo/sdk';
import type { BillingCycle } from '@saldo/sdk';
import type { Quote } from './quote.js';

export type OrderStatus = 'paid' | 'awaiting_payment' | 'cancelled';

export interface OrderLine {
  lineNo: number;
  productCode: string;
  cycle: BillingCycle;
  quantity: number;
  unitPrice: Money;
  subtotal: Money;
  discount: Money;
  total: Money;
  adjustments: { code: string; reasonKey: string; params: Record<string, string>; amount: Money }[];
}

export interface Order {
  id: bigint;
  accountId: bigint;
  status: OrderStatus;
  currency: Currency;
  useBalance: boolean;
  paidFromBalance: boolean;
  subtotal: Money;
  discount: Money;
  total: Money;
  balanceApplied: Money;
  amountDue: Money;
  holdId: bigint | null;
  createdAt: Date;
  paidAt: Date | null;
  lines: OrderLine[];
}

interface OrderRow {
  id: bigint; account_id: bigint; request_hash: string; status: OrderStatus; currency: Currency; use_balance: boolean;
  paid_from_balance: boolean; subtotal_minor: bigint; discount_minor: bigint; total_minor: bigint;
  balance_applied_minor: bigint; amount_due_minor: bigint; hold_id: bigint | null; created_at: Date; paid_at: Date | null;
}
interface LineRow {
  line_no: number; product_code: string; cycle: BillingCycle; quantity: number; unit_price_minor: bigint; subtotal_minor: bigint;
  discount_minor: bigint; total_minor: bigint; adjustments: { code: string; reasonKey: string; params: Record<string, string>; amount: string }[];
}

/** An order as answered to callers: the stored request fingerprint stays inside. */
export const withoutHash = ({ requestHash: _, ...order }: Order & { requestHash: string }): Order => order;

export interface NewOrder {
  /** Taken beforehand by `reserveOrderId`. */
  id: bigint;
  accountId: bigint;
  idempotencyKey: string;
  requestHash: string;
  status: OrderStatus;
  quote: Quote;
  chargeTransferId: bigint | null;
  holdId: bigint | null;
}

/**
 * The next order number, taken before the order is written so that the money a checkout moves
 * can name its order. A number taken by a checkout that then loses to a concurrent duplicate is
 * never used: order numbers are unique, not gapless.
 */
export async function reserveOrderId(sql: Sql): Promise<bigint> {
  const [row] = await sql<{ id: bigint }[]>`SELECT nextval(pg_get_serial_sequence('orders', 'id')) AS id`;
  return row!.id;
}

/** Inserts the order and its lines; undefined when the key was taken (by a concurrent checkout). */
export async function insertOrder(sql: Sql, o: NewOrder): Promise<bigint | undefined> {
  const q = o.quote;
  const [row] = await sql<{ id: bigint }[]>`
    INSERT INTO orders (id, account_id, idempotency_key, request_hash, status, currency, use_balance, paid_from_balance,
                        subtotal_minor, discount_minor, total_minor, balance_applied_minor, amount_due_minor,
                        charge_transfer_id, hold_id, paid_at)
    OVERRIDING SYSTEM VALUE
    VALUES (${o.id}, ${o.accountId}, ${o.idempotencyKey}, ${o.requestHash}, ${o.status}, ${q.currency}, ${q.useBalance}, ${q.paidFromBalance},
            ${q.subtotal.amount}, ${q.discount.amount}, ${q.total.amount}, ${q.balanceApplied.amount}, ${q.amountDue.amount},
            ${o.chargeTransferId}, ${o.holdId}, ${o.status === 'paid' ? sql`now()` : null})
    ON CONFLICT (account_id, idempotency_key) DO NOTHING
    RETURNING id`;
  if (!row) return undefined;
  const lines = q.lines.map((l, i) => ({
    order_id: row.id, line_no: i + 1, product_code: l.productCode, cycle: l.cycle, quantity: l.quantity,
    unit_price_minor: l.unitPrice.amount, subtotal_minor: l.subtotal.amount, discount_minor: l.discount.amount, total_minor: l.total.amount,
    adjustments: sql.json(l.adjustments.map((a) => ({ code: a.code, reasonKey: a.reason.key, params: a.reason.params, amount: a.amount.amount.toString() }))),
  }));
  await sql`INSERT INTO order_lines ${sql(lines)}`;
  return row.id;
}

export async function findOrder(sql: Sql, by: { id: bigint } | { accountId: bigint; idempotencyKey: string }): Promise<(Order & { requestHash: string }) | undefined> {
  const where = 'id' in by ? sql`id = ${by.id}` : sql`account_id = ${by.accountId} AND idempotency_key = ${by.idempotencyKey}`;
  const [row] = await sql<OrderRow[]>`SELECT * FROM orders WHERE ${where}`;
  if (!row) return undefined;
  const lines = await sql<LineRow[]>`SELECT * FROM order_lines WHERE order_id = ${row.id} ORDER BY line_no`;
  const m = (amount: bigint) => money(amount, row.currency);
  return {
    id: row.id,
    accountId: row.account_id,
    requestHash: row.request_hash,
    status: row.status,
    currency: row.currency,
    useBalance: row.use_balance,
    paidFromBalance: row.paid_from_balance,
    subtotal: m(row.subtotal_minor),
    discount: m(row.discount_minor),
    total: m(row.total_minor),
    balanceApplied: m(row.balance_applied_minor),
    amountDue: m(row.amount_due_minor),
    holdId: row.hold_id,
    createdAt: row.created_at,
    paidAt: row.paid_at,
    lines: lines.map((l) => ({
      lineNo: l.line_no, productCode: l.product_code, cycle: l.cycle, quantity: l.quantity,
      unitPrice: m(l.unit_price_minor), subtotal: m(l.subtotal_minor), discount: m(l.discount_minor), total: m(l.total_minor),
      adjustments: l.adjustments.map((a) => ({ ...a, amount: m(BigInt(a.amount)) })),
    })),
  };
}

/** A service for each line of a paid order, its first period starting now. */
export async function createServices(sql: Sql, orderId: bigint, accountId: bigint): Promise<void> {
  await sql`
    INSERT INTO services (account_id, order_id, line_no, product_code, cycle, quantity, started_at, next_due_at)
    SELECT ${accountId}, l.order_id, l.line_no, l.product_code, l.cycle, l.quantity, date_trunc('milliseconds', now()),
           date_trunc('milliseconds', now()) + make_interval(months => CASE l.cycle WHEN 'monthly' THEN 1 WHEN 'quarterly' THEN 3 WHEN 'semi-annual' THEN 6 ELSE 12 END)
      FROM order_lines l WHERE l.order_id = ${orderId}`;
}
