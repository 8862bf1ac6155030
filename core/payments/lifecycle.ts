import type { GatewayOutcome } from '@saldo/sdk';

export const PAYMENT_STATUSES = [
  'created', 'pending', 'requires_action', 'succeeded', 'declined', 'failed', 'canceled', 'partially_refunded', 'refunded',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * The payment lifecycle: where each state may go. Every change of state goes through
 * `transition()` (payment.repo.ts), which consults this table: an outcome that would move a
 * payment backwards — a late "pending" after "succeeded", a "failed" after "refunded" — is
 * ignored and logged, so the order in which a processor's notifications arrive never matters.
 * One move leaves an ended payment: the processor collected after all (a call still running when
 * the payment was given up, a customer who finished on a page left open). The money is the
 * customer's, so it is booked; the log shows the move.
 */
const next: Record<PaymentStatus, readonly PaymentStatus[]> = {
  created: ['pending', 'requires_action', 'succeeded', 'declined', 'failed', 'canceled'],
  // A processor may ask for a step (3-D Secure) after saying pending, or settle after the step.
  pending: ['requires_action', 'succeeded', 'declined', 'failed', 'canceled'],
  requires_action: ['pending', 'succeeded', 'declined', 'failed', 'canceled'],
  succeeded: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  declined: ['succeeded'],
  failed: ['succeeded'],
  canceled: ['succeeded'],
  refunded: [],
};

export const canMove = (from: PaymentStatus, to: PaymentStatus): boolean => next[from].includes(to);

/** Still waiting for its outcome: the customer, the processor or reconciliation will settle it. */
export const isOpen = (status: PaymentStatus): boolean => status === 'created' || status === 'pending' || status === 'requires_action';

/** The money was collected (and may since have been given back, in part or whole). */
export const isCollected = (status: PaymentStatus): boolean => status === 'succeeded' || status === 'partially_refunded' || status === 'refunded';

/** The state a gateway's outcome asks for; `unknown` asks for none (the payment stays as it is, to be reconciled). */
export const statusOf = (outcome: GatewayOutcome): PaymentStatus | undefined => (outcome.status === 'unknown' ? undefined : outcome.status);
