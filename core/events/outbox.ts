import type { Sql } from '../db/connect.js';

/** Events Saldo tells the host panel about. */
export type EventType =
  | 'order.paid'
  | 'service.renewed'
  | 'service.renewal_failed'
  | 'service.suspend_requested'
  | 'balance.low'
  | 'account.mode_changed';

export interface OutboxEvent {
  id: string;
  seq: bigint;
  type: EventType;
  accountId: bigint | null;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Writes an event to the outbox with the caller's handle — pass the transaction that makes the
 * change, so the event commits or rolls back with it.
 */
export async function emit(sql: Sql, type: EventType, accountId: bigint | null, payload: Record<string, unknown>): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO events (type, account_id, payload) VALUES (${type}, ${accountId}, ${sql.json(payload as never)}) RETURNING id`;
  return row!.id;
}

/** Events after `afterSeq`, oldest first. */
export async function eventsSince(sql: Sql, afterSeq = 0n, limit = 100): Promise<OutboxEvent[]> {
  const rows = await sql<{ id: string; seq: bigint; type: EventType; account_id: bigint | null; payload: Record<string, unknown>; created_at: Date }[]>`
    SELECT id, seq, type, account_id, payload, created_at FROM events WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`;
  return rows.map((r) => ({ id: r.id, seq: r.seq, type: r.type, accountId: r.account_id, payload: r.payload, createdAt: r.created_at }));
}
