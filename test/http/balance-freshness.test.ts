import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { customerPagesSuite } from '../support/customer-pages.js';
import { onEachDatabase, report } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';

/** What the balance page says: the balance, the usable credit, the alert field, the name line, the holds, the rows. */
function read(html: string) {
  const pick = (pattern: RegExp) => pattern.exec(html)?.[1];
  return {
    balance: pick(/data-testid="balance">([^<]*)</),
    usable: pick(/data-testid="usable">([^<]*)</),
    alert: pick(/id="threshold"[^>]*value="([^"]*)"/),
    name: pick(/<p class="muted">([^<·]*) ·/)?.trim(),
    holds: [...html.matchAll(/<ul class="holds">([\s\S]*?)<\/ul>/g)].length,
    rows: [...html.matchAll(/<tr>\s*<td>/g)].length,
    csrf: pick(/name="_csrf" value="([^"]*)"/),
  };
}

// The balance page is kept between views while its data is unchanged (see KeptPages): each
// change below is made somewhere else than the page — a service, the API's kind of write, another
// instance's SQL — and must show on the very next view.
onEachDatabase((sql, target, database) => {
  describe('the balance page, viewed again', () => {
    const { saldo, request, signIn } = customerPagesSuite(database);
    const view = async (cookie: string, headers: Record<string, string> = {}) => {
      const response = await request('/billing/balance', { cookie, headers });
      expect(response.status).toBe(200);
      return response.text();
    };

    it('shows every change to what it shows on the next view, whoever made it', async () => {
      const account = await saldo().accounts.create({ externalRef: `fresh-${randomUUID()}`, name: 'Atelier Dupont', email: 'a@example.com', country: 'FR', locale: 'fr' });
      await saldo().wallets.topUp(account.id, eur(10_000n), { idempotencyKey: randomUUID(), description: 'Top-up' });
      const cookie = await signIn(account.externalRef);
      const seen = [read(await view(cookie)), read(await view(cookie))];
      expect(seen[1]).toEqual(seen[0]);

      await saldo().wallets.charge(account.id, eur(2_550n), { idempotencyKey: randomUUID(), description: 'Usage' });
      seen.push(read(await view(cookie)));
      await sql()`UPDATE billing_accounts SET name = 'Atelier Dupont & Fils' WHERE id = ${account.id}`;
      seen.push(read(await view(cookie)));
      await sql()`UPDATE billing_accounts SET low_balance_threshold_minor = 2000 WHERE id = ${account.id}`;
      seen.push(read(await view(cookie)));
      await sql()`UPDATE ledger_accounts SET min_balance_minor = -5000 WHERE id = ${account.walletId}`;
      seen.push(read(await view(cookie)));
      report(`balance page viewed again on ${target}`, { views: seen.length, balances: seen.map((s) => s.balance), usable: seen.map((s) => s.usable) });

      expect(seen[2]).toMatchObject({ balance: '74,50\u00a0€', rows: 2 });
      expect(seen[3]).toMatchObject({ name: 'Atelier Dupont &amp; Fils' });
      expect(seen[4]).toMatchObject({ alert: '20,00' });
      expect(seen[5]).toMatchObject({ balance: '74,50\u00a0€', usable: '124,50\u00a0€' });
    });

    it('shows a hold while it lasts, and after it is released the page it showed before', async () => {
      const account = await saldo().accounts.create({ externalRef: `hold-${randomUUID()}`, name: 'Atelier', email: 'a@example.com', country: 'FR', locale: 'fr' });
      await saldo().wallets.topUp(account.id, eur(10_000n), { idempotencyKey: randomUUID(), description: 'Top-up' });
      const cookie = await signIn(account.externalRef);
      const before = await view(cookie);
      const hold = await saldo().wallets.hold(account.id, eur(3_000n), { idempotencyKey: randomUUID(), description: 'Order 12' });
      const during = await view(cookie);
      await saldo().wallets.release(account.id, hold.id);
      const after = await view(cookie);
      expect([read(before).holds, read(during).holds, read(after).holds]).toEqual([0, 1, 0]);
      expect(read(during).usable).toBe('70,00\u00a0€');
      expect(after).toBe(before);
    });

    it('shows new rows that leave the balance as it was, and a hold that took the place of another', async () => {
      const account = await saldo().accounts.create({ externalRef: `same-${randomUUID()}`, name: 'Atelier', email: 'a@example.com', country: 'FR', locale: 'fr' });
      await saldo().wallets.topUp(account.id, eur(10_000n), { idempotencyKey: randomUUID(), description: 'Top-up' });
      const first = await saldo().wallets.hold(account.id, eur(3_000n), { idempotencyKey: randomUUID(), description: 'Order 12' });
      const cookie = await signIn(account.externalRef);
      const before = await view(cookie);
      // Each step leaves the wallet's row as it was: same balance, same amount held.
      await saldo().wallets.charge(account.id, eur(500n), { idempotencyKey: randomUUID(), description: 'Usage' });
      await saldo().wallets.credit(account.id, eur(500n), { idempotencyKey: randomUUID(), reason: 'Goodwill' });
      const rows = await view(cookie);
      await saldo().wallets.release(account.id, first.id);
      await saldo().wallets.hold(account.id, eur(3_000n), { idempotencyKey: randomUUID(), description: 'Order 13' });
      const holds = await view(cookie);
      expect(new Set([before, rows, holds].map((page) => `${read(page).balance} ${read(page).usable}`)).size).toBe(1);
      expect([read(before).rows, read(rows).rows, read(holds).rows]).toEqual([1, 3, 3]);
      expect([rows.includes('Order 12'), holds.includes('Order 12'), holds.includes('Order 13')]).toEqual([true, false, true]);
    });

    it('links a page further down the history to the page above once newer entries make one', async () => {
      const account = await saldo().accounts.create({ externalRef: `down-${randomUUID()}`, name: 'Atelier', email: 'a@example.com', country: 'FR', locale: 'fr' });
      for (let n = 0; n < 30; n++) await saldo().wallets.topUp(account.id, eur(100n), { idempotencyKey: randomUUID(), description: `Top-up ${n}` });
      const cookie = await signIn(account.externalRef);
      const next = /href="(\/billing\/balance\?before=\d+)"/.exec(await view(cookie))![1]!;
      const pager = async () => /<nav class="pager"[\s\S]*?<\/nav>/.exec(await (await request(next, { cookie })).text())![0];
      const before = await pager();
      await saldo().wallets.charge(account.id, eur(100n), { idempotencyKey: randomUUID(), description: 'Usage' });
      await saldo().wallets.credit(account.id, eur(100n), { idempotencyKey: randomUUID(), reason: 'Goodwill' });
      const after = await pager();
      // The first page now ends above this one: a link to the page just newer appears beside the newest.
      expect([before.includes('rel="prev"'), after.includes('rel="prev"')]).toEqual([false, true]);
    });

    it('is each session’s own, in each one’s language, whole or as htmx’s part', async () => {
      const account = await saldo().accounts.create({ externalRef: `two-${randomUUID()}`, name: 'Atelier', email: 'a@example.com', country: 'FR', locale: 'fr' });
      const [first, second] = [await signIn(account.externalRef), await signIn(account.externalRef)];
      const pages = {
        first: await view(first), second: await view(second), again: await view(first),
        spanish: await view(`${first}; saldo_lang=es`), part: await view(first, { 'hx-request': 'true' }), whole: await view(first),
      };
      expect(read(pages.first).csrf).not.toBe(read(pages.second).csrf);
      expect(pages.again).toBe(pages.first);
      expect(pages.spanish).toContain('<html lang="es">');
      expect(pages.part).not.toContain('<html');
      expect(pages.whole).toBe(pages.first);
    });
  });
});
