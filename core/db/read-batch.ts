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
 */
export class ReadBatch<K, V> {
  private waiting: { key: K; resolve: (value: V | undefined) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private inFlight = 0;

  /**
   * @param read answers a list of keys in one statement, with one entry per key, in order
   *   (`undefined` where nothing was found).
   */
  constructor(
    private readonly read: (keys: K[]) => Promise<(V | undefined)[]>,
    private readonly options: { maxBatch: number; concurrency: number } = { maxBatch: 64, concurrency: 4 },
  ) {}

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
        (values) => batch.forEach((w, i) => w.resolve(values[i])),
        (error) => batch.forEach((w) => w.reject(error)),
      ).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }
}
