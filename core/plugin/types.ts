import type { z } from 'zod';
import type { Locale } from './locale.js';
import type { Currency, Money } from './money/index.js';

/** The plugin API this Saldo implements. A plugin declares the version it was written for. */
export const PLUGIN_API_VERSION = 1;
/** Versions a plugin may declare and still load. */
export const SUPPORTED_API_VERSIONS: readonly number[] = [1];

export type PluginKind = 'payment-mode' | 'gateway' | 'discount';

/** What every plugin declares, whatever its kind. */
export interface PluginMeta<Schema extends z.ZodType> {
  /** Unique within its kind, lower-kebab-case: `prepaid`, `card`, `billing-cycle`. */
  code: string;
  /** The plugin API version it was written for: {@link PLUGIN_API_VERSION}. */
  apiVersion: number;
  /** i18n key of the name customers and operators see, e.g. `paymentModes:prepaid.label`. */
  label: string;
  /**
   * Options the provider sets in Saldo's configuration, validated at boot. The parsed value
   * (defaults applied) is what every hook receives as `ctx.config`.
   */
  configSchema: Schema;
}

/** Passed to every hook: the plugin's own validated options. */
export interface PluginContext<Config> {
  config: Config;
}

// ── payment modes ─────────────────────────────────────────────────────────────────────────────

/**
 * How the monthly invoice of an account in this mode reads: a `statement` summarises what was
 * already taken from the balance; a `bill` lists what is owed, with a due date.
 */
export type InvoiceStyle = 'statement' | 'bill';

export interface PaymentModeHooks<Config> {
  invoiceStyle: InvoiceStyle;
  /**
   * The credit limit an account gets when it is opened in, or converted to, this mode:
   * zero for prepaid; for postpaid the operator's choice or a configured default. Saldo enforces
   * it in the database as the wallet's lower bound (balance ≥ −limit).
   */
  creditLimit(ctx: PluginContext<Config> & { currency: Currency; requested?: Money | undefined }): Money;
}

export type PaymentModePlugin<Schema extends z.ZodType = z.ZodType> = PluginMeta<Schema> &
  PaymentModeHooks<z.output<Schema>> & { kind: 'payment-mode' };

// ── gateways ──────────────────────────────────────────────────────────────────────────────────

/** What a gateway can do; Saldo offers only these, and the conformance suite holds it to them. */
export interface GatewayCapabilities {
  /** Collects money the customer adds to their balance. */
  topUp: boolean;
  /** Pays an amount due: the rest of an order, a renewal, an invoice. */
  payDue?: boolean;
  /** Keeps a payment method (a processor's token) for later payments. */
  savedMethods?: boolean;
  /** Charges a saved method without the customer present (automatic top-ups). */
  offSession?: boolean;
  /** Gives money back, whole or in part. */
  refunds?: boolean;
}

/** A payment Saldo asks a gateway to collect. */
export interface PaymentRequest {
  /**
   * Saldo's payment id. Pass it to the processor (as metadata and as its idempotency key), so a
   * call repeated after a crash finds the same payment, and webhooks and status queries can be
   * matched back.
   */
  paymentId: string;
  amount: Money;
  customerNumber: string;
  description: string;
  locale: Locale;
  /** Where the customer returns after a hosted payment page or a 3-D Secure step. */
  returnUrl: string;
  /** Where this gateway's own routes are served (`…/billing/gateways/<code>`), for links it builds. */
  gatewayUrl: string;
  /** Pay with a method saved earlier (its processor token) instead of asking the customer. */
  savedMethod?: { token: string };
  /** The customer is not present (automatic top-up): never ask for an action, decline instead. */
  offSession?: boolean;
  /** The customer asked to keep the method for later payments. */
  saveMethod?: boolean;
}

