import { z } from '@saldo/sdk';
import { BRANDS } from './brands.js';

export const cardConfig = z.object({
  /**
   * Who processes the cards: Stripe, or the built-in imitation for demos and tests. No default: a
   * provider chooses, so a production install never takes real orders through the sandbox.
   */
  processor: z.enum(['sandbox', 'stripe'], { error: 'choose the card processor: "stripe" (or "sandbox" for a demo or tests)' }),
  /** Brands accepted; others are refused on the payment page with a clear message. */
  brands: z.array(z.enum(BRANDS)).min(1).default(['visa', 'mastercard']),
  sandbox: z.object({
    /** Signs the sandbox's notifications as a processor signs its webhooks (test mode only). */
    webhookSecret: z.string().min(16).default('sandbox-webhook-secret-not-for-production'),
    /** How long a started payment may wait on the hosted page before it lapses. */
    expiresAfterMinutes: z.coerce.number().int().min(1).max(1440).default(60),
  }).prefault({}),
  stripe: z.object({
    /** A secret (`sk_…`) or restricted (`rk_…`) API key. */
    secretKey: z.string().regex(/^(sk|rk)_[A-Za-z0-9_]{4,}$/, 'expected a Stripe secret key like "sk_live_…"'),
    /** The signing secret of the webhook endpoint `…/billing/gateways/card/webhook` (`whsec_…`). */
    webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9+/=_]{4,}$/, 'expected a webhook signing secret like "whsec_…"'),
    /** How long Stripe's payment page stays open (Stripe allows 30 minutes to 24 hours). */
    expiresAfterMinutes: z.coerce.number().int().min(30).max(1440).default(60),
    /** Stripe's API host; a local fake in tests. */
    apiHost: z.string().optional(),
    apiPort: z.coerce.number().int().optional(),
    apiProtocol: z.enum(['http', 'https']).optional(),
  }).optional(),
}).refine((c) => c.processor !== 'stripe' || c.stripe, { path: ['stripe'], message: 'required when processor is "stripe"' });

export type CardConfig = z.output<typeof cardConfig>;
