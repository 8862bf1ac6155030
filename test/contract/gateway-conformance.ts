import { randomUUID } from 'node:crypto';
import type { GatewayPlugin, Money } from '@saldo/sdk';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Database } from '../../core/db/connect.js';
import type { Payment } from '../../core/payments/payment.repo.js';
import type { PaymentFor } from '../../core/payments/start-payment.js';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase, type Target } from '../support/databases.js';
import { capabilityScenarios } from './capabilities.js';
import { notificationScenarios } from './notifications.js';
import { reconciliationScenarios } from './reconciliation.js';

/** A notification as the processor posts it to `…/gateways/<code>/webhook`. */
export interface Notification {
  body: string;
  headers: Record<string, string>;
}

/**
 * What a gateway under test brings: a Saldo with it enabled, and the processor's side — what the
 * customer does there, and the notifications it sends.
 */
export interface GatewayHarness {
  saldo: Saldo;
  /**
   * The customer completes a started payment at the processor (pays on its page, passes its
   * step). Saldo is not told: the suite decides whether it hears by the return, a notification or
   * reconciliation.
   */
  collect(payment: Payment): Promise<void>;
  /** The processor ends a started payment uncollected (a declined card, a lapsed page); Saldo is not told. */
  refuse(payment: Payment): Promise<void>;
  /**
   * The processor's notification that `payment` reached `outcome`, signed as the processor signs
   * it — or forged: signed with another secret (`secret`), or more than five minutes ago (`stale`).
   */
  notification(payment: Payment, outcome: 'succeeded' | 'declined' | 'canceled', forge?: 'secret' | 'stale'): Promise<Notification>;
  /**
   * The processor's next `n` answers are lost on the way back, though it did the work (a harness
   * that can do this says so with `{ losesAnswers: true }`).
   */
  loseAnswers?(n: number): void;
  close?(): Promise<void>;
}

/** What every scenario of the suite is handed. */
export interface Suite {
  /** The suite's name for this gateway, in the figures it prints. */
  name: string;
  plugin: GatewayPlugin;
  code: string;
  target: Target;
  harness(): GatewayHarness;
  saldo(): Saldo;
  newAccount(): Promise<bigint>;
  start(accountId: bigint, what: PaymentFor, extra?: { saveMethod?: boolean; methodId?: string; offSession?: boolean }): Promise<Payment>;
  /** The ledger transfers booked for a payment: exactly one once it succeeded, none otherwise. */
  transfersOf(payment: Payment): Promise<number>;
  balanceOf(accountId: bigint): Promise<Money>;
  current(payment: Payment): Promise<Payment>;
  /** The payment as reconciliation finds it once it is old enough to be asked about. */
  reconcileNow(payment: Payment): Promise<Payment>;
  post(notification: Notification): Promise<Response>;
  /** An order of `amount` waiting for payment (nothing on the balance). */
  orderOf(accountId: bigint): Promise<bigint>;
}

export const ORIGIN = 'http://billing.example';
export const PRODUCT = 'conformance-vps';

/**
 * The gateway conformance suite: proves, on each database, that a gateway plugin does what it
 * declares (and that Saldo refuses what it does not), that its notifications are verified (a
 * forged, stale or altered one writes nothing), that a replay books once, that outcomes never go
 * backwards, and that reconciliation settles what a crash or a lost answer left open. Any gateway —
 * ours or a third party's — runs it with a harness for its processor:
 *
 * ```ts
 * import acme from 'saldo-gateway-acme';
 * gatewayConformance('acme', acme, async (database) => ({ saldo: await testSaldo(database, …), collect, refuse, notification }));
 * ```
 */
export function gatewayConformance(
  name: string, plugin: GatewayPlugin, setup: (database: Database, target: Target) => Promise<GatewayHarness>,
  options: { losesAnswers?: boolean; more?: (suite: Suite) => void } = {},
) {
  onEachDatabase((sql, target, database) => {
    describe(`gateway conformance: ${name}`, () => {
      let harness: GatewayHarness;
      beforeAll(async () => {
        harness = await setup(database(), target);
        // The suite holds the gateway Saldo loaded to what the plugin declares.
        expect(harness.saldo.payments.gateways.get(plugin.code).plugin.capabilities).toEqual(plugin.capabilities);
        await harness.saldo.catalogue.upsert({ code: PRODUCT, names: { en: 'VPS' }, currency: 'EUR', prices: { monthly: { amount: 1_500n, currency: 'EUR' } } });
      });
      afterAll(async () => {
        await harness?.close?.();
      });

      const suite: Suite = {
        name, plugin, code: plugin.code, target,
        harness: () => harness,
        saldo: () => harness.saldo,
        newAccount: async () => (await harness.saldo.accounts.create({ externalRef: `gc-${randomUUID()}`, name: 'Conformance', email: 'c@example.com', country: 'FR', locale: 'fr' })).id,
        start: (accountId, what, extra = {}) => harness.saldo.payments.start(accountId, { ...what, ...extra, gateway: plugin.code, idempotencyKey: randomUUID(), locale: 'en', origin: ORIGIN }),
        transfersOf: async (p) => (await sql()`SELECT 1 FROM ledger_transfers WHERE idempotency_key = ${`a${p.accountId}:payment:${p.id}`}`).length,
        balanceOf: async (accountId) => (await harness.saldo.accounts.balance(accountId)).balance,
        current: async (p) => harness.saldo.payments.get(p.accountId, p.id),
        reconcileNow: async (p) => {
          await sql()`UPDATE payments SET called_at = now() - interval '1 hour', checked_at = NULL WHERE id = ${p.id}`;
          await harness.saldo.payments.reconcile();
          return harness.saldo.payments.get(p.accountId, p.id);
        },
        post: async (n) => harness.saldo.app.request(`/gateways/${plugin.code}/webhook`, { method: 'POST', body: n.body, headers: n.headers }),
        orderOf: async (accountId) => {
          const placed = await harness.saldo.orders.checkout(accountId, { items: [{ product: PRODUCT, cycle: 'monthly' }] }, randomUUID());
          expect(placed.status).toBe('awaiting_payment');
          return placed.order.id;
        },
      };
      capabilityScenarios(suite);
      notificationScenarios(suite);
      reconciliationScenarios(suite, options);
      // The gateway's own scenarios, on the same Saldo.
      options.more?.(suite);
    });
  });
}
