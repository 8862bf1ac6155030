import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.js';
import { customerPagesSuite } from '../support/customer-pages.js';
import { onEachDatabase, report } from '../support/databases.js';
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
  });
});
