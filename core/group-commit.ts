/**
 * Group commit: requests that arrive while a batch is being written (or
 * looked up) wait and go together in the next one. Under load one database
 * round trip serves many POSTs; alone, a request waits for nothing but its
 * own.
 */
export class GroupCommit<In, Out> {
  private pending: { item: In; resolve: (out: Out) => void; reject: (err: unknown) => void }[] = [];
  private writing = false;

  /** `write` gets a batch and answers one result per item, in order. */
  constructor(private readonly write: (items: In[]) => Promise<Out[]>, private readonly maxBatch: number) {}

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      // On the next turn, so that requests parsed in this one join the batch.
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((p) => p.item));
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch (err) {
        batch.forEach((p) => p.reject(err));
      }
    }
    this.writing = false;
  }
}
