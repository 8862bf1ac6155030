import PgBoss from 'pg-boss';
import type { Pool, Sql } from '../db/connect.js';
import { isDatabaseUnavailable } from '../db/errors.js';

/** What a job's handler learns about its job besides the data. */
export interface JobInfo {
  id: string;
  /** Attempts made before this one. */
  retryCount: number;
  /** The attempt after which a failure is final. */
  retryLimit: number;
}

/**
 * A queue of work and the code that does it. A job whose `run` throws is retried with backoff,
 * up to `retryLimit` times; then it stays `failed` in the job system.
 */
export interface QueueDefinition<Data extends object = object> {
  name: string;
  /**
   * How the job system treats jobs with the same `singletonKey` (a missing key counts as one):
   * `stately` keeps at most one waiting and one running, `singleton` at most one running,
   * `short` at most one waiting; `standard` (the default) ignores the key.
   */
  policy?: PgBoss.QueuePolicy;
  retryLimit?: number;
  /** Seconds before the first retry; with `retryBackoff` it doubles each time (with jitter). */
  retryDelay?: number;
  retryBackoff?: boolean;
  /** A running job not finished after this long is failed (and retried). */
  expireInSeconds?: number;
  /** Jobs one instance runs at once. */
  concurrency?: number;
  /** A cron expression: one job is sent at each tick, however many instances run the schedule. */
  schedule?: string;
  run(data: Data, job: JobInfo): Promise<unknown>;
}

/** pg-boss's maintenance and migrations wrap their statements in `BEGIN; … COMMIT;` (`plans.locked`). */
const WRAPPED = /^\s*BEGIN;([\s\S]*)COMMIT;\s*$/;

/**
 * A parameter as postgres.js should send it. pg-boss was written for node-postgres: it leaves
 * `undefined` for options it does not set (postgres.js refuses it) and hands JSON parameters
 * over as JSON text, which postgres.js would encode again, as one JSON string; so JSON text is
 * passed as the value it encodes, and encoded once. Its text parameters (names, keys, cron
 * expressions, ids) never start with `{` or `[` and parse as JSON.
 */
function parameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'string' && (value.startsWith('{') || value.startsWith('['))) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * pg-boss's view of a postgres.js handle. Passing a transaction's handle makes a `send` part of
 * that transaction. A pool refuses `BEGIN` sent as a statement (the next statement could run on
 * another connection), so pg-boss's own transactions run through the pool's `begin`.
 */
const overHandle = (sql: Sql): PgBoss.Db => ({
  async executeSql(text, values = []) {
    const wrapped = WRAPPED.exec(text);
    if (wrapped && 'begin' in sql) return { rows: await sql.begin((tx) => tx.unsafe(wrapped[1]!)) };
    return { rows: await sql.unsafe(wrapped ? wrapped[1]! : text, values.map(parameter) as never[]) };
  },
});

/**
 * Reports what pg-boss emits as `error` (an EventEmitter's `error` with no listener would be
 * thrown, ending the process). Its polling, maintenance and schedules keep running through a
 * database outage and resume when it returns; an unreachable database is one line per failure.
 */
function reportErrors(boss: PgBoss): PgBoss {
  boss.on('error', (error) => {
    if (isDatabaseUnavailable(error)) console.error(`[saldo] job system: database unavailable (${(error as { code?: string }).code})`);
    else console.error('[saldo] job system', error);
  });
  return boss;
}

/** Where the job system keeps its tables: configured, or beside Saldo's (`saldo_jobs` beside `public`). */
export const jobsSchemaFor = (configured: string | undefined, databaseSchema: string) =>
  configured ?? `${databaseSchema === 'public' ? 'saldo' : databaseSchema}_jobs`;

export interface JobQueueOptions {
  /** The schema pg-boss keeps its tables in. */
  schema: string;
  /** How often an idle worker asks for work; also the clock of schedules. */
  pollSeconds: number;
  /** The time zone cron expressions are read in. */
  timeZone: string;
}

/**
 * Saldo's one job system: pg-boss on the module's own connection pool, so it runs on PostgreSQL
 * and on the embedded database alike. Two pg-boss instances share the pool: one made at creation,
 * which only sends, so that any process — a panel's web worker that never runs jobs included —
 * can send jobs inside its transactions; and one made by `start()`, which runs the workers,
 * the schedules and pg-boss's own maintenance, and which `stop()` drains.
 */
