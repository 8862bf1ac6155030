import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { projectRoot } from '../../config/load.js';
import type { SaldoConfigInput } from '../../config/schema.js';
import type { Database } from '../../core/db/connect.js';
import type { Saldo } from '../../core/saldo.js';
import { openTestDatabase } from './databases.js';
import { testSaldo } from './saldo.js';

export const CHROMIUM = '/usr/bin/chromium';
export const artifacts = join(projectRoot, 'test', 'artifacts');

/**
 * Debian's chromium, never a downloaded browser. CI installs it (.ci/run) and refuses to run
 * without it; elsewhere the browser suites are registered only where it exists.
 */
export function browserAvailable(): boolean {
  if (process.env.CI === 'true' && !existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  return existsSync(CHROMIUM);
}

/** A host panel serving `saldo` under /billing on a free port, and a headless chromium to visit it. */
export async function servedInBrowser(saldo: Saldo): Promise<{ origin: string; browser: Browser; close(): Promise<void> }> {
  mkdirSync(artifacts, { recursive: true });
  const server = serve({ fetch: new Hono().route('/billing', saldo.app).fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags chromium keeps calling out, and this machine's closed network refuses it.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/**
 * A browser suite's set-up: a Saldo (with `overrides`) on its own embedded database, served to a
 * headless chromium, made before the suite's tests (and its own `beforeAll`) and closed after them.
 */
export function browserSuite(overrides: Partial<SaldoConfigInput> = {}) {
  const suite = {} as { database: Database; saldo: Saldo; origin: string; browser: Browser; close(): Promise<void> };
  beforeAll(async () => {
    suite.database = await openTestDatabase('embedded');
    suite.saldo = await testSaldo(suite.database, overrides);
    Object.assign(suite, await servedInBrowser(suite.saldo));
  });
  afterAll(async () => {
    await suite.close?.();
    await suite.database?.close();
  });
  return suite;
}
