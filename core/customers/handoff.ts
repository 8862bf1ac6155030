import type { SaldoConfig } from '../../config/schema.js';
import type { BillingAccount } from '../accounts/types.js';
import { signToken } from './tokens.js';

/**
 * The short-lived signed link the panel's server asks for and sends the customer to. Opening it
 * sets the customer's session cookie and lands on `path` (the balance page by default).
 */
export function handoffLink(
  secret: string, config: SaldoConfig, account: BillingAccount, path?: string, seconds = config.customers.handoffSeconds,
): { url: string; expiresAt: Date } {
  const exp = Math.floor(Date.now() / 1000) + seconds;
  const base = config.server.basePath;
  const token = signToken(secret, { purpose: 'handoff', account: account.id.toString(), exp, path: path ? `${base}${path.startsWith('/') ? path : `/${path}`}` : undefined });
  const relative = `${base}/session?token=${encodeURIComponent(token)}`;
  return { url: config.server.publicUrl ? new URL(relative, config.server.publicUrl).toString() : relative, expiresAt: new Date(exp * 1000) };
}
