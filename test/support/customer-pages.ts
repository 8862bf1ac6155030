import { Hono } from 'hono';
import type { Saldo } from '../../core/saldo.js';

/**
 * A host panel with Saldo mounted at /billing, and its customers' page requests: signed in with
 * the session cookie a hand-off link opened, with more cookies (a language choice) when given.
 */
export function customerPages(saldo: () => Saldo) {
  let host: Hono | undefined;
  const request = (path: string, init: RequestInit & { cookie?: string } = {}) => {
    host ??= new Hono().route('/billing', saldo().app);
    return host.request(`http://billing.example${path}`, { ...init, headers: { ...(init.cookie ? { cookie: init.cookie } : {}), ...(init.headers as Record<string, string>) } });
  };
  /** The session cookie of the customer the panel knows as `externalRef`. */
  const signIn = async (externalRef: string) => {
    const { url } = await saldo().customers.handoffLink(externalRef);
    return (await request(url)).headers.get('set-cookie')!.split(';')[0]!;
  };
  return { request, signIn };
}
