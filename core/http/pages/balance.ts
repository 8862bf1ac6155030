import { Hono } from 'hono';
import type { AccountOverview, HistoryFilter } from '../../accounts/overview.repo.js';
import type { Context } from 'hono';
import { isBillingError } from '../../errors.js';
import { describePosting } from '../../ledger/posting-description.js';
import type { Services } from '../../services.js';
import { orderedPeriod, periodParams } from '../date-params.js';
import { KeptPages } from '../kept-pages.js';
import { makePage, pageContext, renderMade, renderPartial } from '../render.js';
import { type AlertForm, alertForm, saveThreshold } from './balance-alert.js';
import { historyCsv } from './history-csv.js';
import { historyFilter, HistoryPages } from './history-view.js';
import { loadAccount, type PageEnv, requireAccount } from './session.js';

/**
 * The queries of the pages kept (see KeptPages): a period, and the notice of a saved alert level.
 * Not `before`: a page further down the history also reads where the page above it starts, which
 * its overview does not cover. Any other query is nobody's link, and would only crowd out others.
 */
const KEPT_QUERY = new Set(['from', 'to', 'saved']);

export function balancePages({ config, i18n, accounts, wallets }: Pick<Services, 'config' | 'i18n' | 'accounts' | 'wallets'>): Hono<PageEnv> {
  const history = new HistoryPages(accounts);
  const kept = new KeptPages();
  const app = new Hono<PageEnv>();
  const { timeZone } = config.billing;

  /** The page; after a refused alert level, with that form as it was sent back (422). */
  async function show(c: Context<PageEnv>, alert?: AlertForm) {
    const query = c.req.query();
    // A period that ends before it starts is answered by the page itself (422), the dates as typed
    // kept in the form with what is wrong, rather than by the error page.
    let filter: HistoryFilter | undefined;
    try {
      filter = historyFilter(query, timeZone);
    } catch (error) {
      if (!isBillingError(error, 'DATE_RANGE_REVERSED')) throw error;
    }
    const slice = filter ?? { limit: 0 };
    const make = async () => {
      const overview = await loadAccount(c, (ref) => accounts.overview(ref, slice));
      return { ...(await page(c, overview, query, filter, alert)), version: overview.version };
    };
    // A form sent back shows what was typed, and only the page's own query is kept (see KEPT_QUERY).
    if (alert || !Object.keys(query).every((name) => KEPT_QUERY.has(name))) return renderMade(c, await make());
    return kept.respond(c, async () => (await loadAccount(c, (ref) => accounts.overviewVersion(ref, slice))).version, make);
  }

  /** The page as its overview (and the query) make it. */
  async function page(c: Context<PageEnv>, { account, balance, holds, historyIds }: AccountOverview, query: Record<string, string>, filter?: HistoryFilter, alert?: AlertForm) {
    const ctx = pageContext(c, i18n, config);
    // The day as the page writes it: its start in the provider's time zone, shown in that zone.
    const day = (text = '') => ctx.date(periodParams({ from: text }, undefined, timeZone).from!);
    const section = filter
      ? await history.pageView(ctx, account, historyIds, query)
      : { rows: [], more: false, from: query.from, to: query.to, rangeError: ctx.t('errors:DATE_RANGE_REVERSED', { from: day(query.from), to: day(query.to) }) };
    return makePage(c, ctx, 'pages/balance', {
      account, balance, holds: holds.map((h) => ({ ...h, text: describePosting(ctx, { kind: 'capture', ...h }) })), ...section, modeLabel: ctx.t(`${account.paymentMode}:label`),
      alert: alert ?? alertForm(ctx, account, query),
    }, { title: ctx.t('balance:title'), status: alert?.error || !filter ? 422 : 200 });
  }
  app.get('/', (c) => show(c));

  app.post('/threshold', (c) => saveThreshold(c, { config, i18n, accounts }, show));

  /**
   * The next rows, for "load more" (htmx appends them and pushes the next page's address) or a
   * plain link without JavaScript. The language links come along (a template htmx swaps in, as
   * rows may only sit beside a template), so that a switch of language comes back to that page.
   */
  app.get('/history', async (c) => {
    const query = c.req.query();
    if (c.req.header('hx-request') !== 'true') return c.redirect(`${config.server.basePath}/balance?${new URLSearchParams(query)}`, 303);
    const { account, historyIds } = await loadAccount(c, (ref) => accounts.overview(ref, historyFilter(query, timeZone)));
    const ctx = pageContext(c, i18n, config);
    const pushed = `${config.server.basePath}/balance?${new URLSearchParams(query)}`;
    return c.html(renderPartial(ctx, 'partials/history-more', { ...(await history.rowsView(ctx, account, historyIds, query)), pushed }));
  });

  /** Everything in the period (all pages), for the customer's own records, in the spreadsheet conventions of the page's language. */
  app.get('/history.csv', async (c) => {
    const account = await requireAccount(c, accounts);
    return historyCsv(c, pageContext(c, i18n, config), wallets, account, orderedPeriod(c.req.query(), timeZone));
  });

  return app;
}
