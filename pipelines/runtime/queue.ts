/**
 * A bounded queue between two pipeline stages: `push` waits while it is
 * full, so a fast producer (a changefeed) is held back by a slow consumer
 * instead of growing memory without bound.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly takers: ((item: T | typeof CLOSED) => void)[] = [];
  private readonly givers: (() => void)[] = [];
  private closed = false;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  /** Waits for room, then enqueues; false when the queue was closed. */
  async push(item: T): Promise<boolean> {
    while (!this.closed && this.items.length >= this.capacity && this.takers.length === 0) {
      await new Promise<void>((resolve) => this.givers.push(resolve));
    }
    if (this.closed) return false;
    const taker = this.takers.shift();
    if (taker !== undefined) taker(item);
    else this.items.push(item);
    return true;
  }

  /** The next item, waiting up to `timeoutMs` (forever by default); `CLOSED` once closed and empty, `TIMEOUT` on timeout. */
  async pop(timeoutMs?: number): Promise<T | typeof CLOSED | typeof TIMEOUT> {
    if (this.items.length > 0) {
      const item = this.items.shift() as T;
      this.givers.shift()?.();
      return item;
    }
    if (this.closed) return CLOSED;
    return new Promise((resolve) => {
      const taker = (item: T | typeof CLOSED) => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(item);
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        this.takers.splice(this.takers.indexOf(taker), 1);
        resolve(TIMEOUT);
      }, timeoutMs);
      this.takers.push(taker);
    });
  }

  /** No more pushes; takers get what is left, then `CLOSED`. */
  close(): void {
    this.closed = true;
    for (const taker of this.takers.splice(0)) taker(CLOSED);
    for (const giver of this.givers.splice(0)) giver();
  }
}

export const CLOSED = Symbol('closed');
export const TIMEOUT = Symbol('timeout');
