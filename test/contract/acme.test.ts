import { randomUUID } from 'node:crypto';
import acme, { acmeEvent, type AcmeSession } from 'saldo-gateway-acme';
import { expect, it } from 'vitest';
import type { Payment } from '../../core/payments/payment.repo.js';
import { testPlugins, testSaldo } from '../support/saldo.js';
import { gatewayConformance } from './gateway-conformance.js';

const SECRET = 'acme-webhook-secret-0123456789';

/**
 * The example third-party gateway, installed by name like any npm package: the customer chooses
 * the outcome on Acme's test page; Acme's events are made with Acme's own helper.
 */
gatewayConformance('acme (example third-party package)', acme, async (database) => {
  const saldo = await testSaldo(database, { plugins: testPlugins({ processor: 'sandbox' }, [{ module: 'saldo-gateway-acme', options: { webhookSecret: SECRET } }]) });
  const choose = (payment: Payment, outcome: 'paid' | 'failed') =>
    saldo.app.request(new URL(payment.redirectUrl!).pathname.replace(/^\/billing/, ''), {
      method: 'POST', body: new URLSearchParams({ outcome }), headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  const sessionOf = async (payment: Payment) => (await database.sql<AcmeSession[]>`SELECT * FROM acme_sessions WHERE payment_id = ${payment.id}`)[0]!;
  return {
    saldo,
    collect: async (payment) => void (await choose(payment, 'paid')),
    refuse: async (payment) => void (await choose(payment, 'failed')),
    notification: async (payment, outcome, forge) => {
      const status = ({ succeeded: 'paid', declined: 'failed', canceled: 'canceled' } as const)[outcome];
      return acmeEvent(forge === 'secret' ? 'a-guessed-secret-0123456789' : SECRET, { ...(await sessionOf(payment)), status }, {
        ...(forge === 'stale' && { at: Math.floor(Date.now() / 1000) - 301 }),
      });
    },
  };
}, {
  more: (s) => {
    it('shows Acme’s page in the customer’s language, and lets its job close a session left open', async () => {
      const accountId = await s.newAccount();
      const payment = await s.saldo().payments.start(accountId, { purpose: 'top_up', amount: { amount: 4_250n, currency: 'EUR' }, gateway: 'acme', idempotencyKey: randomUUID(), locale: 'fr', origin: 'http://billing.example' });
      const page = await s.saldo().app.request(new URL(payment.redirectUrl!).pathname.replace(/^\/billing/, ''));
      expect(await page.text()).toMatch(/Montant à payer.*42,50\u00a0€/s);
      await s.saldo().database.sql`UPDATE acme_sessions SET created_at = now() - interval '1 hour' WHERE payment_id = ${payment.id}`;
      const gateway = s.saldo().payments.gateways.get('acme');
      expect(await gateway.plugin.jobs![0]!.run(gateway.ctx)).toBe(1);
      expect(await s.reconcileNow(payment)).toMatchObject({ status: 'canceled' });
    });
  },
});
