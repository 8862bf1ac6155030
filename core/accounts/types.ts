import type { Currency, Locale, Money } from '@saldo/sdk';

export interface BillingAccount {
  id: bigint;
  /** The host panel's id for this customer. */
  externalRef: string;
  /** Shown to the customer and quoted as payment reference (with a check digit). */
  customerNumber: string;
  name: string;
  email: string;
  currency: Currency;
  locale: Locale;
  country: string;
  vatId: string | null;
  paymentMode: string;
  walletId: bigint;
  creditLimit: Money;
  /** Below this available amount the customer is warned (and auto top-up may trigger). */
  lowBalanceThreshold: Money | null;
  createdAt: Date;
  updatedAt: Date;
}

