import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { onEachDatabase } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { pagesSuite, signedInAs } from '../support/pages.js';

type Locale = 'en' | 'fr' | 'es';
/** Text with French typography's no-break spaces as plain ones: the expectations below are about words, not spacing. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

/** What the balance page says, per language, to a customer near or at the end of their money. */
const words = {
  en: {
    prepaidLow: 'Your available balance is below €20.00. Top up to keep your services running. <a href="/billing/top-up">Add money to your balance</a>',
    near: 'You have used €80.00 of your €100.00 credit limit; €20.00 is left to spend.',
    nearWithHold: 'You have used €90.00 of your €100.00 credit limit; €10.00 is left to spend.',
    full: 'You have used all of your €100.00 credit limit: new charges are refused until you pay what you owe. <a href="/billing/top-up">Make a payment</a>',
    negative: 'Credit you have used, on your monthly invoice', used: 'Credit used', usedOf: '€80.00 of €100.00', topUp: 'Top up',
  },
  fr: {
    prepaidLow: 'Votre solde disponible est inférieur à 20,00 €. Approvisionnez-le pour que vos services continuent de fonctionner. <a href="/billing/top-up">Approvisionner mon solde</a>',
    near: 'Vous avez utilisé 80,00 € de votre limite de crédit de 100,00 € ; il vous reste 20,00 € à dépenser.',
    nearWithHold: 'Vous avez utilisé 90,00 € de votre limite de crédit de 100,00 € ; il vous reste 10,00 € à dépenser.',
    full: 'Vous avez utilisé toute votre limite de crédit de 100,00 € : les nouveaux débits sont refusés jusqu’au règlement de ce que vous devez. <a href="/billing/top-up">Effectuer un paiement</a>',
    negative: 'Crédit utilisé, repris sur votre facture mensuelle', used: 'Crédit utilisé', usedOf: '80,00 € sur 100,00 €', topUp: 'Approvisionnez',
  },
  es: {
    prepaidLow: 'Su saldo disponible es inferior a 20,00 €. Recárguelo para que sus servicios sigan funcionando. <a href="/billing/top-up">Añadir saldo</a>',
    near: 'Ha utilizado 80,00 € de su límite de crédito de 100,00 €; le quedan 20,00 € disponibles.',
    nearWithHold: 'Ha utilizado 90,00 € de su límite de crédito de 100,00 €; le quedan 10,00 € disponibles.',
    full: 'Ha utilizado todo su límite de crédito de 100,00 €: los nuevos cargos se rechazarán hasta que pague lo que debe. <a href="/billing/top-up">Realizar un pago</a>',
    negative: 'Crédito utilizado, incluido en su factura mensual', used: 'Crédito utilizado', usedOf: '80,00 € de 100,00 €', topUp: 'Recárguelo',
  },
};

onEachDatabase((_sql, _target, database) => {
  describe('the balance page’s notices, in prepaid and postpaid words', () => {
    const suite = pagesSuite(database);

    /** The balance page of a customer, after `spend` was charged; postpaid accounts have 100.00 of credit and an alert below 25.00. */
    async function balancePage(locale: Locale, mode: 'prepaid' | 'postpaid', spend: bigint, setUp: (id: bigint) => Promise<unknown> = async () => {}) {
      const saldo = suite.saldo();
      const account = await saldo.accounts.create({
        externalRef: `notice-${randomUUID()}`, name: 'Client', email: 'c@example.com', country: 'FR', locale, lowBalanceThreshold: eur(2_000n),
        ...(mode === 'postpaid' && { paymentMode: 'postpaid', creditLimit: eur(10_000n), lowBalanceThreshold: eur(2_500n) }),
      });
      if (mode === 'prepaid') await saldo.wallets.topUp(account.id, eur(spend + 1_000n), { idempotencyKey: 'fund' });
      if (spend) await saldo.wallets.charge(account.id, eur(spend), { idempotencyKey: 'spend', description: 'Usage' });
      await setUp(account.id);
      return plain(await (await signedInAs(saldo, suite.host(), account.externalRef)).get('/billing/balance'));
    }
    const notice = (page: string) => /<div id="balance-notice">\s*<p class="(\w+)" role="status">([\s\S]*?)<\/p>/.exec(page)?.slice(1);

    for (const locale of ['en', 'fr', 'es'] as const) {
      it(`keeps the prepaid low-balance notice, with a link to the top-up page (${locale})`, async () => {
        const page = await balancePage(locale, 'prepaid', 5_000n);
        expect(notice(page)).toEqual(['notice', words[locale].prepaidLow]);
        expect(page).not.toContain(words[locale].used);
      });

      it(`tells a postpaid customer near the limit how much credit is used and what is left, not to top up (${locale})`, async () => {
        const page = await balancePage(locale, 'postpaid', 8_000n);
        expect(notice(page)).toEqual(['notice', words[locale].near]);
        expect(page).not.toContain(words[locale].topUp);
        // The negative balance reads as credit used; the figures say how much of the limit.
        expect(page).toMatch(/data-testid="balance">-80,00|data-testid="balance">-€80.00/);
        expect(page).toContain(`<dd class="note">${words[locale].negative}</dd>`);
        expect(page).toContain(`<dt>${words[locale].used}</dt><dd data-testid="credit-used">${words[locale].usedOf}</dd>`);
      });

      it(`tells a postpaid customer at the limit that it is used up, with a way to pay (${locale})`, async () => {
        const page = await balancePage(locale, 'postpaid', 10_000n);
        expect(notice(page)).toEqual(['problem', words[locale].full]);
      });
    }

    it('counts money reserved for an order in progress as credit used', async () => {
      const page = await balancePage('en', 'postpaid', 8_000n, (id) => suite.saldo().wallets.hold(id, eur(1_000n), { idempotencyKey: 'order' }));
      expect(notice(page)).toEqual(['notice', words.en.nearWithHold]);
    });

    it('says nothing to a postpaid customer well within the limit, nor about a positive balance', async () => {
      const page = await balancePage('en', 'postpaid', 3_000n);
      expect(notice(page)).toBeUndefined();
      const paidAhead = await balancePage('en', 'postpaid', 0n, (id) => suite.saldo().wallets.topUp(id, eur(5_000n), { idempotencyKey: 'ahead' }));
      expect(paidAhead).not.toContain('class="note"');
      expect(paidAhead).toContain('<dd data-testid="credit-used">€0.00 of €100.00</dd>');
    });
  });
});
