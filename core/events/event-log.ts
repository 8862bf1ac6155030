import type { Sql } from '../db/connect.js';
import type { JobQueue } from '../jobs/job-queue.js';

/** Events Saldo tells the host panel about. */
export type EventType =
  | 'order.paid'
  | 'service.renewed'
  | 'service.renewal_failed'
  | 'service.suspend_requested'
  | 'balance.low'
  | 'account.mode_changed'
  | 'payment.succeeded'
  | 'payment.failed'
  | 'payment.refunded'
  | 'topup.completed'
  | 'auto_topup.failed';

export interface SaldoEvent {
  id: string;
  seq: bigint;
  type: EventType;
  accountId: bigint | null;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/** Where events go: the in-process handlers (`saldo.events.on`), or a webhook by its URL. */
export interface EventTarget {
  target: string;
  /** Event types it takes; all when null. */
  types: readonly string[] | null;
}

export const IN_PROCESS = 'in-process';
export const webhookTarget = (url: string) => `webhook:${url}`;
export const DELIVERY_QUEUE = 'event-delivery';

export interface DeliveryJob {
  eventId: string;
  target: string;
}

/**
 * The durable log of events and the start of their journey. `emit` runs with the handle of the
 * transaction that makes the change, and in it writes the event, a delivery record per target
 * and a delivery job per target: all of them commit with the change, or none does. A crash after
 * the commit loses nothing (the jobs wait in the database); a rollback sends nothing.
 */
export class EventLog {
  constructor(
    private readonly jobs: JobQueue,
    private readonly targets: readonly EventTarget[],
  ) {}

  async emit(tx: Sql, type: EventType, accountId: bigint | null, payload: Record<string, unknown>): Promise<string> {
    const targets = this.targets.filter((t) => t.types === null || t.types.includes(type)).map((t) => t.target);
    const [event] = await tx<{ id: string }[]>`
      WITH event AS (
        INSERT INTO events (type, account_id, payload) VALUES (${type}, ${accountId}, ${tx.json(payload as never)}) RETURNING id, seq),
      deliveries AS (
        INSERT INTO event_deliveries (event_id, target, seq) SELECT event.id, target, event.seq FROM event, unnest(${targets}::text[]) AS target)
      SELECT id FROM event`;
    await this.jobs.insert(tx, targets.map((target) => ({ name: DELIVERY_QUEUE, data: { eventId: event!.id, target } satisfies DeliveryJob })));
    return event!.id;
  }
}

interface EventRow { id: string; seq: bigint; type: EventType; account_id: bigint | null; payload: Record<string, unknown>; created_at: Date }
const toEvent = (r: EventRow): SaldoEvent => ({ id: r.id, seq: r.seq, type: r.type, accountId: r.account_id, payload: r.payload, createdAt: r.created_at });

export async function findEvent(sql: Sql, id: string): Promise<SaldoEvent | undefined> {
  const [row] = await sql<EventRow[]>`SELECT id, seq, type, account_id, payload, created_at FROM events WHERE id = ${id}`;
  return row && toEvent(row);
}

/** Events after `afterSeq`, oldest first. */
export async function eventsSince(sql: Sql, afterSeq = 0n, limit = 100): Promise<SaldoEvent[]> {
  const rows = await sql<EventRow[]>`
    SELECT id, seq, type, account_id, payload, created_at FROM events WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`;
  return rows.map(toEvent);
}
