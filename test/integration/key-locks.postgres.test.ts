import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { type KeyLocks, sessionLocks } from '../../core/db/key-locks.js';
import { realPostgres } from '../support/databases.js';

describe('key locks across processes on PostgreSQL', () => {
  const opened: postgres.Sql[] = [];
  const sessions: postgres.Sql[] = [];
  /** An instance's locks; its lock session is kept at hand to kill it as a dying process would lose it. */
  const instance = (namespace: string): KeyLocks =>
    sessionLocks(() => {
      const session = postgres(realPostgres!, { max: 1, onnotice: () => {}, types: { bigint: postgres.BigInt } });
      sessions.push(session);
      return session;
    }, namespace);
  const admin = postgres(realPostgres!, { max: 1, onnotice: () => {} });
  opened.push(admin);
  afterAll(async () => {
    for (const s of [...sessions, ...opened]) await s.end({ timeout: 1 });
  });

  it('refuses a key another instance holds, and the holder itself, until it is released', async () => {
    const ns = randomUUID();
    const [a, b] = [instance(ns), instance(ns)];
    const held = await a.acquire('key-1');
    expect(held).toBeDefined();
    expect(await b.acquire('key-1')).toBeUndefined();
    expect(await a.acquire('key-1')).toBeUndefined();
    expect(await instance(randomUUID()).acquire('key-1')).toBeDefined(); // another schema's key
    await held!.release();
    const taken = await b.acquire('key-1');
    expect(taken).toBeDefined();
    await taken!.release();
    await Promise.all([a.close(), b.close()]);
  });

  it('frees a key the moment its holder’s session ends, and a late release does not free a later holder', async () => {
    const ns = randomUUID();
    const [a, b] = [instance(ns), instance(ns)];
    const held = await a.acquire('key-2');
    const session = sessions.at(-1)!; // a's, opened by its first acquire
    const [row] = await session<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    await admin`SELECT pg_terminate_backend(${row!.pid})`;
    const taken = await b.acquire('key-2');
    expect(taken).toBeDefined();
    // a's request ends after its session was lost: its release must not free b's hold...
    await held!.release();
    expect(await instance(ns).acquire('key-2')).toBeUndefined();
    // ...and a, on its new session, still sees the key as held by a live process.
    expect(await a.acquire('key-2')).toBeUndefined();
    await taken!.release();
    await Promise.all([a.close(), b.close()]);
  });
});
