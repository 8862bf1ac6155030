import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase } from '../support/databases.js';
import { codeOf, eur } from '../support/ledger-fixtures.js';
import { testSaldo } from '../support/saldo.js';

const customer = (paymentMode: string, over: Record<string, unknown> = {}) => ({
  externalRef: `panel-${randomUUID()}`, name: 'Hosting Client', email: 'client@example.com', country: 'ES', paymentMode, ...over,
});
const onThe = (day: number) => new Date(Date.UTC(2026, 10, day, 12));

onEachDatabase((_sql, _target, database) => {
  describe('converting an account between payment modes', () => {
    let saldo: Saldo;
    beforeAll(async () => {
      saldo = await testSaldo(database());
    });

    it('gives a credit limit when going postpaid: the operator’s, or the default', async () => {
      const chosen = await saldo.accounts.create(customer('prepaid'));
      const result = await saldo.accounts.convert(chosen.id, { to: 'postpaid', creditLimit: eur(40_000n), by: 'operator:marta', at: onThe(3) });
      expect(result).toEqual({ from: 'prepaid', to: 'postpaid', creditLimit: eur(40_000n), warnings: [] });
      expect(await saldo.accounts.balance(chosen.id)).toMatchObject({ creditLimit: eur(40_000n), usableCredit: eur(40_000n) });
      expect((await saldo.accounts.get(chosen.id)).paymentMode).toBe('postpaid');

      const byDefault = await saldo.accounts.create(customer('prepaid'));
      expect((await saldo.accounts.convert(byDefault.id, { to: 'postpaid', by: 'operator:marta', at: onThe(1) })).creditLimit).toEqual(eur(15_000n));
    });

    it('removes the limit when going prepaid, and refuses while the balance is negative', async () => {
      const account = await saldo.accounts.create(customer('postpaid', { creditLimit: eur(10_000n) }));
      await saldo.wallets.charge(account.id, eur(2_500n), { idempotencyKey: 'vps-may' });
      await expect(saldo.accounts.convert(account.id, { to: 'prepaid', by: 'operator:marta', at: onThe(2) }))
        .rejects.toMatchObject({ code: 'BALANCE_NEGATIVE', params: { balance: eur(-2_500n) } });
      expect((await saldo.accounts.get(account.id)).paymentMode).toBe('postpaid');
      expect(await saldo.accounts.conversions(account.id)).toEqual([]);

      await saldo.wallets.topUp(account.id, eur(2_500n), { idempotencyKey: 'settle' });
      const result = await saldo.accounts.convert(account.id, { to: 'prepaid', by: 'operator:marta', at: onThe(2) });
      expect(result.creditLimit).toEqual(eur(0n));
      expect(await saldo.accounts.balance(account.id)).toMatchObject({ creditLimit: eur(0n), usableCredit: eur(0n) });
      expect(await codeOf(saldo.wallets.charge(account.id, eur(1n), { idempotencyKey: 'after' }))).toBe('INSUFFICIENT_FUNDS');
    });

    it('refuses going prepaid while holds would exceed the balance', async () => {
      const account = await saldo.accounts.create(customer('postpaid', { creditLimit: eur(10_000n) }));
      await saldo.wallets.hold(account.id, eur(3_000n), { idempotencyKey: 'cart' });
      expect(await codeOf(saldo.accounts.convert(account.id, { to: 'prepaid', by: 'ops', at: onThe(2) }))).toBe('BALANCE_NEGATIVE');
    });

    it('warns when converting outside the days after the monthly invoice run, and still converts', async () => {
      const account = await saldo.accounts.create(customer('prepaid'));
      const late = await saldo.accounts.convert(account.id, { to: 'postpaid', by: 'ops', at: onThe(8) });
      expect(late.warnings).toEqual(['OUTSIDE_CONVERSION_WINDOW']);
      const inside = await saldo.accounts.convert(account.id, { to: 'prepaid', by: 'ops', at: onThe(7) });
      expect(inside.warnings).toEqual([]);
    });

    it('records every conversion: who, when, from, to and the limit', async () => {
      const account = await saldo.accounts.create(customer('prepaid'));
      await saldo.accounts.convert(account.id, { to: 'postpaid', creditLimit: eur(9_900n), by: 'operator:marta', at: onThe(1) });
      await saldo.accounts.convert(account.id, { to: 'prepaid', by: 'operator:joan', at: onThe(20) });
      expect(await saldo.accounts.conversions(account.id)).toEqual([
        { from_mode: 'prepaid', to_mode: 'postpaid', credit_limit_minor: 9_900n, changed_by: 'operator:marta', outside_window: false, created_at: onThe(1) },
        { from_mode: 'postpaid', to_mode: 'prepaid', credit_limit_minor: 0n, changed_by: 'operator:joan', outside_window: true, created_at: onThe(20) },
      ]);
      expect(await codeOf(database().sql`DELETE FROM payment_mode_changes WHERE account_id = ${account.id}`)).toBe('SL001');
      const events = await database().sql<{ type: string; payload: { from: string; to: string; creditLimit: { amount: string }; by: string } }[]>`
        SELECT type, payload FROM events WHERE account_id = ${account.id} ORDER BY seq`;
      expect(events.map((e) => [e.type, e.payload.from, e.payload.to, e.payload.creditLimit.amount, e.payload.by])).toEqual([
        ['account.mode_changed', 'prepaid', 'postpaid', '99.00', 'operator:marta'],
        ['account.mode_changed', 'postpaid', 'prepaid', '0.00', 'operator:joan'],
      ]);
    });

    it('refuses a conversion to the same or an unknown mode, or a limit on prepaid', async () => {
      const account = await saldo.accounts.create(customer('prepaid'));
      expect(await codeOf(saldo.accounts.convert(account.id, { to: 'prepaid', by: 'ops' }))).toBe('PAYMENT_MODE_UNCHANGED');
      expect(await codeOf(saldo.accounts.convert(account.id, { to: 'barter', by: 'ops' }))).toBe('PAYMENT_MODE_UNKNOWN');
      const postpaid = await saldo.accounts.create(customer('postpaid'));
      expect(await codeOf(saldo.accounts.convert(postpaid.id, { to: 'prepaid', creditLimit: eur(100n), by: 'ops' }))).toBe('VALIDATION_FAILED');
    });

    it('converts once when two operators convert the same account at once', async () => {
      const account = await saldo.accounts.create(customer('prepaid'));
      const results = await Promise.allSettled([1, 2, 3].map(() => saldo.accounts.convert(account.id, { to: 'postpaid', by: 'ops', at: onThe(2) })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await saldo.accounts.conversions(account.id)).toHaveLength(1);
    });
  });
});
