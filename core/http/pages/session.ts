import { randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { SaldoConfig } from '../../../config/schema.js';
import type { AccountsService } from '../../accounts/accounts.service.js';
import type { AccountRef } from '../../accounts/account.repo.js';
import type { BillingAccount } from '../../accounts/types.js';
import { verifyCustomerHeader } from '../../customers/proxy-signature.js';
import { csrfToken, readToken, signToken } from '../../customers/tokens.js';
import { BillingError } from '../../errors.js';
import { negotiateLocale } from '../../i18n.js';
import { isHttps, requestOrigin, type TrustsProxy } from '../forwarded.js';
import { isLocale, type Locale, safeEqual } from '@saldo/sdk';
import type { PageEnv } from '../render.js';

export const SESSION_COOKIE = 'saldo_session';
export const LANG_COOKIE = 'saldo_lang';

export type { PageEnv };

type Customer = NonNullable<PageEnv['Variables']['customer']>;


export interface SessionDeps {
  config: SaldoConfig;
  secret: string;
  /** Whether a request came through the configured proxy, whose forwarded headers are believed. */
  trustsProxy: TrustsProxy;
}

// Stands for this module's own origin while a redirect target is resolved.
const HERE = 'http://saldo.invalid';

/**
 * A path inside the module to land on; anything else becomes the balance page. The target is
 * resolved the way a browser resolves a Location (`..`, `%2e%2e`, `\`, `//host`, tabs dropped)
 * and only the resolved path is sent. Encoded slashes and percents are refused too: a proxy in
 * front that decodes them would resolve the path once more, outside the module.
 */
export function safePath(base: string, path: string | undefined): string {
  const fallback = `${base}/balance`;
  if (!path || path.length > 2000 || !path.startsWith('/')) return fallback;
  let url: URL;
  try {
    url = new URL(path, HERE);
  } catch {
    return fallback;
  }
  const inside = url.origin === HERE && url.pathname.startsWith(`${base}/`) && !/%(2f|5c|25)/i.test(url.pathname);
  return inside ? url.pathname + url.search : fallback;
}

/** Starts a customer session from a hand-off token: signed cookie, then a redirect. */
export function openSession(c: Context, deps: SessionDeps, account: BillingAccount, path: string) {
  const exp = Math.floor(Date.now() / 1000) + deps.config.customers.sessionMinutes * 60;
  const token = signToken(deps.secret, { purpose: 'session', account: account.id.toString(), exp, sid: randomBytes(12).toString('base64url') });
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true, sameSite: 'Lax', secure: isHttps(c, deps.trustsProxy), path: deps.config.server.basePath, maxAge: deps.config.customers.sessionMinutes * 60,
  });
  return c.redirect(safePath(deps.config.server.basePath, path), 303);
}

// Cookies are read by name: the header also carries the host panel's own cookies, and a name
// that is absent (the language cookie, usually) is ruled out by one search, without a parse.
const chosenLocale = (c: Context<PageEnv>) => {
  const chosen = getCookie(c, LANG_COOKIE);
  return isLocale(chosen) ? chosen : undefined;
};

/** The page's language before anyone is known: an explicit choice, else the browser's. */
export const pickLocale = (c: Context<PageEnv>): Locale => chosenLocale(c) ?? negotiateLocale(c.req.header('accept-language'));

/**
 * Verified session cookies, so a signed-in customer's every click does not redo two HMACs. The
 * expiry is still checked on each use; the map is bounded and simply starts over when full.
 */
class VerifiedSessions {
  private readonly known = new Map<string, { account: string; exp: number; sid: string; csrf: string }>();
  constructor(private readonly secret: string, private readonly max = 10_000) {}

