import { type GatewayContext, type Money } from '@saldo/sdk';
import Stripe from 'stripe';
import { BRANDS, type Brand } from '../brands.js';
import type { CardConfig } from '../config.js';

export type Ctx = GatewayContext<CardConfig>;
export type StripeSettings = NonNullable<CardConfig['stripe']>;

/** One client per configuration: it keeps its connections alive between calls. */
const clients = new WeakMap<StripeSettings, Stripe>();

/** The Stripe settings; the config schema already refuses `processor: "stripe"` without them. */
export function settingsOf(ctx: Ctx): StripeSettings {
  if (!ctx.config.stripe) throw new Error('the card gateway has no "stripe" settings');
  return ctx.config.stripe;
}

export function stripeOf(ctx: Ctx): Stripe {
  const settings = settingsOf(ctx);
  let client = clients.get(settings);
  if (!client) {
    client = new Stripe(settings.secretKey, {
      // Retries carry the same idempotency key, so Stripe answers a retried create with the first result.
      maxNetworkRetries: 2,
      ...(settings.apiHost && { host: settings.apiHost }),
      ...(settings.apiPort && { port: settings.apiPort }),
      ...(settings.apiProtocol && { protocol: settings.apiProtocol }),
      appInfo: { name: 'Saldo card gateway' },
    });
    clients.set(settings, client);
  }
  return client;
}

/**
 * An amount as Stripe's parameters take it: minor units. The library form-encodes every value
 * with `String()`, so the bigint goes out digit for digit; only its typings say `number`.
 */
export const stripeAmount = (m: Money): number => m.amount as unknown as number;

/** Stripe's currency codes are lower-case ISO 4217. */
export const stripeCurrency = (m: Money): string => m.currency.toLowerCase();

/** A Stripe card brand as the gateway's allow-list names it (`jcb`, `diners`, … are `unknown`). */
export const toBrand = (stripeBrand: string | undefined): Brand =>
  (BRANDS as readonly string[]).includes(stripeBrand ?? '') ? (stripeBrand as Brand) : 'unknown';

/** The networks Stripe's payment page can block, by their names there. */
const blockable: Partial<Record<Brand, string>> = {
  visa: 'visa', mastercard: 'mastercard', amex: 'american_express', discover: 'discover_global_network',
};

/** What Checkout is told to refuse: the blockable networks outside the allow-list. */
export const blockedOnCheckout = (allowed: readonly Brand[]): string[] =>
  Object.entries(blockable).filter(([brand]) => !allowed.includes(brand as Brand)).map(([, name]) => name!);

/** Why Stripe declined a card, in the reasons Saldo's pages explain. */
export function declineReason(error: { code?: string | null; decline_code?: string | null } | null | undefined): string {
  if (!error) return 'card_declined';
  if (error.code === 'authentication_required' || error.decline_code === 'authentication_required') return 'authentication_required';
  if (error.code === 'payment_intent_authentication_failure') return 'authentication_failed';
  if (error.decline_code === 'insufficient_funds') return 'insufficient_funds';
  return error.code === 'card_declined' || !error.code ? 'card_declined' : error.code;
}

/** Stripe has no such object (an unknown id, a detached card). */
export const isMissing = (error: unknown): boolean =>
  error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing';

/** Stripe refused the request itself (not the network, not Stripe failing): asking again changes nothing. */
export const isRefusal = (error: unknown): error is InstanceType<typeof Stripe.errors.StripeInvalidRequestError> =>
  error instanceof Stripe.errors.StripeInvalidRequestError;

export { Stripe };
