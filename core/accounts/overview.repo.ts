import type { Sql } from '../db/connect.js';
import type { PostingDescription } from '../ledger/posting-description.js';
import type { Hold } from '../ledger/types.js';
import { type Locale, money } from '@saldo/sdk';
import { toWalletBalance } from '../ledger/ledger.repo.js';
import { type AccountRef, type AccountRow, columns, toAccount } from './account.repo.js';
import type { BillingAccount } from './types.js';
import { type WalletFigures, walletFigures } from './wallet-figures.js';

/** Which slice of the history a page shows: newest first, `limit` entries older than `before`. */
export interface HistoryFilter {
  before?: bigint;
  from?: Date;
  until?: Date;
  limit: number;
}

/** Everything the customer's balance page shows, read at one instant. */
export interface AccountOverview {
  account: BillingAccount;
  balance: WalletFigures;
  holds: Hold[];
  /**
   * The transfers of the history page, newest first, as decimal text (what a page keys its rows
   * by). Their entries are immutable, so a page that has shown them before renders them again from
   * its own copy and reads only the new ones.
   */
  historyIds: string[];
  /**
   * A digest of everything above as the database read it (the account's whole row, its wallet,
   * holds and history page): equal digests, equal overviews. What a page made from this overview
   * alone is kept under (see `KeptPages`).
   */
  version: string;
}

interface OverviewRow extends AccountRow {
  balance_minor: bigint;
  held_minor: bigint;
  min_balance_minor: bigint;
  /** [id, amount, description, expires (ms), created (ms), structured description] per pending hold. */
  holds: [string, string, string, number, number, PostingDescription | null][];
  /** The history's transfer ids, comma-separated: one text column, split natively, nothing to convert. */
  history: string;
  version: string;
}

// Absent filters become bounds that hold for every row: one statement (one prepared plan) whatever
// the customers filter on, and the index on (account, id) still serves the limit.
const NO_BEFORE = 9223372036854775807n;

/** One page view's read: whose account, and which slice of its history. */
export interface OverviewRequest {
  ref: AccountRef;
  history: HistoryFilter;
}

/** What a page view that may have shown this overview before reads first: whose account, and the overview's version. */
export interface OverviewVersion {
  account: Pick<BillingAccount, 'id' | 'locale'>;
  version: string;
}

/**
 * The page views' rows, each request's account joined to its wallet, pending holds and history
 * page: what `accountOverviews` reads, and what `overviewVersions` digests. The requests go in as
 * one JSON parameter and come back tagged with their position, so each answer reaches exactly the
 * page that asked. Holds come back as a JSON array, amounts as text so no digit is lost to a JSON
 * number; the history as the transfers' ids (see `historyIds`).
 */
function overviewRows(sql: Sql, requests: OverviewRequest[]) {
  const input = requests.map(({ ref, history }, i) => ({
    i,
    id: 'id' in ref ? ref.id.toString() : null,
    ref: 'externalRef' in ref ? ref.externalRef : null,
    before: (history.before ?? NO_BEFORE).toString(),
    from: history.from?.toISOString() ?? '-infinity',
    until: history.until?.toISOString() ?? 'infinity',
    lim: history.limit,
  }));
  return sql`
      FROM jsonb_to_recordset(${JSON.stringify(input)}::text::jsonb)
             AS r(i int, id bigint, ref text, before bigint, "from" timestamptz, until timestamptz, lim int)
      JOIN billing_accounts a ON a.id = coalesce(r.id, (SELECT b.id FROM billing_accounts b WHERE b.external_ref = r.ref))
      JOIN ledger_accounts w ON w.id = a.wallet_id
      CROSS JOIN LATERAL (SELECT
        (SELECT coalesce(json_agg(json_build_array(h.id::text, h.amount_minor::text, h.description,
                                                   floor(extract(epoch FROM h.expires_at) * 1000), floor(extract(epoch FROM h.created_at) * 1000),
                                                   h.metadata -> 'description')
                                  ORDER BY h.id), '[]')
           FROM ledger_holds h WHERE h.account_id = a.wallet_id AND h.status = 'pending') AS holds,
        (SELECT coalesce(string_agg(e.transfer_id::text, ',' ORDER BY e.transfer_id DESC), '')
           FROM (SELECT transfer_id FROM ledger_entries
                  WHERE account_id = a.wallet_id AND transfer_id < r.before AND created_at >= r."from" AND created_at < r.until
                  ORDER BY transfer_id DESC LIMIT r.lim) e) AS history) o`;
}

// Everything the overview is made of: the account's and the wallet's whole rows (columns added
// later included), the holds and the history page.
const version = (sql: Sql) => sql`md5(concat_ws('|', a::text, w::text, o.holds::text, o.history)) AS version`;

/**
 * Accounts with their wallets, pending holds and one page of history each, for many page views in
 * one statement (see ReadBatch): one round trip however many customers are being served, and for
 * each the figures agree with each other (one snapshot).
 */
export async function accountOverviews(sql: Sql, requests: OverviewRequest[]): Promise<(AccountOverview | undefined)[]> {
  const rows = await sql<(OverviewRow & { i: number })[]>`
    SELECT r.i, ${columns(sql)}, w.balance_minor, w.held_minor, w.min_balance_minor, o.holds, o.history, ${version(sql)}
    ${overviewRows(sql, requests)}`;
  const found: (AccountOverview | undefined)[] = new Array(requests.length).fill(undefined);
  for (const row of rows) found[row.i] = toOverview(row);
  return found;
}

/**
 * The versions `accountOverviews` would give now, without the overviews: a page kept from an
 * overview of the same version is the page that overview would make again. Four columns instead
 * of twenty-two: the driver's rows stay small objects, a third of its work per view.
 */
export async function overviewVersions(sql: Sql, requests: OverviewRequest[]): Promise<(OverviewVersion | undefined)[]> {
  const rows = await sql<{ i: number; id: bigint; locale: Locale; version: string }[]>`
    SELECT r.i, a.id, a.locale, ${version(sql)} ${overviewRows(sql, requests)}`;
  const found: (OverviewVersion | undefined)[] = new Array(requests.length).fill(undefined);
  for (const { i, id, locale, version } of rows) found[i] = { account: { id, locale }, version };
  return found;
}

function toOverview(row: OverviewRow): AccountOverview {
  const account = toAccount(row);
  const { currency } = account;
  return {
    account,
    balance: walletFigures(toWalletBalance(row, currency), account.lowBalanceThreshold),
    holds: row.holds.map(([id, amount, description, expires, created, described]) => ({
      id: BigInt(id), account: account.walletId, amount: money(BigInt(amount), currency), status: 'pending', captured: null,
      description, described, expiresAt: new Date(expires), createdAt: new Date(created), settledAt: null,
    })),
    historyIds: row.history === '' ? [] : row.history.split(','),
    version: row.version,
  };
}
