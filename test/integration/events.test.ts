import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../config/load.js';
import type { SaldoConfigInput } from '../../config/schema.js';
import { eventTargets } from '../../core/events/deliveries.js';
import { EventLog, IN_PROCESS, type SaldoEvent } from '../../core/events/event-log.js';
import { JobQueue, jobsSchemaFor } from '../../core/jobs/job-queue.js';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase, report } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { testSaldo } from '../support/saldo.js';
import { waitFor, webhookReceiver } from '../support/waiting.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
/** Fast clocks for tests: workers look for jobs twice a second; three attempts a second apart, doubling. */
const fast = { jobs: { pollSeconds: 0.5 }, events: { maxAttempts: 3, retryDelaySeconds: 1 } } satisfies Partial<SaldoConfigInput>;

onEachDatabase((_sql, target, database) => {
  describe('events to the host panel', () => {
    const panel = webhookReceiver();
    let url: string;
    let saldo: Saldo;
    const running: Saldo[] = [];
    const instance = async (overrides: Partial<SaldoConfigInput> = {}) => testSaldo(database(), { webhooks: [{ url, secret: SECRET }], ...fast, ...overrides });
    const started = async (overrides: Partial<SaldoConfigInput> = {}) => {
      const s = await instance(overrides);
      await s.start();
      running.push(s);
      return s;
    };

    beforeAll(async () => {
      url = await panel.listen();
      saldo = await instance();
      await saldo.catalogue.upsert({ code: 'vps-s', names: { en: 'VPS S' }, currency: 'EUR', prices: { monthly: eur(1_000n) } });
    });
    afterAll(async () => {
      for (const s of running) await s.stop();
      await panel.close();
    });

    async function paidOrder(s: Saldo = saldo) {
      const account = await s.accounts.create({ externalRef: `panel-${randomUUID()}`, name: 'C', email: 'c@example.com', country: 'FR' });
      await s.wallets.topUp(account.id, eur(5_000n), { idempotencyKey: 'fund' });
      const { order } = await s.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, 'cart');
      const [event] = await database().sql<{ id: string }[]>`SELECT id FROM events WHERE account_id = ${account.id} AND type = 'order.paid'`;
      return { account, order, eventId: event!.id };
    }
    const delivery = async (eventId: string, to: string) => {
      const [row] = await database().sql<{ status: string; attempts: number; last_error: string | null }[]>`
        SELECT status, attempts, last_error FROM event_deliveries WHERE event_id = ${eventId} AND target = ${to}`;
      return row;
    };
    const webhook = () => `webhook:${url}`;
    const jobsOf = async (eventId: string) => {
      const schema = jobsSchemaFor(undefined, database().schema);
      const [row] = await database().sql<{ n: bigint }[]>`
        SELECT count(*) AS n FROM ${database().sql(schema)}.job WHERE name = 'event-delivery' AND data ->> 'eventId' = ${eventId}`;
      return row!.n;
    };

    it('sends nothing for a change that rolls back: no event, no delivery, no job', async () => {
      const jobs = new JobQueue(database().sql, { schema: jobsSchemaFor(undefined, database().schema), pollSeconds: 1, timeZone: 'UTC' });
      await jobs.prepare([]);
      const log = new EventLog(jobs, eventTargets(loadConfig({ env: {}, overrides: { webhooks: [{ url, secret: SECRET }] } })));
      let eventId = '';
      await database().sql.begin(async (tx) => {
        eventId = await log.emit(tx, 'balance.low', null, { marker: randomUUID() });
        throw new Error('the change failed');
      }).catch(() => {});
      expect(eventId).not.toBe('');
      expect(await database().sql`SELECT 1 FROM events WHERE id = ${eventId}`).toHaveLength(0);
      expect(await database().sql`SELECT 1 FROM event_deliveries WHERE event_id = ${eventId}`).toHaveLength(0);
      expect(await jobsOf(eventId)).toBe(0n);
    });

    it('delivers an event committed just before a crash once an instance starts', async () => {
      const { eventId } = await paidOrder(); // committed with its jobs; no instance runs; the process "dies" here
      expect(await jobsOf(eventId)).toBe(2n); // one per target: the in-process handlers and the webhook
      expect(panel.of(eventId)).toHaveLength(0);
      const seen: SaldoEvent[] = [];
      const restarted = await instance();
      restarted.events.on('order.paid', (e) => void seen.push(e));
      await restarted.start();
      running.push(restarted);
      await waitFor('both deliveries', async () => (await delivery(eventId, webhook()))?.status === 'delivered' && (await delivery(eventId, IN_PROCESS))?.status === 'delivered');
      expect(seen.filter((e) => e.id === eventId)).toEqual([expect.objectContaining({ type: 'order.paid' })]);
      expect(panel.of(eventId).map((r) => r.status)).toEqual([204]);
    });

    it('signs each webhook per Standard Webhooks: the package verifies it, and refuses it tampered, stale or under another secret', async () => {
      const { eventId, order } = await paidOrder();
      await waitFor('the webhook', () => panel.of(eventId).length > 0);
      const { headers, body } = panel.of(eventId)[0]!;
      const signed = { 'webhook-id': headers['webhook-id'] as string, 'webhook-timestamp': headers['webhook-timestamp'] as string, 'webhook-signature': headers['webhook-signature'] as string };
      expect(signed['webhook-id']).toBe(eventId);
      expect(signed['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(new Webhook(SECRET).verify(body, signed)).toMatchObject({ id: eventId, type: 'order.paid', data: { orderId: order.id.toString(), total: { amount: '10.00', currency: 'EUR' } } });

      expect(() => new Webhook(SECRET).verify(body.replace('10.00', '1000.00'), signed)).toThrow('No matching signature found');
      expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(body, signed)).toThrow('No matching signature found');
      vi.useFakeTimers({ toFake: ['Date'], now: (Number(signed['webhook-timestamp']) + 301) * 1000 });
      try {
        expect(() => new Webhook(SECRET).verify(body, signed)).toThrow('Message timestamp too old');
      } finally {
        vi.useRealTimers();
      }
    });

    it('retries a failing receiver with backoff: two failures, delivered on the third attempt with one id', async () => {
      panel.failNext(2);
      const { eventId } = await paidOrder();
      await waitFor('the third attempt', async () => (await delivery(eventId, webhook()))?.status === 'delivered', 30_000);
      const attempts = await database().sql<{ attempt: number; ok: boolean; http_status: number; at: Date }[]>`
        SELECT attempt, ok, http_status, created_at AS at FROM event_delivery_attempts WHERE event_id = ${eventId} AND target = ${webhook()} ORDER BY attempt`;
      expect(attempts.map(({ at: _, ...a }) => a)).toEqual([
        { attempt: 1, ok: false, http_status: 500 }, { attempt: 2, ok: false, http_status: 500 }, { attempt: 3, ok: true, http_status: 204 },
      ]);
      // The waits grow: at least the first delay (1 s), then at least twice it.
      const gaps = [attempts[1]!.at.getTime() - attempts[0]!.at.getTime(), attempts[2]!.at.getTime() - attempts[1]!.at.getTime()];
      report(`webhook retries on ${target}`, { attempts: attempts.length, gapsMs: gaps });
      expect(gaps[0]).toBeGreaterThanOrEqual(900);
      expect(gaps[1]).toBeGreaterThanOrEqual(1_900);
      expect(panel.of(eventId).map((r) => [r.status, r.headers['webhook-id']])).toEqual([[500, eventId], [500, eventId], [204, eventId]]);
    });

    it('gives up after the last attempt, lists the delivery as failed, and sends it again when an operator retries it', async () => {
      panel.failAlways(true);
      const { eventId } = await paidOrder();
      await waitFor('the final failure', async () => (await delivery(eventId, webhook()))?.status === 'failed', 30_000);
      expect(await delivery(eventId, webhook())).toEqual({ status: 'failed', attempts: 3, last_error: 'HTTP 500' });
      expect(await delivery(eventId, IN_PROCESS)).toMatchObject({ status: 'delivered' });
      const failed = await saldo.events.failed();
      expect(failed).toContainEqual({ eventId, type: 'order.paid', target: webhook(), attempts: 3, lastError: 'HTTP 500', failedAt: expect.any(Date) });

      panel.failAlways(false);
      expect(await saldo.events.retry(eventId, webhook())).toBe(true);
      await waitFor('the retried delivery', async () => (await delivery(eventId, webhook()))?.status === 'delivered');
      expect(await delivery(eventId, webhook())).toEqual({ status: 'delivered', attempts: 4, last_error: null });
      expect((await saldo.events.failed()).map((f) => f.eventId)).not.toContain(eventId);
      // Only a failed delivery can be retried.
      expect(await saldo.events.retry(eventId, webhook())).toBe(false);
      expect(panel.of(eventId).map((r) => r.status)).toEqual([500, 500, 500, 204]);
    });
  });
});

