import { money, toJSON } from '@saldo/sdk';
import type { Sql } from '../db/connect.js';
import { BillingError, isBillingError } from '../errors.js';
import type { PostingDescription } from '../ledger/posting-description.js';
import { soldItem } from './catalogue.js';
import type { CheckoutDeps } from './checkout.js';
import { type PaidWith, paidFrom } from './paid-with.js';
import { createServices, findOrder, type Order, withoutHash } from './order.repo.js';

export type Completion = 'paid' | 'waiting' | 'not_awaiting';


/**
 * Completes an order awaiting payment from the balance, inside the caller's transaction (the one
 * that credited a gateway's payment): the held part by capturing its hold, the rest by a charge.
 * The order is paid, its services open and the panel is told, all in that transaction. When the
 * balance no longer covers it (spent elsewhere meanwhile) nothing is taken and the order keeps
 * waiting; the money stays on the balance. Completing twice changes nothing the second time.
 */
export async function completeOrder(tx: Sql, deps: CheckoutDeps, orderId: bigint, via: 'gateway' | 'balance', reference?: string): Promise<Completion> {
  const [locked] = await tx<{ status: string }[]>`SELECT status FROM orders WHERE id = ${orderId} FOR UPDATE`;
  const order = locked && (await findOrder(tx, { id: orderId }));
  if (!order) throw new BillingError('NOT_FOUND');
  if (order.status !== 'awaiting_payment') return 'not_awaiting';

  const products = new Map((await deps.catalogue.find(tx, [...new Set(order.lines.map((l) => l.productCode))])).map((p) => [p.code, p.names]));
  const described: PostingDescription = { kind: 'order', order: orderId.toString(), items: order.lines.map((l) => soldItem(products.get(l.productCode), l)) };
  const keys = (step: string) => ({
    idempotencyKey: `order-${orderId}:${step}`, description: `Order ${orderId}`, described, metadata: { order: orderId.toString(), reference: reference ?? null },
  });
  let fromBalance = order.amountDue;
  if (order.holdId) {
    try {
      await deps.wallets.capture(order.accountId, order.holdId, order.balanceApplied, keys('capture'), tx);
    } catch (error) {
      // The reservation lapsed while the customer paid: take that part from the balance now.
      if (!isBillingError(error, 'HOLD_EXPIRED') && !isBillingError(error, 'HOLD_NOT_PENDING')) throw error;
      if (error.code === 'HOLD_EXPIRED') await deps.wallets.release(order.accountId, order.holdId, tx);
      fromBalance = money(order.amountDue.amount + order.balanceApplied.amount, order.currency);
    }
  }
  let charge;
  try {
    charge = fromBalance.amount > 0n
      ? await deps.wallets.charge(order.accountId, fromBalance, keys('charge'), tx)
      : undefined;
  } catch (error) {
    if (!isBillingError(error, 'INSUFFICIENT_FUNDS')) throw error;
    return 'waiting';
  }
  const paidWith: PaidWith = via === 'gateway' ? (order.balanceApplied.amount > 0n ? 'mixed' : 'gateway') : charge ? paidFrom(charge) : 'balance';
  await tx`UPDATE orders SET status = 'paid', paid_at = now(), charge_transfer_id = ${charge?.id ?? null} WHERE id = ${orderId}`;
  await createServices(tx, orderId, order.accountId);
  await deps.events.emit(tx, 'order.paid', order.accountId, {
    orderId: orderId.toString(), total: toJSON(order.total), paidWith, ...(reference && { reference }),
  });
  return 'paid';
}

/**
 * The customer gives an order up: its held part goes back to the usable balance and it is
 * cancelled. Money a gateway still collects for it later is credited to the balance (a payment
 * never disappears), not used for the order. Another account's order is not found.
 */
export async function cancelOrder(deps: CheckoutDeps, accountId: bigint, orderId: bigint): Promise<Order> {
  return deps.sql.begin(async (tx) => {
    const [locked] = await tx<{ account_id: bigint }[]>`SELECT account_id FROM orders WHERE id = ${orderId} FOR UPDATE`;
    const order = locked?.account_id === accountId ? await findOrder(tx, { id: orderId }) : undefined;
    if (!order) throw new BillingError('NOT_FOUND');
    if (order.status === 'awaiting_payment') {
      if (order.holdId) await deps.wallets.release(order.accountId, order.holdId, tx).catch((error: unknown) => {
        if (!isBillingError(error, 'HOLD_NOT_PENDING')) throw error;
      });
      await tx`UPDATE orders SET status = 'cancelled' WHERE id = ${orderId}`;
    }
    return withoutHash((await findOrder(tx, { id: orderId }))!);
  });
}
