import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool, Sql } from '../../core/db/connect.js';

/** Polls `check` until it answers something truthy, or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Makes requests meet at a row lock: `hold` locks rows in a transaction, `start` begins the
 * requests, and the transaction commits only once `waiters` statements whose text matches the
 * regular expression `statement` wait for a lock. Answers what `start` began. Real PostgreSQL only
 * (several sessions).
 */
export async function meetAtLock<T>(
  sql: Pool, hold: (tx: Sql) => Promise<unknown>, start: () => T[], statement: string, waiters: number,
): Promise<Awaited<T>[]> {
  let started: T[] = [];
  await sql.begin(async (tx) => {
    await hold(tx);
    started = start();
    await waitFor(`${waiters} statement(s) like /${statement}/ to wait for a lock`, async () => {
      const [row] = await sql<{ n: bigint }[]>`
        SELECT count(*) AS n FROM pg_stat_activity
         WHERE wait_event_type = 'Lock' AND query ~ ${statement} AND pid <> pg_backend_pid()`;
      return row!.n === BigInt(waiters);
    });
  });
  return Promise.all(started);
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/**
 * The host panel's webhook endpoint: records every request and answers 204, or 500 while told
 * to fail (`failNext(n)` for the next n requests, `failAlways(true)` until told otherwise).
 */
export function webhookReceiver() {
  const received: Received[] = [];
  let failing = 0;
  let always = false;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const status = always || failing-- > 0 ? 500 : 204;
      received.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  return {
    received,
    /** Requests made for one event (its `webhook-id`), in order. */
    of: (eventId: string) => received.filter((r) => r.headers['webhook-id'] === eventId),
    failNext: (n: number) => void (failing = n),
    failAlways: (on: boolean) => void (always = on),
    listen: () =>
      new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`))),
    dropIdleConnections: () => server.closeIdleConnections(),
    close: () => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    }),
  };
}
