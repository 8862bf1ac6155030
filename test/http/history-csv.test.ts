import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse } from 'csv-parse';
import { describe, expect, it } from 'vitest';
import { customerPagesSuite } from '../support/customer-pages.js';
import { onEachDatabase, report } from '../support/databases.js';
import { bulkAmount, bulkHistory } from '../support/history-rows.js';

// The collector on demand, to tell memory the export keeps from garbage it has not collected yet.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** How each language's spreadsheet reads a CSV, written out here rather than taken from the code under test. */
const spreadsheet = { fr: { delimiter: ';', decimal: ',' }, es: { delimiter: ';', decimal: ',' }, en: { delimiter: ',', decimal: '.' } } as const;

/** An amount as a spreadsheet with that decimal mark reads it, in minor units: exact, no float. */
function minorUnits(text: string, decimal: string): bigint {
  const match = new RegExp(`^(-?)(\\d+)\\${decimal}(\\d{2})$`).exec(text);
  if (!match) throw new Error(`not an amount: ${text}`);
  return (match[1] ? -1n : 1n) * BigInt(match[2]! + match[3]!);
}

/** Minor units as that spreadsheet writes them ("-12,36"). */
const decimalText = (minor: bigint, decimal: string) => {
  const abs = minor < 0n ? -minor : minor;
  return `${minor < 0n ? '-' : ''}${abs / 100n}${decimal}${(abs % 100n).toString().padStart(2, '0')}`;
};

/** What the first `count` bulk postings add up to: the balance after the newest. */
const totalOf = (count: number) => Array.from({ length: count }, (_, i) => bulkAmount(i + 1)).reduce((a, b) => a + b, 0n);

/** "dd/mm/yyyy hh:mm:ss" in Paris in winter (UTC+1, no daylight saving in January) as the instant it names. */
function parisWinter(text: string): number {
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`not a date: ${text}`);
  return Date.UTC(+m[3]!, +m[2]! - 1, +m[1]!, +m[4]!, +m[5]!, +m[6]!) - 3_600_000;
}

const START = new Date('2026-01-10T00:00:00Z');

