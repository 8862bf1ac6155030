import { createHash } from 'node:crypto';
import type postgres from 'postgres';

/** A connection to run the locks on (any postgres.js handle with one connection). */
type Session = postgres.Sql<{ bigint: bigint }>;

/** A key held by this process; `release` gives it back (it never throws). */
export interface KeyLock {
  release(): Promise<void>;
}

/**
 * Exclusive holds on keys (an API request's Idempotency-Key) that last exactly as long as the
 * process that took them: a key held by a live request, here or in another instance, cannot be
 * taken; a key whose holder died is free at once, without waiting for a timeout to guess it.
 */
export interface KeyLocks {
  /** Holds `key` for this process; undefined while a live holder has it. */
  acquire(key: string): Promise<KeyLock | undefined>;
  close(): Promise<void>;
}

/**
 * Holds kept in this process only. Exact when this process is the only one on its database — the
 * embedded database, which only the process that opened it can reach: whatever it does not hold
 * was left by a run that has ended.
 */
export function inProcessLocks(): KeyLocks {
  const held = new Set<string>();
  return {
    async acquire(key) {
      if (held.has(key)) return undefined;
      held.add(key);
      return { release: async () => void held.delete(key) };
    },
    async close() {},
  };
}

/** An advisory lock id for `key`: 64 bits of its SHA-256, so that distinct keys never meet in practice. */
export const lockId = (key: string): bigint => createHash('sha256').update(key).digest().readBigInt64BE(0);

/**
 * Holds shared by every instance on one PostgreSQL database: a session-level advisory lock per
 * key, all taken on one connection of this process's own. PostgreSQL frees a session's locks
 * when the session ends, and the session ends with the process (its socket closes when the
 * process dies, even by SIGKILL) — so "held" means "held by a live process", whichever instance
 * asks. Locks are only tried, never waited for, so the connection runs nothing slow and stays
 * free of other work. Session locks are re-entrant within their session, so the keys this process
 * holds are also tracked here: a second request of this process for a key it holds is refused.
 *
 * The connection is opened on first use (a process that takes no key opens none); `namespace`
 * keeps the keys of different schemas apart, since advisory locks are per database.
 */
export function sessionLocks(open: () => Session, namespace: string): KeyLocks {
  const local = inProcessLocks();
  let session: Session | undefined;
  return {
    async acquire(key) {
      const here = await local.acquire(key);
      if (!here) return undefined;
      const id = lockId(`${namespace}\n${key}`);
      try {
        session ??= open();
        const [row] = await session<{ held: boolean; pid: number }[]>`SELECT pg_try_advisory_lock(${id}) AS held, pg_backend_pid() AS pid`;
        if (!row!.held) {
          await here.release();
          return undefined;
        }
        const { pid } = row!;
        const held = session;
        return {
          release: async () => {
            try {
              // Only in the session that took it: after a reconnect the old session, and its lock,
              // are gone, and the new one may hold this key for a later request.
              await held`SELECT pg_advisory_unlock(${id}) WHERE pg_backend_pid() = ${pid}::int`;
            } catch {
              // The session is gone (the database went away), and its locks with it.
            } finally {
              await here.release();
            }
          },
        };
      } catch (error) {
        await here.release();
        throw error;
      }
    },
    async close() {
      await session?.end({ timeout: 5 });
    },
  };
}
