import type { Money } from '@saldo/sdk';
import type { PostingDescription } from './posting-description.js';

/** What a request that posts money may say about the posting. */
interface Describing {
  /**
   * What the posting is, rendered in the reader's language (see posting-description.ts). Kept in
   * its metadata; not part of the request's fingerprint (see `transfer` in ledger.repo.ts).
   */
  described?: PostingDescription;
}

export type LedgerAccountKind = 'wallet' | 'system';

export interface LedgerAccount {
  id: bigint;
  code: string;
  kind: LedgerAccountKind;
  currency: Money['currency'];
}

/**
 * A wallet's figures — one name each, wherever they are read. The database bounds them:
 * `balance − held ≥ −creditLimit`, so usable credit is never negative.
 */
export interface WalletBalance {
  /** Sum of posted entries: negative when a postpaid customer has used credit. */
  balance: Money;
  /** Reserved by pending holds, not yet taken. */
  held: Money;
  /** How far below zero the balance may go: zero for prepaid. */
  creditLimit: Money;
  /** What can still be spent or held: balance − held + credit limit. */
  usableCredit: Money;
}

export interface TransferRequest extends Describing {
  /** Unique per operation: a replay returns the first result, other parameters are a conflict. */
  idempotencyKey: string;
  /** What the movement is: `top_up`, `charge`, `refund`, `adjustment`, … (lower_snake). */
  kind: string;
  debit: bigint;
  credit: bigint;
  amount: Money;
  description?: string;
  metadata?: Record<string, string | number | boolean | null>;
}

export interface Transfer {
  id: bigint;
  kind: string;
  debit: bigint;
  credit: bigint;
  amount: Money;
  description: string;
  createdAt: Date;
  /** True when this answer is the replay of an earlier request with the same key. */
  replayed: boolean;
  /** Balance of each side after the transfer, when that side is a wallet. */
  debitBalanceAfter: Money | null;
  creditBalanceAfter: Money | null;
}

export type HoldStatus = 'pending' | 'captured' | 'voided' | 'expired';

export interface HoldRequest extends Describing {
  idempotencyKey: string;
  account: bigint;
  amount: Money;
  expiresAt: Date;
  description?: string;
  metadata?: Record<string, string | number | boolean | null>;
}

export interface Hold {
  id: bigint;
  account: bigint;
  amount: Money;
  status: HoldStatus;
  captured: Money | null;
  description: string;
  /** Its structured description; null for postings made before there was one. */
  described: PostingDescription | null;
  expiresAt: Date;
  createdAt: Date;
  settledAt: Date | null;
}

export interface CaptureRequest extends Describing {
  idempotencyKey: string;
  hold: bigint;
  /** At most the held amount; whatever is not captured is released. */
  amount: Money;
  credit: bigint;
  description?: string;
  metadata?: Record<string, string | number | boolean | null>;
}

export interface Entry {
  id: bigint;
  transferId: bigint;
  kind: string;
  amount: Money;
  balanceAfter: Money | null;
  description: string;
  /** Its structured description; null for postings made before there was one. */
  described: PostingDescription | null;
  createdAt: Date;
}

export interface RefundChargeRequest extends Describing {
  idempotencyKey: string;
  /** The charge (or capture) transfer to give back part or all of. */
  charge: bigint;
  /** The wallet it must have debited: another wallet's charge is not found. */
  wallet: bigint;
  /** How much; all that is left of the charge when omitted. */
  amount?: Money;
  /** Where the money comes back from (revenue). */
  debit: bigint;
  reason: string;
  metadata?: Record<string, string | number | boolean | null>;
}

export interface ChargeRefund {
  /** The refund itself: a new transfer to the wallet (`creditBalanceAfter` is the wallet's balance). */
  transfer: Transfer;
  charge: {
    id: bigint;
    amount: Money;
    /** Refunded of the charge so far, this refund included. */
    refunded: Money;
  };
}
