import { definePaymentMode, money, z } from '@saldo/sdk';

/**
 * Pay-as-you-go: the customer buys credit first and charges are taken from it in real time.
 * No credit limit, so the wallet can never go below zero; the monthly invoice is a statement
 * of what was deducted.
 */
export default definePaymentMode({
  code: 'prepaid',
  apiVersion: 1,
  label: 'prepaid:label',
  configSchema: z.object({}),
  invoiceStyle: 'statement',
  creditLimit: ({ currency }) => money(0n, currency),
});
