import { randomBytes, randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { createSaldo } from '../../core/index.js';
import { report } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { waitFor, webhookReceiver } from '../support/waiting.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

/** What keeps the process alive, by kind: sockets, timers, servers. */
const resources = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').sort();
/** The resources in `now` beyond those in `before` (each kind counted). */
function added(now: string[], before: string[]): string[] {
  const left = [...before];
  return now.filter((r) => {
    const i = left.indexOf(r);
    if (i === -1) return true;
    left.splice(i, 1);
    return false;
  });
}

describe('a host panel that embeds Saldo', () => {
  const panel = webhookReceiver();
  afterAll(() => panel.close());

  it('gets renewals, hold expiry and signed webhooks from start(), and nothing left running after stop()', async () => {
    const url = await panel.listen();
    const before = resources();
    const saldo = await createSaldo(loadConfig({
      env: {},
      overrides: { database: { dataDir: 'memory://' }, webhooks: [{ url, secret }], jobs: { pollSeconds: 0.5 } },
    }));
    const host = new Hono();
    host.get('/', (c) => c.text('the panel'));
    host.route('/billing', saldo.app);

    // A customer whose monthly service is due, and a hold that has lapsed.
    await saldo.catalogue.upsert({ code: 'vps-s', names: { en: 'VPS S' }, currency: 'EUR', prices: { monthly: eur(1_000n) } });
    const account = await saldo.accounts.create({ externalRef: `host-${randomUUID()}`, name: 'Host Ltd', email: 'h@example.com', country: 'FR' });
    await saldo.wallets.topUp(account.id, eur(5_000n), { idempotencyKey: 'fund' });
    await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, 'cart');
    const [service] = await saldo.orders.services(account.id);
    await saldo.orders.setAutoRenew(account.id, service!.id, true); // the customer chose renewal from the balance
    await saldo.database.sql`UPDATE services SET next_due_at = now() - interval '1 minute' WHERE id = ${service!.id}`;
    await saldo.wallets.hold(account.id, eur(100n), { idempotencyKey: 'soon', expiresAt: new Date(Date.now() + 50) });
    expect((await host.request('/billing/healthz')).status).toBe(200);

    await saldo.start();
    const renewed = await waitFor('the renewal webhook', () => panel.received.find((r) => JSON.parse(r.body).type === 'service.renewed'));
    const event = new Webhook(secret).verify(renewed.body, renewed.headers as Record<string, string>) as { data: { serviceId: string } };
    expect(event.data.serviceId).toBe(service!.id.toString());
    await waitFor('the hold to be released', async () => (await saldo.accounts.balance(account.id)).held.amount === 0n);
    expect((await saldo.orders.services(account.id))[0]!.nextDueAt.getTime()).toBeGreaterThan(Date.now());

    const running = added(resources(), before);
    const stopping = Date.now();
    await saldo.stop();
    const stopMs = Date.now() - stopping;
    // The panel's own server still holds the keep-alive connection of the last webhook: its business.
    panel.dropIdleConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Whatever was opened — the database, its connections, the job system's timers — is closed.
    report('embedding host', { stopMs, whileRunning: running, afterStop: added(resources(), before) });
    expect(running.length).toBeGreaterThan(0);
    expect(added(resources(), before)).toEqual([]);
  });

  it('lets the work in flight finish when it stops', async () => {
    const saldo = await createSaldo(loadConfig({ env: {}, overrides: { database: { dataDir: 'memory://' }, jobs: { pollSeconds: 0.5 } } }));
    let began = false;
    let finished = false;
    saldo.events.on('order.paid', async () => {
      began = true;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      finished = true;
    });
    await saldo.catalogue.upsert({ code: 'vps-s', names: { en: 'VPS S' }, currency: 'EUR', prices: { monthly: eur(1_000n) } });
    const account = await saldo.accounts.create({ externalRef: `host-${randomUUID()}`, name: 'Host Ltd', email: 'h@example.com', country: 'FR' });
    await saldo.wallets.topUp(account.id, eur(5_000n), { idempotencyKey: 'fund' });
    await saldo.start();
    await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'monthly' }] }, 'cart');
    await waitFor('the handler to begin', () => began);
    await saldo.stop();
    expect(finished).toBe(true);
  });
});
