import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../core/customers/tokens.js';
import type { Saldo } from '../../core/saldo.js';
import { moduleSecret } from '../../core/customers/secret.js';
import { onEachDatabase } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { testSaldo } from '../support/saldo.js';

const XSS = `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`;

onEachDatabase((_sql, target, database) => {
  describe('customer pages', () => {
    let saldo: Saldo;
    let host: Hono;
    const request = (path: string, init: RequestInit & { cookie?: string } = {}) =>
      host.request(`http://billing.example${path}`, { ...init, headers: { ...(init.cookie ? { cookie: init.cookie } : {}), ...(init.headers as Record<string, string>) } });

    beforeAll(async () => {
      saldo = await testSaldo(database(), { branding: { providerName: 'Hébergeur Démo', panelUrl: 'https://panel.example/', supportEmail: 'aide@example.com', primaryColor: '#1f5fbf' } });
      host = new Hono().route('/billing', saldo.app);
    });

    /** A customer with `entries` transactions, signed in through a hand-off link. */
    async function signedIn(over: Record<string, unknown> = {}, entries = 0) {
      const account = await saldo.accounts.create({ externalRef: `panel-${randomUUID()}`, name: 'Atelier Dupont', email: 'a@example.com', country: 'FR', locale: 'fr', ...over });
      for (let i = 0; i < entries; i++) await saldo.wallets.topUp(account.id, eur(10_000n + BigInt(i)), { idempotencyKey: `t${i}`, description: `Top-up ${i + 1}` });
      const { url } = await saldo.customers.handoffLink(account.externalRef);
      const res = await request(url);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/billing/balance');
      const cookie = res.headers.get('set-cookie')!;
      return { account, cookie: cookie.split(';')[0]!, setCookie: cookie };
    }

    describe('hand-off from the panel', () => {
      it('sets an HttpOnly, SameSite=Lax session cookie scoped to the module, Secure over https', async () => {
        const { setCookie, account } = await signedIn();
        expect(setCookie).toMatch(/^saldo_session=[^;]+; Max-Age=7200; Path=\/billing; HttpOnly; SameSite=Lax$/);
        const { url } = await saldo.customers.handoffLink(account.externalRef);
        const https = await host.request(`https://billing.example${url}`);
        expect(https.headers.get('set-cookie')).toContain('; Secure');
      });

      it('refuses an expired, tampered or foreign-purpose link with the sign-in page in the customer’s language', async () => {
        const { account } = await signedIn();
        const secret = await moduleSecret(database().sql, 'session');
        const expired = signToken(secret, { purpose: 'handoff', account: account.id.toString(), exp: Math.floor(Date.now() / 1000) - 1 });
        const session = signToken(secret, { purpose: 'session', account: account.id.toString(), exp: Math.floor(Date.now() / 1000) + 60, sid: 'x' });
        const { url } = await saldo.customers.handoffLink(account.externalRef);
        const tampered = url.replace(/token=([^.]+)/, (_, data) => `token=${Buffer.from(JSON.stringify({ purpose: 'handoff', account: '1', exp: 9e9 })).toString('base64url')}`);
        for (const link of [`/billing/session?token=${expired}`, `/billing/session?token=${session}`, tampered, '/billing/session']) {
          const res = await request(link, { headers: { 'accept-language': 'fr' } });
          expect(res.status).toBe(401);
          expect(res.headers.get('set-cookie')).toBeNull();
          const html = await res.text();
          expect(html).toContain('Ce lien a expiré ou n’est pas valide.');
          expect(html).toContain('href="https://panel.example/"');
        }
      });

      it('shows the sign-in page, with a link back to the panel, to anyone without a session', async () => {
        const res = await request('/billing/balance', { headers: { 'accept-language': 'es-ES,es;q=0.9' } });
        expect(res.status).toBe(401);
        const html = await res.text();
        expect(html).toContain('<html lang="es">');
        expect(html).toContain('Inicie sesión');
        expect(html).toContain('Ir al panel de control');
      });

      it('answers a browser’s unknown address with a page in the customer’s language, anything else with JSON', async () => {
        const { cookie } = await signedIn({ locale: 'fr' });
        const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'accept-language': 'en' };
        const page = await request('/billing/balance/nowhere', { cookie, headers: html });
        expect(page.status).toBe(404);
        expect(page.headers.get('content-type')).toContain('text/html');
        expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
        const body = await page.text();
        expect(body).toContain('<html lang="fr">'); // the account's language, over the browser's
        expect(body).toContain('Cette page n’existe pas.');
        const signedOut = await request('/billing/nowhere', { headers: { ...html, 'accept-language': 'es' } });
        expect([signedOut.status, await signedOut.text()]).toEqual([404, expect.stringContaining('Esta página no existe.')]);
        const api = await request('/billing/balance/nowhere', { cookie, headers: { accept: 'application/json' } });
        expect([api.status, (await api.json()).error.code]).toEqual([404, 'NOT_FOUND']);
      });

      it('ends a session at its expiry, even one already verified and remembered', async () => {
        const { account } = await signedIn();
        const secret = await moduleSecret(database().sql, 'session');
        const exp = Math.floor(Date.now() / 1000) + 2;
        const cookie = `saldo_session=${signToken(secret, { purpose: 'session', account: account.id.toString(), exp, sid: randomUUID() })}`;
        expect((await request('/billing/balance', { cookie })).status).toBe(200);
        await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
        expect((await request('/billing/balance', { cookie })).status).toBe(401);
      });

      it('lands only inside the module, whatever path the link names', async () => {
        const { account } = await signedIn();
        const secret = await moduleSecret(database().sql, 'session');
        for (const path of ['https://evil.example/', '//evil.example/x', '/elsewhere']) {
          const token = signToken(secret, { purpose: 'handoff', account: account.id.toString(), exp: Math.floor(Date.now() / 1000) + 60, path, id: randomUUID() });
          expect((await request(`/billing/session?token=${token}`)).headers.get('location')).toBe('/billing/balance');
        }
      });
    });

    describe('trusted-proxy mode', () => {
      it('knows the customer the panel’s proxy names and signs, and no one else', async () => {
        const proxied = await testSaldo(database(), { customers: { proxySecret: 'proxy-secret-0123456789' } });
        const app = new Hono().route('/billing', proxied.app);
        const account = await proxied.accounts.create({ externalRef: `proxy-${randomUUID()}`, name: 'Proxied Ltd', email: 'p@example.com', country: 'GB', locale: 'en' });
        const { signCustomerHeader } = await import('../../core/index.js');
        const signed = { 'x-saldo-customer': account.externalRef, 'x-saldo-customer-signature': signCustomerHeader('proxy-secret-0123456789', account.externalRef, Math.floor(Date.now() / 1000)) };
        const ok = await app.request('http://billing.example/billing/balance', { headers: signed });
        expect(ok.status).toBe(200);
        expect(await ok.text()).toContain('Proxied Ltd');
        const forged = { ...signed, 'x-saldo-customer-signature': signCustomerHeader('a-guessed-secret-000000', account.externalRef, Math.floor(Date.now() / 1000)) };
        expect((await app.request('http://billing.example/billing/balance', { headers: forged })).status).toBe(401);
        expect((await app.request('http://billing.example/billing/balance', { headers: { 'x-saldo-customer': account.externalRef } })).status).toBe(401);
        // Without a proxy secret configured, the header means nothing.
        expect((await request('/billing/balance', { headers: signed })).status).toBe(401);
      });
    });

    describe('balance page', () => {
      it('shows balance, usable credit and history in the account’s language, money and dates as it writes them', async () => {
        const { cookie, account } = await signedIn({ paymentMode: 'postpaid', creditLimit: eur(50_000n) });
        await saldo.wallets.topUp(account.id, eur(123_456n), { idempotencyKey: 'big' });
        const html = await (await request('/billing/balance', { cookie })).text();
        expect(html).toContain('<html lang="fr">');
        expect(html).toContain('<h1>Solde</h1>');
        expect(html).toContain('1\u202f234,56\u00a0€');
        expect(html).toContain('1\u202f734,56\u00a0€'); // usable: balance + credit limit
        expect(html).toContain('Postpayé');
        expect(html).toContain('Approvisionnement');
        expect(html).toContain('Hébergeur Démo');
      });

      it('follows an explicit language choice over the account’s, and keeps it', async () => {
        const { cookie } = await signedIn({ locale: 'en' });
        const english = await (await request('/billing/balance', { cookie, headers: { 'accept-language': 'fr' } })).text();
        expect(english).toContain('<h1>Balance</h1>');
        const chosen = await request('/billing/lang/es?back=/billing/balance', { cookie });
        expect(chosen.status).toBe(303);
        expect(chosen.headers.get('location')).toBe('/billing/balance');
        const lang = chosen.headers.get('set-cookie')!.split(';')[0]!;
        const spanish = await (await request('/billing/balance', { cookie: `${cookie}; ${lang}` })).text();
        expect(spanish).toContain('<h1>Saldo</h1>');
        expect(spanish).toContain('N.º de cliente');
        expect((await request('/billing/lang/es?back=https://evil.example/', { cookie })).headers.get('location')).toBe('/billing/balance');
      });

      it('renders the whole page normally and only the page’s markup for htmx', async () => {
        const { cookie } = await signedIn();
        const full = await (await request('/billing/balance', { cookie })).text();
        const fragment = await (await request('/billing/balance', { cookie, headers: { 'hx-request': 'true' } })).text();
        expect(full).toMatch(/^<!doctype html>/);
        expect(full).toContain('/billing/assets/htmx-4.0.1.min.js');
        expect(fragment).not.toContain('<html');
        expect(fragment).toContain('<h1>Solde</h1>');
      });

      it('pages the history 20 rows at a time, newest first, with "load more" for htmx and a plain link without it', async () => {
        const { cookie } = await signedIn({}, 25);
        const page = await (await request('/billing/balance', { cookie })).text();
        expect(page.match(/<tr>\s*<td>/g)).toHaveLength(20);
        expect(page).toContain('Top-up 25');
        expect(page).not.toContain('Top-up 5<');
        const next = /hx-get="([^"]+)"/.exec(page)![1]!.replace(/&amp;/g, '&');
        const more = await (await request(next, { cookie, headers: { 'hx-request': 'true' } })).text();
        expect(more.match(/<tr>\s*<td>/g)).toHaveLength(5);
        expect(more).toContain('Top-up 1<');
        expect(more).not.toContain('hx-get');
        const plain = await request(next, { cookie });
        expect(plain.status).toBe(303);
      });

      it('filters the history by date and downloads it as CSV, formulas neutralised', async () => {
        const { cookie, account } = await signedIn({}, 2);
        await saldo.wallets.charge(account.id, eur(500n), { idempotencyKey: 'evil', description: '=HYPERLINK("http://evil.example","x")' });
        const today = new Date().toISOString().slice(0, 10);
        const empty = await (await request('/billing/balance?from=2020-01-01&to=2020-01-31', { cookie })).text();
        expect(empty).toContain('Aucune opération sur cette période.');
        const res = await request(`/billing/balance/history.csv?from=${today}&to=${today}`, { cookie });
        expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
        expect(res.headers.get('content-disposition')).toContain(account.customerNumber);
        const bytes = new Uint8Array(await res.arrayBuffer());
        expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: spreadsheets read UTF-8
        const lines = new TextDecoder().decode(bytes).trim().split('\r\n');
        expect(lines[0]).toBe('Date (UTC);Libellé;Montant;Devise;Solde'); // a French spreadsheet's conventions
        expect(lines).toHaveLength(4);
        expect(lines[1]).toContain(`;"'=HYPERLINK(""http://evil.example"",""x"")";-5,00;EUR;195,01`);
      });

      it('shows only the signed-in customer’s data, whatever cursor or period is asked for (TESTS #12)', async () => {
        const alice = await signedIn({}, 1);
        const bob = await signedIn({ name: 'Bob Secret' });
        await saldo.wallets.topUp(bob.account.id, eur(777_700n), { idempotencyKey: 'b', description: 'Bob private top-up' });
        const bobsLast = (await saldo.wallets.history(bob.account.id))[0]!.id;
        const pages = [
          await request('/billing/balance', { cookie: alice.cookie }),
          await request(`/billing/balance/history?before=${bobsLast + 1n}`, { cookie: alice.cookie, headers: { 'hx-request': 'true' } }),
          await request(`/billing/balance?before=${bobsLast + 1n}&from=2000-01-01`, { cookie: alice.cookie }),
          await request('/billing/balance/history.csv?from=2000-01-01', { cookie: alice.cookie }),
        ];
        for (const res of pages) {
          const text = await res.text();
          expect(text).not.toContain('Bob');
          expect(text).not.toContain('7777');
        }
      });

      it('answers page views read together in one batch each with its own account, its own slice and its own language', async () => {
        const customers = await Promise.all(Array.from({ length: 12 }, (_, i) => signedIn({ name: `Client ${i}`, locale: ['en', 'fr', 'es'][i % 3] }, i % 4)));
        // All at once: the reads go to the database as one statement (or a few).
        const pages = await Promise.all(customers.map(({ cookie }, i) => request(i % 2 ? '/billing/balance?from=2000-01-01' : '/billing/balance', { cookie })));
        const html = await Promise.all(pages.map((p) => p.text()));
        html.forEach((page, i) => {
          expect(page).toContain(`Client ${i} ·`);
          expect(page).toContain(`<html lang="${['en', 'fr', 'es'][i % 3]}">`);
          expect(page.match(/<tr>\s*<td>/g) ?? []).toHaveLength(i % 4);
          for (let other = 0; other < 12; other++) if (other !== i) expect(page).not.toContain(`Client ${other} ·`);
        });
        console.log(`[figures] ${customers.length} page views at once on ${target}: each showed its own account and ${customers.map((_, i) => i % 4).join('/')} rows`);
      });

      it('shows a new transfer and the new balance at once, while rows already shown are reused', async () => {
        const { cookie, account } = await signedIn({}, 2);
        const before = await (await request('/billing/balance', { cookie })).text();
        expect(before).toContain('200,01\u00a0€');
        await saldo.wallets.charge(account.id, eur(1_234n), { idempotencyKey: 'new', description: 'Nouveau serveur' });
        const after = await (await request('/billing/balance', { cookie })).text();
        expect(after).toContain('Nouveau serveur');
        expect(after).toContain('187,67\u00a0€');
        expect(after.match(/<tr>\s*<td>/g)).toHaveLength(3);
        // The rows shown before come out the same, in the same order, below the new one.
        const rows = (page: string) => page.match(/<tr>\s*<td>[\s\S]*?<\/tr>/g)!;
        expect(rows(after).slice(1)).toEqual(rows(before));
        // Another account's transfers are never rendered for this one, even when asked for by id.
        const other = await signedIn({ name: 'Autre' }, 1);
        const othersTransfer = (await saldo.wallets.history(other.account.id))[0]!.id;
        expect(await saldo.accounts.entriesOf(account, [othersTransfer])).toEqual([]);
      });

      it('escapes customer data in the page (TESTS #14)', async () => {
        const { cookie, account } = await signedIn({ name: XSS });
        await saldo.wallets.topUp(account.id, eur(100n), { idempotencyKey: 'x', description: XSS });
        const html = await (await request(`/billing/balance`, { cookie })).text();
        expect(html).not.toContain('<script>alert(1)');
        expect(html).not.toContain('<img src=x');
        expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
        const lang = await (await request(`/billing/balance?x="><script>`, { cookie })).text();
        expect(lang).not.toContain('"><script>');
      });

      it('sends a strict Content-Security-Policy and the other security headers', async () => {
        const { cookie } = await signedIn();
        const res = await request('/billing/balance', { cookie });
        const csp = res.headers.get('content-security-policy')!;
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("default-src 'self'");
        expect(csp).not.toContain('unsafe-inline');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        const html = await res.text();
        expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
        const asset = await request('/billing/assets/htmx-4.0.1.min.js');
        expect(asset.headers.get('cache-control')).toContain('immutable');
        // The provider's colour arrives as a stylesheet, not inline.
        expect(html).toContain('/billing/assets/brand-1f5fbf.css');
        expect(await (await request('/billing/assets/brand-1f5fbf.css')).text()).toBe(':root { --brand: #1f5fbf; }\n');
      });
    });

    describe('the low-balance alert form', () => {
      const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
      const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } as Record<string, string> });

      it('saves an amount typed the customer’s way, and ignores unknown fields', async () => {
        const { cookie, account } = await signedIn();
        const csrf = csrfOf(await (await request('/billing/balance', { cookie })).text());
        const res = await request('/billing/balance/threshold', { ...form({ _csrf: csrf, threshold: '12,50', balance: '1000000' }), cookie });
        expect(res.status).toBe(303);
        expect((await saldo.accounts.get(account.id)).lowBalanceThreshold).toEqual(eur(1_250n));
        expect((await saldo.accounts.balance(account.id)).balance).toEqual(eur(0n));
        const page = await (await request('/billing/balance', { cookie })).text();
        expect(page).toContain('value="12,50"');
        expect(page).toContain('Votre solde disponible est inférieur à 12,50\u00a0€');
      });

      it('refuses a cross-site or token-less POST with 403 and changes nothing (TESTS #13)', async () => {
        const { cookie, account } = await signedIn();
        const csrf = csrfOf(await (await request('/billing/balance', { cookie })).text());
        const other = await signedIn();
        const otherCsrf = csrfOf(await (await request('/billing/balance', { cookie: other.cookie })).text());
        const attempts = [
          { ...form({ threshold: '5' }), cookie },
          { ...form({ threshold: '5', _csrf: 'forged' }), cookie },
          { ...form({ threshold: '5', _csrf: otherCsrf }), cookie },
          { ...form({ threshold: '5', _csrf: csrf }), cookie, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' } },
        ];
        for (const attempt of attempts) {
          const res = await request('/billing/balance/threshold', attempt);
          expect(res.status).toBe(403);
          expect(await res.text()).toContain('Ce formulaire a expiré ou ne provient pas de ce site.');
        }
        expect((await saldo.accounts.get(account.id)).lowBalanceThreshold).toBeNull();
        // htmx sends the token as a header instead.
        const viaHeader = await request('/billing/balance/threshold', { ...form({ threshold: '3' }), cookie, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf } });
        expect(viaHeader.status).toBe(303);
      });

      it('answers bad amounts with a clear 422 in the customer’s language, changing nothing (TESTS #15)', async () => {
        const { cookie, account } = await signedIn();
        const csrf = csrfOf(await (await request('/billing/balance', { cookie })).text());
        const cases: [string, string][] = [
          ['-5', 'Le montant ne peut pas être négatif.'],
          ['NaN', '«\u202fNaN\u202f» n’est pas un montant.'],
          ['1e309', '«\u202f1e309\u202f» n’est pas un montant.'],
          ['12.50', '«\u202f12.50\u202f» n’est pas un montant.'],
          ['1,555', 'Les montants en EUR ont au plus 2 décimales.'],
          ['99999999999999999999', 'Le montant est trop élevé.'],
        ];
        for (const [input, message] of cases) {
          const res = await request('/billing/balance/threshold', { ...form({ _csrf: csrf, threshold: input }), cookie });
          expect(res.status).toBe(422);
          expect(await res.text()).toContain(message);
        }
        expect((await saldo.accounts.get(account.id)).lowBalanceThreshold).toBeNull();
      });
    });
  });
});
