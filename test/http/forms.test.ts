import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { onEachDatabase } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { pagesSuite, signedInAs } from '../support/pages.js';

type Locale = 'en' | 'fr' | 'es';
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
const keyOf = (html: string) => /name="key" value="([^"]+)"/.exec(html)![1]!;
/** Text with French typography's no-break spaces as plain ones: the expectations below are about words, not spacing. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
const htmx = { 'hx-request': 'true' };

/** Refused alert levels, and what each language answers beside the field. */
const refusals: Record<Locale, [string, string][]> = {
  en: [['abc', '“abc” is not an amount.'], ['-5', 'The amount cannot be negative.'], ['1.555', 'EUR amounts have at most 2 decimal places.']],
  fr: [['abc', '« abc » n’est pas un montant.'], ['-5', 'Le montant ne peut pas être négatif.'], ['1,555', 'Les montants en EUR ont au plus 2 décimales.']],
  es: [['abc', '«abc» no es un importe.'], ['-5', 'El importe no puede ser negativo.'], ['1,555', 'Los importes en EUR tienen como máximo 2 decimales.']],
};
const saved: Record<Locale, [string, string]> = {
  en: ['12.50', 'Saved: we will warn you when your available balance falls below €12.50.'],
  fr: ['12,50', 'Enregistré : nous vous avertirons quand votre solde disponible passera sous 12,50 €.'],
  es: ['12,50', 'Guardado: le avisaremos cuando su saldo disponible baje de 12,50 €.'],
};

