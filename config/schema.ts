import { z } from 'zod';
import { isCurrency, LOCALES } from '@saldo/sdk';

/** How due services of prepaid accounts may renew from the balance (see `billing.balanceRenewals`). */
export const BALANCE_RENEWALS = ['off-by-default', 'on-by-default', 'forbidden'] as const;
export type BalanceRenewals = (typeof BALANCE_RENEWALS)[number];

const currencyCode = z.string().refine(isCurrency, { message: 'expected an ISO 4217 currency code Saldo supports, like "EUR"' });
const locale = z.enum(LOCALES);
/** An amount as exact decimal text, "12.50". */
const decimal = z.string().regex(/^\d{1,15}(\.\d{1,3})?$/, 'expected an amount like "50" or "12.50"');
/** Five cron fields (minute hour day month weekday), e.g. "0 * * * *" for every hour. */
const cron = z.string().trim().regex(/^(\S+\s+){4}\S+$/, 'expected a cron expression like "0 * * * *"');

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
      /** The address customers reach Saldo at, for links in emails and hand-offs; forms may come from its origin. */
      publicUrl: z.url().optional(),
      /**
       * The panel's reverse proxy: only a request from it may say, in `X-Forwarded-Proto` and
       * `X-Forwarded-Host`, how the customer reached Saldo (which makes cookies Secure and which
       * origin forms may come from). Nobody by default, since any client can send those headers.
       */
      trustedProxy: z
        .object({
          /** Its addresses, or its networks in CIDR notation ("10.0.0.0/8", "fd00::/8"). */
          addresses: z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { message: 'expected an IP address or a network like "10.0.0.0/8"' })).default([]),
          /** Or a secret it adds to each request as `X-Saldo-Proxy-Secret`, where its address is not fixed. */
          secret: z.string().min(24, 'expected at least 24 characters').optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  /**
   * The most bytes a request body may have, by the kind of route that reads it: more is refused
   * with 413 before it is read (Content-Length) or as soon as it has been (a chunked body).
   */
  limits: z
    .object({
      /** The JSON API. */
      jsonBytes: z.coerce.number().int().min(1024).max(64 * 2 ** 20).default(64 * 1024),
      /** The customer pages' forms. */
      formBytes: z.coerce.number().int().min(1024).max(64 * 2 ** 20).default(16 * 1024),
      /** Files customers or operators upload (a proof of payment, a bank statement). */
      uploadBytes: z.coerce.number().int().min(1024).max(1024 * 2 ** 20).default(10 * 2 ** 20),
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
      /**
       * Renewal of due services from a prepaid balance, which each customer chooses per service:
       * `off-by-default` (a new service waits for the customer to turn it on), `on-by-default`
       * (on until they turn it off), or `forbidden` (balance only pays what the customer pays by
       * hand). Accounts on credit (postpaid) renew on their credit whatever this says.
       */
      balanceRenewals: z.enum(BALANCE_RENEWALS).optional(),
      /** @deprecated The former switch: `true` reads as `on-by-default`, `false` as `forbidden`. */
      renewFromBalance: z.boolean().optional(),
      /** Days an unpaid renewal may wait before the panel is asked to suspend the service. */
      suspendAfterDays: z.coerce.number().int().min(0).max(90).default(7),
      /** How long a hold (reserved funds) lives when the caller gives no expiry. */
      holdTtlMinutes: z.coerce.number().int().min(1).max(60 * 24 * 30).default(60),
    })
    .refine((b) => b.balanceRenewals === undefined || b.renewFromBalance === undefined, {
      path: ['renewFromBalance'], message: 'replaced by billing.balanceRenewals: keep only that one',
    })
    // A provider's configuration written for the former switch keeps its meaning; unset, off.
    .transform(({ renewFromBalance, balanceRenewals, ...billing }) => ({
      ...billing,
      balanceRenewals: balanceRenewals ?? (renewFromBalance === undefined ? 'off-by-default' : renewFromBalance ? 'on-by-default' : 'forbidden'),
    }))
    .prefault({}),
  plugins: z
    .array(pluginEntry)
    .default([
      { module: './plugins/payment-modes/prepaid', options: {} },
      { module: './plugins/payment-modes/postpaid', options: {} },
      { module: './plugins/discounts/billing-cycle', options: {} },
      { module: './plugins/discounts/balance-payment', options: {} },
    ]),
  payments: z
    .object({
      /** Top-up amounts offered as buttons, in the account's currency. */
      topUpPresets: z.array(decimal).min(1).max(8).default(['50', '100', '150', '200', '250']),
      /** The least and the most one top-up may be. */
      topUpMin: decimal.default('5'),
      topUpMax: decimal.default('5000'),
      /** The terms and conditions customers accept before paying: their version is kept with each payment. */
      termsVersion: z.string().min(1).max(40).default('2026-01'),
      termsUrl: z.url().optional(),
      /** How long a gateway may take to answer before its outcome counts as unknown (and is reconciled). */
      gatewayTimeoutMs: z.coerce.number().int().min(1_000).max(120_000).default(30_000),
      /** Payments still open this long after their gateway call are asked about again. */
      reconcileAfterSeconds: z.coerce.number().int().min(1).max(86_400).default(120),
      /**
       * A payment the processor still has no record of this long after its call is canceled (its
       * call never arrived). Longer than any call with its client's retries can take.
       */
      abandonAfterMinutes: z.coerce.number().int().min(5).max(7 * 24 * 60).default(60),
      /** Automatic top-ups tried per account and day; a card that keeps failing stops there. */
      autoTopUpDailyCap: z.coerce.number().int().min(1).max(20).default(3),
      /** When open payments are reconciled. */
      reconcile: cron.default('* * * * *'),
    })
    // Asking the processor before its call could have ended would find nothing where something may yet land.
    .refine((p) => p.reconcileAfterSeconds * 1000 > p.gatewayTimeoutMs, {
      message: 'reconcileAfterSeconds must be longer than gatewayTimeoutMs', path: ['reconcileAfterSeconds'],
    })
    .prefault({}),
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
        /**
         * Shared with the receiver, which checks each request's signature with it (Standard
         * Webhooks): `whsec_` and at least 24 random bytes in base64.
         */
        secret: z.string().regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'expected a secret like "whsec_" followed by at least 24 bytes in base64'),
        /** Event types to send; all when omitted. */
        events: z.array(z.string()).optional(),
      }),
    )
    .default([]),
  events: z
    .object({
      /** Attempts before a delivery is marked failed; the wait between them doubles, with jitter. */
      maxAttempts: z.coerce.number().int().min(1).max(20).default(15),
      /** The wait before the first retry, in seconds (the 15th attempt comes about a day later). */
      retryDelaySeconds: z.coerce.number().int().min(1).max(3600).default(1),
      /** How long one webhook request may take. */
      timeoutMs: z.coerce.number().int().min(100).max(60_000).default(10_000),
      /** Deliveries one instance makes at once. */
      concurrency: z.coerce.number().int().min(1).max(100).default(8),
    })
    .prefault({}),
  /** Background work (pg-boss): schedules as cron expressions in `billing.timeZone`. */
  jobs: z
    .object({
      /** When due services are renewed (or recorded as awaiting payment): hourly by default. */
      renewals: cron.default('0 * * * *'),
      /** When expired holds are released (a payment that needs the funds releases them at once anyway). */
      holdExpiry: cron.default('*/5 * * * *'),
      /** How often an idle instance looks for jobs, in seconds: the delay before an event goes out. */
      pollSeconds: z.coerce.number().min(0.5).max(60).default(2),
      /** Schema of the job system's tables; `<database.schema>_jobs` (`saldo_jobs` beside `public`) when omitted. */
      schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier').optional(),
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
