import { Hono } from 'hono';
import { beforeAll } from 'vitest';
import type { Database } from '../../core/db/connect.js';
import type { Saldo } from '../../core/saldo.js';
import { testSaldo } from './saldo.js';

/**
 * A Saldo on the suite's database, built before its tests, for a provider in Paris
 * (`billing.timeZone`), mounted at /billing in a host panel; and its customers' page requests:
 * signed in with the session cookie a hand-off link opened (plus a language choice, if given).
 */
export function customerPagesSuite(database: () => Database) {
  let saldo: Saldo;
  let host: Hono;
  beforeAll(async () => {
    saldo = await testSaldo(database(), { billing: { timeZone: 'Europe/Paris' } });
    host = new Hono().route('/billing', saldo.app);
  });
  const request = (path: string, init: RequestInit & { cookie?: string } = {}) =>
    host.request(`http://billing.example${path}`, { ...init, headers: { ...(init.cookie ? { cookie: init.cookie } : {}), ...(init.headers as Record<string, string>) } });
  /** The session cookie of the customer the panel knows as `externalRef`. */
  const signIn = async (externalRef: string) => {
    const { url } = await saldo.customers.handoffLink(externalRef);
    return (await request(url)).headers.get('set-cookie')!.split(';')[0]!;
  };
  return { saldo: () => saldo, request, signIn };
}
