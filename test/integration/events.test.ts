import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../core/index.js';
import { emit, type OutboxEvent } from '../../core/events/outbox.js';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase, report } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { testSaldo } from '../support/saldo.js';

const SECRET = 'whsec_test_0123456789abcdef';

/** The host panel's side: an HTTP endpoint that checks every request's signature, as documented. */
function panelReceiver() {
  const received: { id: string; type: string; verified: boolean; body: string }[] = [];
  let failNext = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const check = verifyWebhook(SECRET, req.headers['saldo-signature'] as string, body);
      received.push({ id: req.headers['saldo-event-id'] as string, type: req.headers['saldo-event-type'] as string, verified: check.ok, body });
      if (!check.ok) return void res.writeHead(401).end(check.reason);
      if (failNext > 0) {
        failNext--;
        return void res.writeHead(500).end();
      }
      res.writeHead(204).end();
    });
  });
  return {
    received,
    failNextRequests: (n: number) => (failNext = n),
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`))),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

onEachDatabase((_sql, target, database) => {
  describe('events to the host panel', () => {
    const panel = panelReceiver();
    let saldo: Saldo;
    beforeAll(async () => {
      const url = await panel.listen();
      saldo = await testSaldo(database(), { webhooks: [{ url, secret: SECRET }] });
      await saldo.catalogue.upsert({ code: 'vps-s', names: { en: 'VPS S' }, currency: 'EUR', prices: { monthly: eur(1_000n) } });
    });
    afterAll(() => panel.close());

    async function paidOrder(s: Saldo = saldo) {
      const account = await s.accounts.create({ externalRef: `panel-${randomUUID()}`, name: 'C', email: 'c@example.com', country: 'FR' });
      await s.wallets.topUp(account.id, eur(5_000n), { idempotencyKey: 'fund' });
      const { order } = await s.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, 'cart');
      const [event] = await database().sql<{ id: string }[]>`SELECT id FROM events WHERE account_id = ${account.id}`;
      return { account, order, eventId: event!.id };
    }
    const drain = async (s: Saldo = saldo) => {
      while ((await s.events.dispatchOnce()) > 0);
    };

    it('delivers an event committed just before a crash once the module starts again', async () => {
      const { eventId } = await paidOrder(); // committed; nothing dispatched; the process "dies" here
      const restarted = await testSaldo(database(), { webhooks: [{ url: (await database().sql`SELECT substr(target, 9) AS url FROM event_targets WHERE target LIKE 'webhook:%' AND active`)[0]!.url, secret: SECRET }] });
      const seen: OutboxEvent[] = [];
      restarted.events.on('order.paid', (e) => void seen.push(e));
      await drain(restarted);
      expect(seen.filter((e) => e.id === eventId)).toHaveLength(1);
      expect(panel.received.filter((r) => r.id === eventId)).toEqual([expect.objectContaining({ type: 'order.paid', verified: true })]);
    });

    it('emits nothing for a change that rolls back', async () => {
      const marker = randomUUID();
      await database().sql.begin(async (tx) => {
        await emit(tx, 'balance.low', null, { marker });
        throw new Error('the change failed');
      }).catch(() => {});
      expect(await database().sql`SELECT 1 FROM events WHERE payload ->> 'marker' = ${marker}`).toHaveLength(0);
      expect(await database().sql`SELECT 1 FROM event_deliveries d JOIN events e ON e.id = d.event_id WHERE e.payload ->> 'marker' = ${marker}`).toHaveLength(0);
    });

    it('signs webhooks so the panel can refuse a tampered body or a stale timestamp', async () => {
      const { eventId, order } = await paidOrder();
      await drain();
      const delivery = panel.received.find((r) => r.id === eventId)!;
      expect(delivery.verified).toBe(true);
      expect(JSON.parse(delivery.body)).toMatchObject({ id: eventId, type: 'order.paid', data: { orderId: order.id.toString(), total: { amount: '10.00', currency: 'EUR' } } });

      const now = Math.floor(Date.now() / 1000);
      const { signWebhook } = await import('../../core/index.js');
      const header = signWebhook(SECRET, delivery.body, now);
      expect(verifyWebhook(SECRET, header, delivery.body)).toEqual({ ok: true, timestamp: now });
      expect(verifyWebhook(SECRET, header, delivery.body.replace('10.00', '1000.00'))).toEqual({ ok: false, reason: 'mismatch' });
      expect(verifyWebhook('another-secret-entirely', header, delivery.body)).toEqual({ ok: false, reason: 'mismatch' });
      expect(verifyWebhook(SECRET, header, delivery.body, { now: new Date((now + 301) * 1000) })).toEqual({ ok: false, reason: 'stale' });
      expect(verifyWebhook(SECRET, signWebhook(SECRET, delivery.body, now - 301), delivery.body)).toEqual({ ok: false, reason: 'stale' });
      expect(verifyWebhook(SECRET, 'v1=abc', delivery.body)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('retries a failed webhook with backoff and records every attempt', async () => {
      panel.failNextRequests(1);
      const { eventId } = await paidOrder();
      await drain();
      const [pending] = await database().sql<{ status: string; attempts: number; wait: number }[]>`
        SELECT status, attempts, extract(epoch from next_attempt_at - now())::int AS wait FROM event_deliveries WHERE event_id = ${eventId} AND target LIKE 'webhook:%'`;
      expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
      expect(pending!.wait).toBeGreaterThanOrEqual(0);

      await database().sql`UPDATE event_deliveries SET next_attempt_at = now() WHERE event_id = ${eventId}`; // time passes
      await drain();
      const attempts = await database().sql<{ attempt: number; ok: boolean; http_status: number }[]>`
        SELECT attempt, ok, http_status FROM event_delivery_attempts WHERE event_id = ${eventId} AND target LIKE 'webhook:%' ORDER BY attempt`;
      expect(attempts).toEqual([{ attempt: 1, ok: false, http_status: 500 }, { attempt: 2, ok: true, http_status: 204 }]);
      // The panel saw the event twice, with one id: that is how it recognises the duplicate.
      expect(panel.received.filter((r) => r.id === eventId).map((r) => r.verified)).toEqual([true, true]);
    });

    it('retries an in-process handler that throws', async () => {
      let calls = 0;
      const off = saldo.events.on('order.paid', () => {
        calls++;
        if (calls === 1) throw new Error('handler down');
      });
      const { eventId } = await paidOrder();
      await drain();
      await database().sql`UPDATE event_deliveries SET next_attempt_at = now() WHERE event_id = ${eventId}`;
      await drain();
      off();
      const [row] = await database().sql`SELECT status, attempts, last_error FROM event_deliveries WHERE event_id = ${eventId} AND target = 'in-process'`;
      expect(row).toEqual({ status: 'delivered', attempts: 2, last_error: null });
      expect(calls).toBe(2);
    });

    it('lets two instances dispatch at once, each delivery attempted once', async () => {
      const other = await testSaldo(database(), { webhooks: [{ url: (await database().sql`SELECT substr(target, 9) AS url FROM event_targets WHERE target LIKE 'webhook:%' AND active`)[0]!.url, secret: SECRET }] });
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push((await paidOrder()).eventId);
      await Promise.all([drain(saldo), drain(other), drain(saldo), drain(other)]);
      const [counts] = await database().sql<{ attempts: bigint; delivered: bigint }[]>`
        SELECT (SELECT count(*) FROM event_delivery_attempts WHERE event_id = ANY (${ids}::uuid[])) AS attempts,
               (SELECT count(*) FROM event_deliveries WHERE event_id = ANY (${ids}::uuid[]) AND status = 'delivered') AS delivered`;
      report(`event dispatch by two instances on ${target}`, { events: ids.length, targets: 2, attempts: counts!.attempts, delivered: counts!.delivered });
      expect(counts).toEqual({ attempts: 24n, delivered: 24n });
    });
  });
});
