import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { money } from '@saldo/sdk';
import { answer, apiSuite } from '../support/api-client.js';
import { badAmounts } from '../support/bad-amounts.js';
import { onEachDatabase, report } from '../support/databases.js';

onEachDatabase((_sql, target, database) => {
  describe('wallet over the JSON API', () => {
    const { saldo, api } = apiSuite(database);

    async function customer(topUp = 0n, fields: Record<string, string> = {}) {
      const ref = `w-${randomUUID()}`;
      const res = await api.post('/accounts', { externalRef: ref, name: 'Ana', email: 'ana@example.es', country: 'ES', ...fields });
      const id = BigInt((await res.json()).id);
      if (topUp > 0n) await saldo().wallets.topUp(id, money(topUp, 'EUR'), { idempotencyKey: 'fund' });
      return { ref, id };
    }
    const transfers = async () => (await database().sql<{ n: bigint }[]>`SELECT count(*) AS n FROM ledger_transfers`)[0]!.n;
    const lowEvents = async (id: bigint) =>
      (await database().sql<{ n: bigint }[]>`SELECT count(*) AS n FROM events WHERE type = 'balance.low' AND account_id = ${id}`)[0]!.n;

    describe('credits', () => {
      it('credits an operator’s goodwill from the adjustments account, with its reason, ignoring unknown fields', async () => {
        const { ref, id } = await customer();
        const res = await api.post(`/accounts/${ref}/credits`, { amount: '12.50', reason: 'Goodwill: outage of May 3', balance: '1000000.00' });
        expect(await answer(res)).toEqual([201, {
          id: expect.any(String), kind: 'adjustment', amount: { amount: '12.50', currency: 'EUR' }, description: 'Goodwill: outage of May 3',
          balanceAfter: { amount: '12.50', currency: 'EUR' }, createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        }]);
        const [posting] = await database().sql<{ debit: string; credit: bigint; amount_minor: bigint }[]>`
          SELECT d.code AS debit, t.credit_account_id AS credit, t.amount_minor
            FROM ledger_transfers t JOIN ledger_accounts d ON d.id = t.debit_account_id WHERE t.kind = 'adjustment' AND t.credit_account_id =
              (SELECT wallet_id FROM billing_accounts WHERE id = ${id})`;
        expect(posting).toMatchObject({ debit: 'adjustments:EUR', amount_minor: 1250n });
        expect((await (await api.get(`/accounts/${ref}`)).json()).balance.balance).toEqual({ amount: '12.50', currency: 'EUR' });
      });

      it('replays a retried credit once and refuses the key for another credit', async () => {
        const { ref } = await customer();
        const before = await transfers();
        const first = await api.post(`/accounts/${ref}/credits`, { amount: '5.00', reason: 'Correction' }, { key: 'credit-1' });
        const body = await first.text();
        const again = await api.post(`/accounts/${ref}/credits`, { amount: '5.00', reason: 'Correction' }, { key: 'credit-1' });
        expect([again.status, again.headers.get('idempotent-replayed'), await again.text()]).toEqual([201, 'true', body]);
        const other = await api.post(`/accounts/${ref}/credits`, { amount: '6.00', reason: 'Correction' }, { key: 'credit-1' });
        expect([other.status, (await other.json()).error.code]).toEqual([409, 'IDEMPOTENCY_CONFLICT']);
        expect(await transfers()).toBe(before + 1n);
      });
    });

    describe('charges', () => {
      it('takes a usage charge and tells the panel balance.low once, when usable credit crosses the threshold', async () => {
        const { ref, id } = await customer(5000n, { lowBalanceThreshold: '20.00' });
        const charge = (amount: string, key?: string) => api.post(`/accounts/${ref}/charges`, { amount, description: 'Traffic, May' }, { key });
        expect(await answer(await charge('25.00'))).toEqual([201, expect.objectContaining({
          kind: 'charge', amount: { amount: '25.00', currency: 'EUR' }, description: 'Traffic, May', balanceAfter: { amount: '25.00', currency: 'EUR' },
        })]);
        expect(await lowEvents(id)).toBe(0n);
        expect((await charge('10.00', 'crossing')).status).toBe(201);
        expect(await lowEvents(id)).toBe(1n);
        expect((await charge('10.00', 'crossing')).headers.get('idempotent-replayed')).toBe('true');
        expect((await charge('1.00')).status).toBe(201);
        expect(await lowEvents(id)).toBe(1n);
        const [event] = await database().sql<{ payload: Record<string, unknown> }[]>`SELECT payload FROM events WHERE type = 'balance.low' AND account_id = ${id}`;
        expect(event!.payload).toEqual({ usableCredit: { amount: '15.00', currency: 'EUR' }, threshold: { amount: '20.00', currency: 'EUR' } });
      });

      it('refuses a charge beyond usable credit with INSUFFICIENT_FUNDS in the caller’s language, writing nothing', async () => {
        const { ref } = await customer(1000n);
        const before = await transfers();
        const res = await api.post(`/accounts/${ref}/charges`, { amount: '10.01', description: 'Backup storage' }, { headers: { 'accept-language': 'es' } });
        expect(await answer(res)).toEqual([402, { error: { code: 'INSUFFICIENT_FUNDS', message: 'Su saldo es insuficiente: 10,00\u00a0€ disponible.' } }]);
        expect(await transfers()).toBe(before);
      });

      it('charges a postpaid account down to minus its credit limit', async () => {
        const { ref } = await customer(0n, { paymentMode: 'postpaid', creditLimit: '100.00' });
        const res = await api.post(`/accounts/${ref}/charges`, { amount: '100.00', description: 'VPS M, June' });
        expect((await res.json()).balanceAfter).toEqual({ amount: '-100.00', currency: 'EUR' });
        expect((await api.post(`/accounts/${ref}/charges`, { amount: '0.01', description: 'one cent more' })).status).toBe(402);
      });
    });

    it('answers bad amounts with a clear 4xx in the caller’s language and writes nothing (TESTS #15)', async () => {
      const { ref } = await customer(10_000n);
      const before = await transfers();
      const cases = badAmounts('amount');
      for (const path of ['credits', 'charges']) {
        for (const { input, code, fr } of cases) {
          const res = await api.post(`/accounts/${ref}/${path}`, { amount: input, reason: 'r', description: 'd' }, { headers: { 'accept-language': 'fr' } });
          expect([path, input, ...(await answer(res))]).toEqual([path, input, 422, { error: { code, message: fr } }]);
        }
        // A JSON number too large for a double arrives as Infinity: still not an amount.
        const huge = await api.post(`/accounts/${ref}/${path}`, '{"amount": 1e309, "reason": "r", "description": "d"}', { headers: { 'accept-language': 'es' } });
        expect(await answer(huge)).toEqual([422, { error: { code: 'VALIDATION_FAILED', message: 'Algunos campos no son válidos: amount.' } }]);
        const blank = await api.post(`/accounts/${ref}/${path}`, { amount: '1.00', reason: ' ', description: '' });
        expect((await blank.json()).error.code).toBe('VALIDATION_FAILED');
      }
      expect(await transfers()).toBe(before);
      report(`wallet API bad input on ${target}`, { cases: cases.length * 2 + 4, written: (await transfers()) - before });
    });

    describe('transactions', () => {
      it('lists the statement newest first, a page at a time, with an opaque cursor', async () => {
        const { ref } = await customer(10_000n);
        for (const n of [1, 2, 3, 4]) await api.post(`/accounts/${ref}/charges`, { amount: `${n}.00`, description: `Charge ${n}` });
        const first = await (await api.get(`/accounts/${ref}/transactions?limit=2`)).json();
        expect(first.transactions).toEqual([
          { id: expect.any(String), kind: 'charge', amount: { amount: '-4.00', currency: 'EUR' }, balanceAfter: { amount: '90.00', currency: 'EUR' },
            description: 'Charge 4', details: { kind: 'usage', text: 'Charge 4' }, createdAt: expect.stringMatching(/Z$/) },
          expect.objectContaining({ description: 'Charge 3', amount: { amount: '-3.00', currency: 'EUR' } }),
        ]);
        expect(first.nextCursor).toEqual(expect.any(String));
        const second = await (await api.get(`/accounts/${ref}/transactions?limit=2&cursor=${first.nextCursor}`)).json();
        expect(second.transactions.map((t: { description: string }) => t.description)).toEqual(['Charge 2', 'Charge 1']);
        const last = await (await api.get(`/accounts/${ref}/transactions?limit=2&cursor=${second.nextCursor}`)).json();
        expect([last.transactions.map((t: { kind: string }) => t.kind), last.nextCursor]).toEqual([['top_up'], null]);
      });

      it('words each line in the customer’s language, or in the one asked for, and gives what it is as data', async () => {
        const { ref } = await customer(0n, { locale: 'fr' });
        await api.post(`/accounts/${ref}/credits`, { amount: '5.00', reason: 'Panne du 3 mai' });
        const line = async (query = '') => (await (await api.get(`/accounts/${ref}/transactions${query}`)).json()).transactions[0];
        expect(await line()).toMatchObject({ kind: 'adjustment', description: 'Crédit\u202f: Panne du 3 mai', details: { kind: 'adjustment', reason: 'Panne du 3 mai' } });
        expect((await line('?locale=es')).description).toBe('Abono: Panne du 3 mai');
        expect((await line('?locale=en')).description).toBe('Credit: Panne du 3 mai');
        expect(await answer(await api.get(`/accounts/${ref}/transactions?locale=de`))).toEqual([422, { error: { code: 'VALIDATION_FAILED', message: 'Some fields are not valid: locale.' } }]);
      });

      it('filters by day, both ends included, and takes the widest dates PostgreSQL can read', async () => {
        const { ref } = await customer(1000n);
        const list = async (query: string) => (await (await api.get(`/accounts/${ref}/transactions?${query}`)).json()).transactions.length;
        const [topUp] = (await (await api.get(`/accounts/${ref}/transactions`)).json()).transactions;
        const today = topUp.createdAt.slice(0, 10);
        const yesterday = new Date(Date.parse(today) - 86_400_000).toISOString().slice(0, 10);
        expect(await list(`from=${today}&to=${today}`)).toBe(1);
        expect(await list(`to=${yesterday}`)).toBe(0);
        expect(await list('from=0001-01-01&to=9999-12-31')).toBe(1);
      });

      it('refuses impossible dates, limits and cursors with a 422, never a 500', async () => {
        const { ref } = await customer();
        const cases: [string, string, string][] = [
          ['from=2026-02-30', 'DATE_INVALID', 'The date “2026-02-30” (from) cannot be used: write it like 2026-11-01, between 0001-01-01 and 9999-12-31.'],
          ['to=2026-13-01', 'DATE_INVALID', 'The date “2026-13-01” (to) cannot be used: write it like 2026-11-01, between 0001-01-01 and 9999-12-31.'],
          ['from=0000-01-01', 'DATE_INVALID', 'The date “0000-01-01” (from) cannot be used: write it like 2026-11-01, between 0001-01-01 and 9999-12-31.'],
          ['to=10000-01-01', 'DATE_INVALID', 'The date “10000-01-01” (to) cannot be used: write it like 2026-11-01, between 0001-01-01 and 9999-12-31.'],
          ['from=294277-01-01', 'DATE_INVALID', 'The date “294277-01-01” (from) cannot be used: write it like 2026-11-01, between 0001-01-01 and 9999-12-31.'],
          ['from=yesterday', 'DATE_INVALID', 'The date “yesterday” (from) cannot be used: write it like 2026-11-01, between 0001-01-01 and 9999-12-31.'],
          ['limit=0', 'VALIDATION_FAILED', 'Some fields are not valid: limit.'],
          ['limit=101', 'VALIDATION_FAILED', 'Some fields are not valid: limit.'],
          ['limit=1e3', 'VALIDATION_FAILED', 'Some fields are not valid: limit.'],
          ['cursor=not-ours', 'VALIDATION_FAILED', 'Some fields are not valid: cursor.'],
          [`cursor=${Buffer.from('t:99999999999999999999').toString('base64url')}`, 'VALIDATION_FAILED', 'Some fields are not valid: cursor.'],
        ];
        for (const [query, code, message] of cases) {
          expect([query, ...(await answer(await api.get(`/accounts/${ref}/transactions?${query}`)))]).toEqual([query, 422, { error: { code, message } }]);
        }
        const fr = await api.get(`/accounts/${ref}/transactions?to=2026-02-29`, { headers: { 'accept-language': 'fr' } });
        expect((await fr.json()).error.message).toBe('La date « 2026-02-29 » (to) n’est pas utilisable : écrivez-la comme 2026-11-01, entre le 0001-01-01 et le 9999-12-31.');
      });
    });
  });
});
