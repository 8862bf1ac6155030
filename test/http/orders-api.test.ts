import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase } from '../support/databases.js';
import { API_KEY, testSaldo } from '../support/saldo.js';

onEachDatabase((_sql, _target, database) => {
  describe('order flow over the JSON API', () => {
    let saldo: Saldo;
    const post = (path: string, body: unknown, key: string | null = randomUUID(), headers: Record<string, string> = {}) =>
      saldo.app.request(`/api/v1${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}`, ...(key ? { 'idempotency-key': key } : {}), ...headers },
      });
    const get = (path: string) => saldo.app.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${API_KEY}` } });

    beforeAll(async () => {
      saldo = await testSaldo(database());
      const product = await post('/catalogue/products', {
        code: 'vps-m', names: { en: 'VPS M', fr: 'VPS M', es: 'VPS M' }, currency: 'EUR', prices: { monthly: '20.00', annual: '240.00' }, balanceDiscountPercent: '5',
      });
      expect(product.status).toBe(200);
    });

    async function fundedCustomer(ref: string, topUp: bigint) {
      const created = await post('/accounts', { externalRef: ref, name: 'Ana', email: 'ana@example.es', country: 'ES', locale: 'es' });
      expect(created.status).toBe(201);
      const { id } = await created.json();
      if (topUp > 0n) await saldo.wallets.topUp(BigInt(id), { amount: topUp, currency: 'EUR' }, { idempotencyKey: 'fund' });
    }

    it('quotes in the customer’s language and checks out once per Idempotency-Key', async () => {
      const ref = `ana-${randomUUID()}`;
      await fundedCustomer(ref, 30_000n);
      const quote = await (await post(`/accounts/${ref}/quote`, { items: [{ product: 'vps-m', cycle: 'annual' }] })).json();
      // 240.00 − 3% (7.20) = 232.80 − 5% from balance (11.64) = 221.16
      expect(quote).toMatchObject({ covered: true, total: { amount: '221.16', currency: 'EUR' } });
      expect(quote.lines[0].adjustments.map((a: { reason: string }) => a.reason)).toEqual([
        '3 % de descuento por facturación anual', '5 % de descuento por pagar con su saldo',
      ]);

      const first = await post(`/accounts/${ref}/checkout`, { items: [{ product: 'vps-m', cycle: 'annual' }] }, 'order-9');
      expect(first.status).toBe(201);
      const body = await first.text();
      expect(JSON.parse(body)).toMatchObject({ status: 'paid', paymentUrl: null, order: { total: { amount: '221.16' } } });

      const again = await post(`/accounts/${ref}/checkout`, { items: [{ product: 'vps-m', cycle: 'annual' }] }, 'order-9');
      expect([again.status, again.headers.get('idempotent-replayed'), await again.text()]).toEqual([201, 'true', body]);
      const other = await post(`/accounts/${ref}/checkout`, { items: [{ product: 'vps-m', cycle: 'monthly' }] }, 'order-9');
      expect([other.status, (await other.json()).error.code]).toEqual([409, 'IDEMPOTENCY_CONFLICT']);

      const account = await (await get(`/accounts/${ref}`)).json();
      expect(account.balance.balance).toEqual({ amount: '78.84', currency: 'EUR' });
      const { order } = JSON.parse(body);
      expect((await (await get(`/accounts/${ref}/orders/${order.id}`)).json()).id).toBe(order.id);
      const services = (await (await get(`/accounts/${ref}/services`)).json()).services;
      // Renewal from a prepaid balance waits for the customer's choice (the provider's default).
      expect(services).toEqual([expect.objectContaining({ product: 'vps-m', cycle: 'annual', status: 'active', autoRenew: false })]);
    });

    it('answers awaiting_payment with the amount due and a payment link when the balance is short', async () => {
      const ref = `short-${randomUUID()}`;
      await fundedCustomer(ref, 500n);
      const res = await post(`/accounts/${ref}/checkout`, { items: [{ product: 'vps-m', cycle: 'monthly' }] });
      const result = await res.json();
      expect(result).toMatchObject({ status: 'awaiting_payment', amountDue: { amount: '15.00' }, order: { balanceApplied: { amount: '5.00' } } });
      expect(result.paymentUrl).toBe(`/billing/pay/${result.order.id}`);
    });

    it('requires an Idempotency-Key on every POST and refuses a retry while the first still runs', async () => {
      const ref = `keys-${randomUUID()}`;
      await fundedCustomer(ref, 100_000n);
      const missing = await post(`/accounts/${ref}/checkout`, { items: [{ product: 'vps-m', cycle: 'monthly' }] }, null);
      expect([missing.status, (await missing.json()).error.code]).toEqual([400, 'IDEMPOTENCY_KEY_INVALID']);
      const results = await Promise.all(Array.from({ length: 6 }, () => post(`/accounts/${ref}/checkout`, { items: [{ product: 'vps-m', cycle: 'monthly' }] }, 'burst')));
      const statuses = results.map((r) => r.status).sort();
      // One ran; the others either waited for its stored answer or were told it is in progress.
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      const [orders] = await database().sql<{ n: bigint }[]>`
        SELECT count(*) AS n FROM orders o JOIN billing_accounts a ON a.id = o.account_id WHERE a.external_ref = ${ref}`;
      expect(orders!.n).toBe(1n);
    });

    it('keeps one account’s orders and services away from another', async () => {
      const owner = `own-${randomUUID()}`;
      const stranger = `str-${randomUUID()}`;
      await fundedCustomer(owner, 100_000n);
      await fundedCustomer(stranger, 0n);
      const { order } = await (await post(`/accounts/${owner}/checkout`, { items: [{ product: 'vps-m', cycle: 'monthly' }] })).json();
      const [service] = (await (await get(`/accounts/${owner}/services`)).json()).services;
      expect((await get(`/accounts/${stranger}/orders/${order.id}`)).status).toBe(404);
      const cancel = await post(`/accounts/${stranger}/services/${service.id}/cancel`, {});
      expect([cancel.status, (await cancel.json()).error.code]).toEqual([404, 'SERVICE_NOT_FOUND']);
      expect((await get(`/accounts/${owner}/orders/abc`)).status).toBe(404);
    });

    it('converts an account over the API, with the window warning', async () => {
      const ref = `conv-${randomUUID()}`;
      await fundedCustomer(ref, 0n);
      const res = await post(`/accounts/${ref}/conversion`, { to: 'postpaid', creditLimit: '300.00', by: 'operator:ana' });
      expect(await res.json()).toMatchObject({ from: 'prepaid', to: 'postpaid', creditLimit: { amount: '300.00', currency: 'EUR' } });
    });
  });
});
