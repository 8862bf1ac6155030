import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BillingError } from '../errors.js';
import type { Pool } from './connect.js';

export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** The numbered `NNNN_name.sql` files, in order. */
export function readMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex').slice(0, 16),
      };
    });
}

/**
 * Brings the schema up to date. Each migration runs in its own transaction together with the
 * row that records it, under an advisory lock, so two instances starting at once apply it once.
 * A migration edited after it was applied, or one applied by a newer release, stops start-up:
 * a silently diverging schema is worse than a refusal to boot.
 */
export async function migrate(sql: Pool, migrations = readMigrations(), plugin?: string): Promise<{ applied: string[] }> {
  await sql`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`;
  // A plugin's own migrations (its tables) are numbered and recorded per plugin.
  if (plugin) {
    await sql`
      CREATE TABLE IF NOT EXISTS plugin_migrations (
        plugin text NOT NULL,
        version integer NOT NULL,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (plugin, version)
      )`;
  }
  const recorded = plugin ? sql`plugin_migrations WHERE plugin = ${plugin}` : sql`schema_migrations WHERE true`;

  const applied = await sql<{ version: number; name: string; checksum: string }[]>`
    SELECT version, name, checksum FROM ${recorded} ORDER BY version`;
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied) {
    const migration = known.get(row.version);
    if (!migration) throw new BillingError('MIGRATION_UNKNOWN', { name: row.name });
    if (migration.checksum !== row.checksum) {
      throw new BillingError('MIGRATION_CHANGED', { name: row.name, applied: row.checksum, current: migration.checksum });
    }
  }

  const done: string[] = [];
  for (const migration of migrations) {
    await sql.begin(async (tx) => {
      // Serialise concurrent starters; the lock is per schema, so test schemas do not contend.
      await tx`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':saldo:migrate'))`;
      const [existing] = plugin
        ? await tx`SELECT 1 FROM plugin_migrations WHERE plugin = ${plugin} AND version = ${migration.version}`
        : await tx`SELECT 1 FROM schema_migrations WHERE version = ${migration.version}`;
      if (existing) return;
      try {
        await tx.unsafe(migration.sql);
      } catch (error) {
        throw new BillingError('MIGRATION_FAILED', { name: migration.name, reason: (error as Error).message }, { cause: error });
      }
      if (plugin) {
        await tx`INSERT INTO plugin_migrations (plugin, version, name, checksum)
                 VALUES (${plugin}, ${migration.version}, ${migration.name}, ${migration.checksum})`;
      } else {
        await tx`INSERT INTO schema_migrations (version, name, checksum)
                 VALUES (${migration.version}, ${migration.name}, ${migration.checksum})`;
      }
      done.push(plugin ? `${plugin}/${migration.name}` : migration.name);
    });
  }
  return { applied: done };
}
