import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { money } from '@saldo/sdk';
import { answer, apiSuite } from '../support/api-client.js';
import { onEachDatabase } from '../support/databases.js';

onEachDatabase((_sql, _target, database) => {
  describe('a customer’s services over the JSON API', () => {
    const { saldo, api } = apiSuite(database);
    beforeAll(async () => {
      for (const code of ['mail-pro', 'backup-50']) {
        const res = await api.post('/catalogue/products', { code, names: { en: code }, currency: 'EUR', prices: { monthly: '5.00', annual: '50.00' } });
        expect(res.status).toBe(200);
      }
    });

    /** A customer who bought both products, one monthly and one yearly; answers their services. */
    async function subscriber() {
      const ref = `svc-${randomUUID()}`;
      const id = BigInt((await (await api.post('/accounts', { externalRef: ref, name: 'Ana', email: 'ana@example.es', country: 'ES' })).json()).id);
      await saldo().wallets.topUp(id, money(50_000n, 'EUR'), { idempotencyKey: 'fund' });
      const checkout = await api.post(`/accounts/${ref}/checkout`, { items: [{ product: 'mail-pro', cycle: 'monthly' }, { product: 'backup-50', cycle: 'annual', quantity: 2 }] });
      expect((await checkout.json()).status).toBe('paid');
      return { ref, id };
    }
    const ledgerRows = async () => (await database().sql<{ n: bigint }[]>`SELECT count(*) AS n FROM ledger_transfers`)[0]!.n;

    it('lists the services a customer bought, oldest first, ids as strings and dates in ISO 8601', async () => {
      const { ref } = await subscriber();
      const res = await api.get(`/accounts/${ref}/services`);
      // Prepaid, and the provider left renewal from the balance to each customer: not chosen yet.
      expect(await answer(res)).toEqual([200, { services: [
        { id: expect.stringMatching(/^\d+$/), product: 'mail-pro', cycle: 'monthly', quantity: 1, status: 'active', autoRenew: false, nextDueAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/) },
        { id: expect.stringMatching(/^\d+$/), product: 'backup-50', cycle: 'annual', quantity: 2, status: 'active', autoRenew: false, nextDueAt: expect.stringMatching(/Z$/) },
      ] }]);
      const fresh = `none-${randomUUID()}`;
      await api.post('/accounts', { externalRef: fresh, name: 'Bo', email: 'bo@example.com', country: 'SE' });
      expect(await (await api.get(`/accounts/${fresh}/services`)).json()).toEqual({ services: [] });
      expect((await api.get('/accounts/nobody/services')).status).toBe(404);
    });

    it('cancels one service, which then is not renewed, and cancelling again changes nothing', async () => {
      const { ref } = await subscriber();
      const [mail, backup] = (await (await api.get(`/accounts/${ref}/services`)).json()).services;
      const before = await ledgerRows();
      const res = await api.post(`/accounts/${ref}/services/${mail.id}/cancel`, {});
      expect(await answer(res)).toEqual([200, { ...mail, status: 'cancelled' }]);
      expect((await (await api.get(`/accounts/${ref}/services`)).json()).services).toEqual([{ ...mail, status: 'cancelled' }, backup]);
      expect(await (await api.post(`/accounts/${ref}/services/${mail.id}/cancel`, {})).json()).toEqual({ ...mail, status: 'cancelled' });
      expect(await saldo().orders.renewIfDue(BigInt(mail.id), new Date(Date.parse(mail.nextDueAt) + 86_400_000))).toEqual({ status: 'skipped', reason: 'cancelled' });
      expect(await ledgerRows()).toBe(before);
    });

    it('replays a retried cancellation and refuses its key for another service', async () => {
      const { ref } = await subscriber();
      const [mail, backup] = (await (await api.get(`/accounts/${ref}/services`)).json()).services;
      const first = await api.post(`/accounts/${ref}/services/${mail.id}/cancel`, {}, { key: 'cancel-1' });
      const body = await first.text();
      const again = await api.post(`/accounts/${ref}/services/${mail.id}/cancel`, {}, { key: 'cancel-1' });
      expect([again.status, again.headers.get('idempotent-replayed'), await again.text()]).toEqual([200, 'true', body]);
      const other = await api.post(`/accounts/${ref}/services/${backup.id}/cancel`, {}, { key: 'cancel-1' });
      expect([other.status, (await other.json()).error.code]).toEqual([409, 'IDEMPOTENCY_CONFLICT']);
      expect((await (await api.get(`/accounts/${ref}/services`)).json()).services[1].status).toBe('active');
      const missing = await api.post(`/accounts/${ref}/services/${backup.id}/cancel`, {}, { key: null });
      expect([missing.status, (await missing.json()).error.code]).toEqual([400, 'IDEMPOTENCY_KEY_INVALID']);
    });

    it('switches a service’s renewal from the balance on and off for the customer, one service at a time', async () => {
      const { ref } = await subscriber();
      const [mail, backup] = (await (await api.get(`/accounts/${ref}/services`)).json()).services;
      const on = await api.post(`/accounts/${ref}/services/${mail.id}/auto-renew`, { on: true });
      expect(await answer(on)).toEqual([200, { ...mail, autoRenew: true }]);
      expect((await (await api.get(`/accounts/${ref}/services`)).json()).services).toEqual([{ ...mail, autoRenew: true }, backup]);
      expect(await answer(await api.post(`/accounts/${ref}/services/${mail.id}/auto-renew`, { on: false }))).toEqual([200, { ...mail, autoRenew: false }]);
    });

    it('does not find another customer’s service nor an unknown one, in the caller’s language (404)', async () => {
      const owner = await subscriber();
      const stranger = await subscriber();
      const [mail] = (await (await api.get(`/accounts/${owner.ref}/services`)).json()).services;
      for (const [ref, service, code, message] of [
        [stranger.ref, mail.id, 'SERVICE_NOT_FOUND', 'Este servicio no existe.'],
        [owner.ref, '9223372036854775807', 'SERVICE_NOT_FOUND', 'Este servicio no existe.'],
        [owner.ref, 'abc', 'NOT_FOUND', 'Esta página no existe.'],
      ]) {
        const res = await api.post(`/accounts/${ref}/services/${service}/cancel`, {}, { headers: { 'accept-language': 'es' } });
        expect([service, ...(await answer(res))]).toEqual([service, 404, { error: { code, message } }]);
      }
      expect((await (await api.get(`/accounts/${owner.ref}/services`)).json()).services[0].status).toBe('active');
    });
  });
});
