import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';
import { safeEqual } from '@saldo/sdk';
import type { SaldoConfig } from '../../config/schema.js';

/** Whether a request came through the panel's configured reverse proxy. */
export type TrustsProxy = (c: Context) => boolean;

const digest = (value: string) => createHash('sha256').update(value).digest('base64');

/** The peer's address where @hono/node-server serves the app (standalone or in a host panel); unknown elsewhere. */
function peerAddress(c: Context): string | undefined {
  type Bindings = { incoming?: { socket?: { remoteAddress?: string } } };
  const env = c.env as (Bindings & { server?: Bindings }) | undefined;
  return (env?.server ?? env)?.incoming?.socket?.remoteAddress;
}

/**
 * The proxy is known by its address (or network), or by the secret it adds to each request.
 * Secrets are compared as digests, so the comparison takes the same time whatever was sent.
 */
export function trustedProxy({ addresses, secret }: SaldoConfig['server']['trustedProxy']): TrustsProxy {
  const known = new BlockList();
  for (const entry of addresses) {
    const [address, bits] = entry.split('/') as [string, string?];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) known.addAddress(address, type);
    else known.addSubnet(address, Number(bits), type);
  }
  const secretDigest = secret && digest(secret);
  return (c) => {
    const presented = c.req.header('x-saldo-proxy-secret');
    if (secretDigest && presented !== undefined && safeEqual(digest(presented), secretDigest)) return true;
    if (addresses.length === 0) return false;
    const peer = peerAddress(c);
    const type = peer && isIP(peer);
    return !!type && known.check(peer, type === 6 ? 'ipv6' : 'ipv4');
  };
}

// The last value of a forwarded header is the one the nearest hop — the trusted proxy — set or
// appended; earlier values came from further away, the client included.
const nearest = (value: string | undefined) => value?.split(',').at(-1)?.trim() || undefined;

/**
 * The origin the customer's browser reached Saldo at: the request's own, or — from the trusted
 * proxy only — the scheme and host it forwards.
 */
export function requestOrigin(c: Context, trusts: TrustsProxy): string {
  const own = new URL(c.req.url);
  if (!trusts(c)) return own.origin;
  const proto = nearest(c.req.header('x-forwarded-proto'))?.toLowerCase();
  const host = nearest(c.req.header('x-forwarded-host'));
  try {
    return new URL(`${proto === 'https' || proto === 'http' ? proto : own.protocol.slice(0, -1)}://${host ?? own.host}`).origin;
  } catch {
    return own.origin;
  }
}

/** Served over https, directly or (as the trusted proxy says) behind it: then cookies are Secure. */
export const isHttps = (c: Context, trusts: TrustsProxy) => requestOrigin(c, trusts).startsWith('https:');
