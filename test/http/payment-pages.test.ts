import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { testSaldo } from '../support/saldo.js';
import { payOnHostedPage } from '../support/sandbox-card.js';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
const keyOf = (html: string) => /name="key" value="([^"]+)"/.exec(html)![1]!;

onEachDatabase((_sql, _target, database) => {
  describe('paying from the customer pages', () => {
    let saldo: Saldo;
    let host: Hono;
    const request = (path: string, init: RequestInit & { cookie?: string } = {}) =>
      host.request(`http://billing.example${path}`, { ...init, headers: { ...(init.cookie ? { cookie: init.cookie } : {}), ...(init.headers as Record<string, string>) } });
    const post = (path: string, cookie: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
      request(path, { method: 'POST', cookie, body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

    beforeAll(async () => {
      saldo = await testSaldo(database());
      host = new Hono().route('/billing', saldo.app);
      await saldo.catalogue.upsert({ code: 'vps-s', names: { en: 'VPS S', fr: 'VPS S (France)', es: 'VPS S (España)' }, currency: 'EUR', prices: { annual: eur(12_000n) } });
    });

    async function signedIn(locale: 'en' | 'fr' | 'es' = 'fr') {
      const account = await saldo.accounts.create({ externalRef: `page-${randomUUID()}`, name: 'Atelier Dupont', email: 'a@example.com', country: 'FR', locale });
      const res = await request((await saldo.customers.handoffLink(account.externalRef)).url);
      return { account, cookie: res.headers.get('set-cookie')!.split(';')[0]! };
    }
    /** The top-up form as the customer sees it, then sent with `fields` over its defaults. */
    async function submitTopUp(cookie: string, fields: Record<string, string>) {
      const html = await (await request('/billing/top-up', { cookie })).text();
      return post('/billing/top-up', cookie, { _csrf: csrfOf(html), key: keyOf(html), method: 'card', terms: 'on', ...fields });
    }

    it('offers the preset amounts in the account’s currency, a custom amount, the card, and the terms', async () => {
      const { cookie } = await signedIn('fr');
      const res = await request('/billing/top-up', { cookie });
      expect(res.status).toBe(200);
      const html = await res.text();
      for (const amount of ['50,00\u00a0€', '100,00\u00a0€', '150,00\u00a0€', '200,00\u00a0€', '250,00\u00a0€']) expect(html).toContain(amount);
      expect(html).toContain('Approvisionner votre solde');
      expect(html).toContain('Carte bancaire');
      expect(html).toContain('name="terms"');
      expect(html).toContain('de 5,00\u00a0€ à 5\u202f000,00\u00a0€');
    });

    it('sends the customer to the processor’s page, and back to the payment’s page with the new balance', async () => {
      const { account, cookie } = await signedIn('fr');
      const res = await submitTopUp(cookie, { amount: '100' });
      expect(res.status).toBe(303);
      const hosted = res.headers.get('location')!;
      expect(hosted).toMatch(/^http:\/\/billing\.example\/billing\/gateways\/card\/sandbox\/checkout\/pi_sb_/);
      const [payment] = await database().sql<{ id: string; terms_version: string }[]>`SELECT id, terms_version FROM payments WHERE account_id = ${account.id}`;
      expect(payment!.terms_version).toBe('2026-01');
      const back = await payOnHostedPage(saldo, await saldo.payments.get(account.id, payment!.id), { number: '4242424242424242' });
      const returnUrl = new URL(back.headers.get('location')!);
      expect(returnUrl.pathname).toBe(`/billing/payments/${payment!.id}/return`);
      const result = await request(returnUrl.pathname, { cookie });
      expect(result.headers.get('location')).toBe(`/billing/payments/${payment!.id}`);
      const page = await (await request(`/billing/payments/${payment!.id}`, { cookie })).text();
      expect(page).toContain('Paiement reçu');
      expect(page).toContain('100,00\u00a0€ ont été ajoutés à votre solde.');
      expect(page).toMatch(/data-testid="balance">100,00\u00a0€/);
    });

    const refusals: [string, 'en' | 'fr' | 'es', Record<string, string>, string][] = [
      ['a negative amount', 'en', { amount: 'other', custom: '-5' }, 'The amount cannot be negative.'],
      ['zero', 'fr', { amount: 'other', custom: '0' }, 'supérieur à zéro'],
      ['NaN', 'es', { amount: 'other', custom: 'NaN' }, 'no es un importe'],
      ['1e309', 'en', { amount: 'other', custom: '1e309' }, 'is not an amount'],
      ['"1,5" in English', 'en', { amount: 'other', custom: '1,5' }, 'is not an amount'],
      ['beyond int64', 'fr', { amount: 'other', custom: '92233720368547758,08' }, 'Le montant est trop élevé.'],
      ['too many decimals', 'es', { amount: 'other', custom: '12,345' }, '2 decimales'],
      ['below the minimum', 'fr', { amount: 'other', custom: '2' }, 'Choisissez un montant entre 5,00\u00a0€ et 5\u202f000,00\u00a0€.'],
      ['above the maximum', 'es', { amount: 'other', custom: '5000,01' }, 'Elija un importe entre 5,00\u00a0€ y 5000,00\u00a0€.'],
      ['terms not accepted', 'en', { amount: '50', terms: '' }, 'Please accept the terms and conditions to continue.'],
    ];
    for (const [what, locale, fields, message] of refusals) {
      it(`refuses ${what} on the top-up form in ${locale}, keeping what was typed, and starts nothing`, async () => {
        const { account, cookie } = await signedIn(locale);
        const res = await submitTopUp(cookie, { ...fields, balance: '1000000' });
        expect(res.status).toBe(422);
        const html = await res.text();
        expect(html).toContain(message);
        if (fields.custom) expect(html).toContain(`value="${fields.custom}"`);
        expect(await database().sql`SELECT 1 FROM payments WHERE account_id = ${account.id}`).toHaveLength(0);
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(0n));
      });
    }

    it('refuses a cross-site top-up (CSRF), and shows one customer’s payments and orders to no one else', async () => {
      const a = await signedIn('en');
      const b = await signedIn('en');
      const html = await (await request('/billing/top-up', { cookie: a.cookie })).text();
      const forged = await post('/billing/top-up', a.cookie, { _csrf: 'forged', key: keyOf(html), method: 'card', terms: 'on', amount: '50' });
      const foreign = await post('/billing/top-up', a.cookie, { _csrf: csrfOf(html), key: keyOf(html), method: 'card', terms: 'on', amount: '50' }, { origin: 'https://evil.example' });
      expect([forged.status, foreign.status]).toEqual([403, 403]);
      expect(await database().sql`SELECT 1 FROM payments WHERE account_id = ${a.account.id}`).toHaveLength(0);

      const paid = await submitTopUp(a.cookie, { amount: '50' });
      expect(paid.status).toBe(303);
      const [payment] = await database().sql<{ id: string }[]>`SELECT id FROM payments WHERE account_id = ${a.account.id}`;
      const { order } = await saldo.orders.checkout(a.account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'a-order');
      for (const path of [`/billing/payments/${payment!.id}`, `/billing/payments/${payment!.id}/return`, `/billing/pay/${order.id}`]) {
        const res = await request(path, { cookie: b.cookie });
        expect([path, res.status]).toEqual([path, 404]);
        expect(await res.text()).not.toContain('Atelier Dupont');
      }
      const stranger = await post(`/billing/pay/${order.id}`, b.cookie, { _csrf: csrfOf(await (await request('/billing/top-up', { cookie: b.cookie })).text()), method: 'card', terms: 'on', key: 'k' });
      expect(stranger.status).toBe(404);
      expect(await database().sql`SELECT 1 FROM payments WHERE order_id = ${order.id}`).toHaveLength(0);
    });

    it('shows an order waiting for payment with what the balance holds and what is left, and pays the rest (Spanish)', async () => {
      const { account, cookie } = await signedIn('es');
      await saldo.wallets.topUp(account.id, eur(5_000n), { idempotencyKey: 'fund' });
      const { order } = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'cart');
      const page = await request(`/billing/pay/${order.id}`, { cookie });
      const html = await page.text();
      expect(html).toContain(`Pagar el pedido ${order.id}`);
      expect(html).toContain('VPS S (España)');
      expect(html).toContain('Reservado de su saldo');
      expect(html).toMatch(/data-testid="amount-due">\d/);
      const res = await post(`/billing/pay/${order.id}`, cookie, { _csrf: csrfOf(html), key: keyOf(html), method: 'card', terms: 'on' });
      expect(res.status).toBe(303);
      const [payment] = await database().sql<{ id: string }[]>`SELECT id FROM payments WHERE order_id = ${order.id}`;
      await payOnHostedPage(saldo, await saldo.payments.get(account.id, payment!.id), { number: '5555555555554444' });
      await request(`/billing/payments/${payment!.id}/return`, { cookie });
      expect((await saldo.orders.get(account.id, order.id)).status).toBe('paid');
      const done = await (await request(`/billing/pay/${order.id}`, { cookie })).text();
      expect(done).toContain('Este pedido ya está pagado.');
    });

    it('keeps a card from a payment; settings make another the default, remove one, and refuse another account’s', async () => {
      const { account, cookie } = await signedIn('fr');
      for (const number of ['4242424242424242', '5555555555554444']) {
        const res = await submitTopUp(cookie, { amount: '50', save: 'on' });
        const [payment] = await database().sql<{ id: string }[]>`SELECT id FROM payments WHERE account_id = ${account.id} ORDER BY created_at DESC LIMIT 1`;
        expect(res.status).toBe(303);
        await payOnHostedPage(saldo, await saldo.payments.get(account.id, payment!.id), { number });
        await request(`/billing/payments/${payment!.id}/return`, { cookie });
      }
      const page = await (await request('/billing/settings', { cookie })).text();
      expect(page).toContain('Visa se terminant par 4242, expire fin 12/30');
      expect(page).toContain('Mastercard se terminant par 4444');
      const [visa, mastercard] = await saldo.payments.methods(account.id);
      expect([visa!.isDefault, mastercard!.isDefault]).toEqual([true, false]);
      const csrf = csrfOf(page);
      expect((await post(`/billing/settings/cards/${mastercard!.id}/default`, cookie, { _csrf: csrf })).headers.get('location')).toBe('/billing/settings?saved=card');
      expect((await saldo.payments.methods(account.id))[0]!.id).toBe(mastercard!.id);

      const other = await signedIn('en');
      const otherCsrf = csrfOf(await (await request('/billing/settings', { cookie: other.cookie })).text());
      expect((await post(`/billing/settings/cards/${visa!.id}/remove`, other.cookie, { _csrf: otherCsrf })).status).toBe(404);
      expect((await post(`/billing/settings/cards/${visa!.id}/remove`, cookie, { _csrf: 'forged' })).status).toBe(403);
      expect(await saldo.payments.methods(account.id)).toHaveLength(2);
      expect((await post(`/billing/settings/cards/${visa!.id}/remove`, cookie, { _csrf: csrf })).status).toBe(303);
      expect((await saldo.payments.methods(account.id)).map((m) => m.last4)).toEqual(['4444']);
    });

    it('saves the automatic top-up typed in the customer’s notation, and refuses a bad amount next to its field', async () => {
      const { account, cookie } = await signedIn('fr');
      const res = await submitTopUp(cookie, { amount: '50', save: 'on' });
      expect(res.status).toBe(303);
      const [payment] = await database().sql<{ id: string }[]>`SELECT id FROM payments WHERE account_id = ${account.id}`;
      await payOnHostedPage(saldo, await saldo.payments.get(account.id, payment!.id), { number: '4242424242424242' });
      await request(`/billing/payments/${payment!.id}/return`, { cookie });
      const [card] = await saldo.payments.methods(account.id);
      const csrf = csrfOf(await (await request('/billing/settings', { cookie })).text());

      const refused = await post('/billing/settings/auto-top-up', cookie, { _csrf: csrf, enabled: 'on', threshold: 'abc', amount: '50,00', method: card!.id });
      expect(refused.status).toBe(422);
      const html = await refused.text();
      expect(html).toContain('value="abc"');
      expect(html).toMatch(/id="threshold-error" role="alert">[^<]*12,50/);
      expect(await saldo.autoTopUps.get(account.id, 'EUR')).toBeNull();
      const noCard = await post('/billing/settings/auto-top-up', cookie, { _csrf: csrf, enabled: 'on', threshold: '10', amount: '50', method: '' });
      expect(await noCard.text()).toContain('Choisissez une carte enregistrée pour l’approvisionnement automatique.');

      const saved = await post('/billing/settings/auto-top-up', cookie, { _csrf: csrf, enabled: 'on', threshold: '12,50', amount: '1\u202f000,00', method: card!.id, balance: '1' });
      expect(saved.headers.get('location')).toBe('/billing/settings?saved=auto-top-up');
      expect(await saldo.autoTopUps.get(account.id, 'EUR')).toMatchObject({ enabled: true, threshold: eur(1_250n), amount: eur(100_000n), methodId: card!.id });
      expect(await (await request('/billing/settings?saved=auto-top-up', { cookie })).text()).toContain('L’approvisionnement automatique est enregistré.');
    });

    it('lets the customer choose whether each service renews from the balance', async () => {
      const { account, cookie } = await signedIn('es');
      await saldo.wallets.topUp(account.id, eur(20_000n), { idempotencyKey: 'fund' });
      await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'svc');
      const [service] = await saldo.orders.services(account.id);
      const page = await (await request('/billing/settings', { cookie })).text();
      expect(page).toContain('Renovar con mi saldo'); // off until the customer chooses it
      const res = await post(`/billing/settings/services/${service!.id}/auto-renew`, cookie, { _csrf: csrfOf(page), on: 'true' });
      expect(res.status).toBe(303);
      expect((await saldo.orders.services(account.id))[0]!.autoRenew).toBe(true);
      expect(await (await request('/billing/settings', { cookie })).text()).toContain('Dejar de renovar automáticamente');
      const other = await signedIn('es');
      const foreign = await post(`/billing/settings/services/${service!.id}/auto-renew`, other.cookie, { _csrf: csrfOf(await (await request('/billing/settings', { cookie: other.cookie })).text()), on: 'false' });
      expect(foreign.status).toBe(404);
      expect((await saldo.orders.services(account.id))[0]!.autoRenew).toBe(true);
    });

    it('pays a renewal waiting for payment through the same page (French), and renews the service', async () => {
      const { account, cookie } = await signedIn('fr');
      await saldo.wallets.topUp(account.id, eur(12_000n), { idempotencyKey: 'fund' });
      await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'renew-me');
      const [service] = await saldo.orders.services(account.id);
      await database().sql`UPDATE services SET next_due_at = now() - interval '1 minute' WHERE id = ${service!.id}`;
      expect((await saldo.orders.renewIfDue(service!.id)).status).toBe('awaiting_payment');
      const page = await request(`/billing/pay/service/${service!.id}`, { cookie });
      const html = await page.text();
      expect(html).toContain('Payer le renouvellement de VPS S (France)');
      const res = await post(`/billing/pay/service/${service!.id}`, cookie, { _csrf: csrfOf(html), key: keyOf(html), method: 'card', terms: 'on' });
      expect(res.status).toBe(303);
      const [payment] = await database().sql<{ id: string }[]>`SELECT id FROM payments WHERE service_id = ${service!.id}`;
      await payOnHostedPage(saldo, await saldo.payments.get(account.id, payment!.id), { number: '4242424242424242' });
      await request(`/billing/payments/${payment!.id}/return`, { cookie });
      expect((await saldo.orders.services(account.id))[0]!.nextDueAt.getTime()).toBeGreaterThan(Date.now());
      expect(await (await request(`/billing/pay/service/${service!.id}`, { cookie })).text()).toContain('Rien n’attend de paiement pour ce service.');
      const other = await signedIn('fr');
      expect((await request(`/billing/pay/service/${service!.id}`, { cookie: other.cookie })).status).toBe(404);
    });

    it('shows a gateway’s own customer page inside the layout, to the signed-in customer only, its forms CSRF-checked', async () => {
      const { account, cookie } = await signedIn('fr');
      const page = await request('/billing/gateways/example-pay/where-to-pay', { cookie });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<html lang="fr">');
      expect(html).toContain(`Pay merchant m_test quoting ${account.customerNumber}.`);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect((await request('/billing/gateways/example-pay/where-to-pay')).status).toBe(401);
      expect((await post('/billing/gateways/example-pay/where-to-pay', cookie, { _csrf: 'forged' })).status).toBe(403);
      expect((await post('/billing/gateways/example-pay/where-to-pay', cookie, { _csrf: csrfOf(html) })).status).toBe(303);
    });
  });
});
