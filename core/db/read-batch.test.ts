import { describe, expect, it } from 'vitest';
import { ReadBatch } from './read-batch.js';

/** A reader that records each batch it is given and answers when told to. */
function recorder(answer: (key: number) => string | undefined = (k) => `v${k}`) {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const read = (keys: number[]) => {
    batches.push(keys);
    return new Promise<(string | undefined)[]>((resolve) => pending.push(() => resolve(keys.map(answer))));
  };
  const answerAll = async () => {
    while (pending.length) pending.shift()!();
    // Answers settle, then the next batch goes out on the following turn.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  };
  return { read, batches, answerAll };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('read batch', () => {
  it('sends the reads asked for in one turn as one batch, and answers each caller with its own value', async () => {
    const r = recorder();
    const batch = new ReadBatch(r.read);
    const answers = Promise.all([3, 1, 2].map((k) => batch.load(k)));
    await turn();
    expect(r.batches).toEqual([[3, 1, 2]]);
    await r.answerAll();
    expect(await answers).toEqual(['v3', 'v1', 'v2']);
  });

  it('answers undefined where nothing was found', async () => {
    const r = recorder((k) => (k === 2 ? undefined : `v${k}`));
    const batch = new ReadBatch(r.read);
    const answers = Promise.all([1, 2].map((k) => batch.load(k)));
    await turn();
    await r.answerAll();
    expect(await answers).toEqual(['v1', undefined]);
  });

  it('never answers a read from a batch sent before it was asked for', async () => {
    const r = recorder();
    const batch = new ReadBatch(r.read);
    const first = batch.load(1);
    await turn();
    const second = batch.load(2); // the first batch is already under way
    await turn();
    expect(r.batches).toEqual([[1], [2]]);
    await r.answerAll();
    expect([await first, await second]).toEqual(['v1', 'v2']);
  });

  it('keeps at most `concurrency` batches in flight; the others wait and go together', async () => {
    const r = recorder();
    const batch = new ReadBatch(r.read, { maxBatch: 64, concurrency: 1 });
    const first = batch.load(1);
    await turn();
    const later = [2, 3, 4].map((k) => batch.load(k));
    await turn();
    await turn();
    expect(r.batches).toEqual([[1]]);
    await r.answerAll(); // the first answers, the waiting three go as one batch
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
    await r.answerAll();
    expect(await Promise.all([first, ...later])).toEqual(['v1', 'v2', 'v3', 'v4']);
  });

  it('splits a crowd into batches of at most `maxBatch`', async () => {
    const r = recorder();
    const batch = new ReadBatch(r.read, { maxBatch: 2, concurrency: 4 });
    const answers = Promise.all([1, 2, 3, 4, 5].map((k) => batch.load(k)));
    await turn();
    expect(r.batches).toEqual([[1, 2], [3, 4], [5]]);
    await r.answerAll();
    expect(await answers).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
  });

  it('hands the answers of a batch over a slice per turn, so reads asked for meanwhile go out before its last answers', async () => {
    const log: string[] = [];
    const batch = new ReadBatch<number, string>(async (keys) => {
      log.push(`read ${keys.join(',')}`);
      return keys.map((k) => `v${k}`);
    }, { handOver: 2 });
    // The first customer served asks again at once (the next click), as a page's next request would.
    const answers = [1, 2, 3, 4, 5].map((k) => batch.load(k).then((v) => {
      log.push(`answer ${k}`);
      return k === 1 ? batch.load(6).then(() => v) : v;
    }));
    await Promise.all(answers);
    expect(log).toEqual(['read 1,2,3,4,5', 'answer 1', 'answer 2', 'answer 3', 'answer 4', 'read 6', 'answer 5']);
  });

  it('fails every read of a batch whose statement failed, and carries on with the next', async () => {
    let fail = true;
    const batch = new ReadBatch<number, string>(async (keys) => {
      if (fail) throw new Error('connection lost');
      return keys.map((k) => `v${k}`);
    });
    const failed = [batch.load(1), batch.load(2)].map((p) => p.then(() => 'ok', (e: Error) => e.message));
    expect(await Promise.all(failed)).toEqual(['connection lost', 'connection lost']);
    fail = false;
    expect(await batch.load(3)).toBe('v3');
  });
});
