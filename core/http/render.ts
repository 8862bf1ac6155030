import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { i18n } from 'i18next';
import type { SaldoConfig } from '../../config/schema.js';
import type { AccountRef } from '../accounts/account.repo.js';
import type { BillingAccount } from '../accounts/types.js';
import { exponentOf, formatMoney, type Locale, type Money, toDecimalString } from '../money/index.js';

export const viewsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'views');
const htmxVersion = '4.0.1';

/**
 * Eta with each template's path resolved once: eta caches compiled templates but works out (and
 * checks) a template's file path again on every render, which showed as a tenth of a page's cost.
 * Our template names are fixed strings, so the answer never changes.
 */
class Views extends Eta {
  constructor(...args: ConstructorParameters<typeof Eta>) {
    super(...args);
    const resolve = this.resolvePath!;
    const paths = new Map<string, string>();
    this.resolvePath = (template, options) => {
      const key = `${options?.filepath ?? ''}\0${template}`;
      let path = paths.get(key);
      if (path === undefined) paths.set(key, (path = resolve.call(this, template, options)));
      return path;
    };
  }
}

// autoEscape: `<%= %>` escapes everything; `<%~ %>` is kept for the layout's body (our own HTML).
const eta = new Views({ views: viewsDir, cache: true, autoEscape: true });

const dateTags: Record<Locale, string> = { en: 'en-GB', fr: 'fr-FR', es: 'es-ES' };

/** What the customer pages keep on the request. */
export interface PageEnv {
  Variables: {
    locale: Locale;
    csrf?: string;
    /** Who is signed in: the account every query is scoped to, and the session CSRF tokens derive from. */
    customer?: { ref: AccountRef; sid: string };
    account?: BillingAccount;
  };
}

/** What every template gets besides its own data. */
export interface PageContext {
  locale: Locale;
  t: (key: string, params?: Record<string, unknown>) => string;
  money: (m: Money) => string;
  /** The amount alone, in the page's notation ("1 234,50"): what an input field shows and parses back. */
  number: (m: Money) => string;
  date: (d: Date) => string;
  base: string;
  branding: SaldoConfig['branding'];
  csrf: string | undefined;
  assets: { css: string; brand: string; htmx: string };
  path: string;
}

// Intl formatters are costly to build: one per language (and exponent), kept for the process.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();
// A page asks for dozens of strings: each (language, key, parameters) is translated once per i18n
// instance (each Saldo has its own, with its plugins' strings) — i18next takes tens of
// microseconds per call. Parameters are formatted text (amounts, dates), so the map is bounded.
const translations = new WeakMap<i18n, Map<string, string>>();
function cached<V>(map: Map<string, V>, key: string, make: () => V, max = 10_000): V {
  let value = map.get(key);
  if (value === undefined) {
    if (map.size >= max) map.clear();
    map.set(key, (value = make()));
  }
  return value;
}
const textParams = (params: Record<string, unknown>) => Object.values(params).every((v) => typeof v === 'string' || typeof v === 'number');

export function pageContext(c: Context<PageEnv>, i18n: i18n, config: SaldoConfig): PageContext {
  const locale = c.get('locale') ?? 'en';
  const base = config.server.basePath;
  const dateFormat = cached(dateFormats, locale, () => new Intl.DateTimeFormat(dateTags[locale], { dateStyle: 'medium' }));
  let strings = translations.get(i18n);
  if (!strings) translations.set(i18n, (strings = new Map()));
  return {
    locale,
    t: (key, params) => {
      if (!params) return cached(strings, `${locale}|${key}`, () => i18n.t(key, { lng: locale }));
      if (!textParams(params)) return i18n.t(key, { ...params, lng: locale });
      return cached(strings, `${locale}|${key}|${JSON.stringify(params)}`, () => i18n.t(key, { ...params, lng: locale }));
    },
    money: (m) => formatMoney(m, locale),
    number: (m) => {
      const digits = exponentOf(m.currency);
      const format = cached(numberFormats, `${locale}|${digits}`, () =>
        new Intl.NumberFormat(dateTags[locale], { minimumFractionDigits: digits, maximumFractionDigits: digits }));
      return format.format(toDecimalString(m) as never);
    },
    date: (d) => dateFormat.format(d),
    base,
    branding: config.branding,
    csrf: c.get('csrf'),
    // Versioned paths: a new release is a new URL, so they can be cached for a year.
    assets: {
      css: `${base}/assets/saldo-${cssVersion}.css`,
      brand: `${base}/assets/brand-${brandVersion(config)}.css`,
      htmx: `${base}/assets/htmx-${htmxVersion}.min.js`,
    },
    path: c.req.path,
  };
}

export const cssVersion = '1';
/** Changes with the colour, so a new brand colour is a new URL despite the year-long cache. */
export const brandVersion = (config: SaldoConfig) => config.branding.primaryColor.slice(1).toLowerCase();
export const htmxFile = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'htmx.org', 'dist', 'htmx.min.js');
export { htmxVersion };

/**
 * Renders `template` with the page context. A request from htmx (`HX-Request: true`) gets the
 * page's own markup to swap in; any other request gets it inside the layout, so every page also
 * works without JavaScript.
 */
export function renderPage(
  c: Context, ctx: PageContext, template: string, data: Record<string, unknown>, options: { title: string; status?: ContentfulStatusCode },
) {
  const body = eta.render(template, { ...ctx, ...data });
  c.header('Content-Language', ctx.locale);
  c.header('Vary', 'HX-Request, Cookie, Accept-Language');
  if (c.req.header('hx-request') === 'true') return c.html(body, options.status ?? 200);
  return c.html(eta.render('layouts/main', { ...ctx, body, title: options.title }), options.status ?? 200);
}

/** A partial alone (rows appended by "load more", a form's new state). */
export const renderPartial = (ctx: PageContext, template: string, data: Record<string, unknown>) => eta.render(template, { ...ctx, ...data });
