import { definePaymentMode, money, z } from '@saldo/sdk';

// A second payment mode that claims the built-in code "prepaid".
export default definePaymentMode({
  code: 'prepaid',
  apiVersion: 1,
  label: 'other:label',
  configSchema: z.object({}),
  invoiceStyle: 'statement',
  creditLimit: ({ currency }) => money(0n, currency),
});
