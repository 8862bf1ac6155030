import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { inProcessLocks, type KeyLocks } from '../../core/db/key-locks.js';
import { idempotentPosts } from '../../core/http/api/idempotency.js';
import { errorResponse } from '../../core/http/errors.js';
import { openTestDatabase } from '../support/databases.js';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase } from '../support/databases.js';
import { API_KEY, testSaldo } from '../support/saldo.js';

const auth = { authorization: `Bearer ${API_KEY}` };
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...auth, ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

onEachDatabase((_sql, _target, database) => {
  describe('billing app over HTTP', () => {
    let saldo: Saldo;
    beforeAll(async () => {
      saldo = await testSaldo(database());
    });

    it('answers /healthz with 200 when the database is reachable', async () => {
      const res = await saldo.app.request('/healthz');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    it('renders errors as { error: { code, message } } in the request’s language', async () => {
      for (const [lang, message] of <[string, string][]>[
        ['en', 'This page does not exist.'],
        ['fr-FR,fr;q=0.9,en;q=0.5', 'Cette page n’existe pas.'],
        ['de;q=1, es;q=0.8', 'Esta página no existe.'],
      ]) {
        const res = await saldo.app.request('/no/such/page', { headers: { 'accept-language': lang } });
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message } });
      }
    });

    it('keeps its own 404 when mounted in a host app, built from the public entry point', async () => {
      const { Hono } = await import('hono');
      const { createSaldo, loadConfig } = await import('saldo');
      const embedded = await createSaldo(loadConfig({ env: {} }), { database: database() });
      const host = new Hono();
      host.route('/billing', embedded.app);
      const res = await host.request('/billing/nowhere');
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('NOT_FOUND');
      expect((await host.request('/billing/healthz')).status).toBe(200);
    });

    it('refuses the API without a valid key', async () => {
      for (const headers of <Record<string, string>[]>[{}, { authorization: 'Bearer wrong-key-wrong-key-wrong' }, { authorization: API_KEY }]) {
        const res = await saldo.app.request('/api/v1/accounts/x', { headers });
        expect(res.status).toBe(401);
        expect((await res.json()).error.code).toBe('API_KEY_INVALID');
      }
    });

    it('opens an account for the panel and reads it back with its balance, amounts as exact decimals', async () => {
      const res = await saldo.app.request('/api/v1/accounts', json({
        externalRef: 'whmcs-client-42', name: 'Ana García', email: 'ana@example.es', country: 'ES', locale: 'es',
        paymentMode: 'postpaid', creditLimit: '250.50', lowBalanceThreshold: '20', balance: '1000000',
      }));
      expect(res.status).toBe(201);
      const created = await res.json();
      expect(created).toMatchObject({
        externalRef: 'whmcs-client-42', paymentMode: 'postpaid', currency: 'EUR',
        creditLimit: { amount: '250.50', currency: 'EUR' },
        // The unknown "balance" field was ignored: a new account starts at zero.
        balance: { balance: { amount: '0.00', currency: 'EUR' }, usableCredit: { amount: '250.50', currency: 'EUR' }, low: false },
      });
      const read = await saldo.app.request('/api/v1/accounts/whmcs-client-42', { headers: auth });
      expect(await read.json()).toEqual(created);
      const again = await saldo.app.request('/api/v1/accounts', json({ externalRef: 'whmcs-client-42', name: 'x', email: 'x@example.com', country: 'ES' }));
      expect(again.status).toBe(409);
      expect((await again.json()).error.code).toBe('ACCOUNT_EXISTS');
    });

    it('answers bad input with a clear 4xx in the caller’s language and writes nothing', async () => {
      const before = await database().sql`SELECT count(*) AS n FROM billing_accounts`;
      const cases: [unknown, number, string, string][] = [
        ['{ not json', 400, 'BODY_INVALID', 'Le corps de la requête n’est pas un JSON valide.'],
        [{ externalRef: 'a', name: 'b', email: 'nope', country: 'FRA' }, 422, 'VALIDATION_FAILED', 'Certains champs ne sont pas valides\u202f: email, country.'],
        [{ externalRef: 'a', name: 'b', email: 'a@b.fr', country: 'FR', paymentMode: 'postpaid', creditLimit: '1e3' }, 422, 'AMOUNT_INVALID', '«\u202f1e3\u202f» n’est pas un montant. Écrivez-le comme 12.50.'],
        [{ externalRef: 'a', name: 'b', email: 'a@b.fr', country: 'FR', paymentMode: 'postpaid', creditLimit: '10.001' }, 422, 'AMOUNT_TOO_PRECISE', 'Les montants en EUR ont au plus 2 décimales.'],
        [{ externalRef: 'a', name: 'b', email: 'a@b.fr', country: 'FR', paymentMode: 'postpaid', creditLimit: '99999999999999999999' }, 422, 'AMOUNT_OUT_OF_RANGE', 'Le montant est trop élevé.'],
        [{ externalRef: 'a', name: 'b', email: 'a@b.fr', country: 'FR', currency: 'ABC' }, 422, 'CURRENCY_UNKNOWN', 'La devise «\u202fABC\u202f» n’est pas prise en charge.'],
      ];
      for (const [body, status, code, message] of cases) {
        const res = await saldo.app.request('/api/v1/accounts', json(body, { 'accept-language': 'fr' }));
        expect([res.status, await res.json()]).toEqual([status, { error: { code, message } }]);
      }
      expect(await database().sql`SELECT count(*) AS n FROM billing_accounts`).toEqual(before);
    });
  });
});