/** A payment method the processor keeps: its token and what the customer recognises it by. Never a number or a CVV. */
export interface SavedMethod {
  token: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/**
 * What a gateway says happened — returned as a value, never thrown: a decline is an ordinary
 * answer. Saldo alone books money and settles what is due from these outcomes.
 *
 * - `requires_action`: send the customer to `redirectUrl` (a hosted page, a 3-D Secure step);
 * - `pending`: the money comes later (a transfer); show `instructions` if given;
 * - `succeeded`, `declined`, `failed`, `canceled`: final;
 * - `unknown`: the processor could not say (timeout, lost answer) — Saldo asks again later.
 */
export type GatewayOutcome =
  | { status: 'pending'; reference: string; instructions?: Record<string, string> }
  | { status: 'requires_action'; reference: string; redirectUrl: string }
  | { status: 'succeeded'; reference: string; amount: Money; savedMethod?: SavedMethod }
  | { status: 'declined'; reference?: string; reason: string }
  | { status: 'failed'; reference?: string; reason: string; retryable: boolean }
  | { status: 'canceled'; reference?: string }
  | { status: 'unknown'; reference?: string };

/** What reconciliation asks about: Saldo's id, and the processor's reference once it is known. */
export interface PaymentLookup {
  paymentId: string;
  reference?: string;
}

/**
 * The answer to a status query: an outcome, or `not_found` when the processor has no record of
 * the payment at all (the call never reached it) — Saldo then cancels the payment.
 */
export type PaymentStatus = GatewayOutcome | { status: 'not_found' };

/** A request to one of the gateway's routes or its webhook, as received: the raw body, so signatures can be checked over it. */
export interface GatewayHttpRequest {
  method: string;
  /** The path below `/gateways/<code>`, e.g. `/webhook` or `/pay/123`. */
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  rawBody: string;
  /** The body of a form post, parsed (unknown fields included). */
  form: Record<string, string>;
  receivedAt: Date;
  /**
   * On a customer page (`customerPage: true`): the signed-in customer, whom the page is for.
   * Saldo has checked the session and, for a POST, the form's CSRF token: put `csrfToken` in a
   * hidden `_csrf` field of every form the page shows.
   */
  customer?: { accountId: string; customerNumber: string; locale: Locale; csrfToken: string };
}

/** What a gateway's route answers: a page, a redirect, or a status with a short text. */
export type GatewayHttpResponse =
  /** A page; on a customer page, its `html` is shown inside Saldo's layout under `title`. */
  | { status?: number; html: string; title?: string }
  | { redirect: string }
  | { status: number; text?: string; json?: unknown };

export type WebhookResult =
  | { verified: false; reason: string }
  | {
      verified: true;
      /** The processor's id of this notification: a replay of it is recognised and books nothing. */
      eventId: string;
      /** Which payment it is about: Saldo's id, or the processor's reference. */
      payment: PaymentLookup | { reference: string };
      outcome: GatewayOutcome;
      occurredAt: Date;
    }
  | {
      verified: true;
      eventId: string;
      /**
       * The notification is genuine but asks nothing of Saldo: an event type the gateway does not
       * map, a payment made on the same processor account outside Saldo, a step the customer takes
       * on the processor's own page. Saldo acknowledges it (so the processor stops sending it) and
       * applies nothing. The text says why, for the log.
       */
      ignored: string;
    };

/** A request to give money back, whole or in part, of a payment that succeeded. */
export interface RefundRequest {
  /** Saldo's refund id: the processor's idempotency key for it. */
  refundId: string;
  paymentId: string;
  reference: string;
  amount: Money;
  reason: string;
}

export type RefundOutcome =
  | { status: 'succeeded'; reference: string }
  | { status: 'pending'; reference: string }
  | { status: 'failed'; reason: string };

/** A route the gateway serves under `/billing/gateways/<code>`: a hosted page, a return step. */
export interface GatewayRoute<Config> {
  method: 'GET' | 'POST';
  /** Hono-style path with `:params`, e.g. `/pay/:id`. */
  path: string;
  /**
   * A page of the customer pages (bank details to transfer to, a form to report a payment): only
   * for a signed-in customer, its POSTs CSRF-checked, its HTML shown inside Saldo's layout, in the
   * customer's language. Otherwise a route for anyone — a processor's callback, a hosted page.
   */
  customerPage?: boolean;
  handler(ctx: GatewayContext<Config>, request: GatewayHttpRequest): Promise<GatewayHttpResponse>;
}

/** Work the gateway runs in the background, through Saldo's job system. */
export interface GatewayJob<Config> {
  /** Unique within the gateway; the job system's queue is `gateway.<code>.<name>`. */
  name: string;
  /** A cron expression (in the provider's time zone); one run per tick however many instances run. */
  schedule: string;
  run(ctx: GatewayContext<Config>): Promise<unknown>;
}

/**
 * What a gateway's hooks receive: its options, a database handle for the tables its own
 * migrations create (never Saldo's: money is booked by the core), its strings, and a renderer
 * for its own views.
 */
export interface GatewayContext<Config> extends PluginContext<Config> {
  /** A postgres.js tagged-template handle: ``await ctx.sql`SELECT … WHERE id = ${id}` ``. */
  sql: SqlHandle;
  /** The gateway's strings, by key (from its `locales/<lng>.json`), in `locale`. */
  t(key: string, locale: Locale, params?: Record<string, string>): string;
  /** Renders one of the gateway's own eta views (`views/<name>.eta`); escaped by default. */
  render(view: string, data: Record<string, unknown>): string;
}

/** The part of a postgres.js handle a plugin uses: tagged-template queries and transactions. */
export interface SqlHandle {
  <T extends readonly object[] = Record<string, unknown>[]>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T>;
}

export interface GatewayHooks<Config> {
  capabilities: GatewayCapabilities;
  /** Currencies it accepts; all when omitted. */
  currencies?: readonly Currency[];
  /**
   * Folder of the gateway's own SQL migrations (`NNNN_name.sql`), applied with Saldo's and
   * recorded per gateway: e.g. `fileURLToPath(new URL('./migrations', import.meta.url))`.
   */
  migrations?: string;
  /** Folder of its eta views, for `ctx.render`. */
  views?: string;
  /** Starts collecting a payment. Never called inside a database transaction. */
  createPayment(ctx: GatewayContext<Config>, payment: PaymentRequest): Promise<GatewayOutcome>;
  /** What became of a payment whose outcome is unknown or overdue (reconciliation). */
  getPayment(ctx: GatewayContext<Config>, payment: PaymentLookup): Promise<PaymentStatus>;
  /** Verifies a notification from the processor (signature, age) and maps it to an outcome. */
  parseWebhook?(ctx: GatewayContext<Config>, request: GatewayHttpRequest): Promise<WebhookResult>;
  /** Gives money back. Required when `capabilities.refunds`. */
  refund?(ctx: GatewayContext<Config>, refund: RefundRequest): Promise<RefundOutcome>;
  /**
   * What became of a refund whose answer was `pending` or lost (reconciliation), by Saldo's refund
   * id — the idempotency key the refund was made with. `not_found`: it never reached the processor.
   */
  getRefund?(ctx: GatewayContext<Config>, refund: { refundId: string; paymentId: string; reference: string }): Promise<RefundOutcome | { status: 'not_found' }>;
  /** Forgets a saved method at the processor (the customer removed it). */
  removeMethod?(ctx: GatewayContext<Config>, token: string): Promise<void>;
  /** Its routes under `/billing/gateways/<code>`. */
  routes?: readonly GatewayRoute<Config>[];
  /** Its scheduled work. */
  jobs?: readonly GatewayJob<Config>[];
}

export type GatewayPlugin<Schema extends z.ZodType = z.ZodType> = PluginMeta<Schema> &
  GatewayHooks<z.output<Schema>> & { kind: 'gateway' };

// ── discounts ─────────────────────────────────────────────────────────────────────────────────

export type BillingCycle = 'monthly' | 'quarterly' | 'semi-annual' | 'annual';

/** One order line as a discount sees it. */
export interface DiscountLine {
  productCode: string;
  cycle: BillingCycle;
  quantity: number;
  unitPrice: Money;
  subtotal: Money;
  /** The product's percentage off when paid from balance (catalogue), as a decimal string. */
  balanceDiscountPercent?: string;
}

export interface DiscountContext {
  /**
   * Money already on the balance pays the whole order ("use my balance" ticked and enough of it):
   * never true for an order taken on a postpaid credit limit, even in part.
   */
  paidFromBalance: boolean;
}

/**
 * A discount's answer for one line: a percentage of the line (a decimal string, "3") or a fixed
 * amount, and the reason the customer sees. Saldo caps the total per line and allocates it.
 */
export type DiscountAdjustment = ({ percent: string } | { amount: Money }) & {
  reason: { key: string; params?: Record<string, string> };
};

export interface DiscountHooks<Config> {
  /** Order of application, lowest first. */
  priority: number;
  adjust(ctx: PluginContext<Config> & { line: DiscountLine; order: DiscountContext }): DiscountAdjustment | null;
}

export type DiscountPlugin<Schema extends z.ZodType = z.ZodType> = PluginMeta<Schema> &
  DiscountHooks<z.output<Schema>> & { kind: 'discount' };

export type AnyPlugin = PaymentModePlugin | GatewayPlugin | DiscountPlugin;
