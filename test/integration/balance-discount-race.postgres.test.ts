import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase, report } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { testSaldo } from '../support/saldo.js';
import { meetAtLock } from '../support/waiting.js';

// A balance-only discount is granted on the money already on the balance. Another charge that
// takes that money while the order or renewal is being priced must not leave the discount on a
// price the credit limit ends up paying: the holder below makes such a charge and keeps it
// uncommitted while the order (or renewal) is priced.
onEachDatabase((sql, target, database) => {
  describe('a balance-only discount while another charge takes the balance', () => {
    let saldo: Saldo;
    const code = `vps-${randomUUID()}`;
    beforeAll(async () => {
      saldo = await testSaldo(database());
      await saldo.catalogue.upsert({ code, names: { en: 'VPS' }, currency: 'EUR', prices: { monthly: eur(10_000n) }, balanceDiscountPercent: '10' });
    });

    /** A postpaid account with 100.00 on its balance and 200.00 of credit: the balance pays 90.00, the discounted price, whole. */
    async function postpaid() {
      const account = await saldo.accounts.create({ externalRef: `race-${randomUUID()}`, name: 'Ana', email: 'ana@example.es', country: 'ES', paymentMode: 'postpaid', creditLimit: eur(20_000n) });
      await saldo.wallets.topUp(account.id, eur(10_000n), { idempotencyKey: randomUUID() });
      return account;
    }
    const takeHalf = (accountId: bigint) => async (tx: Parameters<Parameters<typeof meetAtLock>[1]>[0]) => {
      await saldo.wallets.charge(accountId, eur(5_000n), { idempotencyKey: randomUUID(), description: 'Usage' }, tx);
    };

    it('prices an order without the discount once the balance no longer pays it whole', async () => {
      const account = await postpaid();
      const [checkout] = await meetAtLock(sql(), takeHalf(account.id),
        () => [saldo.orders.checkout(account.id, { items: [{ product: code, cycle: 'monthly' }] }, randomUUID())], 'ledger_accounts', 1);
      const balance = await saldo.accounts.balance(account.id);
      report(`balance discount during another charge, checkout on ${target}`, { total: checkout!.order.total.amount, balance: balance.balance.amount });
      expect([checkout!.status, checkout!.order.total]).toEqual(['paid', eur(10_000n)]);
      expect(balance.balance).toEqual(eur(-5_000n));
    });

    it('renews without the discount once the balance no longer pays it whole', async () => {
      const account = await postpaid();
      await saldo.wallets.topUp(account.id, eur(9_000n), { idempotencyKey: randomUUID() });
      // Bought at 90.00 from a balance of 190.00: 100.00 left, enough for the discounted renewal.
      expect((await saldo.orders.checkout(account.id, { items: [{ product: code, cycle: 'monthly' }] }, randomUUID())).order.total).toEqual(eur(9_000n));
      const [renewed] = await meetAtLock(sql(), takeHalf(account.id), () => [saldo.orders.renewDue(new Date(Date.now() + 40 * 86_400_000))], 'ledger_accounts', 1);
      // Newest first: the renewal's charge, after the other charge it waited for.
      const [renewal, usage] = await saldo.wallets.history(account.id);
      report(`balance discount during another charge, renewal on ${target}`, { renewed: renewed!.length, charged: renewal!.amount.amount });
      expect([renewal!.amount, usage!.amount]).toEqual([eur(-10_000n), eur(-5_000n)]);
    });
  });
}, { only: ['postgres'] });
