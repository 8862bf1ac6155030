import { describe, expect, it } from 'vitest';
import * as ledger from '../../core/ledger/ledger.repo.js';
import { money } from '@saldo/sdk';
import { onEachDatabase, report } from '../support/databases.js';
import { codeOf, countRows, eur, fundedWallet, key } from '../support/ledger-fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

onEachDatabase((db) => {
  describe('ledger', () => {
    describe('transfers', () => {
      it('credits a top-up and debits a charge, keeping both sides in balance', async () => {
        const sql = db();
        const { wallet, clearing, revenue } = await fundedWallet(sql);
        const topUp = await ledger.transfer(sql, { idempotencyKey: key(), kind: 'top_up', debit: clearing, credit: wallet, amount: eur(5000n) });
        expect(topUp.creditBalanceAfter).toEqual(eur(5000n));
        expect(topUp.debitBalanceAfter).toBeNull(); // system accounts keep no cached balance
        const charge = await ledger.transfer(sql, {
          idempotencyKey: key(), kind: 'charge', debit: wallet, credit: revenue, amount: eur(1250n), description: 'Web hosting, March',
        });
        expect(charge.debitBalanceAfter).toEqual(eur(3750n));

        expect((await ledger.walletBalance(sql, wallet)).balance).toEqual(eur(3750n));
        expect(await ledger.derivedBalance(sql, wallet)).toBe(3750n);
        const [sums] = await sql<{ total: bigint }[]>`
          SELECT sum(amount_minor)::bigint AS total FROM ledger_entries WHERE transfer_id IN (${topUp.id}, ${charge.id})`;
        expect(sums!.total).toBe(0n);

        const history = await ledger.entries(sql, wallet);
        expect(history.map((e) => [e.kind, e.amount.amount, e.balanceAfter?.amount])).toEqual([
          ['charge', -1250n, 3750n],
          ['top_up', 5000n, 5000n],
        ]);
        expect(history[0]!.description).toBe('Web hosting, March');
      });

      it('refuses a charge beyond the balance with the amount still available, writing nothing', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 1000n });
        const before = await countRows(sql, 'ledger_transfers');
        const refusal = ledger.transfer(sql, { idempotencyKey: key(), kind: 'charge', debit: wallet, credit: revenue, amount: eur(1001n) });
        await expect(refusal).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', status: 402, params: { available: eur(1000n) } });
        await expect(ledger.transfer(sql, { idempotencyKey: key(), kind: 'charge', debit: wallet, credit: revenue, amount: eur(1001n) }))
          .rejects.toThrow('Your balance is too low: €10.00 available.');
        expect(await countRows(sql, 'ledger_transfers')).toBe(before);
        expect((await ledger.walletBalance(sql, wallet)).balance).toEqual(eur(1000n));
      });

      it('lets a postpaid wallet go down to minus its credit limit, and no further', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 500n, credit: 2000n });
        await ledger.transfer(sql, { idempotencyKey: key(), kind: 'charge', debit: wallet, credit: revenue, amount: eur(2500n) });
        const balance = await ledger.walletBalance(sql, wallet);
        expect(balance).toMatchObject({ balance: eur(-2000n), usableCredit: eur(0n), creditLimit: eur(2000n) });
        expect(await codeOf(ledger.transfer(sql, { idempotencyKey: key(), kind: 'charge', debit: wallet, credit: revenue, amount: eur(1n) })))
          .toBe('INSUFFICIENT_FUNDS');
      });

      it('refuses other currencies, unknown accounts, zero amounts and the same account on both sides', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 1000n });
        const usdRevenue = await ledger.systemAccount(sql, 'revenue', 'USD');
        const charge = (over: Partial<Parameters<typeof ledger.transfer>[1]>) =>
          codeOf(ledger.transfer(sql, { idempotencyKey: key(), kind: 'charge', debit: wallet, credit: revenue, amount: eur(10n), ...over }));
        expect(await charge({ credit: usdRevenue.id })).toBe('LEDGER_ACCOUNT_INVALID');
        expect(await charge({ amount: money(10n, 'USD') })).toBe('LEDGER_ACCOUNT_INVALID');
        expect(await charge({ credit: 999_999_999n })).toBe('LEDGER_ACCOUNT_INVALID');
        expect(await charge({ credit: wallet })).toBe('LEDGER_ACCOUNT_INVALID');
        expect(await charge({ amount: eur(0n) })).toBe('AMOUNT_NOT_POSITIVE');
        expect(await charge({ amount: eur(-5n) })).toBe('AMOUNT_NOT_POSITIVE');
        expect(await charge({ idempotencyKey: '' })).toBe('IDEMPOTENCY_KEY_INVALID');
        expect((await ledger.walletBalance(sql, wallet)).balance).toEqual(eur(1000n));
      });

      it('moves money between two wallets in both directions at once without deadlock', async () => {
        const sql = db();
        const a = await fundedWallet(sql, { balance: 10_000n });
        const b = await fundedWallet(sql, { balance: 10_000n });
        const moves = Array.from({ length: 40 }, (_, i) =>
          ledger.transfer(sql, {
            idempotencyKey: key(), kind: 'adjustment', amount: eur(100n),
            debit: i % 2 ? a.wallet : b.wallet, credit: i % 2 ? b.wallet : a.wallet,
          }),
        );
        await Promise.all(moves);
        expect((await ledger.walletBalance(sql, a.wallet)).balance).toEqual(eur(10_000n));
        expect(await ledger.derivedBalance(sql, b.wallet)).toBe(10_000n);
      });
    });

    describe('idempotency', () => {
      it('replays the same key and body ten times in a row as one transfer with identical replies (TESTS #2)', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 10_000n });
        const request = { idempotencyKey: key('replay'), kind: 'charge', debit: wallet, credit: revenue, amount: eur(700n), description: 'Domain renewal' };
        const first = await ledger.transfer(sql, request);
        const replies = [];
        for (let i = 0; i < 10; i++) replies.push(await ledger.transfer(sql, { ...request }));
        for (const reply of replies) expect({ ...reply, replayed: false }).toEqual(first);
        expect(replies.every((r) => r.replayed)).toBe(true);
        expect((await ledger.walletBalance(sql, wallet)).balance).toEqual(eur(9300n));
        report('idempotent replay, sequential', { requests: 11, transfers: 1, balance: 9300n });
      });

      it('replays the same key sent ten times at once as one transfer (TESTS #2)', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 10_000n });
        const request = { idempotencyKey: key('burst'), kind: 'charge', debit: wallet, credit: revenue, amount: eur(700n) };
        const replies = await Promise.all(Array.from({ length: 10 }, () => ledger.transfer(sql, { ...request })));
        const ids = new Set(replies.map((r) => r.id));
        expect(ids.size).toBe(1);
        expect(replies.filter((r) => !r.replayed)).toHaveLength(1);
        const normalised = replies.map((r) => ({ ...r, replayed: false }));
        for (const reply of normalised) expect(reply).toEqual(normalised[0]);
        const [count] = await sql<{ n: bigint }[]>`SELECT count(*) AS n FROM ledger_transfers WHERE idempotency_key = ${request.idempotencyKey}`;
        expect(count!.n).toBe(1n);
        expect(await ledger.derivedBalance(sql, wallet)).toBe(9300n);
        report('idempotent replay, concurrent', { requests: 10, transfers: ids.size, balance: 9300n });
      });

      it('replays a key sent ten times at once even when the first request took all the funds', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 700n });
        const request = { idempotencyKey: key('all-in'), kind: 'charge', debit: wallet, credit: revenue, amount: eur(700n) };
        const replies = await Promise.allSettled(Array.from({ length: 10 }, () => ledger.transfer(sql, { ...request })));
        expect(replies.map((r) => r.status)).toEqual(Array(10).fill('fulfilled'));
        const ids = new Set(replies.map((r) => (r as PromiseFulfilledResult<{ id: bigint }>).value.id));
        expect(ids.size).toBe(1);
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ balance: eur(0n) });
      });

      it('replays a hold request sent ten times at once as one hold, even when it took all the funds', async () => {
        const sql = db();
        const { wallet } = await fundedWallet(sql, { balance: 500n });
        const request = { idempotencyKey: key('hold-burst'), account: wallet, amount: eur(500n), expiresAt: new Date(Date.now() + 60_000) };
        const replies = await Promise.allSettled(Array.from({ length: 10 }, () => ledger.hold(sql, { ...request })));
        expect(replies.map((r) => r.status)).toEqual(Array(10).fill('fulfilled'));
        expect(new Set(replies.map((r) => (r as PromiseFulfilledResult<{ id: bigint }>).value.id)).size).toBe(1);
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ held: eur(500n), usableCredit: eur(0n) });
      });

      it('refuses the same key with other parameters as a conflict naming the key, writing nothing (TESTS #3)', async () => {
        const sql = db();
        const { wallet, revenue, clearing } = await fundedWallet(sql, { balance: 10_000n });
        const k = key('conflict');
        await ledger.transfer(sql, { idempotencyKey: k, kind: 'charge', debit: wallet, credit: revenue, amount: eur(700n) });
        const transfers = await countRows(sql, 'ledger_transfers');
        const entries = await countRows(sql, 'ledger_entries');
        for (const other of [
          { amount: eur(701n) },
          { description: 'something else' },
          { kind: 'refund', debit: revenue, credit: wallet },
          { debit: clearing },
        ]) {
          const attempt = ledger.transfer(sql, { idempotencyKey: k, kind: 'charge', debit: wallet, credit: revenue, amount: eur(700n), ...other });
          await expect(attempt).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', status: 409, params: { key: k } });
        }
        expect(await countRows(sql, 'ledger_transfers')).toBe(transfers);
        expect(await countRows(sql, 'ledger_entries')).toBe(entries);
        expect((await ledger.walletBalance(sql, wallet)).balance).toEqual(eur(9300n));
      });

      it('leaves the key unused when the first attempt was refused, so a retry after a top-up succeeds', async () => {
        const sql = db();
        const { wallet, revenue, clearing } = await fundedWallet(sql, { balance: 100n });
        const request = { idempotencyKey: key('retry'), kind: 'charge', debit: wallet, credit: revenue, amount: eur(500n) };
        expect(await codeOf(ledger.transfer(sql, request))).toBe('INSUFFICIENT_FUNDS');
        await ledger.transfer(sql, { idempotencyKey: key(), kind: 'top_up', debit: clearing, credit: wallet, amount: eur(400n) });
        expect((await ledger.transfer(sql, request)).debitBalanceAfter).toEqual(eur(0n));
      });
    });

    describe('immutability (TESTS #9)', () => {
      it('refuses UPDATE, DELETE and TRUNCATE of posted transfers and entries; corrections are new transfers', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 1000n });
        const charge = await ledger.transfer(sql, { idempotencyKey: key(), kind: 'charge', debit: wallet, credit: revenue, amount: eur(300n) });
        const attempts = {
          'update transfer': sql`UPDATE ledger_transfers SET amount_minor = 1 WHERE id = ${charge.id}`,
          'delete transfer': sql`DELETE FROM ledger_transfers WHERE id = ${charge.id}`,
          'truncate transfers': sql`TRUNCATE ledger_transfers CASCADE`,
          'delete wallet': sql`DELETE FROM ledger_accounts WHERE id = ${wallet}`,
          'change a wallet’s currency': sql`UPDATE ledger_accounts SET currency = 'USD' WHERE id = ${wallet}`,
          'turn a wallet into a system account': sql`UPDATE ledger_accounts SET kind = 'system', balance_minor = 0, min_balance_minor = NULL WHERE id = ${wallet}`,
        };
        for (const [what, attempt] of Object.entries(attempts)) {
          const error = await attempt.then(() => null, (e: { code?: string; message: string }) => e);
          expect([what, error?.code, error?.message]).toEqual([what, 'SL001', 'IMMUTABLE_RECORD']);
        }
        // Entries are the two legs of each transfer, a view: nothing can write them directly.
        for (const write of [
          sql`UPDATE ledger_entries SET amount_minor = 1 WHERE transfer_id = ${charge.id}`,
          sql`DELETE FROM ledger_entries WHERE transfer_id = ${charge.id}`,
          sql`INSERT INTO ledger_entries (transfer_id, account_id, amount_minor) VALUES (${charge.id}, ${wallet}, 1)`,
        ]) {
          expect(await codeOf(write)).not.toBe('no error');
        }
        expect(await ledger.entries(sql, wallet)).toHaveLength(2);
        // A bypass of the ledger functions cannot break the wallet's bound either.
        expect(await codeOf(sql`UPDATE ledger_accounts SET balance_minor = -1 WHERE id = ${wallet}`)).toBe('23514');

        const refund = await ledger.transfer(sql, { idempotencyKey: key(), kind: 'refund', debit: revenue, credit: wallet, amount: eur(300n) });
        expect(refund.creditBalanceAfter).toEqual(eur(1000n));
        expect(await ledger.derivedBalance(sql, wallet)).toBe(1000n);
      });
    });

    describe('holds (TESTS #11)', () => {
      const in1h = () => new Date(Date.now() + 3_600_000);

      it('reserves funds: what is held cannot be spent twice', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 1000n });
        const held = await ledger.hold(sql, { idempotencyKey: key(), account: wallet, amount: eur(800n), expiresAt: in1h() });
        expect(held.status).toBe('pending');
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ balance: eur(1000n), held: eur(800n), usableCredit: eur(200n) });
        expect(await codeOf(ledger.transfer(sql, { idempotencyKey: key(), kind: 'charge', debit: wallet, credit: revenue, amount: eur(201n) })))
          .toBe('INSUFFICIENT_FUNDS');
        expect(await codeOf(ledger.hold(sql, { idempotencyKey: key(), account: wallet, amount: eur(201n), expiresAt: in1h() })))
          .toBe('INSUFFICIENT_FUNDS');
      });

      it('captures part of a hold and releases the remainder once; a second capture replays or is refused', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 1000n });
        const h = await ledger.hold(sql, { idempotencyKey: key(), account: wallet, amount: eur(800n), expiresAt: in1h() });
        const captureKey = key('capture');
        const captured = await ledger.capture(sql, { idempotencyKey: captureKey, hold: h.id, amount: eur(500n), credit: revenue });
        expect(captured.debitBalanceAfter).toEqual(eur(500n));
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ balance: eur(500n), held: eur(0n), usableCredit: eur(500n) });
        expect(await ledger.findHold(sql, h.id)).toMatchObject({ status: 'captured', captured: eur(500n) });

        const again = await ledger.capture(sql, { idempotencyKey: captureKey, hold: h.id, amount: eur(500n), credit: revenue });
        expect({ ...again, replayed: false }).toEqual(captured);
        expect(again.replayed).toBe(true);
        expect(await codeOf(ledger.capture(sql, { idempotencyKey: key(), hold: h.id, amount: eur(100n), credit: revenue })))
          .toBe('HOLD_NOT_PENDING');
        expect(await codeOf(ledger.capture(sql, { idempotencyKey: captureKey, hold: h.id, amount: eur(400n), credit: revenue })))
          .toBe('IDEMPOTENCY_CONFLICT');
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ balance: eur(500n), held: eur(0n) });
        expect(await ledger.derivedBalance(sql, wallet)).toBe(500n);
      });

      it('captures the same hold from ten callers at once exactly once', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 1000n });
        const h = await ledger.hold(sql, { idempotencyKey: key(), account: wallet, amount: eur(600n), expiresAt: in1h() });
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, () => ledger.capture(sql, { idempotencyKey: key(), hold: h.id, amount: eur(600n), credit: revenue })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ balance: eur(400n), held: eur(0n) });
      });

      it('refuses to capture more than was held', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 1000n });
        const h = await ledger.hold(sql, { idempotencyKey: key(), account: wallet, amount: eur(300n), expiresAt: in1h() });
        await expect(ledger.capture(sql, { idempotencyKey: key(), hold: h.id, amount: eur(301n), credit: revenue }))
          .rejects.toMatchObject({ code: 'CAPTURE_EXCEEDS_HOLD', params: { held: eur(300n), requested: eur(301n) } });
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ held: eur(300n) });
      });

      it('voids a pending hold, is idempotent on a voided one, and refuses void after capture', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 1000n });
        const a = await ledger.hold(sql, { idempotencyKey: key(), account: wallet, amount: eur(400n), expiresAt: in1h() });
        expect((await ledger.voidHold(sql, a.id)).status).toBe('voided');
        expect((await ledger.voidHold(sql, a.id)).status).toBe('voided');
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ held: eur(0n), usableCredit: eur(1000n) });
        expect(await codeOf(ledger.capture(sql, { idempotencyKey: key(), hold: a.id, amount: eur(1n), credit: revenue }))).toBe('HOLD_NOT_PENDING');

        const b = await ledger.hold(sql, { idempotencyKey: key(), account: wallet, amount: eur(400n), expiresAt: in1h() });
        await ledger.capture(sql, { idempotencyKey: key(), hold: b.id, amount: eur(400n), credit: revenue });
        expect(await codeOf(ledger.voidHold(sql, b.id))).toBe('HOLD_NOT_PENDING');
        expect(await codeOf(ledger.voidHold(sql, 987_654_321n))).toBe('HOLD_NOT_FOUND');
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ balance: eur(600n), held: eur(0n) });
      });

      it('frees expired holds: by the sweep, and at once when a payment needs the funds', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 1000n });
        const soon = () => new Date(Date.now() + 300);
        const a = await ledger.hold(sql, { idempotencyKey: key(), account: wallet, amount: eur(600n), expiresAt: soon() });
        const b = await ledger.hold(sql, { idempotencyKey: key(), account: wallet, amount: eur(400n), expiresAt: soon() });
        await sleep(400);
        expect(await codeOf(ledger.capture(sql, { idempotencyKey: key(), hold: a.id, amount: eur(600n), credit: revenue }))).toBe('HOLD_EXPIRED');

        // The charge is refused by the bound, the wallet's expired holds are released, the charge goes through.
        const charge = await ledger.transfer(sql, { idempotencyKey: key(), kind: 'charge', debit: wallet, credit: revenue, amount: eur(900n) });
        expect(charge.debitBalanceAfter).toEqual(eur(100n));
        expect((await ledger.findHold(sql, a.id))!.status).toBe('expired');
        expect((await ledger.findHold(sql, b.id))!.status).toBe('expired');
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ held: eur(0n), usableCredit: eur(100n) });

        const c = await ledger.hold(sql, { idempotencyKey: key(), account: wallet, amount: eur(100n), expiresAt: soon() });
        await sleep(400);
        expect(await ledger.expireHolds(sql)).toBe(1);
        expect(await ledger.expireHolds(sql)).toBe(0);
        expect((await ledger.findHold(sql, c.id))!.status).toBe('expired');
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ held: eur(0n), usableCredit: eur(100n) });
        // Voiding an expired hold is harmless: the funds are already free.
        expect((await ledger.voidHold(sql, c.id)).status).toBe('expired');
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ held: eur(0n) });
      });

      it('replays a hold request by key, and refuses the key with another amount', async () => {
        const sql = db();
        const { wallet } = await fundedWallet(sql, { balance: 1000n });
        const request = { idempotencyKey: key(), account: wallet, amount: eur(300n), expiresAt: in1h() };
        const first = await ledger.hold(sql, request);
        expect(await ledger.hold(sql, { ...request })).toEqual(first);
        expect(await codeOf(ledger.hold(sql, { ...request, amount: eur(301n) }))).toBe('IDEMPOTENCY_CONFLICT');
        expect(await ledger.walletBalance(sql, wallet)).toMatchObject({ held: eur(300n) });
      });

      it('refuses to change a settled hold behind the ledger’s back', async () => {
        const sql = db();
        const { wallet } = await fundedWallet(sql, { balance: 1000n });
        const h = await ledger.hold(sql, { idempotencyKey: key(), account: wallet, amount: eur(300n), expiresAt: in1h() });
        await ledger.voidHold(sql, h.id);
        expect(await codeOf(sql`UPDATE ledger_holds SET status = 'pending', settled_at = NULL WHERE id = ${h.id}`)).toBe('SL001');
        expect(await codeOf(sql`DELETE FROM ledger_holds WHERE id = ${h.id}`)).toBe('SL001');
      });
    });
  });
});
