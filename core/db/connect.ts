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

const driverOptions = { types, onnotice: quiet } as const;

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
    keyLocks = sessionLocks(() => postgres(url, { ...driverOptions, max: 1, connection }), `saldo-api-request:${options.schema}`);
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
