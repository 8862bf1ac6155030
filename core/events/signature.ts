import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the signature of a webhook Saldo sends: `t=<unix seconds>,v1=<hex>`. */
export const SIGNATURE_HEADER = 'saldo-signature';

/** HMAC-SHA256 over `timestamp.body`: the timestamp is signed too, so a replayed old body is refused. */
export function sign(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export type Verification = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * What a receiver (the host panel) runs on each webhook: checks the signature over the raw body
 * and refuses timestamps more than `toleranceSeconds` away from now.
 */
export function verify(secret: string, header: string | undefined, body: string, options: { toleranceSeconds?: number; now?: Date } = {}): Verification {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isSafeInteger(timestamp) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return { ok: false, reason: 'malformed' };
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(sign(secret, body, timestamp).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1!, 'hex');
  return timingSafeEqual(expected, given) ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
