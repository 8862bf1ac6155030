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
 * Declares a payment gateway. Hooks return {@link GatewayOutcome} values — `pending`,
 * `requires_action`, `succeeded`, `declined`, `failed`, `unknown` — and never book money
 * themselves: Saldo records the intent, calls the gateway outside any transaction, and applies
 * the outcome.
 *
 * @example
 * ```ts
 * import { defineGateway, z } from '@saldo/sdk';
 *
 * export default defineGateway({
 *   code: 'acme-pay',
 *   apiVersion: 1,
 *   label: 'gateways:acmePay.label',
 *   configSchema: z.object({ apiKey: z.string().min(10), sandbox: z.boolean().default(true) }),
 *   capabilities: { topUp: true },
 *   async createPayment({ config }, payment) {
 *     const session = await acme(config.apiKey).sessions.create({ amount: payment.amount.amount.toString() });
 *     return { status: 'requires_action', reference: session.id, redirectUrl: session.url };
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
