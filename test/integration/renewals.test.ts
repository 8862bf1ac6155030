import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsSince } from '../../core/events/event-log.js';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase, report } from '../support/databases.js';
import { codeOf, eur } from '../support/ledger-fixtures.js';
import { testSaldo } from '../support/saldo.js';

const day = 86_400_000;

onEachDatabase((_sql, target, database) => {
  describe('services and renewals', () => {
    let saldo: Saldo;
    beforeAll(async () => {
      saldo = await testSaldo(database());
      // 10.00 a month; 10% off from balance → a renewal costs 9.00
      await saldo.catalogue.upsert({ code: 'vps-s', names: { en: 'VPS S' }, currency: 'EUR', prices: { monthly: eur(1_000n) }, balanceDiscountPercent: '10' });
    });

    /**
     * A prepaid customer with one monthly VPS bought from balance, and `spare` left on the
     * balance, who chose to have it renew from the balance (`renews`), or not yet.
     */
    async function customerWithService(spare: bigint, { renews = true, on = saldo } = {}) {
      const account = await on.accounts.create({ externalRef: `panel-${randomUUID()}`, name: 'C', email: 'c@example.com', country: 'FR' });
      await on.wallets.topUp(account.id, eur(900n + spare), { idempotencyKey: 'fund' });
      const { order } = await on.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, 'first');
      expect(order.status).toBe('paid');
      const [service] = await on.orders.services(account.id);
      return { account, service: renews ? await on.orders.setAutoRenew(account.id, service!.id, true) : service! };
    }
    const eventsOf = async (accountId: bigint) => (await eventsSince(database().sql, 0n, 10_000)).filter((e) => e.accountId === accountId).map((e) => e.type);
    const charges = async (accountId: bigint) =>
      (await saldo.wallets.history(accountId)).filter((e) => e.kind === 'charge').length;

    it('renews a due service from the balance and moves its due date by one cycle', async () => {
      const { account, service } = await customerWithService(900n);
      const due = service.nextDueAt;
      expect(await saldo.orders.renewIfDue(service.id, new Date(due.getTime() - day))).toEqual({ status: 'skipped', reason: 'not_due' });
      const outcome = await saldo.orders.renewIfDue(service.id, due);
      expect(outcome).toMatchObject({ status: 'renewed', period: due, amount: eur(900n) });
      const [after] = await saldo.orders.services(account.id);
      expect(after!.nextDueAt.getUTCMonth()).toBe((due.getUTCMonth() + 1) % 12);
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(0n));
      expect(await eventsOf(account.id)).toEqual(['order.paid', 'service.renewed']);
    });

    it('renews once when the job runs twice for the same period', async () => {
      const { account, service } = await customerWithService(5_000n);
      const due = service.nextDueAt;
      expect((await saldo.orders.renewIfDue(service.id, due)).status).toBe('renewed');
      expect(await saldo.orders.renewIfDue(service.id, due)).toEqual({ status: 'skipped', reason: 'not_due' });
      expect(await charges(account.id)).toBe(2); // the order and one renewal
    });

    it('waits for payment when the balance is short, tells the panel once, and renews after a top-up', async () => {
      const { account, service } = await customerWithService(100n);
      const due = service.nextDueAt;
      // Waiting for a gateway, the period is due at its full price; renewed from the balance, with the balance discount.
      expect(await saldo.orders.renewIfDue(service.id, due)).toMatchObject({ status: 'awaiting_payment', reason: 'insufficient_funds', amount: eur(1_000n) });
      expect(await saldo.orders.renewIfDue(service.id, due)).toEqual({ status: 'skipped', reason: 'waiting_for_payment' });
      expect(await eventsOf(account.id)).toEqual(['order.paid', 'service.renewal_failed']);
      await saldo.wallets.topUp(account.id, eur(800n), { idempotencyKey: 'later' });
      expect((await saldo.orders.renewIfDue(service.id, due)).status).toBe('renewed');
      expect(await eventsOf(account.id)).toEqual(['order.paid', 'service.renewal_failed', 'service.renewed']);
    });

    it('asks the panel once to suspend a service whose renewal is still unpaid after the grace days', async () => {
      const { account, service } = await customerWithService(100n);
      const due = service.nextDueAt;
      expect((await saldo.orders.renewIfDue(service.id, due)).status).toBe('awaiting_payment');
      expect(await saldo.orders.renewIfDue(service.id, new Date(due.getTime() + 6 * day))).toEqual({ status: 'skipped', reason: 'waiting_for_payment' });
      expect(await saldo.orders.renewIfDue(service.id, new Date(due.getTime() + 7 * day))).toEqual({ status: 'suspend_requested', period: due });
      expect(await saldo.orders.renewIfDue(service.id, new Date(due.getTime() + 8 * day))).toEqual({ status: 'skipped', reason: 'waiting_for_payment' });
      expect(await eventsOf(account.id)).toEqual(['order.paid', 'service.renewal_failed', 'service.suspend_requested']);
    });

    it('does not renew from balance when the customer turned auto-renew off, or the provider forbids it', async () => {
      const { account, service } = await customerWithService(5_000n);
      await saldo.orders.setAutoRenew(account.id, service.id, false);
      expect(await saldo.orders.renewIfDue(service.id, service.nextDueAt)).toMatchObject({ status: 'awaiting_payment', reason: 'auto_renew_off' });
      // The customer can still pay the period themselves.
      expect(await saldo.orders.payRenewal(account.id, service.id, service.nextDueAt)).toMatchObject({ status: 'renewed', amount: eur(900n) });

      // The former switch, `renewFromBalance: false`, still forbids it.
      const strict = await testSaldo(database(), { billing: { renewFromBalance: false } });
      const other = await customerWithService(5_000n);
      expect(await strict.orders.renewIfDue(other.service.id, other.service.nextDueAt)).toMatchObject({ status: 'awaiting_payment', reason: 'balance_renewals_disabled' });
    });

    it('leaves renewal from a prepaid balance to the customer: a new service waits until they turn it on', async () => {
      const { account, service } = await customerWithService(5_000n, { renews: false });
      expect(service.autoRenew).toBe(false);
      expect(await saldo.orders.renewIfDue(service.id, service.nextDueAt)).toMatchObject({ status: 'awaiting_payment', reason: 'auto_renew_off' });
      expect(await eventsOf(account.id)).toEqual(['order.paid', 'service.renewal_failed']);
      expect((await saldo.orders.setAutoRenew(account.id, service.id, true)).autoRenew).toBe(true);
      // The period already waiting is renewed on the next run, now that the customer chose it.
      expect(await saldo.orders.renewIfDue(service.id, service.nextDueAt)).toMatchObject({ status: 'renewed', amount: eur(900n) });
    });

    it('starts new services renewing where the provider makes it the default, and the customer may still say no', async () => {
      const generous = await testSaldo(database(), { billing: { balanceRenewals: 'on-by-default' } });
      const { account, service } = await customerWithService(5_000n, { renews: false, on: generous });
      expect(service.autoRenew).toBe(true);
      expect(await generous.orders.renewIfDue(service.id, service.nextDueAt)).toMatchObject({ status: 'renewed' });
      const [renewed] = await generous.orders.services(account.id);
      expect((await generous.orders.setAutoRenew(account.id, service.id, false)).autoRenew).toBe(false);
      expect(await generous.orders.renewIfDue(service.id, renewed!.nextDueAt)).toMatchObject({ status: 'awaiting_payment', reason: 'auto_renew_off' });
    });

    it('never renews from a prepaid balance where the provider forbids it, and refuses the customer’s switch', async () => {
      const strict = await testSaldo(database(), { billing: { balanceRenewals: 'forbidden' } });
      const { account, service } = await customerWithService(5_000n, { renews: false, on: strict });
      expect(service.autoRenew).toBe(false);
      expect(await codeOf(strict.orders.setAutoRenew(account.id, service.id, true))).toBe('BALANCE_RENEWALS_FORBIDDEN');
      expect((await strict.orders.setAutoRenew(account.id, service.id, false)).autoRenew).toBe(false);
      expect(await strict.orders.renewIfDue(service.id, service.nextDueAt)).toMatchObject({ status: 'awaiting_payment', reason: 'balance_renewals_disabled' });
      expect(await charges(account.id)).toBe(1);
    });

    it('renews a postpaid account’s services on its credit whatever the balance policy, unless the customer says no', async () => {
      for (const policy of ['off-by-default', 'forbidden'] as const) {
        const provider = await testSaldo(database(), { billing: { balanceRenewals: policy } });
        const account = await provider.accounts.create({ externalRef: `post-${randomUUID()}`, name: 'P', email: 'p@example.com', country: 'FR', paymentMode: 'postpaid', creditLimit: eur(5_000n) });
        await provider.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, 'first');
        const [service] = await provider.orders.services(account.id);
        expect([policy, service!.autoRenew]).toEqual([policy, true]);
        expect(await provider.orders.renewIfDue(service!.id, service!.nextDueAt)).toMatchObject({ status: 'renewed', amount: eur(1_000n) });
        expect((await provider.accounts.balance(account.id)).balance).toEqual(eur(-2_000n)); // both periods on credit
        const [renewed] = await provider.orders.services(account.id);
        await provider.orders.setAutoRenew(account.id, service!.id, false);
        expect(await provider.orders.renewIfDue(service!.id, renewed!.nextDueAt)).toMatchObject({ status: 'awaiting_payment', reason: 'auto_renew_off' });
      }
    });

    it('asks a postpaid customer converted to prepaid before renewing from the balance', async () => {
      const account = await saldo.accounts.create({ externalRef: `conv-${randomUUID()}`, name: 'C', email: 'c@example.com', country: 'FR', paymentMode: 'postpaid', creditLimit: eur(5_000n) });
      await saldo.wallets.topUp(account.id, eur(5_000n), { idempotencyKey: 'fund' });
      await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, 'first');
      expect((await saldo.orders.services(account.id))[0]!.autoRenew).toBe(true);
      await saldo.accounts.convert(account.id, { to: 'prepaid', by: 'operator' });
      const [service] = await saldo.orders.services(account.id);
      expect(service!.autoRenew).toBe(false);
      expect(await saldo.orders.renewIfDue(service!.id, service!.nextDueAt)).toMatchObject({ status: 'awaiting_payment', reason: 'auto_renew_off' });
    });

    it('stops renewing a cancelled service, and refuses to be paid for it', async () => {
      const { account, service } = await customerWithService(5_000n);
      expect((await saldo.orders.cancelService(account.id, service.id)).status).toBe('cancelled');
      expect((await saldo.orders.cancelService(account.id, service.id)).status).toBe('cancelled');
      expect(await saldo.orders.renewIfDue(service.id, service.nextDueAt)).toEqual({ status: 'skipped', reason: 'cancelled' });
      expect(await codeOf(saldo.orders.payRenewal(account.id, service.id, service.nextDueAt))).toBe('SERVICE_CANCELLED');
      expect(await charges(account.id)).toBe(1);
    });

    it('never lets one customer pay, cancel or toggle another customer’s service', async () => {
      const { service } = await customerWithService(5_000n);
      const stranger = await saldo.accounts.create({ externalRef: `panel-${randomUUID()}`, name: 'S', email: 's@example.com', country: 'FR' });
      expect(await codeOf(saldo.orders.payRenewal(stranger.id, service.id, service.nextDueAt))).toBe('SERVICE_NOT_FOUND');
      expect(await codeOf(saldo.orders.cancelService(stranger.id, service.id))).toBe('SERVICE_NOT_FOUND');
      expect(await codeOf(saldo.orders.setAutoRenew(stranger.id, service.id, false))).toBe('SERVICE_NOT_FOUND');
    });

    it('renews once, or not at all, when renewal, payment and cancellation of one service race (TESTS #7)', async () => {
      const tallies = { renewedOnce: 0, cancelledFirst: 0, renewedTwice: 0 };
      for (let round = 0; round < 12; round++) {
        const { account, service } = await customerWithService(5_000n);
        const due = service.nextDueAt;
        const racers = [
          () => saldo.orders.renewIfDue(service.id, due),
          () => saldo.orders.payRenewal(account.id, service.id, due).catch((e) => e.code),
          () => saldo.orders.cancelService(account.id, service.id),
        ];
        // Rotate who starts first, so each ordering is exercised.
        await Promise.all([0, 1, 2].map((i) => racers[(i + round) % 3]!()));
        const [after] = await saldo.orders.services(account.id);
        const renewals = await database().sql<{ n: bigint }[]>`SELECT count(*) AS n FROM service_renewals WHERE service_id = ${service.id} AND status = 'renewed'`;
        const renewalCharges = (await charges(account.id)) - 1;
        const moved = (after!.nextDueAt.getTime() - due.getTime()) > 0 ? 1 : 0;
        if (Number(renewals[0]!.n) > 1) tallies.renewedTwice++;
        expect(after!.status).toBe('cancelled');
        expect([Number(renewals[0]!.n), renewalCharges, moved]).toSatisfy(
          (r: number[]) => (r[0] === 1 && r[1] === 1 && r[2] === 1) || (r[0] === 0 && r[1] === 0 && r[2] === 0),
        );
        if (renewalCharges === 1) tallies.renewedOnce++;
        else tallies.cancelledFirst++;
      }
      report(`renewal/payment/cancellation race on ${target}`, { rounds: 12, ...tallies });
    });

    it('renews once when two workers run the renewal job at once', async () => {
      const { account, service } = await customerWithService(5_000n);
      const when = new Date(service.nextDueAt.getTime() + 1);
      await Promise.all([saldo.orders.renewDue(when), saldo.orders.renewDue(when)]);
      const renewals = await database().sql<{ n: bigint }[]>`SELECT count(*) AS n FROM service_renewals WHERE service_id = ${service.id}`;
      expect(renewals[0]!.n).toBe(1n);
      expect(await charges(account.id)).toBe(2);
      expect((await eventsOf(account.id)).filter((t) => t === 'service.renewed')).toHaveLength(1);
    });
  });
});
