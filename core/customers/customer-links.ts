import type { SaldoConfig } from '../../config/schema.js';
import type { BillingAccount } from '../accounts/types.js';
import { signToken } from './tokens.js';

/**
 * The hand-off to the customer pages. The panel's server asks for a short-lived signed link and
 * sends the customer to it; opening it sets the session cookie and lands on `path` (the balance
 * page by default). The secret signs links, session cookies and CSRF tokens alike.
 */
export class CustomerLinks {
  constructor(
    readonly secret: string,
    private readonly config: SaldoConfig,
  ) {}

  handoffLink(account: Pick<BillingAccount, 'id'>, path?: string, seconds = this.config.customers.handoffSeconds): { url: string; expiresAt: Date } {
    const exp = Math.floor(Date.now() / 1000) + seconds;
    const base = this.config.server.basePath;
    const landing = path ? `${base}${path.startsWith('/') ? path : `/${path}`}` : undefined;
    const token = signToken(this.secret, { purpose: 'handoff', account: account.id.toString(), exp, path: landing });
    const relative = `${base}/session?token=${encodeURIComponent(token)}`;
    const url = this.config.server.publicUrl ? new URL(relative, this.config.server.publicUrl).toString() : relative;
    return { url, expiresAt: new Date(exp * 1000) };
  }
}
