import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserAvailable, artifacts, servedInBrowser } from '../support/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../config/load.js';
import type { Database } from '../../core/db/connect.js';
import type { SaldoEvent } from '../../core/events/event-log.js';
import type { Saldo } from '../../core/saldo.js';
import { openTestDatabase } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { testSaldo } from '../support/saldo.js';
import { waitFor } from '../support/waiting.js';

// Registered only where the browser exists (like the PostgreSQL suites without DATABASE_URL).
if (browserAvailable()) describe('paying in a real browser', () => {
  let database: Database;
  let saldo: Saldo;
  let served: Awaited<ReturnType<typeof servedInBrowser>>;
  let origin: string;
  let browser: Browser;
  const paid: SaldoEvent[] = [];

  beforeAll(async () => {
    database = await openTestDatabase('embedded');
    saldo = await testSaldo(database, { jobs: { pollSeconds: 0.5 } });
    saldo.events.on('order.paid', (e) => void paid.push(e));
    await saldo.start();
    await saldo.catalogue.upsert({ code: 'vps-s', names: { en: 'VPS S', fr: 'VPS S', es: 'VPS S (España)' }, currency: 'EUR', prices: { annual: eur(12_000n) } });
    served = await servedInBrowser(saldo);
    ({ origin, browser } = served);
  });

  afterAll(async () => {
    await served?.close();
    await saldo?.stop();
    await database?.close();
  });

  /** A page that records script errors and failed requests, signed in as a new customer. */
  async function customer(locale: 'fr' | 'es', balance = 0n) {
    const account = await saldo.accounts.create({ externalRef: `browser-${locale}-${Date.now()}`, name: locale === 'fr' ? 'Atelier Dupont' : 'Ana García SL', email: 'c@example.com', country: locale.toUpperCase(), locale });
    if (balance) await saldo.wallets.topUp(account.id, eur(balance), { idempotencyKey: 'fund' });
    const page = await (await browser.newContext({ viewport: { width: 1000, height: 900 } })).newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
    page.on('response', (r) => r.status() >= 500 && problems.push(`${r.status()} ${r.url()}`));
    await page.goto(origin + (await saldo.customers.handoffLink(account.externalRef)).url);
    return { account, page, problems };
  }

  async function payOnSandbox(page: Page, number: string) {
    await page.waitForURL(/\/gateways\/card\/sandbox\/checkout\//);
    await page.fill('#number', number);
    await page.fill('#expiry', '12/30');
    await page.fill('#cvc', '123');
    await page.locator('form button[type="submit"]:not([name])').click();
  }

  it('tops up 100 € by card, in French, through the 3-D Secure step, and shows the new balance', async () => {
    const { account, page, problems } = await customer('fr');
    await page.getByRole('link', { name: 'Approvisionner votre solde' }).click();
    await page.getByLabel('100,00 €').check();
    await page.getByLabel('Carte bancaire').check();
    await page.getByLabel('J’accepte les conditions générales de vente').check();
    await page.screenshot({ path: join(artifacts, 'top-up-fr.png'), fullPage: true });
    await page.getByRole('button', { name: 'Continuer vers le paiement' }).click();

    await payOnSandbox(page, '4000 0000 0000 3220');
    await page.waitForURL(/\/sandbox\/challenge\//);
    expect(await page.locator('h1').textContent()).toBe('Confirmez ce paiement auprès de votre banque');
    await page.getByRole('button', { name: 'Confirmer' }).click();

    await page.waitForURL(/\/billing\/payments\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Paiement reçu');
    expect(await page.getByTestId('balance').textContent()).toBe('100,00\u00a0€');
    expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(10_000n));
    await page.screenshot({ path: join(artifacts, 'top-up-fr-done.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('pays the rest of an order waiting for payment, in Spanish, and the panel hears order.paid', async () => {
    const { account, page, problems } = await customer('es', 5_000n);
    const { order } = await saldo.orders.checkout(account.id, { items: [{ product: 'vps-s', cycle: 'annual' }] }, 'browser-order');
    expect(order.status).toBe('awaiting_payment');
    await page.goto(`${origin}/billing/pay/${order.id}`);
    expect(await page.locator('h1').textContent()).toBe(`Pagar el pedido ${order.id}`);
    expect(await page.getByTestId('amount-due').textContent()).toMatch(/€$/);
    await page.getByRole('radio', { name: /^Tarjeta/ }).check();
    await page.getByLabel('Acepto las condiciones generales').check();
    await page.getByRole('button', { name: /^Pagar / }).click();

    await payOnSandbox(page, '5555 5555 5555 4444');
    await page.waitForURL(/\/billing\/payments\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Pago recibido');
    expect((await saldo.orders.get(account.id, order.id)).status).toBe('paid');
    const event = await waitFor('order.paid at the panel', () => paid.find((e) => e.payload.orderId === order.id.toString()));
    expect(event.payload).toMatchObject({ paidWith: 'mixed' });
    await page.screenshot({ path: join(artifacts, 'pay-order-es-done.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('has no serious or critical accessibility violations on the top-up and settings pages (axe-core)', async () => {
    const { page } = await customer('fr');
    const axe = readFileSync(join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    for (const path of ['/billing/top-up', '/billing/settings']) {
      // axe is injected by the test, which the page's own CSP rightly forbids: bypass it here only.
      const context = await browser.newContext({ bypassCSP: true, storageState: await page.context().storageState() });
      const checked = await context.newPage();
      await checked.goto(origin + path);
      await checked.addScriptTag({ content: axe });
      const result = await checked.evaluate(async () => (window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe.run());
      const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
      console.log(`[figures] axe on ${path}: ${result.violations.length} violations, serious or critical: ${JSON.stringify(serious)}`);
      expect([path, serious]).toEqual([path, []]);
      await context.close();
    }
  });
});
