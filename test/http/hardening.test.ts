import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SaldoConfigInput } from '../../config/schema.js';
import type { Saldo } from '../../core/saldo.js';
import { onEachDatabase } from '../support/databases.js';
import { eur } from '../support/ledger-fixtures.js';
import { API_KEY, testSaldo } from '../support/saldo.js';

// What probing the running server from outside found (issue #11), each proven refused.

const auth = { authorization: `Bearer ${API_KEY}` };
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

onEachDatabase((_sql, _target, database) => {
  let saldo: Saldo;
  let host: Hono;
  const request = (path: string, init: RequestInit & { cookie?: string } = {}) =>
    host.request(`http://billing.example${path}`, { ...init, headers: { ...(init.cookie ? { cookie: init.cookie } : {}), ...(init.headers as Record<string, string>) } });
  const api = (path: string, init: RequestInit = {}) =>
    saldo.app.request(`/api/v1${path}`, { ...init, headers: { ...auth, 'idempotency-key': randomUUID(), ...(init.headers as Record<string, string>) } });

  beforeAll(async () => {
    saldo = await testSaldo(database());
    host = new Hono().route('/billing', saldo.app);
  });

  /** A customer signed in through a hand-off link: the session cookie. */
  async function signedIn(app: Hono = host, with_: Saldo = saldo, over: Record<string, unknown> = {}) {
    const account = await with_.accounts.create({ externalRef: `probe-${randomUUID()}`, name: 'Atelier Dupont', email: 'a@example.com', country: 'FR', locale: 'fr', ...over });
    const { url } = await with_.customers.handoffLink(account.externalRef);
    const { pathname, search } = new URL(url, 'http://billing.example');
    const res = await app.request(`http://billing.example${pathname}${search}`);
    expect(res.status).toBe(303);
    return { account, cookie: res.headers.get('set-cookie')!.split(';')[0]!, setCookie: res.headers.get('set-cookie')! };
  }

  async function proxied(server: SaldoConfigInput['server']) {
    const other = await testSaldo(database(), { server });
    return { saldo: other, app: new Hono().route('/billing', other.app) };
  }

  describe('forwarded headers', () => {
    const fromPeer = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });
    /** Posts the alert form with the session's own token and `headers`, as if from `peer`. */
    async function post(app: Hono, session: { cookie: string }, headers: Record<string, string>, peer?: string) {
      const csrf = csrfOf(await (await app.request('http://billing.example/billing/balance', { headers: { cookie: session.cookie } })).text());
      return app.request('http://billing.example/billing/balance/threshold', {
        method: 'POST', body: new URLSearchParams({ _csrf: csrf, threshold: '7' }).toString(),
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      }, peer ? fromPeer(peer) : undefined);
    }

    it('refuses a foreign Origin whatever forwarded header the client adds, and changes nothing (TESTS #13)', async () => {
      const session = await signedIn();
      for (const headers of <Record<string, string>[]>[
        { origin: 'http://evil.example', 'x-forwarded-origin': 'http://evil.example' },
        { origin: 'http://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
        { origin: 'https://billing.example', 'x-forwarded-proto': 'https' },
      ]) {
        const res = await post(host, session, headers);
        expect([headers, res.status]).toEqual([headers, 403]);
        expect(await res.text()).toContain('Ce formulaire a expiré ou ne provient pas de ce site.');
      }
      expect((await saldo.accounts.get(session.account.id)).lowBalanceThreshold).toBeNull();
      expect((await post(host, session, { origin: 'http://billing.example' })).status).toBe(303);
    });

    it('makes cookies Secure on a client’s X-Forwarded-Proto only when it comes from the trusted proxy', async () => {
      const byAddress = await proxied({ trustedProxy: { addresses: ['10.0.0.0/8', '2001:db8::1'] } });
      const bySecret = await proxied({ trustedProxy: { secret: 'proxy-shared-secret-0123456789' } });
      const open = async (via: { saldo: Saldo; app: Hono } | undefined, headers: Record<string, string>, peer?: string) => {
        const account = await (via?.saldo ?? saldo).accounts.create({ externalRef: `s-${randomUUID()}`, name: 'A', email: 'a@example.com', country: 'FR' });
        const { url } = await (via?.saldo ?? saldo).customers.handoffLink(account.externalRef);
        const res = await (via?.app ?? host).request(`http://billing.example${url}`, { headers }, peer ? fromPeer(peer) : undefined);
        expect(res.status).toBe(303);
        return res.headers.get('set-cookie')!.includes('; Secure');
      };
      const https = { 'x-forwarded-proto': 'https' };
      expect(await open(undefined, https, '10.0.0.7')).toBe(false); // nobody is trusted by default
      expect(await open(byAddress, https, '10.0.0.7')).toBe(true);
      expect(await open(byAddress, https, '::ffff:10.1.2.3')).toBe(true);
      expect(await open(byAddress, https, '2001:db8::1')).toBe(true);
      expect(await open(byAddress, https, '192.0.2.10')).toBe(false);
      expect(await open(byAddress, https)).toBe(false); // address unknown
      expect(await open(bySecret, { ...https, 'x-saldo-proxy-secret': 'proxy-shared-secret-0123456789' })).toBe(true);
      expect(await open(bySecret, { ...https, 'x-saldo-proxy-secret': 'a-guess' })).toBe(false);
      expect(await open(bySecret, https, '10.0.0.7')).toBe(false);
    });

    it('takes the origin the trusted proxy forwards, and still refuses a foreign one', async () => {
      const { saldo: behind, app } = await proxied({ trustedProxy: { addresses: ['10.0.0.7'] }, publicUrl: 'https://billing.panel.example/' });
      const session = await signedIn(app, behind);
      const panel = { origin: 'https://panel.example', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'panel.example' };
      expect((await post(app, session, panel, '10.0.0.7')).status).toBe(303);
      expect((await post(app, session, panel, '192.0.2.10')).status).toBe(403);
      // A value the client put first, before the proxy appended its own, counts for nothing.
      expect((await post(app, session, { ...panel, 'x-forwarded-host': 'panel.example, billing.example' }, '10.0.0.7')).status).toBe(403);
      expect((await post(app, session, { origin: 'http://evil.example', 'x-forwarded-origin': 'http://evil.example' }, '10.0.0.7')).status).toBe(403);
      expect((await post(app, session, { origin: 'https://billing.panel.example' })).status).toBe(303); // the configured public address
    });
  });

  describe('hand-off links', () => {
    const newAccount = () => saldo.accounts.create({ externalRef: `once-${randomUUID()}`, name: 'A', email: 'a@example.com', country: 'ES', locale: 'es' });

    it('open a session once; opened again, the link shows the sign-in page in the customer’s language', async () => {
      const account = await newAccount();
      const { url } = await saldo.customers.handoffLink(account.externalRef);
      const first = await request(url);
      expect([first.status, first.headers.get('set-cookie')]).toEqual([303, expect.stringMatching(/^saldo_session=/)]);
      const again = await request(url, { headers: { 'accept-language': 'es' } });
      expect([again.status, again.headers.get('set-cookie')]).toEqual([401, null]);
      const html = await again.text();
      expect(html).toContain('Este enlace ha caducado o no es válido.');
      expect(html).toContain('Inicie sesión');
      // Another instance on the same database refuses it too: the record is in the database.
      const other = new Hono().route('/billing', (await testSaldo(database())).app);
      expect((await other.request(`http://billing.example${url}`)).status).toBe(401);
    });

    it('give one session when openings of the same link race', async () => {
      const account = await newAccount();
      const { url } = await saldo.customers.handoffLink(account.externalRef);
      const both = await Promise.all([request(url), request(url), request(url), request(url)]);
      expect(both.map((r) => r.status).sort()).toEqual([303, 401, 401, 401]);
      expect(both.filter((r) => r.headers.get('set-cookie')).length).toBe(1);
    });

    it('leave no record behind for long once expired: each opening deletes some', async () => {
      const sql = database().sql;
      await sql`INSERT INTO used_handoff_links (link_id, expires_at) SELECT 'old-' || i, now() - interval '2 days' FROM generate_series(1, 30) i`;
      await sql`INSERT INTO used_handoff_links (link_id, expires_at) VALUES ('recent', now() - interval '1 minute')`;
      const { url } = await saldo.customers.handoffLink((await newAccount()).externalRef);
      expect((await request(url)).status).toBe(303);
      expect(await sql`SELECT link_id FROM used_handoff_links WHERE link_id LIKE 'old-%' OR link_id = 'recent'`).toEqual([{ link_id: 'recent' }]);
    });
  });

  describe('JSON API bodies', () => {
    const newAccount = (ref: string) => ({ externalRef: ref, name: 'Ana', email: 'ana@example.es', country: 'ES' });
    const accounts = async () => Number((await database().sql`SELECT count(*)::int AS n FROM billing_accounts`)[0]!.n);

    it('are refused with 415, in the caller’s language, unless they say they are JSON; nothing is written', async () => {
      const before = await accounts();
      for (const type of [
        'text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/json', 'application/jsonp', 'application/json-seq', undefined,
      ]) {
        const key = randomUUID();
        const res = await api('/accounts', { method: 'POST', body: JSON.stringify(newAccount(`plain-${key}`)), headers: { ...(type && { 'content-type': type }), 'accept-language': 'fr', 'idempotency-key': key } });
        expect([type, res.status, await res.json()]).toEqual([type, 415, { error: {
          code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Envoyez le corps de la requête en JSON (type de contenu application/json).',
        } }]);
        // Refused before its key was recorded: the corrected request may use the same key.
        expect(await database().sql`SELECT 1 FROM api_requests WHERE idempotency_key = ${key}`).toHaveLength(0);
      }
      expect(await accounts()).toBe(before);
    });

    it('are taken as application/json or a +json type, with or without a charset', async () => {
      for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8', 'application/vnd.saldo+json']) {
        const ref = `json-${randomUUID()}`;
        const res = await api('/accounts', { method: 'POST', body: JSON.stringify(newAccount(ref)), headers: { 'content-type': type } });
        expect([type, res.status]).toEqual([type, 201]);
      }
    });

    it('may be left out where the route needs none', async () => {
      const ref = `bodyless-${randomUUID()}`;
      await saldo.accounts.create(newAccount(ref));
      const link = await api(`/accounts/${ref}/session-link`, { method: 'POST' });
      expect([link.status, (await link.json()).url]).toEqual([200, expect.stringMatching(/^\/billing\/session\?token=/)]);
      const cancel = await api(`/accounts/${ref}/services/999/cancel`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect([cancel.status, (await cancel.json()).error.code]).toEqual([404, 'SERVICE_NOT_FOUND']);
    });
  });

  describe('body sizes', () => {
    /** A body of `total` bytes in 16 kB chunks, counting how many bytes the server pulled. */
    function stream(total: number) {
      const chunk = new Uint8Array(16 * 1024).fill(0x20);
      const pulled = { bytes: 0 };
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled.bytes >= total) return controller.close();
          pulled.bytes += chunk.length;
          controller.enqueue(chunk);
        },
      });
      return { body, pulled };
    }
    const tooLarge = (kb: number) => ({ error: { code: 'PAYLOAD_TOO_LARGE', message: `La solicitud es demasiado grande: aquí se aceptan como máximo ${kb} kB.` } });

    it('refuse a JSON body past 64 kB with 413, by its Content-Length or as it streams, and write nothing', async () => {
      const ref = `big-${randomUUID()}`;
      const big = JSON.stringify({ externalRef: ref, name: 'Ana', email: 'ana@example.es', country: 'ES', junk: 'x'.repeat(5 * 2 ** 20) });
      const json = { 'content-type': 'application/json', 'accept-language': 'es' };
      const declared = await api('/accounts', { method: 'POST', body: big, headers: { ...json, 'content-length': String(big.length) } });
      expect([declared.status, await declared.json()]).toEqual([413, tooLarge(64)]);
      const undeclared = await api('/accounts', { method: 'POST', body: big, headers: json });
      expect([undeclared.status, await undeclared.json()]).toEqual([413, tooLarge(64)]);
      const { body, pulled } = stream(100 * 2 ** 20);
      const streamed = await api('/accounts', { method: 'POST', body, headers: json, duplex: 'half' } as RequestInit);
      expect([streamed.status, await streamed.json()]).toEqual([413, tooLarge(64)]);
      expect(pulled.bytes).toBeLessThanOrEqual(64 * 1024 + 2 * 16 * 1024); // stopped at the limit, not at 100 MB
      expect(await database().sql`SELECT 1 FROM billing_accounts WHERE external_ref = ${ref}`).toHaveLength(0);
      // Under the limit, the unknown field is ignored.
      const fits = JSON.stringify({ externalRef: ref, name: 'Ana', email: 'ana@example.es', country: 'ES', junk: 'x'.repeat(60_000) });
      expect((await api('/accounts', { method: 'POST', body: fits, headers: json })).status).toBe(201);
    });

    it('refuse a customer form past 16 kB with a 413 page in the customer’s language, changing nothing', async () => {
      const { cookie, account } = await signedIn();
      const csrf = csrfOf(await (await request('/billing/balance', { cookie })).text());
      // Refused before the session is read: the page speaks the browser's language.
      const form = { cookie, 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'fr-FR,fr;q=0.9' };
      const body = new URLSearchParams({ _csrf: csrf, threshold: '5', note: 'x'.repeat(20_000) }).toString();
      const { body: streamed, pulled } = stream(50 * 2 ** 20);
      for (const init of [
        { body, headers: { ...form, 'content-length': String(body.length) } }, { body, headers: form }, { body: streamed, headers: form, duplex: 'half' },
      ]) {
        const res = await request('/billing/balance/threshold', { method: 'POST', ...init } as RequestInit);
        expect(res.status).toBe(413);
        const html = await res.text();
        expect(html).toContain('<html lang="fr">');
        expect(html).toContain('La requête est trop volumineuse\u202f: 16 ko au plus sont acceptés ici.');
      }
      expect(pulled.bytes).toBeLessThanOrEqual(16 * 1024 + 2 * 16 * 1024);
      expect((await saldo.accounts.get(account.id)).lowBalanceThreshold).toBeNull();
    });

    it('follow the configured limits', async () => {
      const small = await testSaldo(database(), { limits: { jsonBytes: 2048 } });
      const res = await small.app.request('/api/v1/accounts', {
        method: 'POST', body: JSON.stringify({ externalRef: 'x', junk: 'x'.repeat(3000) }),
        headers: { ...auth, 'idempotency-key': randomUUID(), 'content-type': 'application/json', 'accept-language': 'es' },
      });
      expect([res.status, await res.json()]).toEqual([413, tooLarge(2)]);
    });
  });

  describe('catalogue products', () => {
    it('answers a missing product at its address with 404 PRODUCT_NOT_FOUND, and an order line naming one with 422', async () => {
      const missing = await api('/catalogue/products/no-such-vps', { headers: { 'accept-language': 'fr' } });
      expect([missing.status, await missing.json()]).toEqual([404, { error: { code: 'PRODUCT_NOT_FOUND', message: 'Le produit «\u202fno-such-vps\u202f» n’est pas disponible.' } }]);

      const ref = `lines-${randomUUID()}`;
      await saldo.accounts.create({ externalRef: ref, name: 'Ana', email: 'ana@example.es', country: 'ES' });
      const order = { method: 'POST', body: JSON.stringify({ items: [{ product: 'no-such-vps', cycle: 'monthly' }] }), headers: { 'content-type': 'application/json' } };
      for (const step of ['quote', 'checkout']) {
        const res = await api(`/accounts/${ref}/${step}`, order);
        expect([step, res.status, (await res.json()).error.code]).toEqual([step, 422, 'PRODUCT_NOT_FOUND']);
      }
      expect(await database().sql`SELECT 1 FROM orders o JOIN billing_accounts a ON a.id = o.account_id WHERE a.external_ref = ${ref}`).toHaveLength(0);
    });
  });

  describe('redirect targets', () => {
    const escapes = [
      '/billing/../evil', '/billing/%2e%2e/evil', '/billing/%2E%2e/%2e%2E/evil', '/billing/.%2e/evil', '/billing\\..\\evil', '/billing/..\\..\\evil',
      '/\\evil.example/billing/x', '//evil.example/billing/balance', '/\t/evil.example/billing/x', '/billing/..%2fevil', '/billing/..%5cevil',
      '/billing/%252e%252e/evil', 'https://evil.example/billing/balance', 'javascript:alert(1)//billing/', '/billing', '/billingx/balance', '',
    ];

    it('sends the language switch back only to a path that resolves inside the module', async () => {
      for (const back of escapes) {
        const res = await request(`/billing/lang/fr?back=${encodeURIComponent(back)}`);
        expect([back, res.status, res.headers.get('location')]).toEqual([back, 303, '/billing/balance']);
      }
      const res = await request(`/billing/lang/fr?back=${encodeURIComponent('/billing/./balance/../balance?from=2026-01-01')}`);
      expect(res.headers.get('location')).toBe('/billing/balance?from=2026-01-01');
    });

    it('lands a hand-off only on a path that resolves inside the module', async () => {
      const account = await saldo.accounts.create({ externalRef: `land-${randomUUID()}`, name: 'A', email: 'a@example.com', country: 'FR' });
      for (const path of ['../evil', '/../../evil', '%2e%2e/evil', '\\..\\..\\evil', '/x/../../evil']) {
        const { url } = await saldo.customers.handoffLink(account.externalRef, path);
        const res = await request(url);
        expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/billing/balance']);
      }
    });
  });

  describe('date parameters', () => {
    it('answers a day the filter cannot use with a 422 in the customer’s language, on the page and the CSV', async () => {
      const { cookie, account } = await signedIn();
      await saldo.wallets.topUp(account.id, eur(1_000n), { idempotencyKey: 'd' });
      for (const path of ['/billing/balance', '/billing/balance/history.csv']) {
        for (const query of ['to=9999-12-32', 'from=0000-01-01', 'to=10000-01-01', 'from=2026-02-30', 'from=yesterday', 'to=2026-1-5']) {
          const res = await request(`${path}?${query}`, { cookie });
          expect([path, query, res.status]).toEqual([path, query, 422]);
          const html = await res.text();
          expect(html).toContain('<html lang="fr">');
          expect(html).toContain(`La date «\u202f${query.split('=')[1]}\u202f» (${query.split('=')[0]}) n’est pas utilisable\u202f: écrivez-la comme 2026-11-01, entre le 0001-01-01 et le 9999-12-31.`);
        }
      }
    });

    it('takes the first and last days of the range, the last one leaving the period open', async () => {
      const { cookie, account } = await signedIn();
      await saldo.wallets.topUp(account.id, eur(4_321n), { idempotencyKey: 'd' });
      const page = await request('/billing/balance?from=0001-01-01&to=9999-12-31', { cookie });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('43,21\u00a0€');
      const csv = await request('/billing/balance/history.csv?from=0001-01-01&to=9999-12-31', { cookie });
      expect(csv.status).toBe(200);
      expect((await csv.text()).trim().split('\r\n')).toHaveLength(2);
      // Left empty by the filter form: no bound at all.
      expect((await request('/billing/balance?from=&to=', { cookie })).status).toBe(200);
    });

    it('answers an API date outside the range with a 422 naming the field, in the caller’s language', async () => {
      const ref = `dates-${randomUUID()}`;
      await saldo.accounts.create({ externalRef: ref, name: 'Ana', email: 'ana@example.es', country: 'ES', locale: 'es' });
      for (const period of ['0000-01-01T00:00:00Z', '9999-12-31T23:00:00-14:00', '2026-02-30T00:00:00Z']) {
        const res = await api(`/accounts/${ref}/services/1/pay`, {
          method: 'POST', body: JSON.stringify({ period }), headers: { 'content-type': 'application/json', 'accept-language': 'es' },
        });
        expect([res.status, await res.json()]).toEqual([422, { error: {
          code: 'DATE_INVALID',
          message: `La fecha «${period}» (period) no se puede usar: escríbala como 2026-11-01T00:00:00Z, entre el 0001-01-01 y el 9999-12-31.`,
        } }]);
      }
    });
  });
});
