import { type GatewayOutcome, type SavedMethod, toJSON } from '@saldo/sdk';
import type { WalletService } from '../accounts/wallet.service.js';
import type { Sql } from '../db/connect.js';
import { isBillingError } from '../errors.js';
import type { EventLog } from '../events/event-log.js';
import type { OrdersService } from '../orders/orders.service.js';
import { canMove, statusOf } from './lifecycle.js';
import { lockPayment, markUnknown, type Payment, type TransitionSource, transition } from './payment.repo.js';
import { saveMethod } from './payment-methods.repo.js';

export interface BookingDeps {
  wallets: WalletService;
  orders: OrdersService;
  events: EventLog;
}

/**
 * Applies what a gateway said about a payment, in the caller's transaction, with the payment
 * locked: the lifecycle decides whether the state moves (a backward outcome is ignored and
 * logged). A payment that moves to `succeeded` is booked there and then — once, whatever the
 * number of notifications, returns and reconciliations that report it, because only the one
 * transition into `succeeded` books. Answers the payment as it now stands.
 */
export async function applyOutcome(
  tx: Sql, deps: BookingDeps, paymentId: string, outcome: GatewayOutcome, source: TransitionSource,
): Promise<Payment | undefined> {
  const payment = await lockPayment(tx, { id: paymentId });
  if (!payment) return undefined;
  const to = statusOf(outcome);
  if (!to) {
    await markUnknown(tx, payment.id, outcome.reference);
    return lockPayment(tx, { id: paymentId });
  }
  if (outcome.status === 'requires_action' && !/^https?:\/\//i.test(outcome.redirectUrl)) {
    // Only a web address is a page to send a customer to (never `javascript:` and the like).
    return applyOutcome(tx, deps, paymentId, { status: 'failed', reference: outcome.reference, reason: 'invalid_redirect', retryable: false }, source);
  }
  if (outcome.status === 'succeeded' && (outcome.amount.amount !== payment.amount.amount || outcome.amount.currency !== payment.amount.currency)) {
    // Never book an amount other than the one asked for: left open, listed, for an operator to look into.
    console.error(`[saldo] payment ${payment.id}: the gateway reports ${toJSON(outcome.amount).amount} ${outcome.amount.currency} collected, ${toJSON(payment.amount).amount} ${payment.amount.currency} was asked`);
    await markUnknown(tx, payment.id, outcome.reference);
    return lockPayment(tx, { id: paymentId });
  }

  // The booking's transfer is made first, so that the payment becomes `succeeded` together with
  // it (the table refuses a collected payment without its transfer).
  const collected = outcome.status === 'succeeded' && canMove(payment.status, 'succeeded') ? await credit(tx, deps, payment, outcome.reference, outcome.savedMethod) : undefined;
  const moved = await transition(tx, payment, to, {
    source,
    ...(collected && { transferId: collected.transferId, ...(collected.methodId && { methodId: collected.methodId }) }),
    reference: outcome.reference ?? null,
    redirectUrl: outcome.status === 'requires_action' ? outcome.redirectUrl : null,
    instructions: outcome.status === 'pending' ? outcome.instructions ?? null : null,
    reason: outcome.status === 'declined' || outcome.status === 'failed' ? outcome.reason : null,
    detail: { outcome: outcome.status },
  });
  if (moved && outcome.status === 'succeeded') await allocate(tx, deps, payment, outcome.reference);
  if (moved && (to === 'declined' || to === 'failed')) {
    await deps.events.emit(tx, 'payment.failed', payment.accountId, { ...paymentJson(payment), status: to, reason: outcome.status === 'declined' || outcome.status === 'failed' ? outcome.reason : null });
  }
  return lockPayment(tx, { id: paymentId });
}

/**
 * Books a collected payment: the money goes to the customer's balance, from the gateway clearing
 * account, keyed by the payment, so it is credited once; a card the customer asked to keep is kept.
 */
async function credit(tx: Sql, deps: BookingDeps, payment: Payment, reference: string, method?: SavedMethod) {
  const card = method && { brand: method.brand, last4: method.last4 };
  const paying = payment.orderId !== null ? { order: payment.orderId.toString() } : payment.serviceId !== null ? { service: payment.serviceId.toString() } : undefined;
  const transfer = await deps.wallets.topUp(payment.accountId, payment.amount, {
    idempotencyKey: `payment:${payment.id}`,
    description: '',
    described: { kind: 'top_up', via: { gateway: payment.gateway, ...(card && { card }) }, ...(paying && { paying }) },
    metadata: { payment: payment.id, gateway: payment.gateway, reference, purpose: payment.purpose },
  }, tx);
  const methodId = method && payment.saveMethod ? await saveMethod(tx, payment.accountId, payment.gateway, method) : undefined;
  return { transferId: transfer.id, methodId };
}

/**
 * Then the money pays what it was for (the order, the renewal), or, for a top-up, what the account
 * owes, oldest first; whatever is left stays on the balance.
 */
async function allocate(tx: Sql, deps: BookingDeps, payment: Payment, reference: string): Promise<void> {
  await deps.events.emit(tx, 'payment.succeeded', payment.accountId, { ...paymentJson(payment), reference });

  if (payment.purpose === 'order') {
    await deps.orders.complete(tx, payment.orderId!, 'gateway', reference);
  } else if (payment.purpose === 'renewal') {
    await payDue(() => deps.orders.payRenewalIn(tx, payment.accountId, payment.serviceId!, payment.periodStart!, payment.amount));
  } else {
    await deps.events.emit(tx, 'topup.completed', payment.accountId, { ...paymentJson(payment), reference });
    await settleOldestFirst(tx, deps, payment, reference);
  }
}

/**
 * What the account owes, oldest first, paid from the balance while it covers the next item. A
 * renewal the customer chose not to take from the balance by itself, or every renewal where the
 * provider does not renew from balances, waits for the customer to pay it.
 */
async function settleOldestFirst(tx: Sql, deps: BookingDeps, payment: Payment, reference: string): Promise<void> {
  const owed = (await deps.orders.amountsDue(tx, payment.accountId))
    .filter((due) => due.kind === 'order' || due.autoRenew);
  for (const due of owed) {
    const paid = due.kind === 'order'
      ? (await deps.orders.complete(tx, due.id, 'balance', reference)) === 'paid'
      : await payDue(() => deps.orders.payRenewalIn(tx, payment.accountId, due.id, due.period!));
    // Strictly oldest first: what the balance cannot cover stops the run, the rest stays on the balance.
    if (!paid) return;
  }
}

/** A renewal paid from the balance, or not (insufficient funds, or paid meanwhile): never an error for the booking. */
async function payDue(pay: () => Promise<{ status: string }>): Promise<boolean> {
  try {
    return (await pay()).status === 'renewed';
  } catch (error) {
    if (isBillingError(error, 'INSUFFICIENT_FUNDS') || isBillingError(error, 'SERVICE_CANCELLED') || isBillingError(error, 'SERVICE_NOT_FOUND')) return false;
    throw error;
  }
}

/** A payment as events carry it. */
export const paymentJson = (p: Payment) => ({
  paymentId: p.id, gateway: p.gateway, purpose: p.purpose, amount: toJSON(p.amount),
  ...(p.orderId !== null && { orderId: p.orderId.toString() }),
  ...(p.serviceId !== null && { serviceId: p.serviceId.toString(), period: p.periodStart!.toISOString() }),
});
