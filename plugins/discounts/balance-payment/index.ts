import { defineDiscount, z } from '@saldo/sdk';

/**
 * Products can be cheaper when paid from the balance: the catalogue sets each product's
 * percentage (0–25%). It applies only to an order the balance pays for in full.
 */
export default defineDiscount({
  code: 'balance-payment',
  apiVersion: 1,
  label: 'balance-payment:label',
  configSchema: z.object({}),
  priority: 20,
  adjust: ({ line, order }) => {
    const percent = line.balanceDiscountPercent ?? '0';
    if (!order.paidFromBalance || !/[1-9]/.test(percent)) return null;
    return { percent, reason: { key: 'balance-payment:reason', params: { percent } } };
  },
});
