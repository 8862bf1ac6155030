import type { Sql } from '../db/connect.js';

// A row is deleted this long after its link expired, not at once: the link's expiry was checked
// on the application's clock, the deletion runs on the database's, and the two may differ.
const KEEP_AFTER_EXPIRY = '1 hour';
// Each opening deletes at most this many expired rows: more than it adds, so the table stays
// small, and never a long delete in the way of a customer signing in.
const PURGE_BATCH = 100;

/**
 * Records that the hand-off link `id` was opened: true the first time, false ever after. One
 * statement: the primary key decides between two openings at once, and rows of long-expired
 * links go with it (rows another opening is deleting are skipped, not waited for).
 */
export async function markHandoffUsed(sql: Sql, id: string, expiresAt: Date): Promise<boolean> {
  const inserted = await sql`
    WITH purged AS (
      DELETE FROM used_handoff_links WHERE link_id IN (
        SELECT link_id FROM used_handoff_links WHERE expires_at < now() - ${KEEP_AFTER_EXPIRY}::interval
         ORDER BY expires_at LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED))
    INSERT INTO used_handoff_links (link_id, expires_at) VALUES (${id}, ${expiresAt})
    ON CONFLICT (link_id) DO NOTHING
    RETURNING 1`;
  return inserted.length === 1;
}
