import en from '../locales/en/errors.json' with { type: 'json' };
import { formatMoney, type Locale, type Money, MoneyError } from '@saldo/sdk';

/**
 * The one catalogue of errors Saldo raises. A code is stable forever (clients and host panels
 * match on it); its HTTP status and the i18n key `errors:<CODE>` travel with it, so a route only
 * throws and the error handler renders the message in the request's language.
 */
export const errorCatalogue = {
  // input
  VALIDATION_FAILED: 422,
  AMOUNT_INVALID: 422,
  AMOUNT_NOT_POSITIVE: 422,
  AMOUNT_NEGATIVE: 422,
  AMOUNT_TOO_PRECISE: 422,
  AMOUNT_OUT_OF_RANGE: 422,
  CURRENCY_UNKNOWN: 422,
  CURRENCY_MISMATCH: 422,
  RATIO_INVALID: 422,
  DATE_INVALID: 422,
  DATE_RANGE_REVERSED: 422,
  IDEMPOTENCY_KEY_INVALID: 400,
  BODY_INVALID: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  API_KEY_INVALID: 401,
  SESSION_REQUIRED: 401,
  HANDOFF_INVALID: 401,
  CSRF_REFUSED: 403,
  // money movement
  INSUFFICIENT_FUNDS: 402,
  IDEMPOTENCY_CONFLICT: 409,
  REQUEST_IN_PROGRESS: 409,
  LEDGER_ACCOUNT_NOT_FOUND: 404,
  LEDGER_ACCOUNT_INVALID: 422,
  HOLD_NOT_FOUND: 404,
  HOLD_NOT_PENDING: 409,
  HOLD_EXPIRED: 409,
  CAPTURE_EXCEEDS_HOLD: 422,
  CHARGE_NOT_FOUND: 404,
  REFUND_EXCEEDS_CHARGE: 422,
  CREDIT_LIMIT_BELOW_USAGE: 409,
  // accounts
  ACCOUNT_NOT_FOUND: 404,
  ACCOUNT_EXISTS: 409,
  PAYMENT_MODE_UNKNOWN: 422,
  PAYMENT_MODE_UNCHANGED: 409,
  BALANCE_NEGATIVE: 409,
  // catalogue and orders
  // 404 where the address names the product; 422 where an order line does (see `referenced`).
  PRODUCT_NOT_FOUND: 404,
  PRODUCT_CYCLE_UNAVAILABLE: 422,
  ORDER_EMPTY: 422,
  SERVICE_NOT_FOUND: 404,
  SERVICE_CANCELLED: 409,
  BALANCE_RENEWALS_FORBIDDEN: 409,
  GATEWAY_UNKNOWN: 404,
  GATEWAY_UNAVAILABLE: 422,
  PAYMENT_NOT_FOUND: 404,
  PAYMENT_METHOD_NOT_FOUND: 404,
  PAYMENT_METHOD_REQUIRED: 422,
  NOTHING_DUE: 409,
  REFUND_NOT_POSSIBLE: 409,
  REFUND_EXCEEDS_PAYMENT: 422,
  WEBHOOK_REJECTED: 400,
  TOPUP_OUT_OF_RANGE: 422,
  TERMS_NOT_ACCEPTED: 422,
  // boot
  CONFIG_INVALID: 500,
  CONFIG_FILE_UNREADABLE: 500,
  MIGRATION_CHANGED: 500,
  MIGRATION_UNKNOWN: 500,
  MIGRATION_FAILED: 500,
  PLUGIN_NOT_FOUND: 500,
  PLUGIN_INVALID: 500,
  PLUGIN_CONFIG_INVALID: 500,
  PLUGIN_API_VERSION: 500,
  PLUGIN_DUPLICATE_CODE: 500,
  // generic
  NOT_FOUND: 404,
  DATABASE_UNAVAILABLE: 503,
  IMMUTABLE_RECORD: 500,
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorCatalogue;
export type ErrorParam = string | number | bigint | boolean | Money | null | undefined;
export type ErrorParams = Record<string, ErrorParam>;

const isMoney = (value: unknown): value is Money =>
  typeof value === 'object' && value !== null && typeof (value as Money).amount === 'bigint';

/** Params ready for a message in `locale`: amounts of money formatted the way that language writes them. */
export function localizeParams(params: ErrorParams, locale: Locale): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([key, value]) => [key, isMoney(value) ? formatMoney(value, locale) : String(value ?? '')]),
  );
}

/** Fills `{{name}}` placeholders the way i18next does, for the English message of `Error.message`. */
function interpolate(template: string, params: ErrorParams): string {
  const values = localizeParams(params, 'en');
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => values[name] ?? '');
}

export class BillingError extends Error {
  override readonly name = 'BillingError';
  readonly status: number;
  readonly i18nKey: string;

  constructor(
    readonly code: ErrorCode,
    readonly params: ErrorParams = {},
    options?: {
      cause?: unknown;
      /**
       * What is missing was referred to by the request's data (an order line naming a product),
       * not named by its address: the code still says what is missing, but the request is
       * unprocessable (422), not aimed at nothing (404).
       */
      referenced?: boolean;
    },
  ) {
    super(interpolate((en as Record<string, string>)[code] ?? code, params), options);
    this.status = options?.referenced && errorCatalogue[code] === 404 ? 422 : errorCatalogue[code];
    this.i18nKey = `errors:${code}`;
  }

  /** True for the errors a caller caused (4xx); the rest are ours and get logged. */
  get isClientError(): boolean {
    return this.status < 500;
  }
}

export const isBillingError = (error: unknown, code?: ErrorCode): error is BillingError =>
  error instanceof BillingError && (code === undefined || error.code === code);

/** A refusal of the SDK's money operations (a bad amount, mixed currencies) in the catalogue's terms. */
export const fromMoneyError = (error: MoneyError): BillingError => new BillingError(error.code, error.params, { cause: error });
