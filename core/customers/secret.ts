import { randomBytes } from 'node:crypto';
import type { Pool } from '../db/connect.js';

/**
 * The secret named `name`: the configured one, or one generated on first use and stored in the
 * database — the first instance to ask creates it, the others read the same value.
 */
export async function moduleSecret(sql: Pool, name: string, configured?: string): Promise<string> {
  if (configured) return configured;
  await sql`INSERT INTO module_secrets (name, value) VALUES (${name}, ${randomBytes(32).toString('base64url')}) ON CONFLICT (name) DO NOTHING`;
  const [row] = await sql<{ value: string }[]>`SELECT value FROM module_secrets WHERE name = ${name}`;
  return row!.value;
}
