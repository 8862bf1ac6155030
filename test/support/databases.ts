import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { openDatabase, type Database, type Pool } from '../../core/db/connect.js';
import { migrate } from '../../core/db/migrate.js';

export type Target = 'embedded' | 'postgres';

/** The embedded database always; a real PostgreSQL server when DATABASE_URL names one (CI does). */
export const targets: Target[] = process.env.DATABASE_URL ? ['embedded', 'postgres'] : ['embedded'];
export const realPostgres = process.env.DATABASE_URL;

/**
 * A migrated database of its own for one test file: a fresh schema on the real server (dropped
 * afterwards), or a fresh in-memory embedded database.
 */
export async function openTestDatabase(target: Target, options: { poolSize?: number } = {}): Promise<Database> {
  if (target === 'postgres') {
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const db = await openDatabase({ url: realPostgres, dataDir: '', schema, poolSize: options.poolSize ?? 8 });
    await migrate(db.sql);
    return {
      ...db,
      async close() {
        await db.sql`DROP SCHEMA ${db.sql(schema)} CASCADE`;
        await db.sql`DROP SCHEMA IF EXISTS ${db.sql(`${schema}_jobs`)} CASCADE`;
        await db.close();
      },
    };
  }
  const db = await openDatabase({ dataDir: 'memory://', schema: 'public', poolSize: 1 });
  await migrate(db.sql);
  return db;
}

/**
 * Registers `suite` once per database target, each under `describe('on <target>')` with its own
 * database, so the same scenarios prove themselves on the embedded and the real server.
 */
export function onEachDatabase(
  suite: (db: () => Pool, target: Target, database: () => Database) => void,
  options: { poolSize?: number; only?: Target[] } = {},
) {
  for (const target of targets.filter((t) => !options.only || options.only.includes(t))) {
    describe(`on ${target === 'postgres' ? 'PostgreSQL' : 'the embedded database'}`, () => {
      let database: Database;
      beforeAll(async () => {
        database = await openTestDatabase(target, options);
      });
      afterAll(async () => {
        await database?.close();
      });
      suite(() => database.sql, target, () => database);
    });
  }
}

/** Prints a scenario's figures so a reader sees what was proven, not only that it passed. */
export function report(scenario: string, figures: Record<string, unknown>) {
  const text = Object.entries(figures)
    .map(([k, v]) => `${k}=${typeof v === 'bigint' ? v.toString() : JSON.stringify(v)}`)
    .join(' ');
  console.log(`[figures] ${scenario}: ${text}`);
}
