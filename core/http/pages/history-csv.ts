import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Context } from 'hono';
import type { BillingAccount } from '../../accounts/types.js';
import type { WalletService } from '../../accounts/wallet.service.js';
import { describePosting } from '../../ledger/posting-description.js';
import { intlTag, type Locale, money, toDecimalString } from '@saldo/sdk';
import type { PageContext } from '../render.js';

/** Entries read per query: the export holds one batch at a time, however long the history. */
const BATCH = 1000;

/**
 * How a spreadsheet set to each language reads a CSV: French and Spanish ones split fields on `;`
 * because `,` is their decimal mark. Amounts carry no thousands separator, so they read as numbers.
 */
const conventions: Record<Locale, { delimiter: string; decimal: string }> = {
  en: { delimiter: ',', decimal: '.' },
  fr: { delimiter: ';', decimal: ',' },
  es: { delimiter: ';', decimal: ',' },
};

/**
 * A date and time as the language writes it in figures ("03/05/2026 16:03:09"), in the provider's
 * time zone, which the column's header names: the form a spreadsheet set to that language reads
 * back as a date.
 */
function stamps(locale: Locale, timeZone: string) {
  const format = new Intl.DateTimeFormat(intlTag[locale], {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone,
  });
  // Intl puts ", " between the date and the time in English and Spanish: one space, as spreadsheets expect.
  return (d: Date) => format.formatToParts(d).map((p) => (p.type === 'literal' && /[,\s]/.test(p.value) ? ' ' : p.value)).join('');
}

/**
 * The account's history in the period as CSV, streamed: entries are read a batch at a time,
 * newest first (each batch below the last one's id, so postings made during the download do not
 * shift it), and the next batch only when the response has taken the rows before — memory stays
 * flat over any length. Batches rather than a server-side cursor: a cursor would hold a
 * connection for the whole download, and the embedded database has only one.
 *
 * Amounts reach csv-stringify as bigints, so its formula neutralisation (`escape_formulas`: a
 * leading = + - @ tab or CR gets a quote) applies to the text columns and never makes a negative
 * amount into text.
 */
export function historyCsv(c: Context, ctx: PageContext, wallets: WalletService, account: BillingAccount, period: { from?: Date; until?: Date }): Response {
  const { delimiter, decimal } = conventions[ctx.locale];
  const amount = (minor: bigint) => toDecimalString(money(minor, account.currency)).replace('.', decimal);

  async function* rows() {
    for (let before: bigint | undefined; ;) {
      const batch = await wallets.history(account.id, { ...period, before, limit: BATCH });
      for (const e of batch) yield [e.createdAt, describePosting(ctx, e), e.amount.amount, e.amount.currency, e.balanceAfter?.amount ?? null];
      if (batch.length < BATCH) return;
      before = batch.at(-1)!.id;
    }
  }

  const csv = stringify({
    bom: true,
    delimiter,
    record_delimiter: 'windows',
    escape_formulas: true,
    header: true,
    columns: [
      ctx.t('balance:csvDate', { timeZone: ctx.timeZone }), ctx.t('balance:description'), ctx.t('balance:amount'), ctx.t('balance:currency'), ctx.t('balance:runningBalance'),
    ],
    cast: { date: stamps(ctx.locale, ctx.timeZone), bigint: amount },
  });
  pipeline(Readable.from(rows()), csv, (error) => {
    // The response is under way: the download ends short, and the reason is logged here (a
    // customer who cancels it is no fault).
    if (error && error.name !== 'AbortError' && (error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') console.error(`[saldo] history CSV of account ${account.id} stopped:`, error);
  });
  c.header('Content-Type', 'text/csv; charset=utf-8');
  c.header('Content-Disposition', `attachment; filename="balance-${account.customerNumber}.csv"`);
  return c.body(Readable.toWeb(csv) as ReadableStream);
}
