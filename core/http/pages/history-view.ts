import type { AccountsService } from '../../accounts/accounts.service.js';
import type { HistoryFilter } from '../../accounts/overview.repo.js';
import type { BillingAccount } from '../../accounts/types.js';
import { describePosting } from '../../ledger/posting-description.js';
import { orderedPeriod } from '../date-params.js';
import { type PageContext, renderPartial } from '../render.js';

/** Rows per history page. */
export const PAGE = 20;

type Query = Record<string, string | undefined>;

const cursor = (text: string | undefined) => (text && /^\d{1,18}$/.test(text) ? BigInt(text) : undefined);

/**
 * The history page asked for by the query string (period in the provider's days, cursor), one
 * row more to know if more exist. A period that ends before it starts is DATE_RANGE_REVERSED.
 */
export function historyFilter(query: Query, timeZone: string): HistoryFilter {
  return { before: cursor(query.before), ...orderedPeriod(query, timeZone), limit: PAGE + 1 };
}

/** The period of a query, as the query string that keeps it across pages. */
const periodOf = (query: Query, more: Record<string, string> = {}) =>
  new URLSearchParams({ ...(query.from && { from: query.from }), ...(query.to && { to: query.to }), ...more }).toString();

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

/** What the history section shows of one page of transfers (their ids, newest first, one more than shown when more exist). */
export class HistoryPages {
  private readonly rows: HistoryRows;
  constructor(private readonly accounts: AccountsService) {
    this.rows = new HistoryRows(accounts);
  }

  /** The rows, whether older ones exist, and the query string of the page after: what "load more" appends. */
  async rowsView(ctx: PageContext, account: BillingAccount, transfers: string[], query: Query) {
    const more = transfers.length > PAGE;
    const shown = transfers.slice(0, PAGE);
    return { rows: await this.rows.render(ctx, account, shown), more, nextQuery: periodOf(query, more ? { before: shown.at(-1)! } : {}), shown };
  }

  /**
   * The whole section: the rows, the period as typed, and, on a page other than the first (one a
   * "load more" link or a pushed address leads to), links back up: to the first page, and to the
   * page just newer when that is another one.
   */
  async pageView(ctx: PageContext, account: BillingAccount, transfers: string[], query: Query) {
    const view = await this.rowsView(ctx, account, transfers, query);
    const href = (q: string) => `${ctx.base}/balance${q ? `?${q}` : ''}`;
    let newestHref: string | undefined;
    let newerHref: string | undefined;
    if (cursor(query.before) !== undefined) {
      newestHref = href(periodOf(query));
      const above = view.shown.length ? await this.accounts.newerPage(account, BigInt(view.shown[0]!), PAGE, orderedPeriod(query, ctx.timeZone)) : undefined;
      if (above) newerHref = href(periodOf(query, { before: above.toString() }));
    }
    return { ...view, from: query.from ?? '', to: query.to ?? '', newestHref, newerHref };
  }
}
