import { randomBytes } from 'node:crypto';
import type { SaldoConfig } from '../../config/schema.js';
import type { BillingAccount } from '../accounts/types.js';
import type { Pool } from '../db/connect.js';
import { markHandoffUsed } from './handoff.repo.js';
import { readToken, signToken, type TokenPayload } from './tokens.js';

/**
 * The hand-off to the customer pages. The panel's server asks for a short-lived signed link and
 * sends the customer to it; opening it sets the session cookie and lands on `path` (the balance
 * page by default). The secret signs links, session cookies and CSRF tokens alike.
 */
export class CustomerLinks {
  constructor(
    private readonly sql: Pool,
    readonly secret: string,
    private readonly config: SaldoConfig,
  ) {}

  handoffLink(account: Pick<BillingAccount, 'id'>, path?: string, seconds = this.config.customers.handoffSeconds): { url: string; expiresAt: Date } {
    const exp = Math.floor(Date.now() / 1000) + seconds;
    const base = this.config.server.basePath;
    const landing = path ? `${base}${path.startsWith('/') ? path : `/${path}`}` : undefined;
    const id = randomBytes(16).toString('base64url');
    const token = signToken(this.secret, { purpose: 'handoff', account: account.id.toString(), exp, path: landing, id });
    const relative = `${base}/session?token=${encodeURIComponent(token)}`;
    const url = this.config.server.publicUrl ? new URL(relative, this.config.server.publicUrl).toString() : relative;
    return { url, expiresAt: new Date(exp * 1000) };
  }

  /**
   * What a hand-off link says (whose account, where to land), the first time it is opened;
   * undefined for a link that is forged, expired or was opened before. Single use, so a link
   * that leaks afterwards (a log, the browser's history, a Referer) opens no session; a link
   * without an id cannot be held to that and is refused.
   */
  async open(token: string | undefined): Promise<TokenPayload | undefined> {
    const handoff = readToken(this.secret, token, 'handoff');
    if (!handoff || typeof handoff.id !== 'string' || handoff.id.length > 64) return undefined;
    return (await markHandoffUsed(this.sql, handoff.id, new Date(handoff.exp * 1000))) ? handoff : undefined;
  }
}
