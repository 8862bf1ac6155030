import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { i18n } from 'i18next';
import type { SaldoConfig } from '../../config/schema.js';
import type { AccountRef } from '../accounts/account.repo.js';
import type { BillingAccount } from '../accounts/types.js';
import { pageHeaders, securedResponse } from './security-headers.js';
import { exponentOf, formatMoney, intlTag, LOCALES, type Locale, type Money, toDecimalString } from '@saldo/sdk';

export const viewsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'views');
const htmxVersion = '4.0.1';

// autoEscape: `<%= %>` escapes everything; `<%~ %>` is kept for the layout's body (our own HTML).
// rmWhitespace trims each template line: no <pre> or <textarea> content may span lines in a template.
const eta = new Eta({ views: viewsDir, cache: true, autoEscape: true, rmWhitespace: true });

/** What the customer pages keep on the request. */
export interface PageEnv {
  Variables: {
    locale: Locale;
    csrf?: string;
    /** Who is signed in: the account every query is scoped to, and the session CSRF tokens derive from. */
    customer?: { ref: AccountRef; sid: string };
    /** The signed-in customer's account, once the page has read it (or at least whose it is and its language). */
    account?: Pick<BillingAccount, 'id' | 'locale'>;
    /** The security headers every page response carries; set on every request to the pages. */
    securityHeaders?: Record<string, string>;
    /** Where this page is read again, for a page a form's post shows (see `hereOf`). */
    here?: string;
  };
}

/** What every template gets besides its own data. */
export interface PageContext {
  locale: Locale;
  t: (key: string, params?: Record<string, unknown>) => string;
  money: (m: Money) => string;
  /** The amount alone, in the page's notation ("1 234,50"): what an input field shows and parses back. */
  number: (m: Money) => string;
  /** A day, in the provider's time zone (`billing.timeZone`). */
  date: (d: Date) => string;
  /** A time of day in the provider's time zone, which it names: "16:03 CEST". */
  time: (d: Date) => string;
  /** The provider's time zone (`billing.timeZone`): where dates are shown, and which days a period means. */
  timeZone: string;
  base: string;
  branding: SaldoConfig['branding'];
  csrf: string | undefined;
  assets: { css: string; brand: string; icon: string; htmx: string };
  path: string;
  /** This page's address with its query (its filter, the rows it shows): where a language switch comes back to. */
  here: string;
  /** Every language the pages offer, for the language switch. */
  locales: readonly Locale[];
  /** Renders another template with this one's data (and `data` over it): `<%~ it.partial('partials/x') %>`. */
  partial: (template: string, data?: Record<string, unknown>) => string;
}

/** The helpers of one language: what templates translate and format with. */
type Localized = Pick<PageContext, 't' | 'money' | 'number' | 'date' | 'time'>;

function cached<V>(map: Map<string, V>, key: string, make: () => V, max = 10_000): V {
  let value = map.get(key);
  if (value === undefined) {
    if (map.size >= max) map.clear();
    map.set(key, (value = make()));
  }
  return value;
}
const textParams = (params: Record<string, unknown>) => Object.values(params).every((v) => typeof v === 'string' || typeof v === 'number');

/**
 * One language's helpers, made once per i18n instance (each Saldo has its own, with its plugins'
 * strings) and kept: Intl formatters are costly to build, and an i18next call costs more than
 * the template line it fills, so each (key, parameters) is translated once. Parameters are
 * formatted text (amounts, dates), so the map is bounded.
 */
function localized(i18n: i18n, locale: Locale, timeZone: string): Localized {
  const strings = new Map<string, string>();
  const numberFormats = new Map<number, Intl.NumberFormat>();
  const dateFormat = new Intl.DateTimeFormat(intlTag[locale], { dateStyle: 'medium', timeZone });
  const timeFormat = new Intl.DateTimeFormat(intlTag[locale], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short', timeZone });
  return {
    t: (key, params) => {
      if (!params) return cached(strings, key, () => i18n.t(key, { lng: locale }));
      if (!textParams(params)) return i18n.t(key, { ...params, lng: locale });
      return cached(strings, `${key}|${JSON.stringify(params)}`, () => i18n.t(key, { ...params, lng: locale }));
    },
    money: (m) => formatMoney(m, locale),
    number: (m) => {
      const digits = exponentOf(m.currency);
      let format = numberFormats.get(digits);
      if (!format) numberFormats.set(digits, (format = new Intl.NumberFormat(intlTag[locale], { minimumFractionDigits: digits, maximumFractionDigits: digits })));
      return format.format(toDecimalString(m) as never);
    },
    date: (d) => dateFormat.format(d),
    time: (d) => timeFormat.format(d),
  };
}
const helpers = new WeakMap<i18n, Map<string, Localized>>();

export function pageContext(c: Context<PageEnv>, i18n: i18n, config: SaldoConfig): PageContext {
  const locale = c.get('locale') ?? 'en';
  const base = config.server.basePath;
  const { timeZone } = config.billing;
  let languages = helpers.get(i18n);
  if (!languages) helpers.set(i18n, (languages = new Map()));
  let help = languages.get(`${locale}|${timeZone}`);
  if (!help) languages.set(`${locale}|${timeZone}`, (help = localized(i18n, locale, timeZone)));
  // Versioned paths: a new release is a new URL, so they can be cached for a year.
  const assets = {
    css: `${base}/assets/saldo-${cssVersion}.css`,
    brand: `${base}/assets/brand-${brandVersion(config)}.css`,
    icon: `${base}/assets/icon-${brandVersion(config)}.svg`,
    htmx: `${base}/assets/htmx-${htmxVersion}.min.js`,
  };
  return { locale, ...help, timeZone, base, branding: config.branding, csrf: c.get('csrf'), assets, path: c.req.path, here: hereOf(c, base), locales: LOCALES, partial };
}

/**
 * The address that shows this page again. A page read (GET) is its own address with its query.
 * A page a post answers (a form sent back with its error, an error page) is not: its route names
 * the page the form belongs to, or else the page the post came from (the Referer, which the
 * pages' referrer policy sends within the site) — else the balance.
 */
function hereOf(c: Context<PageEnv>, base: string): string {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') {
    const query = c.req.url.indexOf('?');
    return query === -1 ? c.req.path : c.req.path + c.req.url.slice(query);
  }
  const named = c.get('here');
  if (named) return named;
  try {
    const from = new URL(c.req.header('referer') ?? '');
    if (from.origin === new URL(c.req.url).origin) return from.pathname + from.search;
  } catch {
    // no Referer, or not a URL
  }
  return `${base}/balance`;
}

