import postgres from 'postgres';
import { startEmbeddedServer, type EmbeddedServer } from './embedded.js';
import { inProcessLocks, type KeyLocks, sessionLocks } from './key-locks.js';

/** bigint columns (int8) arrive as JS `bigint`, never as a lossy number or a string. */
const types = { bigint: postgres.BigInt } as const;

type Types = { bigint: bigint };
/** The connection pool: opens transactions (`pool.begin`). */
export type Pool = postgres.Sql<Types>;
/** A connection pool or an open transaction: repositories take either as their first argument. */
export type Sql = Pool | postgres.TransactionSql<Types>;

export interface DatabaseOptions {
  /** postgres:// URL of a real server; without it an embedded database is started. */
  url?: string | undefined;
  /** Where the embedded database keeps its files; `memory://` keeps nothing. */
  dataDir: string;
  /** Schema holding Saldo's tables (created when missing). */
  schema: string;
  poolSize: number;
}

export interface Database {
  readonly sql: Pool;
  readonly kind: 'postgres' | 'embedded';
  /** The schema Saldo's tables live in. */
  readonly schema: string;
  /** Where it lives, without credentials, for start-up logs. */
  readonly description: string;
  /** Keys held by live requests (the API's Idempotency-Keys), shared by every instance on this database. */
  readonly keyLocks: KeyLocks;
  close(): Promise<void>;
}

const quiet = () => {};

/**
 * Seconds the driver waits before connecting again after `attempt` failed attempts in a row. Its
 * own backoff grows as 3^n/100 s up to 20 s, counted across the whole pool and reset only when a
 * connection succeeds, so a few seconds into an outage each attempt waited up to 20 s: Saldo came
 * back 9–16 s after the database did, and requests meanwhile waited that long to learn it was
 * down. A refused connection costs the server nothing, so trying again within half a second (with
 * jitter, so a pool does not knock all at once) keeps both short.
 */
export const reconnectDelay = (attempt: number) => Math.min(0.5, 0.02 * 2 ** attempt) * (0.5 + Math.random() / 2);

/**
 * Seconds a new connection may take before it counts as failed (the driver's default is 30). A
 * connection to a healthy server is made in milliseconds; past this the server is unreachable,
 * and the request waiting for it is better answered 503 than held.
 */
const CONNECT_TIMEOUT = 5;

const driverOptions = { types, onnotice: quiet, backoff: reconnectDelay, connect_timeout: CONNECT_TIMEOUT } as const;

/**
 * Opens the database Saldo runs on. With a URL: a pool against that PostgreSQL server. Without:
 * an embedded PGlite database served over the wire protocol in this process, so the very same
 * driver and SQL run — with one connection, because PGlite has a single backend session.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const connection = options.schema === 'public' ? {} : { search_path: options.schema };
  let embedded: EmbeddedServer | undefined;
  let sql: Pool;

  let keyLocks: KeyLocks;
  if (options.url) {
    const url = options.url;
    sql = postgres(url, { ...driverOptions, max: options.poolSize, connection });
    // One more connection, of its own, holds the keys of this process's requests (see sessionLocks).
    // Every API POST waits on it, and the driver settles one waiting statement per connection
    // attempt: paced by the pool's backoff, the requests of an outage queued behind it for
    // seconds instead of being answered 503. So it tries again at once; it tries only when a
    // request asks, and a refused connection costs the server nothing.
    // Never recycled by the driver (0: no lifetime; its default is 30–60 minutes): closing the session would
    // drop the locks of requests still running.
    keyLocks = sessionLocks(() => postgres(url, { ...driverOptions, backoff: () => 0, max: 1, max_lifetime: 0, connection }), `saldo-api-request:${options.schema}`);
  } else {
    embedded = await startEmbeddedServer(options.dataDir);
    sql = postgres({
      ...driverOptions,
      host: embedded.host,
      port: embedded.port,
      user: 'postgres',
      database: 'postgres',
      max: 1,
      connection,
    });
    // No second connection is possible, nor needed: no other process can reach this database.
    keyLocks = inProcessLocks();
  }

  if (options.schema !== 'public') {
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql(options.schema)}`;
  }

  return {
    sql,
    kind: embedded ? 'embedded' : 'postgres',
    schema: options.schema,
    description: embedded ? `embedded database in ${options.dataDir}` : redact(options.url!),
    keyLocks,
    async close() {
      await keyLocks.close();
      await sql.end({ timeout: 5 });
      await embedded?.stop();
    },
  };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}
