import { Hono } from 'hono';
import type { i18n } from 'i18next';
import type { DependencyContainer } from 'tsyringe';
import { AccountsService } from '../../accounts/accounts.service.js';
import type { BillingAccount } from '../../accounts/types.js';
import { WalletService } from '../../accounts/wallet.service.js';
import type { Entry } from '../../ledger/types.js';
import * as ledger from '../../ledger/ledger.repo.js';
import { type Locale, negate, parseAmount, toDecimalString } from '../../money/index.js';
import { TOKENS } from '../../tokens.js';
import { pageContext, renderPage, renderPartial } from '../render.js';

const PAGE = 20;

/** "2026-11-01" → that day at 00:00 UTC; anything else is ignored (the filter is optional). */
const day = (text: string | undefined) => (text && /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text)) ? new Date(`${text}T00:00:00Z`) : undefined);
const nextDay = (d: Date | undefined) => (d ? new Date(d.getTime() + 86_400_000) : undefined);
const cursor = (text: string | undefined) => (text && /^\d{1,18}$/.test(text) ? BigInt(text) : undefined);

/** A quoted CSV cell. */
const cell = (value: string) => `"${value.replace(/"/g, '""')}"`;
/** A text cell someone else wrote: a leading = + - @ is neutralised so no spreadsheet formula runs. */
const textCell = (value: string) => cell(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

export function balancePages(container: DependencyContainer, i18n: i18n): Hono {
  const config = container.resolve(TOKENS.Config);
  const accounts = container.resolve(AccountsService);
  const wallets = container.resolve(WalletService);
  const sql = container.resolve(TOKENS.Sql);
  const app = new Hono();

  const describe = (t: (k: string) => string, e: Entry) => e.description || t(`balance:kinds.${e.kind}`);

  async function historyPage(account: BillingAccount, query: Record<string, string | undefined>) {
    const from = day(query.from);
    const to = day(query.to);
    const rows = await ledger.entries(sql, account.walletId, { before: cursor(query.before), limit: PAGE + 1, from, until: nextDay(to) });
    const more = rows.length > PAGE;
    const shown = rows.slice(0, PAGE);
    const params = new URLSearchParams({ ...(query.from && { from: query.from }), ...(query.to && { to: query.to }) });
    if (more) params.set('before', shown.at(-1)!.id.toString());
    return { rows: shown, more, nextQuery: params.toString(), from: query.from ?? '', to: query.to ?? '' };
  }

  app.get('/', async (c) => {
    const account = c.get('account' as never) as BillingAccount;
    const ctx = pageContext(c, i18n, config);
    // The session already loaded the account: read only the wallet, its holds and the history.
    const [wallet, holds, history] = await Promise.all([
      ledger.walletBalance(sql, account.walletId), ledger.pendingHolds(sql, account.walletId), historyPage(account, c.req.query()),
    ]);
    const balance = {
      balance: wallet.balance, held: wallet.held, usableCredit: wallet.available, creditLimit: negate(wallet.minBalance),
      low: account.lowBalanceThreshold !== null && wallet.available.amount < account.lowBalanceThreshold.amount,
    };
    return renderPage(c, ctx, 'pages/balance', {
      account, balance, holds, ...history, describe: (e: Entry) => describe(ctx.t, e),
      modeLabel: ctx.t(`${account.paymentMode}:label`),
    }, { title: ctx.t('balance:title') });
  });

  /** The low-balance alert level, typed in the customer's own notation ("12,50" in French). */
  app.post('/threshold', async (c) => {
    const account = c.get('account' as never) as BillingAccount;
    const form = await c.req.parseBody();
    const text = typeof form.threshold === 'string' ? form.threshold.trim() : '';
    const locale = c.get('locale' as never) as Locale;
    await accounts.setLowBalanceThreshold(account.id, text === '' ? null : parseAmount(text, account.currency, locale, { allowZero: true }));
    return c.redirect(`${config.server.basePath}/balance`, 303);
  });

  /** The next rows, for "load more" (htmx appends them) or a plain link without JavaScript. */
  app.get('/history', async (c) => {
    const account = c.get('account' as never) as BillingAccount;
    const ctx = pageContext(c, i18n, config);
    const history = await historyPage(account, c.req.query());
    if (c.req.header('hx-request') !== 'true') return c.redirect(`${config.server.basePath}/balance?${new URLSearchParams(c.req.query())}`, 303);
    return c.html(renderPartial(ctx, 'partials/history-rows', { ...history, describe: (e: Entry) => describe(ctx.t, e) }));
  });

  /** Everything in the period (all pages), for the customer's own records. */
  app.get('/history.csv', async (c) => {
    const account = c.get('account' as never) as BillingAccount;
    const ctx = pageContext(c, i18n, config);
    const from = day(c.req.query('from'));
    const until = nextDay(day(c.req.query('to')));
    const lines = [[ctx.t('balance:date'), ctx.t('balance:description'), ctx.t('balance:amount'), 'currency', ctx.t('balance:runningBalance')].map(cell).join(',')];
    for (let before: bigint | undefined; ; ) {
      const batch = await wallets.history(account.id, { before, limit: 1000, from, until });
      for (const e of batch) {
        lines.push([cell(e.createdAt.toISOString()), textCell(describe(ctx.t, e)), cell(toDecimalString(e.amount)), cell(e.amount.currency),
          cell(e.balanceAfter ? toDecimalString(e.balanceAfter) : '')].join(','));
      }
      if (batch.length < 1000) break;
      before = batch.at(-1)!.id;
    }
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="balance-${account.customerNumber}.csv"`);
    return c.body(`\ufeff${lines.join('\r\n')}\r\n`);
  });

  return app;
}
