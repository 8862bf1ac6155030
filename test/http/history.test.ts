import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.js';
import { customerPagesSuite } from '../support/customer-pages.js';
import { onEachDatabase, report } from '../support/databases.js';
import { bulkHistory } from '../support/history-rows.js';
import { eur } from '../support/ledger-fixtures.js';
import { payOnHostedPage, startCard } from '../support/sandbox-card.js';

/** The text of the history's rows, in order: `<td>` contents with tags and entities read. */
const rowsOf = (html: string) => [...html.matchAll(/<tr>\s*<td>[^<]*<\/td>\s*<td>([^<]*)<\/td>/g)].map((m) => m[1]!.replace(/&#39;/g, '’'));

onEachDatabase((_sql, target, database) => {
  describe('the balance page’s history', () => {
    const suite = customerPagesSuite(database);
    const { request, signIn } = suite;

    describe('descriptions', () => {
      it('shows every posting in the reader’s language, whatever language the account had when it was made', async () => {
        const saldo = suite.saldo();
        const backup = `backup-${randomUUID()}`;
        const ssl = `ssl-${randomUUID()}`;
        await saldo.catalogue.upsert({ code: backup, names: { en: 'Backup storage', fr: 'Stockage de sauvegarde', es: 'Almacenamiento de copias' }, currency: 'EUR', prices: { monthly: eur(1_000n) } });
        await saldo.catalogue.upsert({ code: ssl, names: { en: 'SSL certificate' }, currency: 'EUR', prices: { annual: eur(4_900n) } });
        const account = await saldo.accounts.create({ externalRef: `h-${randomUUID()}`, name: 'Atelier', email: 'a@example.com', country: 'FR', locale: 'en' });

        // While the account is English: a card top-up, an order, its renewal, a refund of a charge, a card refund.
        const payment = await startCard(saldo, account.id, { purpose: 'top_up', amount: eur(50_000n), saveMethod: true });
        await payOnHostedPage(saldo, payment, { number: '4242 4242 4242 4242' });
        expect((await saldo.payments.refresh(account.id, payment.id))?.status).toBe('succeeded');
        const order = await saldo.orders.checkout(account.id, { items: [{ product: backup, cycle: 'monthly', quantity: 2 }, { product: ssl, cycle: 'annual' }] }, randomUUID());
        expect(order.status).toBe('paid');
        // Renewal from a prepaid balance is the customer's choice: this one chose it.
        for (const service of await saldo.orders.services(account.id)) await saldo.orders.setAutoRenew(account.id, service.id, true);
        const renewed = await saldo.orders.renewDue(new Date(Date.now() + 40 * 86_400_000));
        expect(renewed.filter((r) => r.status === 'renewed').length).toBeGreaterThanOrEqual(1);
        const charge = (await saldo.wallets.history(account.id)).find((e) => e.kind === 'charge')!;
        await saldo.wallets.refundCharge(account.id, charge.id, eur(100n), { idempotencyKey: randomUUID(), reason: 'Billed twice' });
        await saldo.payments.refund(account.id, payment.id, { amount: eur(1_000n), reason: 'Asked by the customer', idempotencyKey: randomUUID() });

        // Then French: the panel's usage charge (its own words) and an operator's credit (a reason), over the API.
        await saldo.accounts.update(account.id, { locale: 'fr' });
        const api = apiClient(suite.saldo);
        expect((await api.post(`/accounts/${account.externalRef}/charges`, { amount: '3.00', description: 'Trafic hors forfait, mai' })).status).toBe(201);
        expect((await api.post(`/accounts/${account.externalRef}/credits`, { amount: '2.00', reason: 'Geste commercial' })).status).toBe(201);

        const cookie = await signIn(account.externalRef);
        const pages = {
          fr: rowsOf(await (await request('/billing/balance', { cookie })).text()),
          en: rowsOf(await (await request('/billing/balance', { cookie: `${cookie}; saldo_lang=en` })).text()),
          es: rowsOf(await (await request('/billing/balance', { cookie: `${cookie}; saldo_lang=es` })).text()),
        };
        const n = order.order.id.toString();
        const period = /\d{1,2}\s\S+(\s\d{4})?\s–\s\d{1,2}\s\S+\s\d{4}/.source; // Intl's range, thin spaces around the dash
        const expected = {
          fr: ['Crédit\u202f: Geste commercial', 'Trafic hors forfait, mai', 'Remboursement par Carte bancaire\u202f: Asked by the customer', 'Remboursement\u202f: Billed twice',
            `Renouvellement de 2 × Stockage de sauvegarde \\(mensuel\\), ${period}`, `Commande ${n}\u202f: 2 × Stockage de sauvegarde \\(mensuel\\) et SSL certificate \\(annuel\\)`,
            'Approvisionnement par Carte Visa •••• 4242'],
          en: ['Credit: Geste commercial', 'Trafic hors forfait, mai', 'Refund via Card: Asked by the customer', 'Refund: Billed twice',
            `Renewal of 2 × Backup storage \\(monthly\\), ${period}`, `Order ${n}: 2 × Backup storage \\(monthly\\) and SSL certificate \\(yearly\\)`,
            'Top-up via Card Visa •••• 4242'],
          es: ['Abono: Geste commercial', 'Trafic hors forfait, mai', 'Reembolso con Tarjeta: Asked by the customer', 'Reembolso: Billed twice',
            `Renovación de 2 × Almacenamiento de copias \\(mensual\\), ${period}`, `Pedido ${n}: 2 × Almacenamiento de copias \\(mensual\\) y SSL certificate \\(anual\\)`,
            'Recarga con Tarjeta Visa •••• 4242'],
        };
        for (const lng of ['fr', 'en', 'es'] as const) {
          expect(pages[lng]).toHaveLength(7);
          pages[lng].forEach((row, i) => expect(row).toMatch(new RegExp(`^${expected[lng][i]}$`)));
        }
        report(`history descriptions on ${target}`, { rows: pages.fr.length, languages: 3, fr: pages.fr[4], en: pages.en[4] });
      });

      it('keeps showing the text of postings made without a structure, or their kind', async () => {
        const saldo = suite.saldo();
        const account = await saldo.accounts.create({ externalRef: `h-${randomUUID()}`, name: 'Old', email: 'o@example.com', country: 'ES', locale: 'es' });
        await saldo.wallets.topUp(account.id, eur(1_000n), { idempotencyKey: 'old-text', description: 'Transferencia recibida' });
        await saldo.wallets.topUp(account.id, eur(1_000n), { idempotencyKey: 'old-bare' });
        const cookie = await signIn(account.externalRef);
        expect(rowsOf(await (await request('/billing/balance', { cookie })).text())).toEqual(['Recarga', 'Transferencia recibida']);
        expect(rowsOf(await (await request('/billing/balance', { cookie: `${cookie}; saldo_lang=fr` })).text())).toEqual(['Approvisionnement', 'Transferencia recibida']);
      });
    });

    describe('filter and paging', () => {
      /** A customer with `count` postings a second apart from `start`, and a session. */
      async function customer(count: number, start = new Date('2026-01-10T00:00:00Z'), locale: 'en' | 'fr' | 'es' = 'fr') {
        const account = await suite.saldo().accounts.create({ externalRef: `p-${randomUUID()}`, name: 'Pages', email: 'p@example.com', country: 'FR', locale });
        await bulkHistory(database().sql, account, count, start);
        return { account, cookie: await signIn(account.externalRef) };
      }
      const attr = (html: string, name: string) => (new RegExp(`${name}="([^"]*)"`).exec(html)?.[1] ?? '').replace(/&amp;/g, '&');
      const pagerLinks = (html: string) => [.../<nav class="pager"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1]?.matchAll(/href="([^"]+)"/g) ?? []].map((m) => m[1]!.replace(/&amp;/g, '&'));

      it('refuses a period that ends before it starts: 422, the message in the reader’s language in the form, the typed dates kept', async () => {
        const { cookie } = await customer(3);
        const messages = {
          fr: 'La période commence le 10 mai 2026, après sa fin le 1 mai 2026. Choisissez un début antérieur ou égal à la fin.',
          es: 'El periodo empieza el 10 may 2026, después de terminar el 1 may 2026. Elija un inicio anterior o igual al final.',
          en: 'The period starts on 10 May 2026, after it ends on 1 May 2026. Choose a start on or before the end.',
        };
        for (const lng of ['fr', 'es', 'en'] as const) {
          const res = await request('/billing/balance?from=2026-05-10&to=2026-05-01', { cookie: `${cookie}; saldo_lang=${lng}` });
          expect(res.status).toBe(422);
          const html = await res.text();
          expect(html).toContain(`<p class="field-error" id="range-error" role="alert">${messages[lng]}</p>`);
          expect(html).toContain('name="from" value="2026-05-10" aria-invalid="true" aria-describedby="range-error"');
          expect(html).toContain('name="to" value="2026-05-01" aria-invalid="true"');
          expect(html).not.toContain('id="history-rows"');
          // The download and the rows htmx fetches refuse it too.
          for (const [path, headers] of [['history.csv', {}], ['history', { 'hx-request': 'true' }]] as const) {
            const refused = await request(`/billing/balance/${path}?from=2026-05-10&to=2026-05-01`, { cookie: `${cookie}; saldo_lang=${lng}`, headers });
            expect([refused.status, await refused.text()]).toEqual([422, expect.stringContaining(messages[lng].slice(0, 20))]);
          }
        }
      });

      it('loads more in place and pushes the next page’s address; that address, without JavaScript, shows the older rows and links back up', async () => {
        const { cookie } = await customer(45);
        const period = 'from=2026-01-10&to=2026-01-10';
        const first = await (await request(`/billing/balance?${period}`, { cookie })).text();
        expect(rowsOf(first)).toHaveLength(20);
        expect(pagerLinks(first)).toEqual([]); // the first page has nothing above it
        const more = /<tr class="more">[\s\S]*?<\/tr>/.exec(first)![0];
        const [href, hxGet, pushUrl] = ['href', 'hx-get', 'hx-push-url'].map((name) => attr(more, name));
        expect(href).toMatch(new RegExp(`^/billing/balance\\?${period}&before=\\d+$`));
        expect(hxGet).toBe(href!.replace('/balance?', '/balance/history?'));
        expect(pushUrl).toBe(href); // htmx 4 puts this address in the bar and the browser's history

        // htmx appends the next rows, with the next "load more" and its address.
        const appended = await (await request(hxGet!, { cookie, headers: { 'hx-request': 'true' } })).text();
        expect(rowsOf(appended)).toHaveLength(20);
        expect(attr(appended, 'hx-push-url')).toMatch(/before=\d+/);
        // The language links come along, to come back to the address htmx pushed: the page asked for.
        const switcher = /<hx-partial hx-target="#languages" hx-swap="outerHTML"><nav id="languages"[\s\S]*?<\/nav>\s*<\/hx-partial>/.exec(appended)![0];
        expect([...switcher.matchAll(/href="([^"]+)"/g)].map(([, h]) => decodeURIComponent(h!.replace(/&amp;/g, '&'))))
          .toEqual(['en', 'fr', 'es'].map((lng) => `/billing/lang/${lng}?back=${href}`));

        // Without JavaScript, or reloaded: the same rows, and a way back to the newest.
        const second = await (await request(href!, { cookie })).text();
        expect(rowsOf(second)).toEqual(rowsOf(appended));
        expect(pagerLinks(second)).toEqual([`/billing/balance?${period}`]);
        const third = await (await request(attr(/<tr class="more">[\s\S]*?<\/tr>/.exec(second)![0], 'href'), { cookie })).text();
        expect(rowsOf(third)).toHaveLength(5);
        const [newest, newer] = pagerLinks(third);
        expect(newest).toBe(`/billing/balance?${period}`);
        expect(rowsOf(await (await request(newer!, { cookie })).text())).toEqual(rowsOf(second)); // one page up, exactly
        expect(rowsOf(await (await request(newest!, { cookie })).text())).toEqual(rowsOf(first));

        // Going back to a pushed address, htmx asks for the whole page to restore it.
        const restored = await (await request(href!, { cookie, headers: { 'hx-request': 'true', 'hx-request-type': 'full', 'hx-history-restore-request': 'true' } })).text();
        expect(restored).toMatch(/^<!doctype html>/);
        expect(rowsOf(restored)).toEqual(rowsOf(second));
        report(`history paging on ${target}`, { rows: 45, pages: [20, 20, 5], pushUrl: pushUrl!.replace(/\d+$/, 'N') });
      });

      it('reads the period’s days in the provider’s time zone, as the rows’ dates are shown', async () => {
        // 60 postings from 23:59:31 on 9 January in Paris (22:59:31 UTC) to 00:00:30 on the 10th.
        const { cookie } = await customer(60, new Date('2026-01-09T22:59:30Z'));
        const res = await request('/billing/balance/history.csv?from=2026-01-10&to=2026-01-10', { cookie });
        const lines = (await res.text()).trim().split('\r\n').slice(1);
        expect(lines).toHaveLength(31);
        expect(lines.at(-1)).toMatch(/^10\/01\/2026 00:00:00;/);
        const page = await (await request('/billing/balance?from=2026-01-09&to=2026-01-09', { cookie })).text();
        expect(page).toContain('<td>9 janv. 2026</td>');
        expect(page).not.toContain('<td>10 janv. 2026</td>');
      });

      it('shows until when a reservation holds, date and time, in the reader’s language and the provider’s time zone', async () => {
        const { account, cookie } = await customer(1);
        const names = { en: 'Backup storage', fr: 'Stockage de sauvegarde', es: 'Almacenamiento de copias' };
        await suite.saldo().wallets.hold(account.id, eur(500n), {
          idempotencyKey: 'held', expiresAt: new Date('2027-03-05T14:30:00Z'), described: { kind: 'order', order: '77', items: [{ product: names, cycle: 'monthly', quantity: 1 }] },
        });
        const expected = {
          fr: 'Commande 77\u202f: Stockage de sauvegarde (mensuel)</span> <strong>5,00\u00a0€</strong> <span class="muted">jusqu’au 5 mars 2027 à 15:30 UTC+1</span>',
          es: 'Pedido 77: Almacenamiento de copias (mensual)</span> <strong>5,00\u00a0€</strong> <span class="muted">hasta el 5 mar 2027 a las 15:30 CET</span>',
          en: 'Order 77: Backup storage (monthly)</span> <strong>€5.00</strong> <span class="muted">until 5 Mar 2027, 15:30 CET</span>',
        };
        for (const lng of ['fr', 'es', 'en'] as const) {
          expect(await (await request('/billing/balance', { cookie: `${cookie}; saldo_lang=${lng}` })).text()).toContain(expected[lng]);
        }
      });
    });
  });
});
