import { defineGateway, z } from '@saldo/sdk';

/**
 * A gateway written outside Saldo, against the SDK only: it proves a third-party package loads
 * exactly like a built-in plugin. It "collects" every payment at once, except amounts ending in
 * 13 minor units, which it declines.
 */
export default defineGateway({
  code: 'example-pay',
  apiVersion: 1,
  label: 'example-pay:label',
  configSchema: z.object({
    merchantId: z.string().regex(/^m_[a-z0-9]+$/, 'expected a merchant id like "m_123"'),
    sandbox: z.boolean().default(true),
  }),
  capabilities: { topUp: true, refunds: false },
  async createPayment({ config }, payment) {
    if (payment.amount.amount % 100n === 13n) return { status: 'declined', reason: 'card_declined' };
    return { status: 'succeeded', reference: `${config.merchantId}:${payment.paymentId}`, amount: payment.amount };
  },
});
