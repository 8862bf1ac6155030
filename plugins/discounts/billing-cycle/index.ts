import { defineDiscount, z } from '@saldo/sdk';

const percentage = z.string().regex(/^\d{1,2}(\.\d{1,2})?$/, 'expected a percentage like "3"');

/** A percentage off for paying several months at once: by default 3% for a year. */
export default defineDiscount({
  code: 'billing-cycle',
  apiVersion: 1,
  label: 'billing-cycle:label',
  configSchema: z.object({
    monthly: percentage.default('0'),
    quarterly: percentage.default('0'),
    'semi-annual': percentage.default('0'),
    annual: percentage.default('3'),
  }),
  priority: 10,
  adjust: ({ config, line }) => {
    const percent = config[line.cycle];
    return /[1-9]/.test(percent) ? { percent, reason: { key: `billing-cycle:${line.cycle}`, params: { percent } } } : null;
  },
});
