import { z } from 'zod';
import { isCurrency } from '../core/money/currency.js';

const currencyCode = z.string().refine(isCurrency, { message: 'expected an ISO 4217 currency code Saldo supports, like "EUR"' });
const locale = z.enum(['en', 'fr', 'es']);

/** A plugin to load: a built-in path (`./plugins/...`) or an npm package name, with its options. */
export const pluginEntry = z.object({
  module: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
});

/**
 * The whole module's configuration. Every field has a default that makes `npm start` a working
 * demo; a provider overrides what it needs from a JSON file (`SALDO_CONFIG`) and environment
 * variables (see `load.ts`).
 */
export const configSchema = z.object({
  server: z
    .object({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.coerce.number().int().min(0).max(65535).default(3000),
      /** Where the standalone server mounts the billing app. */
      basePath: z.string().regex(/^\/[a-z0-9/_-]*$/, 'expected a path like "/billing"').default('/billing'),
      /** The address customers reach Saldo at, for links in emails and hand-offs. */
      publicUrl: z.url().optional(),
    })
    .prefault({}),
  database: z
    .object({
      /** A PostgreSQL URL. Without one, an embedded database is kept under `dataDir`. */
      url: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL').optional(),
      dataDir: z.string().min(1).default('.saldo-data'),
      /** PostgreSQL schema holding Saldo's tables, so it can share a database with the panel. */
      schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier').default('public'),
      poolSize: z.coerce.number().int().min(1).max(200).default(10),
    })
    .prefault({}),
  billing: z
    .object({
      defaultCurrency: currencyCode.default('EUR'),
      defaultLocale: locale.default('en'),
      defaultPaymentMode: z.string().min(1).default('prepaid'),
      /** Prefix of customer numbers, which customers also quote as their payment reference. */
      customerNumberPrefix: z.string().regex(/^[A-Z]{0,4}$/, 'expected up to 4 capital letters').default('C'),
      /** Days after the 1st (the monthly invoice run) when converting an account is advised. */
      conversionWindowDays: z.coerce.number().int().min(1).max(28).default(7),
      /** The provider's time zone: what "the 1st of the month" means for its invoice run. */
      timeZone: z.string().refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'expected an IANA time zone like "Europe/Paris"').default('UTC'),
      /** The most a line can be discounted in total, in percent of its price. */
      discountCapPercent: z.string().regex(/^\d{1,2}(\.\d{1,2})?$|^100$/, 'expected a percentage like "25"').default('25'),
      /** Whether due services may renew automatically from the balance (some providers forbid it). */
      renewFromBalance: z.boolean().default(true),
      /** Days an unpaid renewal may wait before the panel is asked to suspend the service. */
      suspendAfterDays: z.coerce.number().int().min(0).max(90).default(7),
      /** How long a hold (reserved funds) lives when the caller gives no expiry. */
      holdTtlMinutes: z.coerce.number().int().min(1).max(60 * 24 * 30).default(60),
    })
    .prefault({}),
  plugins: z
    .array(pluginEntry)
    .default([
      { module: './plugins/payment-modes/prepaid', options: {} },
      { module: './plugins/payment-modes/postpaid', options: {} },
      { module: './plugins/discounts/billing-cycle', options: {} },
      { module: './plugins/discounts/balance-payment', options: {} },
    ]),
  /** What customers see: the provider's brand, and where to send them back to. */
  branding: z
    .object({
      providerName: z.string().min(1).max(100).default('Demo Hosting'),
      logoUrl: z.url().optional(),
      primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour like "#1f6feb"').default('#1f5fbf'),
      supportEmail: z.email().default('support@example.com'),
      /** The host panel's address: the "sign in through your control panel" link. */
      panelUrl: z.url().default('http://127.0.0.1:3000/'),
    })
    .prefault({}),
  customers: z
    .object({
      /** How long a hand-off link from the panel may be opened. */
      handoffSeconds: z.coerce.number().int().min(10).max(900).default(120),
      /** How long a customer session lasts. */
      sessionMinutes: z.coerce.number().int().min(5).max(60 * 24).default(120),
      /**
       * Trusted-proxy mode: the panel's reverse proxy names the customer in `X-Saldo-Customer`
       * and signs it in `X-Saldo-Customer-Signature` with this secret. Off when omitted.
       */
      proxySecret: z.string().min(16).optional(),
    })
    .prefault({}),
  /** Where events go besides in-process handlers: signed HTTP webhooks. */
  webhooks: z
    .array(
      z.object({
        url: z.url(),
        /** Shared with the receiver, which checks each request's signature with it. */
        secret: z.string().min(16, 'expected at least 16 characters'),
        /** Event types to send; all when omitted. */
        events: z.array(z.string()).optional(),
      }),
    )
    .default([]),
  events: z
    .object({
      /** Attempts before a delivery is marked failed (backoff doubles from 1 s up to 1 h). */
      maxAttempts: z.coerce.number().int().min(1).max(50).default(15),
      /** How long one webhook request may take. */
      timeoutMs: z.coerce.number().int().min(100).max(60_000).default(10_000),
      /** How often the dispatcher looks for work when running in the background. */
      pollMs: z.coerce.number().int().min(50).max(60_000).default(1_000),
    })
    .prefault({}),
  jobs: z
    .object({
      /** How often due services are renewed (or recorded as awaiting payment). */
      renewalsEveryMinutes: z.coerce.number().int().min(1).max(1440).default(60),
      /** How often expired holds are released (they are also released whenever a payment needs them). */
      holdSweepEveryMinutes: z.coerce.number().int().min(1).max(1440).default(5),
    })
    .prefault({}),
  secrets: z
    .object({
      /** API keys the host panel presents on the JSON API (`Authorization: Bearer …`). */
      apiKeys: z.array(z.string().min(24, 'expected at least 24 characters')).default([]),
      /** Signs hand-off links, session cookies and CSRF tokens. Generated and kept in the database when omitted. */
      sessionSecret: z.string().min(32, 'expected at least 32 characters').optional(),
    })
    .prefault({}),
});

export type SaldoConfig = z.infer<typeof configSchema>;
export type SaldoConfigInput = z.input<typeof configSchema>;
export type PluginEntry = z.infer<typeof pluginEntry>;
