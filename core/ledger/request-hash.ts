import { createHash } from 'node:crypto';

/**
 * Fingerprint of a request's parameters, stored beside its idempotency key: a replay must carry
 * the same fingerprint, otherwise the key is being reused for something else. Keys are sorted so
 * property order does not matter; bigints are written as text.
 */
export function requestHash(operation: string, params: object): string {
  const canonical = JSON.stringify([operation, params], (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return value;
  });
  return createHash('sha256').update(canonical).digest('base64url');
}
