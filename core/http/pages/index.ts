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
  app.get(`/assets/htmx-${htmxVersion}.min.js`, (c) => c.body(htmx, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': immutable }));

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
  for (const prefix of ['/balance/*', '/top-up/*', '/pay/*', '/payments/*', '/settings/*']) app.use(prefix, session);
  app.route('/balance', balancePages(services));
  app.route('/settings', settingsPages(services));
  app.route('/', gatewayPages(services, session));
  app.route('/', paymentPages(services, deps.trustsProxy));

  const onError: ErrorHandler<PageEnv> = async (error, c) => {
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
    // Refused before the page read the account (a CSRF refusal): the error still speaks its language.
    if (c.get('customer') && !c.get('account') && billing.code !== 'SESSION_REQUIRED') {
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
