import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ledger from '../../core/ledger/ledger.repo.js';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase, report } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { testSaldo } from '../support/saldo.js';
import { payOnHostedPage, startCard } from '../support/sandbox-card.js';
import { waitFor } from '../support/waiting.js';

onEachDatabase((_sql, target, database) => {
  describe('automatic top-up', () => {
    let saldo: Saldo;
    beforeAll(async () => {
      saldo = await testSaldo(database(), { jobs: { pollSeconds: 0.5 }, payments: { autoTopUpDailyCap: 3 } });
      await saldo.start();
    });
    afterAll(() => saldo.stop());

    /** A customer with a card saved from a first top-up of 100.00 (the test card decides how it behaves later). */
    async function withSavedCard(number = '4242424242424242') {
      const account = await saldo.accounts.create({ externalRef: `auto-${randomUUID()}`, name: 'Auto', email: 'a@example.com', country: 'FR' });
      const first = await startCard(saldo, account.id, { purpose: 'top_up', amount: eur(10_000n), saveMethod: true });
      await payOnHostedPage(saldo, first, { number }, 'complete');
      expect((await saldo.payments.refresh(account.id, first.id)).status).toBe('succeeded');
      const [card] = await saldo.payments.methods(account.id);
      expect(card).toMatchObject({ brand: 'visa', last4: number.slice(-4), isDefault: true, token: expect.stringMatching(/^tok_sb_/) });
      await saldo.autoTopUps.save(account.id, { enabled: true, threshold: eur(2_000n), amount: eur(5_000n), methodId: card!.id });
      return { account, card: card! };
    }
    const autoPayments = async (accountId: bigint) => database().sql<{ status: string; amount_minor: bigint }[]>`
      SELECT status, amount_minor FROM payments WHERE account_id = ${accountId} AND off_session ORDER BY created_at`;
    const eventsOf = async (accountId: bigint, type: string) => database().sql<{ payload: Record<string, unknown> }[]>`
      SELECT payload FROM events WHERE account_id = ${accountId} AND type = ${type} ORDER BY seq`;

    it('tops up once when a charge crosses the threshold, and not again for charges already below it', async () => {
      const { account } = await withSavedCard();
      await saldo.wallets.charge(account.id, eur(7_000n), { idempotencyKey: 'above' }); // 100 → 30: above 20
      await saldo.wallets.charge(account.id, eur(1_500n), { idempotencyKey: 'cross' }); // 30 → 15: crosses
      await waitFor('the automatic top-up', async () => (await autoPayments(account.id)).some((p) => p.status === 'succeeded'));
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(1_500n + 5_000n));
      await saldo.wallets.charge(account.id, eur(5_000n), { idempotencyKey: 'below' }); // 65 → 15: crosses again
      await waitFor('the second top-up', async () => (await autoPayments(account.id)).length === 2);
      await saldo.wallets.charge(account.id, eur(500n), { idempotencyKey: 'still-above' }); // 65 → 60
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await autoPayments(account.id)).map((p) => [p.status, p.amount_minor])).toEqual([['succeeded', 5_000n], ['succeeded', 5_000n]]);
    });

    it('tops up once when twenty charges cross together', async () => {
      const { account } = await withSavedCard();
      await saldo.wallets.charge(account.id, eur(7_000n), { idempotencyKey: 'to-30' }); // 30.00 left
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => saldo.wallets.charge(account.id, eur(100n), { idempotencyKey: `c${i}` })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20); // 30 → 10: one of them crosses 20
      await waitFor('the automatic top-up', async () => (await autoPayments(account.id)).some((p) => p.status === 'succeeded'));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const payments = await autoPayments(account.id);
      report(`auto top-up, 20 concurrent charges on ${target}`, { charges: 20, topUps: payments.length, balance: (await saldo.accounts.balance(account.id)).balance.amount });
      expect(payments).toHaveLength(1);
      expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(1_000n + 5_000n));
    });

    it('stops a failing card at the daily cap, and tells the panel and the customer', async () => {
      // A card that needs 3-D Secure cannot be charged while the customer is away.
      const { account } = await withSavedCard('4000000000003220');
      for (let i = 0; i < 4; i++) {
        await saldo.wallets.charge(account.id, eur(8_500n), { idempotencyKey: `drop-${i}` }); // crosses 20
        await waitFor(`attempt ${i + 1}`, async () => (await eventsOf(account.id, 'auto_topup.failed')).length >= Math.min(i + 1, 3) && (await autoPayments(account.id)).length >= Math.min(i + 1, 3));
        await saldo.wallets.topUp(account.id, eur(8_500n), { idempotencyKey: `refill-${i}` }); // back above, for the next crossing
      }
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const failures = await eventsOf(account.id, 'auto_topup.failed');
      report(`auto top-up daily cap on ${target}`, { crossings: 4, attempts: (await autoPayments(account.id)).length, failures: failures.length });
      expect((await autoPayments(account.id)).map((p) => p.status)).toEqual(['declined', 'declined', 'declined']);
      expect(failures.map((f) => [f.payload.attemptsToday, f.payload.stoppedForToday])).toEqual([[1, false], [2, false], [3, true]]);
      expect(await saldo.autoTopUps.get(account.id, 'EUR')).toMatchObject({ enabled: true, lastFailure: 'authentication_required', lastFailureAt: expect.any(Date) });
    });

    it('follows a crossing a stopped process left behind: recorded with the charge, the top-up still comes', async () => {
      const { account } = await withSavedCard();
      // The charge committed and the process stopped before following it: only the ledger's statement ran.
      const [wallet] = await database().sql<{ wallet_id: bigint }[]>`SELECT wallet_id FROM billing_accounts WHERE id = ${account.id}`;
      const revenue = await ledger.systemAccount(database().sql, 'revenue', 'EUR');
      const charge = await ledger.transfer(database().sql, { idempotencyKey: `left-${randomUUID()}`, kind: 'charge', debit: wallet!.wallet_id, credit: revenue.id, amount: eur(8_500n) });
      expect(charge.crossed).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await autoPayments(account.id)).toHaveLength(0);
      await database().sql`UPDATE balance_crossings SET created_at = now() - interval '2 minutes' WHERE transfer_id = ${charge.id}`;
      expect(await saldo.wallets.followLeftCrossings()).toBeGreaterThanOrEqual(1);
      await waitFor('the top-up from the left crossing', async () => (await autoPayments(account.id)).some((p) => p.status === 'succeeded'));
      expect(await database().sql`SELECT 1 FROM balance_crossings WHERE transfer_id = ${charge.id}`).toHaveLength(0);
    });
  });
});
