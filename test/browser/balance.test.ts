import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { browserAvailable, artifacts, servedInBrowser } from '../support/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../config/load.js';
import type { Database } from '../../core/db/connect.js';
import { seedDemo } from '../../core/demo.js';
import type { Saldo } from '../../core/saldo.js';
import { openTestDatabase } from '../support/databases.js';
import { testSaldo } from '../support/saldo.js';

// Registered only where the browser exists (like the PostgreSQL suites without DATABASE_URL).
if (browserAvailable()) describe('customer pages in a real browser', () => {
  let database: Database;
  let saldo: Saldo;
  let served: Awaited<ReturnType<typeof servedInBrowser>>;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    database = await openTestDatabase('embedded');
    saldo = await testSaldo(database);
    await seedDemo(saldo);
    served = await servedInBrowser(saldo);
    ({ origin, browser } = served);
  });

  afterAll(async () => {
    await served?.close();
    await database?.close();
  });

  it('signs in through a hand-off link, reads the balance in French, loads more, switches to Spanish', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1000, height: 900 } })).newPage();
    const errors: string[] = [];
    const failed: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
    // Any failed request counts, the tab's icon too: the layout links the module's own.
    page.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));

    const { url } = await saldo.customers.handoffLink('demo-prepaid');
    await page.goto(origin + url);
    expect(page.url()).toBe(`${origin}/billing/balance`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Solde');
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await page.getByTestId('balance').textContent()).toMatch(/^\d[\d\u202f]*,\d{2}\u00a0€$/);
    await page.screenshot({ path: join(artifacts, 'balance-fr.png'), fullPage: true });

    const rows = page.locator('#history-rows tr:not(.more)');
    expect(await rows.count()).toBe(20);
    await page.getByText('Afficher plus').click(); // htmx swaps the next rows in place of the link
    await expect.poll(() => rows.count()).toBe(28);
    expect(await page.getByText('Afficher plus').count()).toBe(0);
    expect(page.url()).toMatch(new RegExp(`^${origin}/billing/balance\\?before=\\d+$`)); // no navigation: htmx pushed the next page's address
    const pushed = page.url();

    await page.getByRole('link', { name: 'Español' }).click();
    await expect.poll(() => page.locator('#history-title').textContent()).toBe('Movimientos');
    expect(page.url()).toBe(pushed); // the switch comes back to the page shown, not to the first
    expect(await rows.count()).toBe(8);
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    await page.screenshot({ path: join(artifacts, 'balance-es.png'), fullPage: true });
    expect(errors).toEqual([]); // no CSP violation, no script error
    expect(failed).toEqual([]);
  });

  it('has no serious or critical accessibility violations (axe-core)', async () => {
    // axe is injected by the test, which the page's own CSP rightly forbids: bypass it here only.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const { url } = await saldo.customers.handoffLink('demo-postpaid');
    await page.goto(origin + url);
    await page.addScriptTag({ content: readFileSync(join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8') });
    const result = await page.evaluate(async () => (window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe.run());
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
    console.log(`[figures] axe on the balance page: ${result.violations.length} violations, serious or critical: ${JSON.stringify(serious)}`);
    expect(serious).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(artifacts, 'balance-es-phone.png'), fullPage: true });
  });
});
