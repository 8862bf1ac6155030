import { inject, injectable } from 'tsyringe';
import type { SaldoConfig } from '../../config/schema.js';
import type { Pool } from '../db/connect.js';
import { TOKENS } from '../tokens.js';
import type { EventType, OutboxEvent } from './outbox.js';
import { sign } from './signature.js';

export type EventHandler = (event: OutboxEvent) => unknown;

const IN_PROCESS = 'in-process';
const webhookTarget = (url: string) => `webhook:${url}`;

/** Seconds until the next attempt: 1, 2, 4, … doubling, at most an hour. */
const backoff = (attempts: number) => Math.min(2 ** (attempts - 1), 3600);

interface Claimed {
  event_id: string; target: string; attempts: number; seq: bigint; type: EventType;
  account_id: bigint | null; payload: Record<string, unknown>; created_at: Date;
}

/**
 * Delivers outbox events, at least once, to in-process handlers (`on`) and to the configured
 * webhooks, signed. A failed delivery is retried with backoff up to `events.maxAttempts`; each
 * attempt is recorded. Receivers deduplicate by the event id, which every delivery carries.
 */
@injectable()
export class EventDispatcher {
  private readonly handlers = new Map<string, Set<EventHandler>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    @inject(TOKENS.Sql) private readonly sql: Pool,
    @inject(TOKENS.Config) private readonly config: SaldoConfig,
  ) {}

  /** Subscribes to one event type, or to all with `*`. Returns the unsubscribe function. */
  on(type: EventType | '*', handler: EventHandler): () => void {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type)!.add(handler);
    return () => this.handlers.get(type)?.delete(handler);
  }

  /** Makes the delivery targets match the configuration (run at start-up). */
  async syncTargets(): Promise<void> {
    const targets = [
      { target: IN_PROCESS, types: null as string[] | null },
      ...this.config.webhooks.map((w) => ({ target: webhookTarget(w.url), types: w.events ?? null })),
    ];
    await this.sql.begin(async (tx) => {
      await tx`UPDATE event_targets SET active = false`;
      for (const t of targets) {
        await tx`
          INSERT INTO event_targets (target, types, active) VALUES (${t.target}, ${t.types}, true)
          ON CONFLICT (target) DO UPDATE SET types = excluded.types, active = true`;
      }
    });
  }

  /** Delivers what is due now, up to `limit` deliveries; returns how many were attempted. */
  dispatchOnce(limit = 50): Promise<number> {
    // One pass at a time per process; other processes take other rows (SKIP LOCKED).
    this.running ??= this.pass(limit).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Polls in the background until `stop()`. */
  start(): void {
    this.timer ??= setInterval(() => void this.dispatchOnce().catch((e) => console.error('[saldo] event dispatch', e)), this.config.events.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async pass(limit: number): Promise<number> {
    // Claimed for a minute: a worker that dies mid-delivery leaves it to be retried after that.
    const claimed = await this.sql<Claimed[]>`
      WITH due AS (
        SELECT event_id, target FROM event_deliveries
         WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until <= now())
         ORDER BY seq LIMIT ${limit}
           FOR UPDATE SKIP LOCKED)
      UPDATE event_deliveries d SET locked_until = now() + interval '60 seconds', attempts = d.attempts + 1
        FROM due, events e
       WHERE d.event_id = due.event_id AND d.target = due.target AND e.id = d.event_id
      RETURNING d.event_id, d.target, d.attempts, e.seq, e.type, e.account_id, e.payload, e.created_at`;
    await Promise.all(claimed.sort((a, b) => (a.seq < b.seq ? -1 : 1)).map((c) => this.deliver(c)));
    return claimed.length;
  }

  private async deliver(c: Claimed): Promise<void> {
    const event: OutboxEvent = { id: c.event_id, seq: c.seq, type: c.type, accountId: c.account_id, payload: c.payload, createdAt: c.created_at };
    const started = performance.now();
    let outcome: { ok: boolean; httpStatus?: number; error?: string };
    try {
      outcome = c.target === IN_PROCESS ? await this.callHandlers(event) : await this.post(c.target, event);
    } catch (error) {
      outcome = { ok: false, error: (error as Error).message };
    }
    const duration = Math.round(performance.now() - started);
    const failedForGood = !outcome.ok && c.attempts >= this.config.events.maxAttempts;
    await this.sql.begin(async (tx) => {
      await tx`
        UPDATE event_deliveries SET
          status = ${outcome.ok ? 'delivered' : failedForGood ? 'failed' : 'pending'},
          delivered_at = ${outcome.ok ? tx`now()` : null},
          next_attempt_at = now() + make_interval(secs => ${backoff(c.attempts)}),
          locked_until = NULL,
          last_error = ${outcome.error ?? null}
         WHERE event_id = ${c.event_id} AND target = ${c.target}`;
      await tx`
        INSERT INTO event_delivery_attempts (event_id, target, attempt, ok, http_status, error, duration_ms)
        VALUES (${c.event_id}, ${c.target}, ${c.attempts}, ${outcome.ok}, ${outcome.httpStatus ?? null}, ${outcome.error ?? null}, ${duration})`;
    });
  }

  private async callHandlers(event: OutboxEvent) {
    for (const handler of [...(this.handlers.get(event.type) ?? []), ...(this.handlers.get('*') ?? [])]) await handler(event);
    return { ok: true };
  }

  private async post(target: string, event: OutboxEvent) {
    const webhook = this.config.webhooks.find((w) => webhookTarget(w.url) === target);
    if (!webhook) return { ok: false, error: 'webhook no longer configured' };
    const body = JSON.stringify({
      id: event.id, type: event.type, createdAt: event.createdAt.toISOString(),
      accountId: event.accountId?.toString() ?? null, data: event.payload,
    });
    const response = await fetch(webhook.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Saldo-Webhooks/1',
        'saldo-event-id': event.id,
        'saldo-event-type': event.type,
        'saldo-signature': sign(webhook.secret, body, Math.floor(Date.now() / 1000)),
      },
      signal: AbortSignal.timeout(this.config.events.timeoutMs),
    });
    await response.body?.cancel();
    return response.ok ? { ok: true, httpStatus: response.status } : { ok: false, httpStatus: response.status, error: `HTTP ${response.status}` };
  }
}
