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

/**
 * A timestamped signature, as card processors sign their webhooks:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload">`. The timestamp is signed with the
 * payload, so an old message cannot be replayed once it is older than the verifier's tolerance.
 *
 * @example
 * ```ts
 * const header = signTimestamped(secret, rawBody);            // the sender
 * const check = verifyTimestamped(secret, header, rawBody);   // the receiver: { ok: true } or a reason
 * ```
 */
export function signTimestamped(secret: string, payload: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${hmacSha256(secret, `${timestamp}.${payload}`, 'hex')}`;
}

export type TimestampedCheck = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' };

/** Checks a `signTimestamped` header, refusing one more than `toleranceSeconds` (300) from `now`. */
export function verifyTimestamped(
  secret: string, header: string | undefined, payload: string, options: { now?: Date; toleranceSeconds?: number } = {},
): TimestampedCheck {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isSafeInteger(timestamp) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return { ok: false, reason: 'malformed' };
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return { ok: false, reason: 'stale' };
  return safeEqual(signTimestamped(secret, payload, timestamp), `t=${timestamp},v1=${parts.v1}`) ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
