import { type Money, money } from '@saldo/sdk';
import type { WalletBalance } from '../ledger/types.js';

/** A wallet's figures as customers, the panel and the API read them. */
export interface WalletFigures extends WalletBalance {
  /** Usable credit is under the account's low-balance threshold. */
  low: boolean;
  /**
   * How much of the credit limit is in use: what the balance owes plus what holds reserve beyond
   * it (never more than the limit, since usable credit never goes below zero). Zero for prepaid.
   */
  creditUsed: Money;
}

export const walletFigures = (wallet: WalletBalance, threshold: Money | null): WalletFigures => ({
  ...wallet,
  low: threshold !== null && wallet.usableCredit.amount < threshold.amount,
  creditUsed: money(wallet.creditLimit.amount > wallet.usableCredit.amount ? wallet.creditLimit.amount - wallet.usableCredit.amount : 0n, wallet.balance.currency),
});
