import type { z } from 'zod';
import type {
  DiscountHooks, DiscountPlugin, GatewayHooks, GatewayPlugin, PaymentModeHooks, PaymentModePlugin, PluginMeta,
} from './types.js';

/**
 * Declares a payment mode: how an account's charges are bounded and how its invoice reads.
 *
 * @example
 * ```ts
 * import { definePaymentMode, money, z } from '@saldo/sdk';
 *
 * export default definePaymentMode({
 *   code: 'prepaid',
 *   apiVersion: 1,
 *   label: 'paymentModes:prepaid.label',
 *   configSchema: z.object({}),
 *   invoiceStyle: 'statement',
 *   creditLimit: ({ currency }) => money(0n, currency),
 * });
 * ```
 */
export function definePaymentMode<Schema extends z.ZodType>(
  definition: PluginMeta<Schema> & PaymentModeHooks<z.output<Schema>>,
): PaymentModePlugin<Schema> {
  return Object.freeze({ ...definition, kind: 'payment-mode' as const });
}

/**
 * Declares a payment gateway. Hooks return {@link GatewayOutcome} values — `requires_action`
 * (send the customer to a page), `pending` (instructions), `succeeded`, `declined`, `failed`,
 * `canceled`, `unknown` — and never book money themselves: Saldo records the intent, calls the
 * gateway outside any transaction, applies the outcome through its payment lifecycle, and books
 * the money once. Webhooks arrive at `/billing/gateways/<code>/webhook`; `getPayment` answers
 * reconciliation for payments whose outcome is unknown or overdue.
 *
 * @example
 * ```ts
 * import { defineGateway, z } from '@saldo/sdk';
 *
 * export default defineGateway({
 *   code: 'acme-pay',
 *   apiVersion: 1,
 *   label: 'acme-pay:label',
 *   configSchema: z.object({ apiKey: z.string().min(10), webhookSecret: z.string() }),
 *   capabilities: { topUp: true, payDue: true },
 *   async createPayment({ config }, payment) {
 *     const session = await acme(config.apiKey).sessions.create({
 *       amount: payment.amount.amount.toString(), currency: payment.amount.currency,
 *       idempotencyKey: payment.paymentId, returnUrl: payment.returnUrl,
 *     });
 *     return { status: 'requires_action', reference: session.id, redirectUrl: session.url };
 *   },
 *   async getPayment({ config }, { paymentId }) {
 *     const session = await acme(config.apiKey).sessions.findByKey(paymentId);
 *     return session ? toOutcome(session) : { status: 'not_found' };
 *   },
 *   async parseWebhook({ config }, request) {
 *     if (!acme.verify(config.webhookSecret, request.headers['acme-signature'], request.rawBody)) {
 *       return { verified: false, reason: 'bad signature' };
 *     }
 *     const event = JSON.parse(request.rawBody);
 *     return { verified: true, eventId: event.id, payment: { reference: event.session }, outcome: toOutcome(event), occurredAt: new Date(event.created * 1000) };
 *   },
 * });
 * ```
 */
export function defineGateway<Schema extends z.ZodType>(
  definition: PluginMeta<Schema> & GatewayHooks<z.output<Schema>>,
): GatewayPlugin<Schema> {
  return Object.freeze({ ...definition, kind: 'gateway' as const });
}

/**
 * Declares a discount. `adjust` looks at one order line and returns a percentage or an amount
 * off with the reason shown to the customer, or `null`. Saldo applies discounts by `priority`,
 * caps their total per line and allocates them to the cent.
 *
 * @example
 * ```ts
 * import { defineDiscount, z } from '@saldo/sdk';
 *
 * export default defineDiscount({
 *   code: 'billing-cycle',
 *   apiVersion: 1,
 *   label: 'discounts:billingCycle.label',
 *   configSchema: z.object({ annual: z.string().default('3') }),
 *   priority: 10,
 *   adjust: ({ config, line }) =>
 *     line.cycle === 'annual' ? { percent: config.annual, reason: { key: 'discounts:billingCycle.annual' } } : null,
 * });
 * ```
 */
export function defineDiscount<Schema extends z.ZodType>(
  definition: PluginMeta<Schema> & DiscountHooks<z.output<Schema>>,
): DiscountPlugin<Schema> {
  return Object.freeze({ ...definition, kind: 'discount' as const });
}
