import type { Transfer } from '../ledger/types.js';

/**
 * How an order was paid, for the panel (`order.paid`): wholly from the balance, partly on the
 * postpaid credit limit, wholly through a gateway, or a gateway for the rest of a balance part.
 * A panel may skip its manual fraud review for orders paid from the balance.
 */
export type PaidWith = 'balance' | 'credit' | 'gateway' | 'mixed';

/** A charge left the balance below zero: part of it, at least, was taken on the postpaid credit limit. */
export const paidFrom = (charge: Transfer): PaidWith => (charge.debitBalanceAfter && charge.debitBalanceAfter.amount < 0n ? 'credit' : 'balance');