onEachDatabase((_sql, target, database) => {
  describe('the history as CSV', () => {
    const suite = customerPagesSuite(database);
    const { request, signIn } = suite;

    /** A customer with `count` bulk postings; their session cookie and wallet. */
    async function customer(count: number, locale: 'en' | 'fr' | 'es' = 'fr') {
      const account = await suite.saldo().accounts.create({ externalRef: `csv-${randomUUID()}`, name: 'Export', email: 'e@example.com', country: 'FR', locale });
      await bulkHistory(database().sql, account, count, START);
      return { account, cookie: await signIn(account.externalRef) };
    }

    /**
     * Downloads the CSV and parses it as it arrives, with the spreadsheet conventions of `lng`,
     * checking each row against the posting it must be (newest first), and keeping nothing: the
     * test's own memory stays flat too. Samples the process's memory every 1,000 rows, and what
     * stays after a collection every 10,000.
     */
    async function download(cookie: string, lng: keyof typeof spreadsheet, count: number) {
      const { delimiter, decimal } = spreadsheet[lng];
      gc();
      const before = process.memoryUsage();
      const peak = { heap: 0, rss: 0, retained: 0 };
      const res = await request('/billing/balance/history.csv', { cookie: `${cookie}; saldo_lang=${lng}` });
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      let header: string[] | undefined;
      let rows = 0;
      let sum = 0n;
      let running = totalOf(count);
      let bytes = 0;
      const body = Readable.fromWeb(res.body as never).on('data', (chunk: Buffer) => (bytes += chunk.length));
      for await (const record of body.pipe(parse({ delimiter, bom: true, record_delimiter: '\r\n' })) as AsyncIterable<string[]>) {
        if (!header) {
          header = record;
          continue;
        }
        const i = count - rows; // newest first
        const [date, description, amount, currency, balance] = record as [string, string, string, string, string];
        expect(parisWinter(date)).toBe(START.getTime() + i * 1000);
        expect(minorUnits(amount, decimal)).toBe(bulkAmount(i));
        expect(currency).toBe('EUR');
        if (i % 3 === 0) expect(description).toBe(`'=Traffic; "burst" ${i}`); // the panel's text, formula neutralised
        expect(minorUnits(balance, decimal)).toBe(running);
        running -= bulkAmount(i);
        sum += minorUnits(amount, decimal);
        rows++;
        if (rows % 1000 === 0) {
          const now = process.memoryUsage();
          peak.heap = Math.max(peak.heap, now.heapUsed - before.heapUsed);
          peak.rss = Math.max(peak.rss, now.rss - before.rss);
        }
        if (rows % 10_000 === 0) {
          gc();
          peak.retained = Math.max(peak.retained, process.memoryUsage().heapUsed - before.heapUsed);
        }
      }
      return { header: header!, rows, sum, bytes, peak };
    }

    it('opens right in a French, Spanish or English spreadsheet: its separator, decimal mark, local dates and headers', async () => {
      const { account, cookie } = await customer(30);
      const headers = {
        fr: ['Date (Europe/Paris)', 'Libellé', 'Montant', 'Devise', 'Solde'],
        es: ['Fecha (Europe/Paris)', 'Concepto', 'Importe', 'Moneda', 'Saldo'],
        en: ['Date (Europe/Paris)', 'Description', 'Amount', 'Currency', 'Balance'],
      };
      const topUps = { fr: 'Approvisionnement par Carte Visa •••• 4242', es: 'Recarga con Tarjeta Visa •••• 4242', en: 'Top-up via Card Visa •••• 4242' };
      const expectedSum = totalOf(30);
      for (const lng of ['fr', 'es', 'en'] as const) {
        const { delimiter, decimal } = spreadsheet[lng];
        const res = await request('/billing/balance/history.csv', { cookie: `${cookie}; saldo_lang=${lng}` });
        const bytes = new Uint8Array(await res.arrayBuffer());
        expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM: spreadsheets then read UTF-8
        const lines = new TextDecoder().decode(bytes).split('\r\n');
        expect(lines[0]).toBe(headers[lng].join(delimiter)); // (TextDecoder drops the BOM)
        // The newest rows as the file holds them (00:00:30 UTC is 01:00:30 in Paris), quoted only
        // where a field holds the separator or a quote; then parsed back as that spreadsheet reads them.
        expect(lines[1]).toBe(['10/01/2026 01:00:30', `"'=Traffic; ""burst"" 30"`, `-12${decimal}36`, 'EUR', decimalText(expectedSum, decimal)].join(delimiter));
        expect(lines[2]).toBe(['10/01/2026 01:00:29', topUps[lng], `100${decimal}29`, 'EUR', decimalText(expectedSum + 1236n, decimal)].join(delimiter));
        const parsed = await download(cookie, lng, 30);
        expect(parsed.header).toEqual(headers[lng]);
        expect([parsed.rows, parsed.sum]).toEqual([30, expectedSum]);
      }
      expect((await suite.saldo().accounts.balance(account.id)).balance.amount).toBe(expectedSum);
    });

    it('streams 100,000 entries in as little memory as 10,000, each parsed back to the cent (measured)', async () => {
      const small = await customer(10_000);
      const large = await customer(100_000);
      const tenThousand = await download(small.cookie, 'fr', 10_000);
      const hundredThousand = await download(large.cookie, 'es', 100_000);
      expect([tenThousand.rows, tenThousand.sum]).toEqual([10_000, totalOf(10_000)]);
      expect([hundredThousand.rows, hundredThousand.sum]).toEqual([100_000, totalOf(100_000)]);
      const mb = (n: number) => Math.round(n / 10_485.76) / 100;
      report(`history CSV memory on ${target}`, {
        rows: '10000/100000', csvMB: `${mb(tenThousand.bytes)}/${mb(hundredThousand.bytes)}`,
        peakHeapMB: `${mb(tenThousand.peak.heap)}/${mb(hundredThousand.peak.heap)}`,
        retainedHeapMB: `${mb(tenThousand.peak.retained)}/${mb(hundredThousand.peak.retained)}`,
        peakRssMB: `${mb(tenThousand.peak.rss)}/${mb(hundredThousand.peak.rss)}`,
      });
      // What stays in memory after a collection (the peak before one is garbage waiting for it): a
      // server that kept the file, or its rows, until the end would keep at least the file's size.
      expect(hundredThousand.peak.retained - tenThousand.peak.retained).toBeLessThan(hundredThousand.bytes / 4);
    });
  });
});