  read(token: string | undefined) {
    if (!token) return undefined;
    let session = this.known.get(token);
    if (!session) {
      const payload = readToken(this.secret, token, 'session');
      if (!payload?.sid) return undefined;
      if (this.known.size >= this.max) this.known.clear();
      session = { account: payload.account, exp: payload.exp, sid: payload.sid, csrf: csrfToken(this.secret, payload.sid) };
      this.known.set(token, session);
    }
    if (session.exp * 1000 <= Date.now()) {
      this.known.delete(token);
      return undefined;
    }
    return session;
  }
}

/**
 * Who the customer is, for every page: the session cookie, or — in trusted-proxy mode — the
 * customer reference the panel's proxy signed. `require` guards the pages: no session is
 * SESSION_REQUIRED (the sign-in page), and every state-changing request must pass the Origin
 * check and carry the session's CSRF token. `identify` only looks, for pages anyone may see (a
 * 404 is still shown in a signed-in customer's language, with their menu). The account itself
 * is read by the page, together with what the page shows (`loadAccount`), so a page view is one
 * round trip to the database.
 */
export function customerSession(deps: SessionDeps): { require: MiddlewareHandler<PageEnv>; identify: (c: Context<PageEnv>) => boolean } {
  const sessions = new VerifiedSessions(deps.secret);
  const identify = (c: Context<PageEnv>) => {
    const session = sessions.read(getCookie(c, SESSION_COOKIE));
    let customer: Customer | undefined;
    let csrf: string | undefined;
    if (session) {
      customer = { ref: { id: BigInt(session.account) }, sid: session.sid };
      csrf = session.csrf;
    } else if (deps.config.customers.proxySecret && c.req.header('x-saldo-customer')) {
      const ref = c.req.header('x-saldo-customer')!;
      if (verifyCustomerHeader(deps.config.customers.proxySecret, c.req.header('x-saldo-customer-signature'), ref).ok) {
        customer = { ref: { externalRef: ref }, sid: `proxy:${ref}` };
        csrf = csrfToken(deps.secret, customer.sid);
      }
    }
    if (!customer || !csrf) return false;
    c.set('customer', customer);
    c.set('csrf', csrf);
    return true;
  };
  const require: MiddlewareHandler<PageEnv> = async (c, next) => {
    if (!identify(c)) throw new BillingError('SESSION_REQUIRED');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
      const origin = c.req.header('origin');
      // The origin is the one the request was sent to (as the trusted proxy, and only it, may
      // tell) or the configured public address: never one another header of the request names.
      const publicUrl = deps.config.server.publicUrl;
      const sameOrigin = !origin || origin === requestOrigin(c, deps.trustsProxy) || (!!publicUrl && origin === new URL(publicUrl).origin);
      const form = c.req.header('content-type')?.includes('form') ? ((await c.req.parseBody())._csrf as string | undefined) : undefined;
      if (!sameOrigin || !safeEqual(c.req.header('x-csrf-token') ?? form, c.get('csrf')!)) throw new BillingError('CSRF_REFUSED');
    }
    await next();
  };
  return { require, identify };
}

/**
 * Reads the signed-in customer's account together with what the page needs (`load` gets the
 * account reference and must return the account with its data), then settles the page's
 * language: an explicit choice, else the account's. An account that no longer exists ends the
 * session.
 */
export async function loadAccount<T extends { account: Pick<BillingAccount, 'id' | 'locale'> }>(
  c: Context<PageEnv>, load: (ref: AccountRef) => Promise<T | undefined>,
): Promise<T> {
  const customer = c.get('customer');
  const loaded = customer && (await load(customer.ref));
  if (!loaded) throw new BillingError('SESSION_REQUIRED');
  c.set('account', loaded.account);
  c.set('locale', chosenLocale(c) ?? loaded.account.locale);
  return loaded;
}

/** The signed-in customer's account alone, for pages that need nothing else from the database. */
export const requireAccount = (c: Context<PageEnv>, accounts: AccountsService) =>
  loadAccount(c, async (ref) => {
    const account = await accounts.find(ref);
    return account && { account };
  }).then(({ account }) => account);
