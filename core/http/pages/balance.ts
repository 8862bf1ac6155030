import { Hono } from 'hono';
import type { AccountsService } from '../../accounts/accounts.service.js';
import type { HistoryFilter } from '../../accounts/overview.repo.js';
import type { BillingAccount } from '../../accounts/types.js';
import { describePosting } from '../../ledger/posting-description.js';
import { parseAmount } from '@saldo/sdk';
import type { Services } from '../../services.js';
import { periodParams } from '../date-params.js';
import { historyCsv } from './history-csv.js';
import { type PageContext, pageContext, renderPage, renderPartial } from '../render.js';
import { loadAccount, type PageEnv, requireAccount } from './session.js';

const PAGE = 20;

const cursor = (text: string | undefined) => (text && /^\d{1,18}$/.test(text) ? BigInt(text) : undefined);


/** The history page asked for by the query string (dates, cursor), one row more to know if more exist. */
function historyFilter(query: Record<string, string | undefined>): HistoryFilter {
  return { before: cursor(query.before), ...periodParams(query), limit: PAGE + 1 };
}

/**
 * The rendered rows of history pages. A posted transfer never changes (the database refuses it),
 * so the row it renders to in one language never changes either: each is read and rendered once
 * and kept, and a page view reads only the entries it has not shown before. Besides a query, this
 * spares the Intl date and money formatting that otherwise dominates the page. Bounded; the
 * oldest rows go first.
 */
class HistoryRows {
  private readonly rows = new Map<string, string>();
  constructor(private readonly accounts: AccountsService, private readonly max = 50_000) {}

  async render(ctx: PageContext, account: BillingAccount, transfers: string[]): Promise<string[]> {
    const of = `${ctx.locale}:${account.walletId}:`;
    const page = new Map<string, string>();
    const missing: string[] = [];
    for (const id of transfers) {
      const html = this.rows.get(of + id);
      if (html === undefined) missing.push(id);
      else page.set(id, html);
    }
    if (missing.length === 0) return transfers.map((id) => page.get(id)!);
    for (const e of await this.accounts.entriesOf(account, missing)) {
      const html = renderPartial(ctx, 'partials/history-row', { e, description: describePosting(ctx, e) });
      if (this.rows.size >= this.max) this.rows.delete(this.rows.keys().next().value!);
      const id = e.id.toString();
      this.rows.set(of + id, html);
      page.set(id, html);
    }
    return transfers.map((id) => page.get(id) ?? '');
  }
}

export function balancePages({ config, i18n, accounts, wallets }: Pick<Services, 'config' | 'i18n' | 'accounts' | 'wallets'>): Hono<PageEnv> {
  const rows = new HistoryRows(accounts);
  const app = new Hono<PageEnv>();

  /** The page's rendered rows, whether more exist, and the query that fetches the next ones. */
  async function historyView(ctx: PageContext, account: BillingAccount, transfers: string[], query: Record<string, string | undefined>) {
    const more = transfers.length > PAGE;
    const shown = transfers.slice(0, PAGE);
    const params = new URLSearchParams({ ...(query.from && { from: query.from }), ...(query.to && { to: query.to }) });
    if (more) params.set('before', shown.at(-1)!);
    return { rows: await rows.render(ctx, account, shown), more, nextQuery: params.toString(), from: query.from ?? '', to: query.to ?? '' };
  }

  app.get('/', async (c) => {
    const query = c.req.query();
    const { account, balance, holds, historyIds } = await loadAccount(c, (ref) => accounts.overview(ref, historyFilter(query)));
    const ctx = pageContext(c, i18n, config);
    return renderPage(c, ctx, 'pages/balance', {
      account, balance, holds: holds.map((h) => ({ ...h, text: describePosting(ctx, { kind: 'capture', ...h }) })), ...(await historyView(ctx, account, historyIds, query)), modeLabel: ctx.t(`${account.paymentMode}:label`),
    }, { title: ctx.t('balance:title') });
  });

  /** The low-balance alert level, typed in the customer's own notation ("12,50" in French). */
  app.post('/threshold', async (c) => {
    const account = await requireAccount(c, accounts);
    const form = await c.req.parseBody();
    const text = typeof form.threshold === 'string' ? form.threshold.trim() : '';
    await accounts.setLowBalanceThreshold(account.id, text === '' ? null : parseAmount(text, account.currency, c.get('locale'), { allowZero: true }));
    return c.redirect(`${config.server.basePath}/balance`, 303);
  });

  /** The next rows, for "load more" (htmx appends them) or a plain link without JavaScript. */
  app.get('/history', async (c) => {
    const query = c.req.query();
    if (c.req.header('hx-request') !== 'true') return c.redirect(`${config.server.basePath}/balance?${new URLSearchParams(query)}`, 303);
    const { account, historyIds } = await loadAccount(c, (ref) => accounts.overview(ref, historyFilter(query)));
    const ctx = pageContext(c, i18n, config);
    return c.html(renderPartial(ctx, 'partials/history-rows', await historyView(ctx, account, historyIds, query)));
  });

  /** Everything in the period (all pages), for the customer's own records, in the spreadsheet conventions of the page's language. */
  app.get('/history.csv', async (c) => {
    const account = await requireAccount(c, accounts);
    return historyCsv(c, pageContext(c, i18n, config), wallets, account, periodParams(c.req.query()));
  });

  return app;
}
