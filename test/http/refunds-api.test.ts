import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { money } from '@saldo/sdk';
import * as ledger from '../../core/ledger/ledger.repo.js';
import { answer, apiSuite } from '../support/api-client.js';
import { badAmounts } from '../support/bad-amounts.js';
import { onEachDatabase, report } from '../support/databases.js';
import { codeOf } from '../support/ledger-fixtures.js';

const eur = (amount: string) => ({ amount, currency: 'EUR' });

onEachDatabase((_sql, target, database) => {
  describe('refunds of a charge over the JSON API', () => {
    const { saldo, api } = apiSuite(database);

    /** A customer with 100.00, and a charge of `amount` taken from it. */
    async function charged(amount = '30.00') {
      const ref = `r-${randomUUID()}`;
      const created = await api.post('/accounts', { externalRef: ref, name: 'Ana', email: 'ana@example.es', country: 'ES' });
      const id = BigInt((await created.json()).id);
      await saldo().wallets.topUp(id, money(10_000n, 'EUR'), { idempotencyKey: 'fund' });
      const charge = await (await api.post(`/accounts/${ref}/charges`, { amount, description: 'Mailbox, May' })).json();
      return { ref, id, chargeId: charge.id as string, refund: (body: unknown, key?: string, headers?: Record<string, string>) =>
        api.post(`/accounts/${ref}/charges/${charge.id}/refund`, body, { key, headers }) };
    }
    const rows = async () => {
      const [row] = await database().sql<{ transfers: bigint; refunds: bigint; totals: bigint }[]>`
        SELECT (SELECT count(*) FROM ledger_transfers) AS transfers, (SELECT count(*) FROM charge_refunds) AS refunds,
               (SELECT coalesce(sum(refunded_minor), 0)::bigint FROM charge_refund_totals) AS totals`;
      return row!;
    };

    it('refunds part of a charge, then the rest when no amount is given, then nothing more', async () => {
      const { ref, refund } = await charged('30.00');
      expect(await answer(await refund({ amount: '10.00', reason: 'Mailbox down two days' }))).toEqual([201, {
        id: expect.any(String), kind: 'refund', amount: eur('10.00'), description: 'Mailbox down two days', balanceAfter: eur('80.00'),
        createdAt: expect.stringMatching(/Z$/), charge: { id: expect.any(String), amount: eur('30.00'), refunded: eur('10.00'), refundable: eur('20.00') },
      }]);
      const rest = await (await refund({ reason: 'Cancelled within 14 days' })).json();
      expect(rest).toMatchObject({ amount: eur('20.00'), balanceAfter: eur('100.00'), charge: { refunded: eur('30.00'), refundable: eur('0.00') } });
      expect(await answer(await refund({ amount: '0.01', reason: 'again' }))).toEqual([422, {
        error: { code: 'REFUND_EXCEEDS_CHARGE', message: 'Only €0.00 of this charge can still be refunded.' },
      }]);
      const statement = (await (await api.get(`/accounts/${ref}/transactions`)).json()).transactions;
      expect(statement.map((t: { kind: string; amount: { amount: string } }) => `${t.kind} ${t.amount.amount}`))
        .toEqual(['refund 20.00', 'refund 10.00', 'charge -30.00', 'top_up 100.00']);
    });

    it('refuses more than is left of the charge in the caller’s language, writing nothing', async () => {
      const { refund } = await charged('30.00');
      await refund({ amount: '25.00', reason: 'Partial outage' });
      const before = await rows();
      expect(await answer(await refund({ amount: '5.01', reason: 'Too much' }, undefined, { 'accept-language': 'fr' }))).toEqual([422, {
        error: { code: 'REFUND_EXCEEDS_CHARGE', message: 'Il ne reste que 5,00\u00a0€ de ce débit à rembourser.' },
      }]);
      expect(await rows()).toEqual(before);
    });

    it('replays a retried refund and refuses its key for another refund', async () => {
      const { refund } = await charged('30.00');
      const before = await rows();
      const first = await refund({ amount: '5.00', reason: 'Goodwill' }, 'refund-1');
      const body = await first.text();
      const again = await refund({ amount: '5.00', reason: 'Goodwill' }, 'refund-1');
      expect([again.status, again.headers.get('idempotent-replayed'), await again.text()]).toEqual([201, 'true', body]);
      const other = await refund({ amount: '6.00', reason: 'Goodwill' }, 'refund-1');
      expect([other.status, (await other.json()).error.code]).toEqual([409, 'IDEMPOTENCY_CONFLICT']);
      expect(await rows()).toEqual({ transfers: before.transfers + 1n, refunds: before.refunds + 1n, totals: before.totals + 500n });
    });

    it('replays in the ledger too, when a retry reaches it (the same key at once, or after a lost answer)', async () => {
      const { id, chargeId } = await charged('30.00');
      const before = await rows();
      const replies = await Promise.all(Array.from({ length: 8 }, () =>
        saldo().wallets.refundCharge(id, BigInt(chargeId), money(2_000n, 'EUR'), { idempotencyKey: 'lost-answer', reason: 'Outage' })));
      expect(new Set(replies.map((r) => r.transfer.id)).size).toBe(1);
      expect(replies.filter((r) => !r.transfer.replayed)).toHaveLength(1);
      expect(new Set(replies.map((r) => r.charge.refunded.amount))).toEqual(new Set([2_000n]));
      expect(await rows()).toEqual({ transfers: before.transfers + 1n, refunds: before.refunds + 1n, totals: before.totals + 2_000n });
    });

    it('does not find another account’s charge, nor what is not a charge (404)', async () => {
      const owner = await charged('30.00');
      const stranger = await charged('30.00');
      const before = await rows();
      const [topUp] = await database().sql<{ id: bigint }[]>`
        SELECT t.id FROM ledger_transfers t JOIN billing_accounts a ON a.wallet_id = t.credit_account_id WHERE a.id = ${owner.id} AND t.kind = 'top_up'`;
      for (const [ref, charge, code] of [
        [stranger.ref, owner.chargeId, 'CHARGE_NOT_FOUND'], [owner.ref, topUp!.id.toString(), 'CHARGE_NOT_FOUND'],
        [owner.ref, '9223372036854775807', 'CHARGE_NOT_FOUND'], [owner.ref, '9223372036854775808', 'NOT_FOUND'], [owner.ref, 'abc', 'NOT_FOUND'],
      ]) {
        const res = await api.post(`/accounts/${ref}/charges/${charge}/refund`, { reason: 'x' });
        expect([charge, ...(await answer(res))]).toEqual([charge, 404, { error: { code, message: expect.any(String) } }]);
      }
      expect(await rows()).toEqual(before);
    });

    it('answers bad input with a clear 4xx in the caller’s language, writes nothing, ignores unknown fields (TESTS #15)', async () => {
      const { refund } = await charged('30.00');
      const before = await rows();
      for (const { input, code, es } of badAmounts('amount')) {
        expect([input, ...(await answer(await refund({ amount: input, reason: 'r' }, undefined, { 'accept-language': 'es' })))])
          .toEqual([input, 422, { error: { code, message: es } }]);
      }
      expect((await (await refund({ amount: '1.00' })).json()).error).toEqual({ code: 'VALIDATION_FAILED', message: 'Some fields are not valid: reason.' });
      expect(await rows()).toEqual(before);
      const ignored = await refund({ amount: '1.00', reason: 'Goodwill', refunded: '0.00', kind: 'top_up' });
      expect(await ignored.json()).toMatchObject({ kind: 'refund', amount: eur('1.00'), charge: { refunded: eur('1.00') } });
    });

    it('lets exactly one of two concurrent refunds through when together they exceed the charge, and never more in a burst', async () => {
      const pair = await charged('100.00');
      const results = await Promise.all([60, 60].map(() => pair.refund({ amount: '60.00', reason: 'Duplicate charge' })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 422]);

      const burst = await charged('100.00');
      const attempts = await Promise.all(Array.from({ length: 16 }, () => burst.refund({ amount: '10.00', reason: 'Partial' })));
      const succeeded = attempts.filter((r) => r.status === 201).length;
      const refused = await Promise.all(attempts.filter((r) => r.status !== 201).map(async (r) => (await r.json()).error.code));
      const [sums] = await database().sql<{ refunded: bigint; booked: bigint; recorded: bigint; balance: bigint; entries: bigint }[]>`
        SELECT t.refunded_minor AS refunded,
               (SELECT sum(x.amount_minor) FROM ledger_transfers x JOIN charge_refunds r ON r.refund_transfer_id = x.id
                 WHERE r.charge_transfer_id = t.charge_transfer_id)::bigint AS booked,
               (SELECT sum(amount_minor) FROM charge_refunds r WHERE r.charge_transfer_id = t.charge_transfer_id)::bigint AS recorded,
               w.balance_minor AS balance, (SELECT sum(amount_minor) FROM ledger_entries e WHERE e.account_id = w.id)::bigint AS entries
          FROM charge_refund_totals t, billing_accounts a JOIN ledger_accounts w ON w.id = a.wallet_id
         WHERE t.charge_transfer_id = ${BigInt(burst.chargeId)} AND a.id = ${burst.id}`;
      report(`concurrent refunds on ${target}`, { pair: results.map((r) => r.status), attempts: 16, succeeded, refused: new Set(refused).size, ...sums });
      expect(succeeded).toBe(10);
      expect(new Set(refused)).toEqual(new Set(['REFUND_EXCEEDS_CHARGE']));
      expect(sums).toEqual({ refunded: 10_000n, booked: 10_000n, recorded: 10_000n, balance: 10_000n, entries: 10_000n });
    });

    it('is bounded by the database itself: the refunded total can neither pass the charge nor shrink', async () => {
      const { id, chargeId } = await charged('30.00');
      await saldo().wallets.refundCharge(id, BigInt(chargeId), money(1_000n, 'EUR'), { idempotencyKey: 'k', reason: 'r' });
      const sql = database().sql;
      const exceed = sql`UPDATE charge_refund_totals SET refunded_minor = charged_minor + 1 WHERE charge_transfer_id = ${BigInt(chargeId)}`;
      await expect(exceed).rejects.toMatchObject({ code: '23514', constraint_name: 'charge_refund_totals_within_charge' });
      const shrink = sql`UPDATE charge_refund_totals SET refunded_minor = 0 WHERE charge_transfer_id = ${BigInt(chargeId)}`;
      await expect(shrink).rejects.toMatchObject({ message: 'IMMUTABLE_RECORD' });
      expect(await codeOf(sql`DELETE FROM charge_refunds WHERE charge_transfer_id = ${BigInt(chargeId)}`)).toBe('SL001');
      // Straight to the ledger function, past every check in TypeScript: still refused.
      const wallet = (await saldo().accounts.get(id)).walletId;
      const revenue = (await ledger.systemAccount(sql, 'revenue', 'EUR')).id;
      const past = ledger.refundCharge(sql, { idempotencyKey: 'direct', charge: BigInt(chargeId), wallet, amount: money(2_001n, 'EUR'), debit: revenue, reason: 'r' });
      expect(await codeOf(past)).toBe('REFUND_EXCEEDS_CHARGE');
    });
  });
});
