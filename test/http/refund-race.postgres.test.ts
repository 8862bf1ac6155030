import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { money } from '@saldo/sdk';
import { apiSuite } from '../support/api-client.js';
import { onEachDatabase, report } from '../support/databases.js';
import { meetAtLock } from '../support/waiting.js';

// Two refunds that each fit what is left of a charge, but not together, made to meet at the worst
// moment: both have started, and both wait for the charge's row while another transaction holds
// it. Only the database can then say which one fits; a bound read before that wait, or checked
// against what was read, lets both through.
onEachDatabase((_sql, target, database) => {
  describe('refunds of one charge racing over the JSON API', () => {
    const { saldo, api } = apiSuite(database);

    for (const [name, body] of [['60.00 each', { amount: '60.00' }], ['all that is left, each', {}]] as const) {
      it(`lets exactly one through when both wait for the charge at once (${name})`, async () => {
        const ref = `race-${randomUUID()}`;
        const id = BigInt((await (await api.post('/accounts', { externalRef: ref, name: 'Ana', email: 'ana@example.es', country: 'ES' })).json()).id);
        await saldo().wallets.topUp(id, money(10_000n, 'EUR'), { idempotencyKey: 'fund' });
        const charge = (await (await api.post(`/accounts/${ref}/charges`, { amount: '100.00', description: 'Dedicated server' })).json()).id;
        const refund = () => api.post(`/accounts/${ref}/charges/${charge}/refund`, { ...body, reason: 'Billed twice' });
        expect((await api.post(`/accounts/${ref}/charges/${charge}/refund`, { amount: '10.00', reason: 'Downtime' })).status).toBe(201);

        const sql = database().sql;
        const attempts = await meetAtLock(sql, (holder) => holder`SELECT 1 FROM charge_refund_totals WHERE charge_transfer_id = ${BigInt(charge)} FOR UPDATE`,
          () => [refund(), refund()], 'ledger_refund_charge\\(', 2);
        const statuses = await Promise.all(attempts.map(async (r) => [r.status, (await r.json()).error?.code ?? 'refunded']));
        const [total] = await sql<{ refunded: bigint }[]>`SELECT refunded_minor AS refunded FROM charge_refund_totals WHERE charge_transfer_id = ${BigInt(charge)}`;
        report(`refunds meeting on one charge (${name}) on ${target}`, { statuses, refundedOf10000: total!.refunded });
        expect(statuses.sort()).toEqual([[201, 'refunded'], [422, 'REFUND_EXCEEDS_CHARGE']]);
        expect(total!.refunded).toBe(body.amount ? 7_000n : 10_000n);
      });
    }
  });
}, { only: ['postgres'] });
