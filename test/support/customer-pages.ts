import type { Database } from '../../core/db/connect.js';
import { pagesSuite, signedInAs } from './pages.js';

/**
 * The pages suite (see `pagesSuite`) for a provider in Paris (`billing.timeZone`), with its
 * customers' page requests: signed in with the session cookie a hand-off link opened (plus a
 * language choice, if given).
 */
export function customerPagesSuite(database: () => Database) {
  const suite = pagesSuite(database, { billing: { timeZone: 'Europe/Paris' } });
  const request = (path: string, init: RequestInit & { cookie?: string } = {}) =>
    suite.host().request(`http://billing.example${path}`, { ...init, headers: { ...(init.cookie ? { cookie: init.cookie } : {}), ...(init.headers as Record<string, string>) } });
  /** The session cookie of the customer the panel knows as `externalRef`. */
  const signIn = async (externalRef: string) => (await signedInAs(suite.saldo(), suite.host(), externalRef)).cookie!;
  return { saldo: suite.saldo, request, signIn };
}
