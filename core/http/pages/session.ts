import { randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { SaldoConfig } from '../../../config/schema.js';
import { findAccount } from '../../accounts/account.repo.js';
import type { BillingAccount } from '../../accounts/types.js';
import { csrfToken, readToken, sameToken, signToken } from '../../customers/tokens.js';
import type { Pool } from '../../db/connect.js';
import { BillingError } from '../../errors.js';
import { verify } from '../../events/signature.js';
import { negotiateLocale } from '../../i18n.js';

export const SESSION_COOKIE = 'saldo_session';
export const LANG_COOKIE = 'saldo_lang';
const locales = ['en', 'fr', 'es'];

export interface SessionDeps {
  sql: Pool;
  config: SaldoConfig;
  secret: string;
}

/** Served over https, directly or behind the panel's proxy: then cookies are Secure. */
const isHttps = (c: Context) => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

/** A path inside the module to land on; anything else (another site, `//evil`) becomes the balance page. */
export function safePath(base: string, path: string | undefined): string {
  return path && path.startsWith(`${base}/`) && !path.startsWith('//') && !/[\\\r\n]/.test(path) ? path : `${base}/balance`;
}

/** Starts a customer session from a hand-off token: signed cookie, then a redirect. */
export function openSession(c: Context, deps: SessionDeps, account: BillingAccount, path: string) {
  const exp = Math.floor(Date.now() / 1000) + deps.config.customers.sessionMinutes * 60;
  const token = signToken(deps.secret, { purpose: 'session', account: account.id.toString(), exp, sid: randomBytes(12).toString('base64url') });
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true, sameSite: 'Lax', secure: isHttps(c), path: deps.config.server.basePath, maxAge: deps.config.customers.sessionMinutes * 60,
  });
  return c.redirect(safePath(deps.config.server.basePath, path), 303);
}

/** The page's language before anyone is known: an explicit choice, else the browser's. */
export const pickLocale: MiddlewareHandler = async (c, next) => {
  const chosen = getCookie(c, LANG_COOKIE);
  c.set('locale' as never, (locales.includes(chosen ?? '') ? chosen : negotiateLocale(c.req.header('accept-language'))) as never);
  await next();
};

/**
 * Who the customer is, for every page: the session cookie, or — in trusted-proxy mode — the
 * customer reference the panel's proxy signed. Also picks the page's language (explicit choice →
 * the account's → the browser's → English) and guards every state-changing request with the
 * Origin check and the session's CSRF token. No session: SESSION_REQUIRED (the sign-in page).
 */
export function customerSession(deps: SessionDeps): MiddlewareHandler {
  return async (c, next) => {
    const chosen = getCookie(c, LANG_COOKIE);
    const session = readToken(deps.secret, getCookie(c, SESSION_COOKIE), 'session');
    let account: BillingAccount | undefined;
    let sid: string | undefined;
    if (session?.sid) {
      account = await findAccount(deps.sql, { id: BigInt(session.account) });
      sid = session.sid;
    } else if (deps.config.customers.proxySecret && c.req.header('x-saldo-customer')) {
      const ref = c.req.header('x-saldo-customer')!;
      if (verify(deps.config.customers.proxySecret, c.req.header('x-saldo-customer-signature'), ref).ok) {
        account = await findAccount(deps.sql, { externalRef: ref });
        sid = `proxy:${ref}`;
      }
    }
    if (!account || !sid) throw new BillingError('SESSION_REQUIRED');

    c.set('account' as never, account as never);
    c.set('locale' as never, (locales.includes(chosen ?? '') ? chosen : account.locale) as never);
    const csrf = csrfToken(deps.secret, sid);
    c.set('csrf' as never, csrf as never);

    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
      const origin = c.req.header('origin');
      const sameOrigin = !origin || origin === new URL(c.req.url).origin || origin === c.req.header('x-forwarded-origin');
      const form = c.req.header('content-type')?.includes('form') ? ((await c.req.parseBody())._csrf as string | undefined) : undefined;
      if (!sameOrigin || !sameToken(c.req.header('x-csrf-token') ?? form, csrf)) throw new BillingError('CSRF_REFUSED');
    }
    await next();
  };
}