export const cssVersion = '5';
/** Changes with the colour, so a new brand colour is a new URL despite the year-long cache. */
export const brandVersion = (config: SaldoConfig) => config.branding.primaryColor.slice(1).toLowerCase();
export const htmxFile = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'htmx.org', 'dist', 'htmx.min.js');
export { htmxVersion };

// Only a page rendered outside the customer pages' middleware lacks them; one shared key keeps
// `pageHeaders` from making its headers again on every such render.
const noSecurityHeaders: Record<string, string> = Object.freeze({});

/** A page as rendered, before it is sent. */
export interface MadePage {
  html: string;
  status: ContentfulStatusCode;
}

/**
 * Renders `template` with the page context. A request from htmx (`HX-Request: true`) gets the
 * page's own markup to swap in; any other request gets it inside the layout, so every page also
 * works without JavaScript.
 */
export function makePage(
  c: Context<PageEnv>, ctx: PageContext, template: string, data: Record<string, unknown>, options: { title: string; status?: ContentfulStatusCode },
): MadePage {
  const body = eta.render(template, view(ctx, data));
  const html = fragmentWanted(c) ? body : eta.render('layouts/main', view(ctx, { body, title: options.title }));
  return { html, status: options.status ?? 200 };
}

/** A page (see `makePage`) as the response. */
export const renderPage = (...args: Parameters<typeof makePage>): Response => renderMade(args[0], makePage(...args));

/** A made page as the response. Pages only render (a page that changes something redirects), so the response is whole here. */
export const renderMade = (c: Context<PageEnv>, { html, status }: MadePage): Response => pageResponse(c, html, status);

/** A page's markup, as text or as the bytes it was sent as before, as the response. */
export const pageResponse = (c: Context<PageEnv>, body: string | Uint8Array<ArrayBuffer>, status: ContentfulStatusCode) =>
  securedResponse(body, status, pageHeaders(c.get('securityHeaders') ?? noSecurityHeaders, c.get('locale') ?? 'en'));

/**
 * Whether htmx asks for a page's markup to swap into the page it shows. When it targets the whole
 * body (`HX-Request-Type: full`) — restoring an address pushed into the history (`hx-push-url`),
 * after the customer went back — it needs the whole document, as a browser would.
 */
export const fragmentWanted = (c: Context) =>
  c.req.header('hx-request') === 'true' && c.req.header('hx-request-type') !== 'full' && c.req.header('hx-history-restore-request') !== 'true';

/** A partial alone (rows appended by "load more", a form's new state). */
export const renderPartial = (ctx: PageContext, template: string, data: Record<string, unknown>) => eta.render(template, view(ctx, data));

/** Fragments (partials already rendered) as a response of their own, with the pages' headers: what htmx swaps in. */
export const fragmentResponse = (c: Context<PageEnv>, ctx: PageContext, html: string, status = 200) =>
  securedResponse(html, status, pageHeaders(c.get('securityHeaders') ?? noSecurityHeaders, ctx.locale));

/**
 * What a template sees: the page context with its own data over it. Every template's data is
 * merged here, at this one site: with the same merge written out at each caller the balance page
 * renders markedly slower (measured; a V8 effect, the work is the same).
 */
const view = (ctx: PageContext, data: Record<string, unknown>): PageContext => ({ ...ctx, ...data });

// Instead of eta's include(), which merges the template's data at a site of its own (see `view`).
function partial(this: PageContext, template: string, data: Record<string, unknown> = {}) {
  return eta.render(template, view(this, data));
}
