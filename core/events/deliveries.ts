import { Webhook } from 'standardwebhooks';
import type { SaldoConfig } from '../../config/schema.js';
import type { Pool } from '../db/connect.js';
import type { JobInfo, JobQueue, QueueDefinition } from '../jobs/job-queue.js';
import { DELIVERY_QUEUE, type DeliveryJob, type EventTarget, type EventType, IN_PROCESS, type SaldoEvent, webhookTarget } from './event-log.js';

export type EventHandler = (event: SaldoEvent) => unknown;

/** A delivery that gave up after its last attempt: what an operator looks at, then retries. */
export interface FailedDelivery {
  eventId: string;
  type: EventType;
  target: string;
  attempts: number;
  lastError: string | null;
  failedAt: Date;
}

type Outcome = { ok: boolean; httpStatus?: number; error?: string };

interface DeliveryRow {
  id: string; seq: bigint; type: EventType; account_id: bigint | null; payload: Record<string, unknown>; created_at: Date;
  status: 'pending' | 'delivered' | 'failed';
}

/** The targets the configuration names: the in-process handlers always, and each webhook. */
export const eventTargets = (config: SaldoConfig): EventTarget[] => [
  { target: IN_PROCESS, types: null },
  ...config.webhooks.map((w) => ({ target: webhookTarget(w.url), types: w.events ?? null })),
];

/**
 * Delivers events, at least once, to the in-process handlers (`on`) and to the configured
 * webhooks, signed per the Standard Webhooks specification. Each delivery is a job: the job
 * system retries a failed one with backoff up to `events.maxAttempts`, after which it is
 * `failed` here, listed by `failed()` and sent again by `retry()`. Every attempt is recorded.
 * Receivers deduplicate by `webhook-id` (the event id), which every attempt of an event carries.
 */
export class EventDeliveries {
  private readonly handlers = new Map<string, Set<EventHandler>>();
  private readonly signers = new Map<string, { url: string; webhook: Webhook }>();
  /** The delivery queue, for the job system. */
  readonly queue: QueueDefinition<DeliveryJob>;

  constructor(
    private readonly sql: Pool,
    private readonly config: SaldoConfig,
    private readonly jobs: JobQueue,
  ) {
    for (const w of config.webhooks) this.signers.set(webhookTarget(w.url), { url: w.url, webhook: new Webhook(w.secret) });
    this.queue = {
      name: DELIVERY_QUEUE,
      retryLimit: config.events.maxAttempts - 1,
      retryDelay: config.events.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: Math.ceil(config.events.timeoutMs / 1000) + 60,
      concurrency: config.events.concurrency,
      run: (job, info) => this.deliver(job, info),
    };
  }

  /** Subscribes to one event type, or to all with `*`. Returns the unsubscribe function. */
  on(type: EventType | '*', handler: EventHandler): () => void {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type)!.add(handler);
    return () => this.handlers.get(type)?.delete(handler);
  }

  /** Deliveries that gave up, oldest first. */
  async failed(limit = 100): Promise<FailedDelivery[]> {
    const rows = await this.sql<{ event_id: string; type: EventType; target: string; attempts: number; last_error: string | null; updated_at: Date }[]>`
      SELECT d.event_id, e.type, d.target, d.attempts, d.last_error, d.updated_at
        FROM event_deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.status = 'failed' ORDER BY d.seq LIMIT ${limit}`;
    return rows.map((r) => ({ eventId: r.event_id, type: r.type, target: r.target, attempts: r.attempts, lastError: r.last_error, failedAt: r.updated_at }));
  }

  /** Sends a failed delivery again, with a fresh round of attempts. False when it had not failed. */
  async retry(eventId: string, target: string): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      const reopened = await tx`
        UPDATE event_deliveries SET status = 'pending', updated_at = now()
         WHERE event_id = ${eventId} AND target = ${target} AND status = 'failed'`;
      if (reopened.count === 0) return false;
      await this.jobs.send(tx, DELIVERY_QUEUE, { eventId, target } satisfies DeliveryJob);
      return true;
    });
  }

  private async deliver({ eventId, target }: DeliveryJob, job: JobInfo): Promise<void> {
    const [row] = await this.sql<DeliveryRow[]>`
      SELECT e.id, e.seq, e.type, e.account_id, e.payload, e.created_at, d.status
        FROM event_deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.event_id = ${eventId} AND d.target = ${target}`;
    // A job that outlived a delivery already made (the job system is at-least-once too).
    if (!row || row.status === 'delivered') return;
    const event: SaldoEvent = { id: row.id, seq: row.seq, type: row.type, accountId: row.account_id, payload: row.payload, createdAt: row.created_at };

    const started = performance.now();
    let outcome: Outcome;
    try {
      outcome = target === IN_PROCESS ? await this.callHandlers(event) : await this.post(target, event);
    } catch (error) {
      outcome = { ok: false, error: (error as Error).message };
    }
    const finalFailure = !outcome.ok && job.retryCount >= job.retryLimit;
    await this.sql`
      WITH attempt AS (
        UPDATE event_deliveries SET
          status = ${outcome.ok ? 'delivered' : finalFailure ? 'failed' : 'pending'},
          attempts = attempts + 1,
          delivered_at = ${outcome.ok ? new Date() : null},
          last_error = ${outcome.error ?? null},
          updated_at = now()
         WHERE event_id = ${eventId} AND target = ${target}
        RETURNING attempts)
      INSERT INTO event_delivery_attempts (event_id, target, attempt, ok, http_status, error, duration_ms)
      SELECT ${eventId}, ${target}, attempts, ${outcome.ok}, ${outcome.httpStatus ?? null}, ${outcome.error ?? null},
             ${Math.round(performance.now() - started)} FROM attempt`;
    if (!outcome.ok) throw new Error(outcome.error ?? 'delivery failed');
  }

  private async callHandlers(event: SaldoEvent): Promise<Outcome> {
    for (const handler of [...(this.handlers.get(event.type) ?? []), ...(this.handlers.get('*') ?? [])]) await handler(event);
    return { ok: true };
  }

  private async post(target: string, event: SaldoEvent): Promise<Outcome> {
    const signer = this.signers.get(target);
    if (!signer) return { ok: false, error: 'webhook no longer configured' };
    const body = JSON.stringify({
      id: event.id, type: event.type, timestamp: event.createdAt.toISOString(), accountId: event.accountId?.toString() ?? null, data: event.payload,
    });
    const now = new Date();
    const response = await fetch(signer.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Saldo-Webhooks/1',
        'webhook-id': event.id,
        'webhook-timestamp': Math.floor(now.getTime() / 1000).toString(),
        'webhook-signature': signer.webhook.sign(event.id, now, body),
      },
      signal: AbortSignal.timeout(this.config.events.timeoutMs),
    });
    await response.body?.cancel();
    return response.ok ? { ok: true, httpStatus: response.status } : { ok: false, httpStatus: response.status, error: `HTTP ${response.status}` };
  }
}
