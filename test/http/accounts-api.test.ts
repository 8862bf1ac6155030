import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { money } from '@saldo/sdk';
import { answer, apiSuite } from '../support/api-client.js';
import { badAmounts } from '../support/bad-amounts.js';
import { onEachDatabase } from '../support/databases.js';
import { API_KEY } from '../support/saldo.js';

onEachDatabase((_sql, _target, database) => {
  describe('accounts over the JSON API', () => {
    const { saldo, api } = apiSuite(database);

    async function customer(fields: Record<string, string> = {}) {
      const ref = `acc-${randomUUID()}`;
      const res = await api.post('/accounts', { externalRef: ref, name: 'Ana García', email: 'ana@example.es', country: 'ES', locale: 'es', ...fields });
      expect(res.status).toBe(201);
      return { ref, id: BigInt((await res.json()).id) };
    }
    const stored = async (id: bigint) =>
      (await database().sql`SELECT a.*, w.min_balance_minor FROM billing_accounts a JOIN ledger_accounts w ON w.id = a.wallet_id WHERE a.id = ${id}`)[0];

    describe('update', () => {
      it('changes name, email, language, country and VAT number, and ignores unknown fields', async () => {
        const { ref } = await customer();
        const res = await api.patch(`/accounts/${ref}`, {
          name: ' Ana García SL ', email: 'billing@garcia.es', locale: 'fr', country: 'fr', vatId: 'fr40303265045',
          paymentMode: 'postpaid', creditLimit: '1000.00', balance: '1000000.00', externalRef: 'someone-else',
        });
        const updated = await res.json();
        expect([res.status, updated]).toEqual([200, expect.objectContaining({
          externalRef: ref, name: 'Ana García SL', email: 'billing@garcia.es', locale: 'fr', country: 'FR', vatId: 'FR40303265045',
          paymentMode: 'prepaid', creditLimit: { amount: '0.00', currency: 'EUR' },
          balance: expect.objectContaining({ balance: { amount: '0.00', currency: 'EUR' } }),
        })]);
        expect(await (await api.get(`/accounts/${ref}`)).json()).toEqual(updated);
        expect((await (await api.patch(`/accounts/${ref}`, { vatId: null })).json()).vatId).toBeNull();
        expect((await (await api.patch(`/accounts/${ref}`, {})).json()).name).toBe('Ana García SL');
      });

      it('checks each field as account creation does, in the caller’s language, and changes nothing', async () => {
        const { ref, id } = await customer();
        const before = await stored(id);
        const cases: [unknown, number, string, string][] = [
          [{ email: 'nope', country: 'FRA' }, 422, 'VALIDATION_FAILED', 'Certains champs ne sont pas valides\u202f: email, country.'],
          [{ name: '  ', locale: 'de' }, 422, 'VALIDATION_FAILED', 'Certains champs ne sont pas valides\u202f: locale.'],
          [{ name: '' }, 422, 'VALIDATION_FAILED', 'Certains champs ne sont pas valides\u202f: name.'],
          [{ vatId: 'X1', name: 'Ana' }, 422, 'VALIDATION_FAILED', 'Certains champs ne sont pas valides\u202f: vatId.'],
          [{ email: 42 }, 422, 'VALIDATION_FAILED', 'Certains champs ne sont pas valides\u202f: email.'],
          ['{ not json', 400, 'BODY_INVALID', 'Le corps de la requête n’est pas un JSON valide.'],
        ];
        for (const [body, status, code, message] of cases) {
          expect([body, ...(await answer(await api.patch(`/accounts/${ref}`, body, { headers: { 'accept-language': 'fr' } })))])
            .toEqual([body, status, { error: { code, message } }]);
        }
        expect(await stored(id)).toEqual(before);
        expect(await answer(await api.patch('/accounts/nobody', { name: 'x' }))).toEqual([404, { error: { code: 'ACCOUNT_NOT_FOUND', message: 'This billing account does not exist.' } }]);
      });
    });

    describe('credit limit', () => {
      it('sets a postpaid account’s limit, answers the account, and gives the same answer when set again', async () => {
        const { ref } = await customer({ paymentMode: 'postpaid', creditLimit: '100.00' });
        const res = await api.put(`/accounts/${ref}/credit-limit`, { creditLimit: '250.00', balance: '5000.00' });
        const body = await res.json();
        expect([res.status, body.creditLimit, body.balance.usableCredit, body.balance.balance])
          .toEqual([200, { amount: '250.00', currency: 'EUR' }, { amount: '250.00', currency: 'EUR' }, { amount: '0.00', currency: 'EUR' }]);
        expect(await (await api.put(`/accounts/${ref}/credit-limit`, { creditLimit: '250.00' })).json()).toEqual(body);
        // Zero is a limit, not a payment: a postpaid customer may be given no more credit.
        expect((await (await api.put(`/accounts/${ref}/credit-limit`, { creditLimit: '0' })).json()).creditLimit).toEqual({ amount: '0.00', currency: 'EUR' });
      });

      it('refuses a limit below what is used, and any limit but zero for a prepaid account, changing nothing', async () => {
        const postpaid = await customer({ paymentMode: 'postpaid', creditLimit: '300.00' });
        await saldo().wallets.charge(postpaid.id, money(20_000n, 'EUR'), { idempotencyKey: 'usage' });
        const below = await api.put(`/accounts/${postpaid.ref}/credit-limit`, { creditLimit: '199.99' }, { headers: { 'accept-language': 'es' } });
        expect(await answer(below)).toEqual([409, { error: { code: 'CREDIT_LIMIT_BELOW_USAGE', message: 'El límite de crédito no puede ser inferior al crédito ya utilizado.' } }]);
        expect((await stored(postpaid.id))!.min_balance_minor).toBe(-30_000n);
        const prepaid = await customer();
        const refused = await api.put(`/accounts/${prepaid.ref}/credit-limit`, { creditLimit: '100.00' });
        expect(await answer(refused)).toEqual([422, { error: { code: 'VALIDATION_FAILED', message: 'Some fields are not valid: creditLimit.' } }]);
        expect((await stored(prepaid.id))!.min_balance_minor).toBe(0n);
      });

      it('answers bad amounts with a clear 4xx in the caller’s language and changes nothing (TESTS #15)', async () => {
        const { ref, id } = await customer({ paymentMode: 'postpaid', creditLimit: '100.00' });
        for (const { input, code, fr } of badAmounts('creditLimit', { zeroIsValid: true })) {
          const res = await api.put(`/accounts/${ref}/credit-limit`, { creditLimit: input }, { headers: { 'accept-language': 'fr' } });
          expect([input, ...(await answer(res))]).toEqual([input, 422, { error: { code, message: fr } }]);
        }
        expect((await stored(id))!.min_balance_minor).toBe(-10_000n);
      });
    });

    it('refuses every new route without a valid API key, with the stable error shape, writing nothing', async () => {
      const { ref, id } = await customer();
      await saldo().wallets.topUp(id, money(5_000n, 'EUR'), { idempotencyKey: 'fund' });
      const charge = await saldo().wallets.charge(id, money(1_000n, 'EUR'), { idempotencyKey: 'usage' });
      const count = async () => (await database().sql`SELECT (SELECT count(*) FROM ledger_transfers) AS t, (SELECT count(*) FROM api_requests) AS r`)[0];
      const before = [await count(), await stored(id)];
      const routes: [string, string, unknown][] = [
        ['PATCH', `/accounts/${ref}`, { name: 'Mallory' }],
        ['PUT', `/accounts/${ref}/credit-limit`, { creditLimit: '0' }],
        ['POST', `/accounts/${ref}/credits`, { amount: '10.00', reason: 'x' }],
        ['POST', `/accounts/${ref}/charges`, { amount: '10.00', description: 'x' }],
        ['POST', `/accounts/${ref}/charges/${charge.id}/refund`, { reason: 'x' }],
        ['GET', `/accounts/${ref}/transactions`, undefined],
        ['GET', `/accounts/${ref}/services`, undefined],
        ['POST', `/accounts/${ref}/services/1/cancel`, {}],
      ];
      for (const [method, path, body] of routes) {
        for (const authorization of [undefined, 'Bearer wrong-key-wrong-key-wrong-key', API_KEY, `Basic ${API_KEY}`]) {
          const res = await saldo().app.request(`/api/v1${path}`, {
            method, ...(body !== undefined && { body: JSON.stringify(body) }),
            headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...(authorization && { authorization }) },
          });
          expect([method, path, authorization, ...(await answer(res))]).toEqual([method, path, authorization, 401, {
            error: { code: 'API_KEY_INVALID', message: 'A valid API key is required (Authorization: Bearer …).' },
          }]);
        }
      }
      expect([await count(), await stored(id)]).toEqual(before);
    });
  });
});
