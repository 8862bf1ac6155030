import { hmacSha256, safeEqual } from '@saldo/sdk';

/**
 * Trusted-proxy mode: the panel's reverse proxy names the signed-in customer in
 * `X-Saldo-Customer` and signs it in `X-Saldo-Customer-Signature` as `t=<unix seconds>,v1=<hex>`,
 * an HMAC-SHA256 of `<t>.<customer>` under the shared proxy secret. The timestamp is signed too,
 * so a header captured once stops working after the tolerance.
 */
export function signCustomerHeader(secret: string, customer: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${hmacSha256(secret, `${timestamp}.${customer}`, 'hex')}`;
}

export type Verification = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' };

/** Checks a customer header's signature, refusing timestamps more than `toleranceSeconds` from now. */
export function verifyCustomerHeader(
  secret: string, header: string | undefined, customer: string, options: { toleranceSeconds?: number; now?: Date } = {},
): Verification {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isSafeInteger(timestamp) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return { ok: false, reason: 'malformed' };
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return { ok: false, reason: 'stale' };
  return safeEqual(signCustomerHeader(secret, customer, timestamp), `t=${timestamp},v1=${parts.v1}`) ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
