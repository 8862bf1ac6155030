import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 of `message` under `secret`: what signed links, webhooks and gateway callbacks are
 * built from. `secret` is text or raw bytes (a decoded `whsec_…` key).
 *
 * @example
 * ```ts
 * const signature = hmacSha256(config.webhookSecret, `${timestamp}.${rawBody}`, 'hex');
 * ```
 */
export function hmacSha256(secret: string | Uint8Array, message: string, encoding: 'hex' | 'base64' | 'base64url' = 'hex'): string {
  return createHmac('sha256', secret).update(message).digest(encoding);
}

/**
 * Compares two secrets (signatures, tokens) in time that does not depend on where they differ,
 * so an attacker cannot guess one byte by byte from response times. Different lengths are
 * simply unequal.
 */
export function safeEqual(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
