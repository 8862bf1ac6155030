import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/connect.js';
import type { Saldo } from '../../core/saldo.js';
import { type Answer, checkoutOver, fundedCustomers, ledgerByKey } from '../support/checkouts.js';
import { openTestDatabase, realPostgres, report } from '../support/databases.js';
import { API_KEY, testSaldo } from '../support/saldo.js';
import { startServer, stopServers } from '../support/server-process.js';
import { waitFor } from '../support/waiting.js';

// Real server processes on one PostgreSQL schema: a process is killed with requests in flight,
// and the keys it held are retried against another.
describe('a request that died with its process', () => {
  let database: Database;
  let saldo: Saldo;
  let refs: string[];
  let config: string;
  /** The test's own session, which holds the advisory locks the held processes wait on. */
  let holder: postgres.Sql;
  // Statements of a process named `held-dying-…` wait on DYING, those of `held-live-…` on LIVE.
  const DYING = randomInt(1, 2 ** 31 - 1);
  const LIVE = randomInt(1, 2 ** 31 - 1);

  // Process names are unique to this run (PGAPPNAME becomes each connection's application_name).
  const named = (name: string) => `${name}-${database.schema}`;
  const server = (name: string) => startServer({
    DATABASE_URL: realPostgres!, SALDO_DB_SCHEMA: database.schema, SALDO_API_KEYS: API_KEY, SALDO_CONFIG: config, PGAPPNAME: named(name),
  });
  const waiting = async (lock: number) => {
    const [row] = await database.sql<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid::bigint = ${lock} AND NOT granted`;
    return Number(row!.n);
  };
  const sessionsOf = async (name: string) => {
    const [row] = await database.sql<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ${name}`;
    return Number(row!.n);
  };

  beforeAll(async () => {
    database = await openTestDatabase('postgres', { poolSize: 4 });
    saldo = await testSaldo(database);
    // Customer 0 for the checkouts held after their commit; one each for those held inside their
    // transaction, whose wallet stays locked until it ends.
    refs = await fundedCustomers(saldo, 11);
    config = join(tmpdir(), `saldo-dead-requests-${database.schema}.json`);
    // Enough connections for every request to reach the point where it is held.
    writeFileSync(config, JSON.stringify({ database: { poolSize: 24 } }));
    holder = postgres(realPostgres!, { max: 1, onnotice: () => {} });
    // A test-only trigger holds the statements of the processes named `held-…` at two points of a
    // checkout: an `uncharged-…` one inside its transaction, before the order is written (nothing
    // is committed yet); any other once its checkout has committed, when the response is about to
    // be stored — there it then fails, so that outcome is never stored.
    await database.sql.unsafe(`
      CREATE FUNCTION hold_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('application_name') NOT LIKE 'held-%' THEN RETURN NEW; END IF;
        IF (TG_TABLE_NAME = 'orders') <> (NEW.idempotency_key LIKE 'uncharged-%') THEN RETURN NEW; END IF;
        PERFORM pg_advisory_xact_lock_shared(CASE WHEN current_setting('application_name') LIKE 'held-live-%' THEN ${LIVE} ELSE ${DYING} END);
        IF TG_TABLE_NAME = 'api_requests' THEN RAISE EXCEPTION 'test: the process died before storing this'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER hold_checkout BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION hold_for_test();
      CREATE TRIGGER hold_outcome BEFORE UPDATE ON api_requests FOR EACH ROW WHEN (NEW.status IS NOT NULL) EXECUTE FUNCTION hold_for_test();
    `);
  });
  afterEach(async () => {
    await holder`SELECT pg_advisory_unlock_all()`;
    await stopServers();
  });
  afterAll(async () => {
    await holder?.end();
    await database?.close();
  });

  /** Kills `name`'s process with its requests held, then lets the server notice its sessions are gone. */
  async function kill(victim: { kill(signal: NodeJS.Signals): Promise<void> }, name: string) {
    await victim.kill('SIGKILL');
    // Only the test's hold kept those sessions busy; an ordinary one notices the closed socket at once.
    await holder`SELECT pg_advisory_unlock(${DYING})`;
    await waitFor(`the sessions of ${name} to end`, async () => (await sessionsOf(named(name))) === 0);
  }

  it('answers each of its keys correctly on the first retry to another process, charging each checkout once', async () => {
    await holder`SELECT pg_advisory_lock(${DYING})`;
    const dying = await server('held-dying');
    const keys = [...Array.from({ length: 10 }, (_, i) => `charged-${i}`), ...Array.from({ length: 10 }, (_, i) => `uncharged-${i}`)];
    const refOf = (key: string) => (key.startsWith('uncharged-') ? refs[1 + Number(key.split('-')[1])]! : refs[0]!);
    const inFlight = keys.map((key) => checkoutOver(dying.url, refOf(key), key).catch(() => undefined));
    await waitFor('every request to be held', async () => (await waiting(DYING)) === keys.length);

    const before = await ledgerByKey(database.sql);
    const charged = keys.filter((k) => before.get(k)?.charges === 1);
    expect(charged).toEqual(keys.filter((k) => k.startsWith('charged-')));
    await kill(dying, 'held-dying');
    await Promise.all(inFlight);
    const [unfinished] = await database.sql<{ n: bigint }[]>`SELECT count(*) AS n FROM api_requests WHERE status IS NULL`;
    expect(Number(unfinished!.n)).toBe(keys.length);

    const restarted = await server('free');
    const started = performance.now();
    const answers = await Promise.all(keys.map((key) => checkoutOver(restarted.url, refOf(key), key)));
    const retryMs = Math.round(performance.now() - started);
    const after = await ledgerByKey(database.sql);

    report('requests killed with their process, retried on a restarted one', {
      inFlight: keys.length, chargedBeforeKill: charged.length, unfinishedRows: Number(unfinished!.n),
      firstRetry201: answers.filter((a) => a.status === 201).length, inProgress409: answers.filter((a) => a.code === 'REQUEST_IN_PROGRESS').length,
      retryMs, orders: keys.reduce((n, k) => n + (after.get(k)?.orders.length ?? 0), 0), charges: keys.reduce((n, k) => n + (after.get(k)?.charges ?? 0), 0),
    });
    expect(answers.map((a) => a.code ?? a.status)).toEqual(keys.map(() => 201));
    keys.forEach((key, i) => {
      // One order and one charge per key; a checkout that had committed is answered with its order.
      expect([key, after.get(key)]).toEqual([key, { orders: [answers[i]!.orderId], charges: 1 }]);
      if (key.startsWith('charged-')) expect(after.get(key)!.orders).toEqual(before.get(key)!.orders);
    });

    const again = await Promise.all(keys.map((key) => checkoutOver(restarted.url, refOf(key), key)));
    expect(again.map((a) => [a.status, a.replayed, a.orderId])).toEqual(answers.map((a) => [201, true, a.orderId]));
  });

  it('is not taken over from a live process by another one, while a dead one’s key is', async () => {
    await holder`SELECT pg_advisory_lock(${DYING})`;
    await holder`SELECT pg_advisory_lock(${LIVE})`;
    const [live, dying, other] = await Promise.all([server('held-live'), server('held-dying'), server('free')]);
    const [deadRef, liveRef] = refs;
    const liveAnswer = checkoutOver(live.url, liveRef!, 'uncharged-live');
    const dyingAnswer = checkoutOver(dying.url, deadRef!, 'charged-dead').catch(() => undefined);
    await waitFor('both requests to be held', async () => (await waiting(LIVE)) === 1 && (await waiting(DYING)) === 1);
    await kill(dying, 'held-dying');
    await dyingAnswer;

    // The live process's request is still running: neither another instance nor its own takes it.
    const whileLive: Answer[] = [await checkoutOver(other.url, liveRef!, 'uncharged-live'), await checkoutOver(live.url, liveRef!, 'uncharged-live')];
    // The dead one's is free at once, and answers the order its process had committed.
    const committed = (await ledgerByKey(database.sql)).get('charged-dead')!.orders;
    const dead = await checkoutOver(other.url, deadRef!, 'charged-dead');
    await holder`SELECT pg_advisory_unlock(${LIVE})`;
    const first = await liveAnswer;
    const afterwards = await checkoutOver(other.url, liveRef!, 'uncharged-live');
    const ledger = await ledgerByKey(database.sql);

    report('two live instances and a dead one', {
      whileLive: whileLive.map((a) => a.code), dead: dead.status, liveFirst: first.status, liveRetry: afterwards.status,
      orders: ledger.get('uncharged-live')!.orders.length + ledger.get('charged-dead')!.orders.length,
    });
    expect(whileLive.map((a) => [a.status, a.code])).toEqual([[409, 'REQUEST_IN_PROGRESS'], [409, 'REQUEST_IN_PROGRESS']]);
    expect([dead.status, dead.replayed]).toEqual([201, false]);
    expect(ledger.get('charged-dead')).toEqual({ orders: [dead.orderId], charges: 1 });
    expect(committed).toEqual([dead.orderId]);
    expect([first.status, afterwards.status, afterwards.replayed, afterwards.orderId]).toEqual([201, 201, true, first.orderId]);
    expect(ledger.get('uncharged-live')).toEqual({ orders: [first.orderId], charges: 1 });
  });
});
