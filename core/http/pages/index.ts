import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES } from '@saldo/sdk';
import { type Context, type ErrorHandler, Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { BillingError, localizeParams } from '../../errors.js';
import type { Services } from '../../services.js';
import { limitBody } from '../body-limit.js';
import { logFault, retryHeaders, toBillingError } from '../errors.js';
import { trustedProxy } from '../forwarded.js';
import { secure, securityHeaders } from '../security-headers.js';
import { brandVersion, cssVersion, htmxFile, htmxVersion, pageContext, renderPage, viewsDir } from '../render.js';
import { balancePages } from './balance.js';
import { paymentPages } from './payments.js';
import { settingsPages } from './settings.js';
import { gatewayPages } from './gateway-pages.js';
import { fromHtmx } from './forms.js';
import { customerSession, LANG_COOKIE, openSession, type PageEnv, pickLocale, requireAccount, safePath } from './session.js';

const css = readFileSync(join(viewsDir, 'assets', 'saldo.css'), 'utf8');
const htmx = readFileSync(htmxFile, 'utf8');

/**
 * The customer pages: server-rendered, localized, working without JavaScript, htmx on top. Their
 * errors render as pages through `onError`, which the module's one error handler calls for
 * every request the pages took (see `isPageRequest`).
 */
export function customerPages(services: Pick<Services, 'config' | 'i18n' | 'sql' | 'accounts' | 'wallets' | 'orders' | 'payments' | 'autoTopUps' | 'catalogue' | 'customers'>): {
  app: Hono<PageEnv>; onError: ErrorHandler<PageEnv>;
} {
  const { config, i18n, accounts } = services;
  const { secret } = services.customers;
  const deps = { config, secret, trustsProxy: trustedProxy(config.server.trustedProxy) };
  const base = config.server.basePath;
  const app = new Hono<PageEnv>();

  const logoOrigin = config.branding.logoUrl ? new URL(config.branding.logoUrl).origin : undefined;
  const headers = securityHeaders({ logoOrigin });
  // One middleware for what every request to the pages needs: a Hono middleware costs a dispatch
  // and, mounted in a host, a wrapper of its own on each request.
  app.use('*', async (c, next) => {
    c.set('securityHeaders', headers);
    c.set('locale', pickLocale(c));
    await next();
    secure(c.res, headers);
  });

  // A body sent to the pages is a customer's form, unless its route declares another kind
  // (an upload) ahead of this line; no page view (GET) pays for the check.
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', limitBody(config.limits, 'form'));

  const immutable = 'public, max-age=31536000, immutable';
  app.get(`/assets/saldo-${cssVersion}.css`, (c) => c.body(css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': immutable }));
  // The provider's colour, as a stylesheet of its own: the CSP allows no inline style.
  const brandCss = `:root { --brand: ${config.branding.primaryColor}; }\n`;
  app.get(`/assets/brand-${brandVersion(config)}.css`, (c) => c.body(brandCss, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': immutable }));
  // The tab's icon in the provider's colour, so the browser does not ask the host's root for one.
  const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="${config.branding.primaryColor}"/>`
    + '<path d="M21.5 11c-.9-1.7-2.8-2.7-5.4-2.7-3.1 0-5.2 1.6-5.2 3.9 0 5.3 10.8 2.6 10.8 7.8 0 2.4-2.2 4-5.6 4-2.6 0-4.6-1.1-5.6-2.9" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>\n';
  app.get(`/assets/icon-${brandVersion(config)}.svg`, (c) => c.body(favicon, 200, { 'content-type': 'image/svg+xml', 'cache-control': immutable }));
  app.get(`/assets/htmx-${htmxVersion}.min.js`, (c) => c.body(htmx, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': immutable }));

  /** The module's own address (the one `npm start` prints): the balance, which asks anyone not signed in to sign in. */
  // The second pattern is the mount point with its trailing slash, as Hono matches it.
  app.on('GET', ['/', '/:slash{/?}'], (c) => c.redirect(`${base}/balance`, 303));

  /** The hand-off from the panel: a short-lived, single-use signed link becomes a session cookie. */
  app.get('/session', async (c) => {
    const handoff = await services.customers.open(c.req.query('token'));
    const account = handoff && (await accounts.find({ id: BigInt(handoff.account) }));
    if (!handoff || !account) throw new BillingError('HANDOFF_INVALID');
    return openSession(c, deps, account, handoff.path ?? `${base}/balance`);
  });

  /** An explicit language choice, kept in a cookie; back to the page it was made on. */
  app.get(`/lang/:lng{${LOCALES.join('|')}}`, (c) => {
    setCookie(c, LANG_COOKIE, c.req.param('lng'), { path: base, sameSite: 'Lax', httpOnly: true, maxAge: 365 * 86_400 });
    return c.redirect(safePath(base, c.req.query('back')), 303);
  });

  // `/balance/*` covers `/balance` itself too: one session check per request.
  const session = customerSession(deps);
  for (const prefix of ['/balance/*', '/top-up/*', '/pay/*', '/payments/*', '/settings/*']) app.use(prefix, session.require);
  app.route('/balance', balancePages(services));
  app.route('/settings', settingsPages(services));
  app.route('/', gatewayPages(services, session.require));
  app.route('/', paymentPages(services, deps.trustsProxy));

  const onError: ErrorHandler<PageEnv> = async (error, c) => {
    const page = await errorPage(error, c);
    // A form htmx sent would have the error page swapped in place of the form: the page's main part is where it belongs.
    if (fromHtmx(c)) for (const [name, value] of [['hx-retarget', '#main'], ['hx-reswap', 'innerHTML']]) page.headers.set(name!, value!);
    return page;
  };

  const errorPage = async (error: unknown, c: Context<PageEnv>): Promise<Response> => {
    const billing = toBillingError(error);
    logFault(billing);
    if (billing.code === 'DATABASE_UNAVAILABLE') {
      // In the page's language as far as it is known without the database, with a way back to
      // the same page: the database returns by itself, usually within seconds.
      const ctx = pageContext(c, i18n, config);
      const url = new URL(c.req.url);
      const retryUrl = c.req.method === 'GET' ? url.pathname + url.search : `${base}/balance`;
      const page = renderPage(c, ctx, 'pages/unavailable', { retryUrl }, { title: ctx.t('common:unavailable.title'), status: 503 });
      for (const [name, value] of Object.entries(retryHeaders(billing))) page.headers.set(name, value);
      return page;
    }
    // Refused before the page read the account (a CSRF refusal), or at an address no page has (a
    // 404, where no session was asked for): a signed-in customer still reads it in their language.
    if (!c.get('account') && billing.code !== 'SESSION_REQUIRED' && (c.get('customer') || session.identify(c))) {
      await requireAccount(c, accounts).catch(() => undefined);
    }
    const ctx = pageContext(c, i18n, config);
    if (billing.code === 'SESSION_REQUIRED' || billing.code === 'HANDOFF_INVALID') {
      return renderPage(c, ctx, 'pages/signin', { expired: billing.code === 'HANDOFF_INVALID' }, { title: ctx.t('session:signInTitle'), status: 401 });
    }
    const message = i18n.t(billing.i18nKey, { ...localizeParams(billing.params, ctx.locale), lng: ctx.locale });
    return renderPage(c, ctx, 'pages/error', { message }, { title: message, status: billing.status as never });
  };
  return { app, onError };
}

/** A request the customer pages took (their first middleware ran): its errors render as pages. */
export const isPageRequest = (c: Context) => (c as Context<PageEnv>).get('securityHeaders') !== undefined;
