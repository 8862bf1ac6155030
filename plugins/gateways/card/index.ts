import { fileURLToPath } from 'node:url';
import { defineGateway } from '@saldo/sdk';
import { cardConfig } from './config.js';
import type { CardProcessor } from './processor.js';
import { sandbox } from './sandbox/processor.js';
import { stripe } from './stripe/processor.js';

const processors: Record<'sandbox' | 'stripe', CardProcessor> = { sandbox, stripe };
const processor = (config: { processor: 'sandbox' | 'stripe' }) => processors[config.processor];

/**
 * Card payments through a processor's hosted page, so Saldo never sees a card number: the
 * processor keeps the card, Saldo keeps its token, brand, last four digits and expiry. Brands
 * outside `brands` (American Express by default) are refused on the payment page. Built on the
 * public SDK only, like a third party's gateway.
 */
export default defineGateway({
  code: 'card',
  apiVersion: 1,
  label: 'card:label',
  configSchema: cardConfig,
  capabilities: { topUp: true, payDue: true, savedMethods: true, offSession: true, refunds: true },
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  views: fileURLToPath(new URL('./views', import.meta.url)),
  createPayment: (ctx, payment) => processor(ctx.config).createPayment(ctx, payment),
  getPayment: (ctx, lookup) => processor(ctx.config).getPayment(ctx, lookup),
  parseWebhook: (ctx, request) => processor(ctx.config).parseWebhook(ctx, request),
  refund: (ctx, refund) => processor(ctx.config).refund(ctx, refund),
  getRefund: (ctx, refund) => processor(ctx.config).getRefund(ctx, refund),
  removeMethod: (ctx, token) => processor(ctx.config).removeMethod(ctx, token),
  // Both processors' routes are declared; each answers only while its processor is configured.
  routes: [...sandbox.routes, ...stripe.routes],
});
