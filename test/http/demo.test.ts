import { describe, expect, it } from 'vitest';
import { seedDemo } from '../../core/demo.js';
import { customerPagesSuite } from '../support/customer-pages.js';
import { onEachDatabase, report } from '../support/databases.js';

const DAY_MS = 86_400_000;
/** A day as a date input writes it, in Paris (the suite's `billing.timeZone`). */
const parisDay = (at: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(at);

onEachDatabase((_sql, target, database) => {
  describe('the demo', () => {
    const { saldo, request, signIn } = customerPagesSuite(database);

    if (target === 'embedded') {
      it('spreads its history over the last 90 days, so the date filter shows part of it; postings stay immutable', async () => {
        expect(await seedDemo(saldo())).toBe(true);
        const account = await saldo().accounts.getByExternalRef('demo-prepaid');
        const history = await saldo().wallets.history(account.id);
        const ages = history.map((e) => (Date.now() - e.createdAt.getTime()) / DAY_MS);
        expect(history).toHaveLength(28);
        expect(Math.max(...ages)).toBeGreaterThan(85);
        expect(Math.max(...ages)).toBeLessThan(90);
        expect(Math.min(...ages)).toBeLessThan(5);
        // Newest first by id is newest first by date too: running balances still read in order.
        expect(history.map((e) => e.createdAt.getTime())).toEqual([...history.map((e) => e.createdAt.getTime())].sort((a, b) => b - a));

        const cookie = await signIn('demo-prepaid');
        const lastMonth = await (await request(`/billing/balance?from=${parisDay(Date.now() - 30 * DAY_MS)}&to=${parisDay(Date.now())}`, { cookie })).text();
        const shown = lastMonth.match(/<tr>\s*<td>/g)?.length ?? 0;
        expect(shown).toBeGreaterThan(0);
        expect(shown).toBeLessThan(20);
        await expect(database().sql`UPDATE ledger_transfers SET created_at = now() WHERE id = ${history[0]!.id}`).rejects.toMatchObject({ message: 'IMMUTABLE_RECORD' });
        report('demo history on embedded', { postings: history.length, oldestDaysAgo: Math.round(Math.max(...ages)), lastThirtyDays: shown });
      });
    } else {
      it('leaves postings on a PostgreSQL server dated when they were made (only its own embedded database is backdated)', async () => {
        expect(await seedDemo(saldo())).toBe(true);
        const account = await saldo().accounts.getByExternalRef('demo-prepaid');
        const oldest = Math.min(...(await saldo().wallets.history(account.id)).map((e) => e.createdAt.getTime()));
        expect(Date.now() - oldest).toBeLessThan(DAY_MS);
      });
    }
  });
});