onEachDatabase((_sql, target, database) => {
  describe('two instances running the jobs', () => {
    const panel = webhookReceiver();
    let instances: Saldo[];
    beforeAll(async () => {
      const url = await panel.listen();
      // Renewals every minute, so that a tick comes during the test.
      const config = { webhooks: [{ url, secret: SECRET }], ...fast, jobs: { pollSeconds: 0.5, renewals: '* * * * *' } };
      instances = [await testSaldo(database(), config), await testSaldo(database(), config)];
      await instances[0]!.catalogue.upsert({ code: 'vps-s', names: { en: 'VPS S' }, currency: 'EUR', prices: { monthly: eur(1_000n) } });
      for (const s of instances) await s.start();
    });
    afterAll(async () => {
      for (const s of instances) await s.stop();
      await panel.close();
    });

    it('deliver each event once between them', async () => {
      const handled: string[] = [];
      for (const s of instances) s.events.on('order.paid', (e) => void handled.push(e.id));
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const s = instances[i % 2]!;
        const account = await s.accounts.create({ externalRef: `two-${randomUUID()}`, name: 'C', email: 'c@example.com', country: 'FR' });
        await s.wallets.topUp(account.id, eur(5_000n), { idempotencyKey: 'fund' });
        await s.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, 'cart');
        const [event] = await database().sql<{ id: string }[]>`SELECT id FROM events WHERE account_id = ${account.id} AND type = 'order.paid'`;
        ids.push(event!.id);
      }
      const delivered = async () => {
        const [row] = await database().sql<{ n: bigint }[]>`
          SELECT count(*) AS n FROM event_deliveries WHERE event_id = ANY (${ids}::uuid[]) AND status = 'delivered'`;
        return row!.n === 24n;
      };
      await waitFor('24 deliveries', delivered, 30_000);
      const [attempts] = await database().sql<{ n: bigint }[]>`SELECT count(*) AS n FROM event_delivery_attempts WHERE event_id = ANY (${ids}::uuid[])`;
      report(`event delivery by two instances on ${target}`, { events: ids.length, targets: 2, attempts: attempts!.n, webhooks: ids.map((id) => panel.of(id).length).reduce((a, b) => a + b) });
      expect(attempts!.n).toBe(24n);
      expect(ids.map((id) => panel.of(id).length)).toEqual(ids.map(() => 1));
      expect([...handled].sort()).toEqual([...ids].sort());
    });

    it('run each schedule tick once between them', async () => {
      const schema = jobsSchemaFor(undefined, database().schema);
      const ticks = async () => database().sql<{ minute: Date; runs: bigint }[]>`
        SELECT date_trunc('minute', created_on) AS minute, count(*) AS runs
          FROM ${database().sql(schema)}.job WHERE name = 'renewals' AND data ->> 'trigger' = 'schedule'
         GROUP BY 1 ORDER BY 1`;
      // The next minute's tick, sent by whichever instance's clock comes first.
      const before = (await ticks()).length;
      const found = await waitFor('a schedule tick', async () => ((await ticks()).length > before ? ticks() : undefined), 90_000);
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // time for a second, duplicate send to appear
      const all = (await ticks()).filter((t) => t.minute <= found.at(-1)!.minute);
      report(`schedule ticks with two instances on ${target}`, { ticks: all.length, runsPerTick: all.map((t) => Number(t.runs)) });
      expect(found.length).toBeGreaterThan(before);
      expect(all.every((t) => t.runs === 1n)).toBe(true);
      // Each tick's run is done (once), by one instance or the other.
      await waitFor('the ticks to complete', async () => {
        const [open] = await database().sql<{ n: bigint }[]>`
          SELECT count(*) AS n FROM ${database().sql(schema)}.job
           WHERE name = 'renewals' AND data ->> 'trigger' = 'schedule' AND state <> 'completed' AND created_on < date_trunc('minute', now())`;
        return open!.n === 0n;
      }, 15_000);
    }, 120_000);
  });
}, { only: ['postgres'] });
