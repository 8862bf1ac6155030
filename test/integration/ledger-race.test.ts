import { describe, expect, it } from 'vitest';
import * as ledger from '../../core/ledger/ledger.repo.js';
import { onEachDatabase, report } from '../support/databases.js';
import { eur, fundedWallet, key } from '../support/ledger-fixtures.js';

const PARALLEL = 64;

/**
 * TESTS #1. On PostgreSQL the 64 charges really run at once (64 connections, each its own
 * backend); on the embedded database they queue on its single connection, which proves the same
 * arithmetic without the concurrency.
 */
onEachDatabase(
  (db, target) => {
    describe('overdraft race (TESTS #1)', () => {
      const cases = [
        { mode: 'prepaid', balance: 10_000n, credit: 0n, amount: 700n },
        { mode: 'postpaid', balance: 2_000n, credit: 20_000n, amount: 700n },
        { mode: 'prepaid, exact fit', balance: 64n * 150n - 150n, credit: 0n, amount: 150n },
      ];
      for (const { mode, balance, credit, amount } of cases) {
        it(`lets exactly ⌊(B+L)/amount⌋ of ${PARALLEL} parallel charges through (${mode})`, async () => {
          const sql = db();
          const { wallet, revenue } = await fundedWallet(sql, { balance, credit });
          const expected = (balance + credit) / amount;

          const results = await Promise.allSettled(
            Array.from({ length: PARALLEL }, (_, i) =>
              ledger.transfer(sql, { idempotencyKey: key(`race-${i}`), kind: 'charge', debit: wallet, credit: revenue, amount: eur(amount) }),
            ),
          );
          const succeeded = results.filter((r) => r.status === 'fulfilled').length;
          const refusals = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : []));
          const state = await ledger.walletBalance(sql, wallet);
          const derived = await ledger.derivedBalance(sql, wallet);
          const [revenueIn] = await sql<{ total: bigint }[]>`
            SELECT coalesce(sum(e.amount_minor), 0)::bigint AS total FROM ledger_entries e JOIN ledger_transfers t ON t.id = e.transfer_id
             WHERE e.account_id = ${revenue} AND t.debit_account_id = ${wallet}`;

          report(`overdraft race ${mode} on ${target}`, {
            attempts: PARALLEL, expected: expected, succeeded, refused: refusals.length,
            balanceBefore: balance, creditLimit: credit, balanceAfter: state.balance.amount, sumOfEntries: derived,
            moneyOut: balance - state.balance.amount, revenueIn: revenueIn!.total,
          });
          expect(BigInt(succeeded)).toBe(expected);
          expect(new Set(refusals)).toEqual(new Set(['INSUFFICIENT_FUNDS']));
          expect(state.balance.amount).toBe(balance - expected * amount);
          expect(state.balance.amount).toBeGreaterThanOrEqual(-credit);
          expect(derived).toBe(state.balance.amount);
          expect(revenueIn!.total).toBe(balance - state.balance.amount);
        });
      }

      it('never overdraws when charges and holds compete for the same funds', async () => {
        const sql = db();
        const { wallet, revenue } = await fundedWallet(sql, { balance: 10_000n });
        const expiresAt = new Date(Date.now() + 3_600_000);
        const results = await Promise.allSettled(
          Array.from({ length: PARALLEL }, (_, i) =>
            i % 2
              ? ledger.transfer(sql, { idempotencyKey: key(), kind: 'charge', debit: wallet, credit: revenue, amount: eur(300n) })
              : ledger.hold(sql, { idempotencyKey: key(), account: wallet, amount: eur(300n), expiresAt }),
          ),
        );
        const state = await ledger.walletBalance(sql, wallet);
        const succeeded = results.filter((r) => r.status === 'fulfilled').length;
        report(`charges and holds race on ${target}`, { attempts: PARALLEL, succeeded, balance: state.balance.amount, held: state.held.amount });
        expect(succeeded).toBe(33); // ⌊10000 / 300⌋
        expect(state.usableCredit.amount).toBe(100n);
        expect(state.balance.amount - state.held.amount).toBeGreaterThanOrEqual(0n);
        expect(await ledger.derivedBalance(sql, wallet)).toBe(state.balance.amount);
      });
    });
  },
  { poolSize: PARALLEL },
);
