import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BalanceRenewals } from '../../config/schema.js';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { signedInAs } from '../support/pages.js';
import { testSaldo } from '../support/saldo.js';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
type Locale = 'en' | 'fr' | 'es';

/** What the settings page says about one service's renewal, per language. */
const words = {
  en: { turnOn: 'Renew from my balance', byHand: 'you renew it yourself', stop: 'Stop renewing automatically', fromBalance: 'renews from the balance', saved: 'Your renewal choice is saved.',
    forbidden: 'Your provider does not renew services from your balance: pay each renewal when it is due.',
    refused: 'Your provider does not renew services from a prepaid balance: pay each renewal when it is due.', onCredit: 'renews on your credit', creditTitle: 'Automatic renewals' },
  fr: { turnOn: 'Renouveler depuis mon solde', byHand: 'vous le renouvelez vous-même', stop: 'Ne plus renouveler automatiquement', fromBalance: 'renouvelé depuis le solde', saved: 'Votre choix de renouvellement est enregistré.',
    forbidden: 'Votre hébergeur ne renouvelle pas les services depuis votre solde\u202f: réglez chaque renouvellement à son échéance.',
    refused: 'Votre hébergeur ne renouvelle pas les services depuis un solde prépayé\u202f: réglez chaque renouvellement à son échéance.', onCredit: 'renouvelé sur votre crédit', creditTitle: 'Renouvellements automatiques' },
  es: { turnOn: 'Renovar con mi saldo', byHand: 'lo renueva usted', stop: 'Dejar de renovar automáticamente', fromBalance: 'se renueva con el saldo', saved: 'Se ha guardado su elección de renovación.',
    forbidden: 'Su proveedor no renueva los servicios con su saldo: pague cada renovación a su vencimiento.',
    refused: 'Su proveedor no renueva los servicios con un saldo prepago: pague cada renovación a su vencimiento.', onCredit: 'se renueva con su crédito', creditTitle: 'Renovaciones automáticas' },
};

onEachDatabase((_sql, _target, database) => {
  describe('the customer’s choice of renewal from the balance (settings page)', () => {
    const providers = {} as Record<BalanceRenewals, { saldo: Saldo; host: Hono }>;

    beforeAll(async () => {
      for (const policy of ['off-by-default', 'on-by-default', 'forbidden'] as const) {
        const saldo = await testSaldo(database(), { billing: { balanceRenewals: policy } });
        providers[policy] = { saldo, host: new Hono().route('/billing', saldo.app) };
      }
      await providers['off-by-default'].saldo.catalogue.upsert({ code: 'vps-s', names: { en: 'VPS S' }, currency: 'EUR', prices: { annual: eur(12_000n) } });
    });

    /** A customer of `policy`'s provider with one service bought, signed in; prepaid and funded, or postpaid on credit. */
    async function customer(policy: BalanceRenewals, locale: Locale, mode: 'prepaid' | 'postpaid' = 'prepaid') {
      const { saldo, host } = providers[policy];
      const account = await saldo.accounts.create({
        externalRef: `renew-${randomUUID()}`, name: 'Client', email: 'c@example.com', country: 'FR', locale,
        ...(mode === 'postpaid' && { paymentMode: 'postpaid', creditLimit: eur(50_000n) }),
      });
      if (mode === 'prepaid') await saldo.wallets.topUp(account.id, eur(20_000n), { idempotencyKey: 'fund' });
      await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'svc');
      const [service] = await saldo.orders.services(account.id);
      const { get, post } = await signedInAs(saldo, host, account.externalRef);
      return { saldo, account, service: service!, get, post };
    }

    for (const locale of ['en', 'fr', 'es'] as const) {
      it(`offers a prepaid customer the switch, off until they choose it, and keeps the choice (${locale})`, async () => {
        const { saldo, account, service, get, post } = await customer('off-by-default', locale);
        const page = await get('/billing/settings');
        expect(page).toContain(words[locale].turnOn);
        expect(page).toContain(words[locale].byHand);
        const res = await post(`/billing/settings/services/${service.id}/auto-renew`, { _csrf: csrfOf(page), on: 'true' });
        expect([res.status, res.headers.get('location')]).toEqual([303, '/billing/settings?saved=renewal']);
        expect((await saldo.orders.services(account.id))[0]!.autoRenew).toBe(true);
        const after = await get('/billing/settings?saved=renewal');
        expect(after).toContain(words[locale].saved);
        expect(after).toContain(words[locale].fromBalance);
        expect(after).toContain(words[locale].stop);
      });

      it(`shows no switch where the provider forbids renewal from the balance, and refuses one sent anyway (${locale})`, async () => {
        const { saldo, account, service, get, post } = await customer('forbidden', locale);
        const page = await get('/billing/settings');
        expect(page).toContain(words[locale].forbidden);
        expect(page).not.toContain('/auto-renew"');
        const res = await post(`/billing/settings/services/${service.id}/auto-renew`, { _csrf: csrfOf(page), on: 'true' });
        expect(res.status).toBe(409);
        expect(await res.text()).toContain(words[locale].refused);
        expect((await saldo.orders.services(account.id))[0]!.autoRenew).toBe(false);
      });

      it(`shows a postpaid customer renewals on credit, even where renewal from a prepaid balance is forbidden (${locale})`, async () => {
        const { get } = await customer('forbidden', locale, 'postpaid');
        const page = await get('/billing/settings');
        expect(page).toContain(`<h2 id="renew-title">${words[locale].creditTitle}</h2>`);
        expect(page).toContain(words[locale].onCredit);
        expect(page).toContain(words[locale].stop);
        expect(page).not.toContain(words[locale].forbidden);
      });
    }

    it('starts a new service renewing where the provider makes that the default, and the customer may turn it off', async () => {
      const { saldo, account, service, get, post } = await customer('on-by-default', 'fr');
      const page = await get('/billing/settings');
      expect(page).toContain(words.fr.fromBalance);
      expect((await post(`/billing/settings/services/${service.id}/auto-renew`, { _csrf: csrfOf(page), on: 'false' })).status).toBe(303);
      expect((await saldo.orders.services(account.id))[0]!.autoRenew).toBe(false);
      expect(await get('/billing/settings')).toContain(words.fr.turnOn);
    });
  });
});
