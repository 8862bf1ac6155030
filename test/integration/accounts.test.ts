import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { money } from '@saldo/sdk';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase } from '../support/databases.js';
import { codeOf, eur } from '../support/ledger-fixtures.js';
import { testSaldo } from '../support/saldo.js';

const customer = (over: Record<string, unknown> = {}) => ({
  externalRef: `panel-${randomUUID()}`,
  name: 'Atelier Dupont SARL',
  email: 'compta@dupont.example',
  country: 'fr',
  locale: 'fr' as const,
  ...over,
});

onEachDatabase((_sql, _target, database) => {
  describe('billing accounts', () => {
    let saldo: Saldo;
    beforeAll(async () => {
      saldo = await testSaldo(database());
    });

    it('opens a prepaid account with a wallet, a customer number and no credit', async () => {
      const account = await saldo.accounts.create(customer({ vatId: 'fr40303265045' }));
      expect(account).toMatchObject({
        paymentMode: 'prepaid', currency: 'EUR', locale: 'fr', country: 'FR', vatId: 'FR40303265045', creditLimit: eur(0n),
      });
      expect(account.customerNumber).toMatch(/^C\d{5,}$/);
      expect(await saldo.accounts.balance(account.id)).toEqual({
        balance: eur(0n), creditLimit: eur(0n), held: eur(0n), usableCredit: eur(0n), low: false, creditUsed: eur(0n),
      });
      expect(await saldo.accounts.getByExternalRef(account.externalRef)).toEqual(account);
    });

    it('gives a postpaid account the configured default credit limit, or the one asked for', async () => {
      const byDefault = await saldo.accounts.create(customer({ paymentMode: 'postpaid' }));
      expect(byDefault.creditLimit).toEqual(eur(15_000n));
      const chosen = await saldo.accounts.create(customer({ paymentMode: 'postpaid', creditLimit: eur(50_000n) }));
      expect((await saldo.accounts.balance(chosen.id)).usableCredit).toEqual(eur(50_000n));
    });

    it('refuses a credit limit on a prepaid account, an unknown mode, bad fields and other currencies', async () => {
      expect(await codeOf(saldo.accounts.create(customer({ creditLimit: eur(100n) })))).toBe('VALIDATION_FAILED');
      expect(await codeOf(saldo.accounts.create(customer({ paymentMode: 'barter' })))).toBe('PAYMENT_MODE_UNKNOWN');
      await expect(saldo.accounts.create(customer({ email: 'not-an-email', country: 'France' })))
        .rejects.toMatchObject({ code: 'VALIDATION_FAILED', params: { fields: 'email, country' } });
      expect(await codeOf(saldo.accounts.create(customer({ paymentMode: 'postpaid', creditLimit: money(100n, 'USD') })))).toBe('CURRENCY_MISMATCH');
      expect(await codeOf(saldo.accounts.create(customer({ currency: 'XXX' })))).toBe('VALIDATION_FAILED');
    });

    it('opens one account per external reference, even when the panel asks five times at once', async () => {
      const ref = `panel-${randomUUID()}`;
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => saldo.accounts.create(customer({ externalRef: ref }))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(new Set(results.flatMap((r) => (r.status === 'rejected' ? [r.reason.code] : [])))).toEqual(new Set(['ACCOUNT_EXISTS']));
      const [count] = await database().sql<{ n: bigint }[]>`SELECT count(*) AS n FROM billing_accounts WHERE external_ref = ${ref}`;
      expect(count!.n).toBe(1n);
    });

    it('reports usable credit as balance + credit limit − holds, and flags a low balance', async () => {
      const account = await saldo.accounts.create(customer({ paymentMode: 'postpaid', creditLimit: eur(10_000n), lowBalanceThreshold: eur(5_000n) }));
      await saldo.wallets.topUp(account.id, eur(2_000n), { idempotencyKey: 'topup-1' });
      await saldo.wallets.hold(account.id, eur(3_000n), { idempotencyKey: 'hold-1' });
      expect(await saldo.accounts.balance(account.id)).toEqual({
        balance: eur(2_000n), creditLimit: eur(10_000n), held: eur(3_000n), usableCredit: eur(9_000n), low: false, creditUsed: eur(1_000n),
      });
      await saldo.wallets.charge(account.id, eur(4_500n), { idempotencyKey: 'charge-1', description: 'VPS L, April' });
      expect(await saldo.accounts.balance(account.id)).toMatchObject({ balance: eur(-2_500n), usableCredit: eur(4_500n), low: true, creditUsed: eur(5_500n) });
    });

    it('refuses to lower a credit limit below what is already used, in the database', async () => {
      const account = await saldo.accounts.create(customer({ paymentMode: 'postpaid', creditLimit: eur(10_000n) }));
      await saldo.wallets.charge(account.id, eur(6_000n), { idempotencyKey: 'c' });
      expect(await codeOf(saldo.accounts.setCreditLimit(account.id, eur(5_999n)))).toBe('CREDIT_LIMIT_BELOW_USAGE');
      await saldo.accounts.setCreditLimit(account.id, eur(6_000n));
      expect(await saldo.accounts.balance(account.id)).toMatchObject({ creditLimit: eur(6_000n), usableCredit: eur(0n) });
      const prepaid = await saldo.accounts.create(customer());
      expect(await codeOf(saldo.accounts.setCreditLimit(prepaid.id, eur(100n)))).toBe('VALIDATION_FAILED');
    });

    it('scopes idempotency keys to the account: two customers may use the same key', async () => {
      const a = await saldo.accounts.create(customer());
      const b = await saldo.accounts.create(customer());
      const ta = await saldo.wallets.topUp(a.id, eur(1_000n), { idempotencyKey: 'order-1' });
      const tb = await saldo.wallets.topUp(b.id, eur(2_000n), { idempotencyKey: 'order-1' });
      expect(ta.id).not.toBe(tb.id);
      expect((await saldo.wallets.topUp(a.id, eur(1_000n), { idempotencyKey: 'order-1' })).id).toBe(ta.id);
      expect(await codeOf(saldo.wallets.topUp(a.id, eur(1_001n), { idempotencyKey: 'order-1' }))).toBe('IDEMPOTENCY_CONFLICT');
    });

    it('never lets one account capture or release another account’s hold', async () => {
      const a = await saldo.accounts.create(customer());
      const b = await saldo.accounts.create(customer());
      await saldo.wallets.topUp(a.id, eur(1_000n), { idempotencyKey: 't' });
      const held = await saldo.wallets.hold(a.id, eur(500n), { idempotencyKey: 'h' });
      expect(await codeOf(saldo.wallets.capture(b.id, held.id, eur(500n), { idempotencyKey: 'x' }))).toBe('HOLD_NOT_FOUND');
      expect(await codeOf(saldo.wallets.release(b.id, held.id))).toBe('HOLD_NOT_FOUND');
      expect(await codeOf(saldo.wallets.charge(a.id, money(10n, 'USD'), { idempotencyKey: 'usd' }))).toBe('CURRENCY_MISMATCH');
      const captured = await saldo.wallets.capture(a.id, held.id, eur(200n), { idempotencyKey: 'cap' });
      expect(captured.debitBalanceAfter).toEqual(eur(800n));
      const history = await saldo.wallets.history(a.id);
      expect(history.map((e) => [e.kind, e.amount.amount, e.balanceAfter?.amount])).toEqual([
        ['capture', -200n, 800n],
        ['top_up', 1_000n, 1_000n],
      ]);
    });
  });
});
