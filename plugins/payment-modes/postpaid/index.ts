import { definePaymentMode, parseDecimal, z } from '@saldo/sdk';

/**
 * Charges run against a credit limit (usable credit = balance + limit) and the monthly invoice
 * is a bill of what is owed. The limit is the operator's choice, or the configured default.
 */
export default definePaymentMode({
  code: 'postpaid',
  apiVersion: 1,
  label: 'postpaid:label',
  configSchema: z.object({
    /** Credit limit given when the operator names none, in the account's currency ("100.00"). */
    defaultCreditLimit: z.string().regex(/^\d{1,12}(\.\d{1,3})?$/, 'expected a decimal amount like "100.00"').default('100.00'),
  }),
  invoiceStyle: 'bill',
  creditLimit: ({ config, currency, requested }) =>
    requested ?? parseDecimal(config.defaultCreditLimit, currency, { allowZero: true }),
});
