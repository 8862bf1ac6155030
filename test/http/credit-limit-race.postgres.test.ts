import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { answer, apiSuite } from '../support/api-client.js';
import { onEachDatabase, report } from '../support/databases.js';
import { meetAtLock } from '../support/waiting.js';

// A credit limit set while the account converts to prepaid must not land on the prepaid account.
// The holder below makes the conversion's own writes (mode and wallet bound, under the account's
// row lock) and keeps them uncommitted while the new limit arrives.
onEachDatabase((_sql, target, database) => {
  describe('a credit limit set while the account converts', () => {
    const { saldo, api } = apiSuite(database);

    it('is judged by the mode the account has once the conversion commits: a prepaid account gets none', async () => {
      const ref = `conv-${randomUUID()}`;
      const created = await api.post('/accounts', { externalRef: ref, name: 'Ana', email: 'ana@example.es', country: 'ES', paymentMode: 'postpaid', creditLimit: '100.00' });
      const { id } = await created.json();
      const sql = database().sql;
      const [put] = await meetAtLock(sql, async (conversion) => {
        await conversion`SELECT 1 FROM billing_accounts WHERE id = ${BigInt(id)} FOR UPDATE`;
        await conversion`UPDATE ledger_accounts SET min_balance_minor = 0 WHERE id = (SELECT wallet_id FROM billing_accounts WHERE id = ${BigInt(id)})`;
        await conversion`UPDATE billing_accounts SET payment_mode = 'prepaid' WHERE id = ${BigInt(id)}`;
      }, () => [api.put(`/accounts/${ref}/credit-limit`, { creditLimit: '250.00' })], 'billing_accounts|ledger_accounts', 1);
      const result = await answer(put!);
      const after = await (await api.get(`/accounts/${ref}`)).json();
      report(`credit limit during a conversion on ${target}`, { put: result[0], mode: after.paymentMode, creditLimit: after.creditLimit.amount });
      expect(result).toEqual([422, { error: { code: 'VALIDATION_FAILED', message: 'Some fields are not valid: creditLimit.' } }]);
      expect([after.paymentMode, after.creditLimit]).toEqual(['prepaid', { amount: '0.00', currency: 'EUR' }]);
    });
  });
}, { only: ['postgres'] });
