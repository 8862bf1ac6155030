import { defineGateway, type Money, z } from '@saldo/sdk';

/** What "the processor" collected whose answer was lost, by Saldo's payment id. */
const collected = new Map<string, Money>();

/**
 * A gateway written outside Saldo, against the SDK only: it proves a third-party package loads
 * exactly like a built-in plugin. It "collects" every payment at once, except amounts ending in
 * 13 minor units, which it declines, and amounts ending in 99, which it collects but whose answer
 * is lost on the way back (the call throws) — its status query then says they succeeded.
 */
export default defineGateway({
  code: 'example-pay',
  apiVersion: 1,
  label: 'example-pay:label',
  configSchema: z.object({
    merchantId: z.string().regex(/^m_[a-z0-9]+$/, 'expected a merchant id like "m_123"'),
    sandbox: z.boolean().default(true),
  }),
  capabilities: { topUp: true, payDue: true, refunds: false },
  async createPayment({ config }, payment) {
    if (payment.amount.amount % 100n === 13n) return { status: 'declined', reason: 'card_declined' };
    if (payment.amount.amount % 100n === 99n) {
      collected.set(payment.paymentId, payment.amount);
      throw new Error('connection reset by peer');
    }
    return { status: 'succeeded', reference: `${config.merchantId}:${payment.paymentId}`, amount: payment.amount };
  },
  // A customer page, shown inside Saldo's pages: where to send a transfer, and a form to say it is sent.
  routes: [
    {
      method: 'GET', path: '/where-to-pay', customerPage: true,
      handler: async ({ config }, { customer }) => ({
        title: 'Example Pay',
        html: `<h1>Example Pay</h1><p>Pay merchant ${config.merchantId} quoting ${customer!.customerNumber}.</p>
          <form method="post"><input type="hidden" name="_csrf" value="${customer!.csrfToken}"><button>Sent</button></form>`,
      }),
    },
    { method: 'POST', path: '/where-to-pay', customerPage: true, handler: async () => ({ redirect: '../../balance' }) },
  ],
  async getPayment({ config }, { paymentId }) {
    const amount = collected.get(paymentId);
    return amount ? { status: 'succeeded', reference: `${config.merchantId}:${paymentId}`, amount } : { status: 'not_found' };
  },
});
