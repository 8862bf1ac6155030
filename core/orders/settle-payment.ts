import { BillingError, isBillingError } from '../errors.js';
import { money, toJSON } from '@saldo/sdk';
import type { CheckoutDeps } from './checkout.js';
import { createServices, findOrder, type Order, withoutHash } from './order.repo.js';

export type GatewayResult = { status: 'succeeded'; reference: string } | { status: 'failed' | 'expired'; reason?: string };

/**
 * What happens to an order awaiting payment when the gateway part of it is settled. Succeeded:
 * the money the gateway collected is credited to the balance and the whole order is taken from
 * it — the held part by capturing its hold, the rest by a charge — and the order is paid, its
 * services open and the panel is told. Failed or expired: the hold is released and the order
 * cancelled; money a gateway still collects for a cancelled order is credited to the balance.
 * Settling an order twice changes nothing the second time.
 */
export async function settlePayment(deps: CheckoutDeps, orderId: bigint, result: GatewayResult): Promise<Order> {
  return deps.sql.begin(async (tx) => {
    const [locked] = await tx<{ status: string; account_id: bigint }[]>`SELECT status, account_id FROM orders WHERE id = ${orderId} FOR UPDATE`;
    const order = locked && (await findOrder(tx, { id: orderId }));
    if (!order) throw new BillingError('NOT_FOUND');
    const keys = (step: string) => ({
      idempotencyKey: `order-${orderId}:${step}`,
      metadata: { order: orderId.toString(), reference: result.status === 'succeeded' ? result.reference : null },
    });
    if (order.status === 'cancelled' && result.status === 'succeeded' && order.amountDue.amount > 0n) {
      // Collected after the order was given up: the money is the customer's, so it goes to the balance.
      await deps.wallets.topUp(order.accountId, order.amountDue, { ...keys('gateway'), description: `Payment ${result.reference}` }, tx);
    }
    if (order.status !== 'awaiting_payment') return withoutHash(order);

    if (result.status !== 'succeeded') {
      if (order.holdId) await deps.wallets.release(order.accountId, order.holdId, tx);
      await tx`UPDATE orders SET status = 'cancelled' WHERE id = ${orderId}`;
      return withoutHash((await findOrder(tx, { id: orderId }))!);
    }

    if (order.amountDue.amount > 0n) await deps.wallets.topUp(order.accountId, order.amountDue, { ...keys('gateway'), description: `Payment ${result.reference}` }, tx);
    let fromGateway = order.amountDue;
    if (order.holdId) {
      try {
        await deps.wallets.capture(order.accountId, order.holdId, order.balanceApplied, { ...keys('capture'), description: `Order ${orderId}` }, tx);
      } catch (error) {
        // The reservation lapsed while the customer paid: take that part from the balance now.
        if (!isBillingError(error, 'HOLD_EXPIRED') && !isBillingError(error, 'HOLD_NOT_PENDING')) throw error;
        if (error.code === 'HOLD_EXPIRED') await deps.wallets.release(order.accountId, order.holdId, tx);
        fromGateway = money(order.amountDue.amount + order.balanceApplied.amount, order.currency);
      }
    }
    let charge;
    try {
      charge = fromGateway.amount > 0n
        ? await deps.wallets.charge(order.accountId, fromGateway, { ...keys('charge'), description: `Order ${orderId}` }, tx)
        : undefined;
    } catch (error) {
      // Spent elsewhere meanwhile: what the gateway collected stays on the balance (credited
      // above, never lost) and the order keeps waiting for the rest.
      if (!isBillingError(error, 'INSUFFICIENT_FUNDS')) throw error;
      return withoutHash((await findOrder(tx, { id: orderId }))!);
    }
    await tx`UPDATE orders SET status = 'paid', paid_at = now(), charge_transfer_id = ${charge?.id ?? null} WHERE id = ${orderId}`;
    await createServices(tx, orderId, order.accountId);
    await deps.events.emit(tx, 'order.paid', order.accountId, { orderId: orderId.toString(), total: toJSON(order.total), reference: result.reference });
    return withoutHash((await findOrder(tx, { id: orderId }))!);
  });
}
