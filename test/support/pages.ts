import { Hono } from 'hono';
import { beforeAll } from 'vitest';
import type { SaldoConfigInput } from '../../config/schema.js';
import type { Database } from '../../core/db/connect.js';
import type { Saldo } from '../../core/saldo.js';
import { testSaldo } from './saldo.js';

/** A Saldo on the suite's database, mounted under /billing in a host panel as a browser reaches it; built before the suite's tests. */
export function pagesSuite(database: () => Database, overrides: Partial<SaldoConfigInput> = {}) {
  let saldo: Saldo;
  let host: Hono;
  beforeAll(async () => {
    saldo = await testSaldo(database(), overrides);
    host = new Hono().route('/billing', saldo.app);
  });
  return { saldo: () => saldo, host: () => host };
}

/** Requests to the pages the way a customer's browser sends them (`cookie` their session, if any). */
export function browsing(host: Hono, cookie?: string) {
  const send = (path: string, init: RequestInit = {}, headers: Record<string, string> = {}) =>
    host.request(`http://billing.example${path}`, { ...init, headers: { ...(cookie && { cookie }), ...headers } });
  return {
    cookie,
    request: (path: string, headers?: Record<string, string>) => send(path, {}, headers),
    get: async (path: string, headers?: Record<string, string>) => (await send(path, {}, headers)).text(),
    post: (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
      send(path, { method: 'POST', body: new URLSearchParams(fields) }, { 'content-type': 'application/x-www-form-urlencoded', ...headers }),
  };
}

/** The customer `externalRef` signed in through a hand-off link from the panel, browsing with their session. */
export async function signedInAs(saldo: Saldo, host: Hono, externalRef: string) {
  const opened = await host.request(`http://billing.example${(await saldo.customers.handoffLink(externalRef)).url}`);
  return browsing(host, opened.headers.get('set-cookie')!.split(';')[0]!);
}
