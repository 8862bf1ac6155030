import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../../core/db/migrate.js';
import { onEachDatabase } from '../support/databases.js';

function migrationsFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'saldo-migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

/** Applied by one test and so part of every later test's list: the shipped ones come first. */
const widgets = {
  '0901_widgets.sql': 'CREATE TABLE widgets (id int PRIMARY KEY);',
  '0902_widget_names.sql': "ALTER TABLE widgets ADD COLUMN name text NOT NULL DEFAULT 'w';",
};

onEachDatabase((db) => {
  describe('migrations', () => {
    it('records every shipped migration once with its checksum, and a restart applies nothing', async () => {
      const sql = db();
      const shipped = readMigrations();
      const rows = await sql<{ version: number; checksum: string }[]>`SELECT version, checksum FROM schema_migrations ORDER BY version`;
      expect(rows).toEqual(shipped.map((m) => ({ version: m.version, checksum: m.checksum })));
      expect(await migrate(sql)).toEqual({ applied: [] });
    });

    it('applies new migrations in order, each in its own transaction, and only once', async () => {
      const sql = db();
      const all = [...readMigrations(), ...readMigrations(migrationsFolder(widgets))];
      expect((await migrate(sql, all)).applied).toEqual(['0901_widgets.sql', '0902_widget_names.sql']);
      expect((await migrate(sql, all)).applied).toEqual([]);
      await sql`INSERT INTO widgets (id) VALUES (1)`;
      expect((await sql`SELECT name FROM widgets`)[0]).toEqual({ name: 'w' });
    });

    it('rolls back a failing migration whole and does not record it', async () => {
      const sql = db();
      const dir = migrationsFolder({ '0950_half.sql': 'CREATE TABLE half_done (id int); SELECT no_such_function();' });
      const all = [...readMigrations(), ...readMigrations(migrationsFolder(widgets)), ...readMigrations(dir)];
      await expect(migrate(sql, all)).rejects.toMatchObject({ code: 'MIGRATION_FAILED', params: { name: '0950_half.sql' } });
      expect(await sql`SELECT to_regclass('half_done') AS t`).toEqual([{ t: null }]);
      expect(await sql`SELECT 1 FROM schema_migrations WHERE version = 950`).toHaveLength(0);
    });

    it('refuses to start when an applied migration was edited, naming it', async () => {
      const sql = db();
      const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'edited000000000' } : m));
      await expect(migrate(sql, edited)).rejects.toMatchObject({ code: 'MIGRATION_CHANGED', params: { name: '0001_ledger.sql' } });
      await expect(migrate(sql, edited)).rejects.toThrow(/0001_ledger\.sql was changed after it was applied/);
    });

    it('refuses to start on a database migrated by a newer release', async () => {
      const sql = db();
      await sql`INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_future.sql', 'abc')`;
      const known = [...readMigrations(), ...readMigrations(migrationsFolder(widgets))];
      await expect(migrate(sql, known)).rejects.toMatchObject({ code: 'MIGRATION_UNKNOWN', params: { name: '9999_future.sql' } });
      await sql`DELETE FROM schema_migrations WHERE version = 9999`;
    });
  });
});