onEachDatabase((_sql, _target, database) => {
  describe('forms keep the customer in place', () => {
    const suite = pagesSuite(database);
    const saldo = () => suite.saldo();
    beforeAll(() => saldo().catalogue.upsert({ code: 'vps-s', names: { en: 'VPS S' }, currency: 'EUR', prices: { annual: eur(12_000n) } }));

    async function customer(locale: Locale, balance = 0n) {
      const account = await saldo().accounts.create({ externalRef: `form-${randomUUID()}`, name: 'Client', email: 'c@example.com', country: 'FR', locale });
      if (balance) await saldo().wallets.topUp(account.id, eur(balance), { idempotencyKey: 'fund' });
      const { get, post } = await signedInAs(saldo(), suite.host(), account.externalRef);
      return { account, get, post, csrf: csrfOf(await get('/billing/balance')) };
    }

    for (const locale of ['en', 'fr', 'es'] as const) {
      it(`shows a refused alert level beside its field as typed (422): the form for htmx, the whole page without JavaScript (${locale})`, async () => {
        const { account, post, csrf } = await customer(locale);
        for (const [typed, message] of refusals[locale]) {
          for (const headers of [htmx, {}]) {
            const res = await post('/billing/balance/threshold?from=2026-01-01', { _csrf: csrf, threshold: typed }, headers);
            const html = plain(await res.text());
            expect([typed, res.status]).toEqual([typed, 422]);
            if (headers === htmx) expect(html).toMatch(/^<form id="alert-form"/);
            else expect(html).toMatch(/^<!doctype html>[\s\S]*<h2 id="history-title">/);
            expect(html).toContain(`value="${typed}" aria-invalid="true" aria-describedby="threshold-error"`);
            expect(html).toMatch(new RegExp(`id="threshold-error" role="alert">${message.replace(/[.?()]/g, '\\$&')}`));
            // The form posts back to the page it is on, with its query.
            expect(html).toContain('action="/billing/balance/threshold?from=2026-01-01"');
          }
        }
        expect((await saldo().accounts.get(account.id)).lowBalanceThreshold).toBeNull();
      });

      it(`confirms a saved alert level in place with htmx, and after the redirect without JavaScript (${locale})`, async () => {
        const { account, get, post, csrf } = await customer(locale, 1_000n);
        const [typed, confirmation] = saved[locale];
        const fragment = await post('/billing/balance/threshold', { _csrf: csrf, threshold: typed }, htmx);
        expect(fragment.status).toBe(200);
        const html = plain(await fragment.text());
        expect(html).toMatch(/^<form id="alert-form"/);
        expect(html).toContain(`role="status">${confirmation}</p>`);
        // The balance (10.00) is now below the level: htmx brings the page's notice up to date too.
        expect(html).toMatch(/<div id="balance-notice" hx-swap-oob="true">\s*<p class="notice" role="status">[^<]+<a href="\/billing\/top-up">/);
        expect((await saldo().accounts.get(account.id)).lowBalanceThreshold).toEqual(eur(1_250n));

        const plainPost = await post('/billing/balance/threshold?from=2026-01-01&to=2026-01-31', { _csrf: csrf, threshold: '' });
        expect([plainPost.status, plainPost.headers.get('location')]).toEqual([303, '/billing/balance?from=2026-01-01&to=2026-01-31&saved=alert']);
        expect((await saldo().accounts.get(account.id)).lowBalanceThreshold).toBeNull();
        expect(await get('/billing/balance?saved=alert')).toMatch(/<p class="success" role="status">[^<]+<\/p>\s*<\/form>/);
      });
    }

    it('answers the top-up, pay and automatic top-up forms with the form alone for htmx, the same as the page shows it', async () => {
      const { account, get, post } = await customer('es', 2_000n);
      const topUp = await get('/billing/top-up');
      const refused = await post('/billing/top-up', { _csrf: csrfOf(topUp), key: keyOf(topUp), method: 'card', terms: 'on', amount: 'other', custom: '1,555' }, htmx);
      const refusedHtml = await refused.text();
      expect(refused.status).toBe(422);
      expect(refusedHtml).toMatch(/^<form id="top-up-form" class="pay" method="post" action="\/billing\/top-up" hx-post="\/billing\/top-up"/);
      expect(refusedHtml).toContain('value="1,555" aria-invalid="true"');
      expect(refusedHtml).toContain('Los importes en EUR tienen como máximo 2 decimales.');
      const started = await post('/billing/top-up', { _csrf: csrfOf(topUp), key: keyOf(topUp), method: 'card', terms: 'on', amount: '50' }, htmx);
      expect([started.status, started.headers.get('hx-redirect')]).toEqual([204, expect.stringMatching(/\/gateways\/card\/sandbox\/checkout\//)]);

      const { order } = await saldo().orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'cart');
      const pay = await get(`/billing/pay/${order.id}`);
      const unaccepted = await post(`/billing/pay/${order.id}`, { _csrf: csrfOf(pay), key: keyOf(pay), method: 'card' }, htmx);
      expect(unaccepted.status).toBe(422);
      const payHtml = await unaccepted.text();
      expect(payHtml).toMatch(/^<form id="pay-due-form"/);
      expect(payHtml).toContain('id="terms-error" role="alert">Acepte las condiciones generales para continuar.');

      const settings = await get('/billing/settings');
      const bad = await post('/billing/settings/auto-top-up', { _csrf: csrfOf(settings), threshold: 'diez', amount: '50' }, htmx);
      expect(bad.status).toBe(422);
      expect(await bad.text()).toMatch(/^<form id="auto-top-up-form"[\s\S]*value="diez" aria-invalid="true"[\s\S]*id="threshold-error" role="alert">«diez» no es un importe/);
      const good = await post('/billing/settings/auto-top-up', { _csrf: csrfOf(settings), threshold: '10', amount: '50' }, htmx);
      expect(good.status).toBe(200);
      expect(await good.text()).toMatch(/^<form id="auto-top-up-form"[\s\S]*value="10,00"[\s\S]*role="status">Se ha guardado la recarga automática\.<\/p>\s*<\/form>/);
      expect(await saldo().autoTopUps.get(account.id, 'EUR')).toMatchObject({ enabled: false, threshold: eur(1_000n), amount: eur(5_000n) });
    });

    it('sends an error page from an htmx post to the page’s main part, not into the form', async () => {
      const { post } = await customer('fr');
      const forged = await post('/billing/balance/threshold', { _csrf: 'forged', threshold: '5' }, htmx);
      expect([forged.status, forged.headers.get('hx-retarget'), forged.headers.get('hx-reswap')]).toEqual([403, '#main', 'innerHTML']);
      expect(await forged.text()).toMatch(/^<h1>Ce formulaire a expiré/);
    });
  });
});
