import { hmacSha256, safeEqual } from '@saldo/sdk';

/**
 * Compact signed tokens for hand-off links and session cookies: base64url(JSON payload) + "." +
 * base64url(HMAC-SHA256). The payload carries its purpose and expiry, so a hand-off token cannot
 * serve as a session and an old one is refused.
 */
export interface TokenPayload {
  purpose: 'handoff' | 'session';
  /** Billing account id. */
  account: string;
  /** Expiry, unix seconds. */
  exp: number;
  /** Where a hand-off lands (a path under the module). */
  path?: string;
  /** Random per session: what CSRF tokens are derived from. */
  sid?: string;
  /** Random per hand-off link: what is recorded when it is opened, so it opens once. */
  id?: string;
}

const mac = (secret: string, data: string) => hmacSha256(secret, data, 'base64url');

export function signToken(secret: string, payload: TokenPayload): string {
  const data = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${data}.${mac(secret, data)}`;
}

export function readToken(secret: string, token: string | undefined, purpose: TokenPayload['purpose'], now = Date.now()): TokenPayload | undefined {
  if (!token || token.length > 2048) return undefined;
  const [data, signature, ...rest] = token.split('.');
  if (!data || !signature || rest.length) return undefined;
  if (!safeEqual(mac(secret, data), signature)) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(data, 'base64url').toString()) as TokenPayload;
    if (payload.purpose !== purpose || typeof payload.exp !== 'number' || payload.exp * 1000 <= now) return undefined;
    return payload;
  } catch {
    return undefined;
  }
}

/** The CSRF token of a session: derived, so nothing is stored, and useless outside that session. */
export const csrfToken = (secret: string, sid: string) => mac(secret, `csrf:${sid}`);
