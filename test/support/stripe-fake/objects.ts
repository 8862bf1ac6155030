import { randomBytes } from 'node:crypto';

/** A Stripe object as the fake keeps it: Stripe's JSON shape, amounts as bigint (sent as JSON integers). */
export type StripeObject = Record<string, unknown> & { id: string; object: string };

export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
export const now = () => Math.floor(Date.now() / 1000);

/** An error as Stripe's API answers it: an HTTP status and `{ error: { type, code, message, … } }`. */
export class StripeFault extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) {
    super(String(body.message));
  }
}
export const invalid = (message: string, extra: Record<string, unknown> = {}) =>
  new StripeFault(400, { type: 'invalid_request_error', message, ...extra });
export const missing = (kind: string, id: string) =>
  new StripeFault(404, { type: 'invalid_request_error', code: 'resource_missing', param: 'id', message: `No such ${kind}: '${id}'` });

/**
 * Stripe's documented test cards, by the name of their test PaymentMethod (`pm_card_visa`, …):
 * what each one does when charged.
 */
export const TEST_CARDS = {
  visa: { brand: 'visa', last4: '4242' },
  mastercard: { brand: 'mastercard', last4: '4444' },
  amex: { brand: 'amex', last4: '8431' },
  jcb: { brand: 'jcb', last4: '0000' },
  chargeDeclined: { brand: 'visa', last4: '0002', decline: { code: 'card_declined', decline_code: 'generic_decline' } },
  chargeDeclinedInsufficientFunds: { brand: 'visa', last4: '9995', decline: { code: 'card_declined', decline_code: 'insufficient_funds' } },
  /** Asks for 3-D Secure on every payment, a kept card's too. */
  authenticationRequired: { brand: 'visa', last4: '3184', threeDS: true },
} as const satisfies Record<string, { brand: string; last4: string; decline?: { code: string; decline_code: string }; threeDS?: boolean }>;
export type TestCard = keyof typeof TEST_CARDS;

/** How Checkout names the networks it can block. */
export const blockName: Record<string, string> = { visa: 'visa', mastercard: 'mastercard', amex: 'american_express', discover: 'discover_global_network' };

/** Nested form parameters (`a[b][0][c]=1`), as Stripe reads them, into objects and arrays. */
export function parseForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, '').split('[');
    let node = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    });
  }
  const arrays = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value).map(([k, v]) => [k, arrays(v)] as const);
    return entries.length && entries.every(([k]) => /^\d+$/.test(k)) ? entries.map(([, v]) => v) : Object.fromEntries(entries);
  };
  return arrays(root) as Record<string, unknown>;
}

/** JSON with bigint amounts written as the integers Stripe sends (no detour through a float). */
export const toJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `__bigint__${v}` : v)).replace(/"__bigint__(-?\d+)"/g, '$1');

/** A positive amount in minor units, as Stripe accepts it. */
export function amountParam(value: unknown, param: string): bigint {
  if (typeof value !== 'string' || !/^\d{1,8}$/.test(value) || BigInt(value) <= 0n) {
    throw invalid(`Invalid positive integer: ${param}`, { code: 'parameter_invalid_integer', param });
  }
  return BigInt(value);
}

/** A deep copy: what a response or an event carries is the object as it was then. */
export const snapshot = <T>(value: T): T => structuredClone(value);
