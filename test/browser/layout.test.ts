import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../config/load.js';
import { seedDemo } from '../../core/demo.js';
import { artifacts, browserAvailable, browserSuite } from '../support/browser.js';
import { eur } from '../support/ledger-fixtures.js';
import { payOnHostedPage, startCard } from '../support/sandbox-card.js';

const axeSource = readFileSync(join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
type AxeResult = { violations: { id: string; impact: string; nodes: unknown[] }[] };

/** axe-core's serious and critical findings on the page; axe is injected by the test, which only a bypassCSP context allows. */
async function axe(page: Page): Promise<{ all: number; serious: string[] }> {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => (window as unknown as { axe: { run: () => Promise<AxeResult> } }).axe.run());
  return { all: result.violations.length, serious: result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`) };
}

/** How much wider than the window the document is: 0 when nothing scrolls sideways. */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

// Registered only where the browser exists (like the PostgreSQL suites without DATABASE_URL).
if (browserAvailable()) describe('customer pages on a phone and on a desktop', () => {
  const suite = browserSuite({ billing: { balanceRenewals: 'on-by-default' } });
  const paths: Record<string, string> = {};

  beforeAll(async () => {
    const { saldo, origin } = suite;
    await seedDemo(saldo);
    // The French prepaid demo customer: a saved card (settings lists it), a paid top-up (its
    // payment page), an order waiting for payment, and a payment open on the sandbox's card page.
    const prepaid = await saldo.accounts.getByExternalRef('demo-prepaid');
    const paid = await startCard(saldo, prepaid.id, { purpose: 'top_up', amount: eur(5_000n), saveMethod: true });
    await payOnHostedPage(saldo, paid, { number: '4242424242424242' });
    await saldo.payments.refresh(prepaid.id, paid.id);
    await saldo.catalogue.upsert({ code: 'dedicated-xl', names: { en: 'Dedicated server XL (64 GB)', fr: 'Serveur dédié XL (64 Go)', es: 'Servidor dedicado XL (64 GB)' }, currency: 'EUR', prices: { annual: eur(250_000n) } });
    const { order } = await saldo.orders.checkout(prepaid.id, { items: [{ product: 'dedicated-xl', cycle: 'annual' }] }, 'big-order');
    const open = await saldo.payments.start(prepaid.id, { purpose: 'top_up', amount: eur(10_000n), gateway: 'card', idempotencyKey: randomUUID(), locale: 'fr', origin });
    Object.assign(paths, {
      balance: '/billing/balance', 'top-up': '/billing/top-up', settings: '/billing/settings', payment: `/billing/payments/${paid.id}`,
      'pay-order': `/billing/pay/${order.id}`, 'not-found': '/billing/nowhere', 'card-page': new URL(open.redirectUrl!).pathname,
    });
  });

  /** A browser context signed in as a demo customer (a fresh one signed in as nobody with `ref` undefined). */
  async function signedIn(ref: string | undefined, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await suite.browser.newContext(options);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
    // A page the test asks for answers what it answers (a 404, the sign-in page's 401), and a form's refusal is a 422: any other failure is a problem.
    page.on('response', (r) => r.status() >= 400 && r.status() !== 422 && r.request().resourceType() !== 'document' && problems.push(`${r.status()} ${r.url()}`));
    if (ref) await page.goto(suite.origin + (await suite.saldo.customers.handoffLink(ref)).url);
    return { context, page, problems };
  }

  it('fits every page into a 390 px phone without sideways scrolling, with no serious accessibility violation (axe-core)', async () => {
    const figures: string[] = [];
    const visits: [string, string | undefined, string][] = [
      ...Object.entries(paths).map(([name, path]): [string, string | undefined, string] => [name, 'demo-prepaid', path]),
      ['balance-postpaid', 'demo-postpaid', '/billing/balance'], ['sign-in', undefined, '/billing/balance'],
    ];
    for (const [name, ref, path] of visits) {
      const { context, page, problems } = await signedIn(ref, { bypassCSP: true, viewport: { width: 390, height: 844 } });
      await page.goto(suite.origin + path);
      const sideways = await overflow(page);
      await page.screenshot({ path: join(artifacts, `phone-${name}.png`), fullPage: true });
      const found = await axe(page);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.screenshot({ path: join(artifacts, `desktop-${name}.png`), fullPage: true });
      figures.push(`${name}: overflow=${sideways}px axe=${found.all} serious=${JSON.stringify(found.serious)}`);
      // The sandbox stands for the processor's own page, which links no icon: the browser asks the host's root for one.
      const ours = problems.filter((p) => !(name === 'card-page' && p.endsWith(`${suite.origin}/favicon.ico`)));
      expect.soft([name, sideways, found.serious, ours]).toEqual([name, expect.toSatisfy((px: number) => px <= 0), [], []]);
      await context.close();
    }
    console.log(`[figures] 390 px phone, per page:\n  ${figures.join('\n  ')}`);
  });

  it('stacks the history into rows on a phone: date and amount on one line, the description under it', async () => {
    const { context, page } = await signedIn('demo-prepaid', { viewport: { width: 390, height: 844 } });
    await page.goto(`${suite.origin}/billing/balance`);
    const row = page.locator('#history-rows tr:not(.more)').first();
    const [date, description, amount] = await Promise.all([1, 2, 3].map((n) => row.locator(`td:nth-child(${n})`).boundingBox()));
    expect(Math.abs(date!.y - amount!.y)).toBeLessThan(4); // one line
    expect(description!.y).toBeGreaterThanOrEqual(date!.y + date!.height - 1); // under it
    expect(amount!.x + amount!.width).toBeLessThanOrEqual(390);
    await context.close();
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`shows a refused alert level beside its field, as typed, with JavaScript ${javaScriptEnabled ? 'on (htmx swaps the form)' : 'off (the whole page)'}`, async () => {
      const { context, page, problems } = await signedIn('demo-prepaid', { javaScriptEnabled, viewport: { width: 390, height: 844 } });
      await page.goto(`${suite.origin}/billing/balance`);
      await page.fill('#threshold', 'abc');
      await page.locator('#alert-form button[type="submit"]').click();
      await page.locator('#threshold-error').waitFor();
      expect(await page.locator('#threshold-error').textContent()).toMatch(/^«\sabc\s» n’est pas un montant\. Écrivez-le comme 12,50\.$/);
      expect(await page.inputValue('#threshold')).toBe('abc');
      expect(await page.locator('#threshold').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('h1').count()).toBe(1);
      // With htmx the page stays where it was; without JavaScript the form's post answered with the page.
      expect(new URL(page.url()).pathname).toBe(javaScriptEnabled ? '/billing/balance' : '/billing/balance/threshold');
      // caret 'initial': hiding the caret would take an inline style, which the page's CSP refuses (and logs).
      await page.screenshot({ path: join(artifacts, `alert-error-${javaScriptEnabled ? 'htmx' : 'no-js'}.png`), caret: 'initial', fullPage: true });

      await page.fill('#threshold', '12,50');
      await page.locator('#alert-form button[type="submit"]').click();
      await page.locator('#alert-form .success').waitFor();
      expect(await page.locator('#alert-form .success').textContent()).toMatch(/^Enregistré\s: nous vous avertirons quand votre solde disponible passera sous 12,50\s€\.$/);
      expect(await page.locator('#threshold-error').count()).toBe(0);
      // The notice above follows the new level (htmx swaps it out of band; without JavaScript the page is read again).
      expect(await page.locator('#balance-notice').textContent()).toMatch(/inférieur à 12,50\s€/);
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('switches language on a filtered history and comes back to the same filter', async () => {
    const { context, page, problems } = await signedIn('demo-prepaid');
    const filtered = '/billing/balance?from=2020-01-01&to=2099-12-31';
    await page.goto(suite.origin + filtered);
    await page.getByRole('link', { name: 'Español' }).click();
    await page.waitForURL(suite.origin + filtered);
    expect(await page.locator('#history-title').textContent()).toBe('Movimientos');
    expect(await page.inputValue('input[name="from"]')).toBe('2020-01-01');
    expect(await page.inputValue('input[name="to"]')).toBe('2099-12-31');
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(suite.origin + filtered);
    expect(await page.locator('#history-title').textContent()).toBe('Transactions');
    expect(problems).toEqual([]);
    await context.close();
  });
});
