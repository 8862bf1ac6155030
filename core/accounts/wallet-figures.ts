import type { Money } from '@saldo/sdk';
import type { WalletBalance } from '../ledger/types.js';

/** A wallet's figures as customers, the panel and the API read them. */
export interface WalletFigures extends WalletBalance {
  /** Usable credit is under the account's low-balance threshold. */
  low: boolean;
}

export const walletFigures = (wallet: WalletBalance, threshold: Money | null): WalletFigures => ({
  ...wallet,
  low: threshold !== null && wallet.usableCredit.amount < threshold.amount,
});
