import { describe, expect, it } from 'vitest';
import { inProcessLocks } from '../../core/db/key-locks.js';

describe('key locks', () => {
  it('in one process: a held key is refused until released', async () => {
    const locks = inProcessLocks();
    const held = await locks.acquire('k');
    expect(held).toBeDefined();
    expect(await locks.acquire('k')).toBeUndefined();
    await held!.release();
    expect(await locks.acquire('k')).toBeDefined();
  });
});
