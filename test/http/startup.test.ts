import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../config/load.js';
import { readMigrations } from '../../core/db/migrate.js';
import { startServer as start, stopServers } from '../support/server-process.js';

const API_KEY = 'startup-test-key-0123456789';

afterEach(stopServers);

describe('npm start', () => {
  it('serves /healthz on an empty data directory, and keeps the data across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'saldo-start-'));
    const env = { SALDO_DATA_DIR: dataDir, SALDO_API_KEYS: API_KEY };

    const first = await start(env);
    // The core's migrations and those of the card gateway, which brings its own tables.
    const migrations = readMigrations().length + readMigrations(join(projectRoot, 'plugins', 'gateways', 'card', 'migrations')).length;
    expect(first.output()).toContain(`embedded database in ${dataDir}, applied ${migrations} migration(s)`);
    expect(first.url).toMatch(/\/billing$/);
    const health = await fetch(`${first.url}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(first.url.replace(/\/billing$/, '/healthz'))).status).toBe(200);

    // The demo: two customers, each with a sign-in link that opens their balance page.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const links = [...first.output().matchAll(/demo-(prepaid|postpaid)\s+(http:\/\/\S+)/g)].map((m) => m[2]!);
    expect(links).toHaveLength(2);
    const handoff = await fetch(links[0]!, { redirect: 'manual' });
    expect(handoff.status).toBe(303);
    const page = await fetch(new URL(handoff.headers.get('location')!, links[0]).toString(), { headers: { cookie: handoff.headers.get('set-cookie')!.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Atelier Dupont');

    // The demo's API key, printed ready to paste, opens the JSON API; it is the same after a restart.
    const [, base, demoKey] = /export BASE=(\S+) KEY=(\S+)/.exec(first.output())!;
    const demoAccount = await fetch(`${base}/accounts/demo-prepaid`, { headers: { authorization: `Bearer ${demoKey}` } });
    expect([demoAccount.status, (await demoAccount.json()).name]).toEqual([200, 'Atelier Dupont']);

    const created = await fetch(`${first.url}/api/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}`, 'idempotency-key': 'create-kept-1' },
      body: JSON.stringify({ externalRef: 'kept-1', name: 'Kept Ltd', email: 'k@example.com', country: 'GB' }),
    });
    expect(created.status).toBe(201);
    const customerNumber = (await created.json()).customerNumber;
    await first.kill('SIGTERM');

    const second = await start(env);
    expect(second.output()).toContain('schema up to date');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(second.output()).toContain(`KEY=${demoKey}`);
    const read = await fetch(`${second.url}/api/v1/accounts/kept-1`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(read.status).toBe(200);
    expect((await read.json()).customerNumber).toBe(customerNumber);
  });

  it('stops at once on a wrong setting, naming the field and where it came from', async () => {
    const failure = await start({ SALDO_DATA_DIR: mkdtempSync(join(tmpdir(), 'saldo-start-')), PORT: 'eighty' }).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.output).toContain('Saldo could not start [CONFIG_INVALID]');
    expect(failure.output).toContain('server.port');
    expect(failure.output).toContain('(from environment variable PORT)');
  });

  it('stops at once on a plugin that cannot be loaded, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'saldo-start-'));
    const file = join(dir, 'saldo.json');
    writeFileSync(file, JSON.stringify({ plugins: [{ module: 'saldo-gateway-example', options: { merchantId: 'nope' } }] }));
    const failure = await start({ SALDO_DATA_DIR: dir, SALDO_CONFIG: file }).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.output).toContain('[PLUGIN_CONFIG_INVALID]');
    expect(failure.output).toContain('example-pay (saldo-gateway-example)');
  });
});
