import { BillingError } from './errors.js';

/** Printable ASCII without spaces, 1–200 characters: what a client may name an operation with. */
const PATTERN = /^[\x21-\x7e]{1,200}$/;

/**
 * The idempotency key of a money-moving call or an API request, checked the same way wherever it
 * arrives (in-process, the JSON API, the ledger): IDEMPOTENCY_KEY_INVALID otherwise.
 */
export function checkIdempotencyKey(key: unknown): string {
  if (typeof key !== 'string' || !PATTERN.test(key)) throw new BillingError('IDEMPOTENCY_KEY_INVALID');
  return key;
}
