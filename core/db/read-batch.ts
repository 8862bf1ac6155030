/**
 * Gathers reads of one kind made at about the same time into one statement: one round trip, one
 * plan, one parse of the reply for many callers. Customer pages are read far more often than
 * anything else, and under load the fixed cost of a statement — in the driver and in the server —
 * outweighs the rows it reads.
 *
 * Freshness is kept: a read joins a batch that has not been sent yet, never one already under
 * way, so every answer was read after it was asked for (a customer who just paid sees the
 * payment). Reads asked for during one turn of the event loop go out together when it ends; while
 * `concurrency` batches are in flight, new reads wait for the next one, which is how batches grow
 * under load instead of queueing one statement per request.
 *
 * A batch's answers are handed over `handOver` at a time, one turn of the event loop apart. Each
 * answer becomes a page to render; rendering a whole batch in one go kept the process from
 * reading the requests that arrived meanwhile, so the next batch left only when every page was
 * done and the process then sat idle while the database answered it — all clients moving in one
 * convoy (measured: the event loop busy 53–84% of the time under full load). Handed over in
 * slices, new requests go to the database while the rest of the pages render (busy 99%).
 */
export class ReadBatch<K, V> {
  private waiting: { key: K; resolve: (value: V | undefined) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private inFlight = 0;

  private readonly options: { maxBatch: number; concurrency: number; handOver: number };

  /**
   * @param read answers a list of keys in one statement, with one entry per key, in order
   *   (`undefined` where nothing was found).
   */
  constructor(
    private readonly read: (keys: K[]) => Promise<(V | undefined)[]>,
    options: { maxBatch?: number; concurrency?: number; handOver?: number } = {},
  ) {
    this.options = { maxBatch: 64, concurrency: 4, handOver: 8, ...options };
  }

  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled || this.waiting.length === 0 || this.inFlight >= this.options.concurrency) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush() {
    while (this.waiting.length > 0 && this.inFlight < this.options.concurrency) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.read(batch.map((w) => w.key)).then(
        (values) => {
          this.inFlight--;
          this.answer(batch, values, 0);
        },
        (error) => {
          this.inFlight--;
          for (const w of batch) w.reject(error);
          this.schedule();
        },
      );
    }
  }

  /** Hands over the answers from `from` on, a slice per turn (see the class comment). */
  private answer(batch: typeof this.waiting, values: (V | undefined)[], from: number) {
    const end = Math.min(batch.length, from + this.options.handOver);
    for (let i = from; i < end; i++) batch[i]!.resolve(values[i]);
    if (end < batch.length) setImmediate(() => this.answer(batch, values, end));
    this.schedule();
  }
}