describe('billing app over HTTP, database down', () => {
  it('answers /healthz and the API with 503 and Retry-After, and a signed-in customer with a page in their language', async () => {
    const database = await openTestDatabase('embedded');
    const saldo = await testSaldo(database);
    const account = await saldo.accounts.create({ externalRef: 'down-1', name: 'Ana', email: 'a@example.es', country: 'ES', locale: 'es' });
    const handoff = await saldo.app.request((await saldo.customers.handoffLink(account.externalRef)).url.replace(/^\/billing/, ''));
    const cookie = handoff.headers.get('set-cookie')!.split(';')[0]!;
    await database.close();

    const health = await saldo.app.request('/healthz');
    expect([health.status, health.headers.get('retry-after'), (await health.json()).error.code]).toEqual([503, '2', 'DATABASE_UNAVAILABLE']);
    const api = await saldo.app.request('/api/v1/accounts/down-1/checkout', json({ items: [{ product: 'vps-s', cycle: 'monthly' }] }));
    expect([api.status, api.headers.get('retry-after'), (await api.json()).error.code]).toEqual([503, '2', 'DATABASE_UNAVAILABLE']);
    const page = await saldo.app.request('/balance?page=2', { headers: { cookie, 'accept-language': 'es', accept: 'text/html' } });
    expect([page.status, page.headers.get('retry-after'), page.headers.get('content-language')]).toEqual([503, '2', 'es']);
    const html = await page.text();
    expect(html).toContain('La facturación no está disponible por un momento');
    expect(html).toContain('href="/balance?page=2"');
  });
});

describe('Idempotency-Key middleware', () => {
  it('refuses a key reused for another request without leaving a rejection unhandled while it frees the key', async () => {
    const database = await openTestDatabase('embedded');
    const saldo = await testSaldo(database);
    // Freeing a key takes a round trip on PostgreSQL; made slow here so that the refusal is
    // certain to be decided while the key is still being freed.
    const locks = inProcessLocks();
    const slow: KeyLocks = {
      acquire: async (key) => {
        const lock = await locks.acquire(key);
        return lock && { release: async () => { await new Promise((r) => setTimeout(r, 50)); await lock.release(); } };
      },
      close: () => locks.close(),
    };
    const app = new Hono();
    app.use('*', async (c, next) => { c.set('apiScope' as never, 'test' as never); await next(); });
    app.use('*', idempotentPosts(database.sql, slow));
    app.post('/x', async (c) => c.json(await c.req.json(), 201));
    app.onError((error, c) => errorResponse(c, error, saldo.i18n));
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const post = (body: unknown) => app.request('/x', { method: 'POST', body: JSON.stringify(body), headers: { 'idempotency-key': 'reused' } });
      expect((await post({ a: 1 })).status).toBe(201);
      const other = await post({ a: 2 });
      await new Promise((r) => setTimeout(r, 100));
      expect([other.status, (await other.json()).error.code]).toEqual([409, 'IDEMPOTENCY_CONFLICT']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
      await database.close();
    }
  });
});
