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

/** A payment Saldo asks a gateway to collect. */
export interface PaymentRequest {
  /** Saldo's payment id: pass it to the processor so webhooks can be matched back. */
  paymentId: string;
  amount: Money;
  customerNumber: string;
  description: string;
  /** Where the customer returns after a hosted payment page. */
  returnUrl: string;
  locale: Locale;
}

/**
 * What a gateway says happened — returned as a value, never thrown: a decline is an ordinary
 * answer. Saldo alone books money and settles invoices from these outcomes.
 */
export type GatewayOutcome =
  | { status: 'pending'; reference: string; instructions?: Record<string, string> }
  | { status: 'requires_action'; reference: string; redirectUrl: string }
  | { status: 'succeeded'; reference: string; amount: Money }
  | { status: 'declined'; reference?: string; reason: string }
  | { status: 'failed'; reference?: string; reason: string; retryable: boolean }
  /** The call timed out or the answer was lost: Saldo records it and reconciles it later. */
  | { status: 'unknown'; reference?: string };

/** A webhook request as received, untouched, so signatures can be checked over the raw body. */
export interface WebhookRequest {
  headers: Record<string, string>;
  rawBody: string;
  receivedAt: Date;
}

export type WebhookResult =
  | { verified: false; reason: string }
  | { verified: true; eventId: string; paymentReference: string; outcome: GatewayOutcome; occurredAt: Date };

export interface GatewayHooks<Config> {
  /** What the gateway can do; Saldo offers only these. */
  capabilities: { topUp: boolean; refunds?: boolean; savedMethods?: boolean };
  /** Currencies it accepts; all when omitted. */
  currencies?: readonly Currency[];
  /** Starts collecting a payment. Never called inside a database transaction. */
  createPayment(ctx: PluginContext<Config>, payment: PaymentRequest): Promise<GatewayOutcome>;
  /** Asks the processor what became of a payment whose outcome is unknown (reconciliation). */
  getPayment?(ctx: PluginContext<Config>, reference: string): Promise<GatewayOutcome>;
  /** Verifies a webhook's signature and maps its payload to an outcome. */
  parseWebhook?(ctx: PluginContext<Config>, request: WebhookRequest): Promise<WebhookResult>;
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
  /** The customer pays this order from their balance ("use my balance" ticked). */
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