export class JobQueue {
  private readonly queues = new Map<string, QueueDefinition>();
  private readonly sender: PgBoss;
  private runner: PgBoss | undefined;
  private workers: string[] = [];

  constructor(
    private readonly sql: Pool,
    private readonly options: JobQueueOptions,
  ) {
    this.sender = reportErrors(new PgBoss({ db: overHandle(sql), schema: options.schema, supervise: false, schedule: false, migrate: true }));
  }

  /** Creates the job system's tables when missing, and the queues. Sending works from then on. */
  async prepare(queues: readonly QueueDefinition<never>[]): Promise<void> {
    await this.sender.start();
    const existing = new Set((await this.sender.getQueues()).map((q) => q.name));
    for (const queue of queues as readonly QueueDefinition[]) {
      this.queues.set(queue.name, queue);
      const settings = {
        name: queue.name, policy: queue.policy ?? 'standard', retryLimit: queue.retryLimit ?? 0, retryDelay: queue.retryDelay ?? 0,
        retryBackoff: queue.retryBackoff ?? false, expireInSeconds: queue.expireInSeconds ?? 15 * 60,
      };
      // A second instance starting at the same moment may create it first: then it exists.
      if (existing.has(queue.name)) await this.sender.updateQueue(queue.name, settings);
      else await this.sender.createQueue(queue.name, settings).catch(() => this.sender.updateQueue(queue.name, settings));
    }
  }

  /**
   * Sends a job with the caller's handle: the transaction that makes a change sends the work
   * that follows from it, and a rollback takes the job back with everything else. Answers the
   * job's id, or null when the queue's policy dropped it (one like it is already waiting).
   */
  send(sql: Sql, name: string, data: object, options: { singletonKey?: string; startAfter?: Date } = {}): Promise<string | null> {
    return this.sender.send(name, data, { ...options, db: overHandle(sql) });
  }

  /** Several jobs in one statement, with the caller's handle (see `send`). */
  async insert(sql: Sql, jobs: { name: string; data: object }[]): Promise<void> {
    if (jobs.length > 0) await this.sender.insert(jobs, { db: overHandle(sql) });
  }

  /** Runs the queues' workers and schedules in this process, and sends each scheduled job once now. */
  async start(): Promise<void> {
    if (this.runner) return;
    const { schema, pollSeconds, timeZone } = this.options;
    const interval = Math.min(45, Math.max(1, Math.round(pollSeconds)));
    const runner = reportErrors(new PgBoss({
      db: overHandle(this.sql), schema, migrate: false,
      cronMonitorIntervalSeconds: interval, cronWorkerIntervalSeconds: interval,
    }));
    this.runner = runner;
    await runner.start();
    for (const queue of this.queues.values()) {
      const id = await runner.work<object>(
        queue.name,
        { batchSize: queue.concurrency ?? 1, pollingIntervalSeconds: Math.max(0.5, pollSeconds), includeMetadata: true },
        (jobs) => Promise.all(jobs.map((job) => this.runOne(runner, queue, job))),
      );
      this.workers.push(id);
      if (queue.schedule) {
        await runner.schedule(queue.name, queue.schedule, { trigger: 'schedule' }, { tz: timeZone });
        // Work that came due while no instance ran is done at start rather than at the next tick;
        // the queue's policy keeps instances starting together from queueing it twice.
        await runner.send(queue.name, { trigger: 'start' });
      }
    }
  }

  /** Stops taking work, lets the jobs in flight finish (up to `timeoutMs`), and stops the schedules. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    this.workers = [];
    await runner?.stop({ graceful: true, wait: true, timeout: timeoutMs });
    await this.sender.stop({ graceful: false, wait: true });
  }

  /** Wakes this instance's workers now instead of at their next poll (after a commit that sent jobs). */
  wake(): void {
    for (const id of this.workers) this.runner?.notifyWorker(id);
  }

  /**
   * One job of a batch: a failure fails this job alone (pg-boss would fail the whole batch), and
   * then the batch completes the others.
   */
  private async runOne(runner: PgBoss, queue: QueueDefinition, job: PgBoss.JobWithMetadata<object>): Promise<void> {
    try {
      await queue.run(job.data, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
    } catch (error) {
      console.error(`[saldo] job ${queue.name} ${job.id} failed (attempt ${job.retryCount + 1} of ${job.retryLimit + 1})`, error);
      await runner.fail(queue.name, job.id, { message: (error as Error).message ?? String(error) });
    }
  }
}
