/** A source that asks for items every `intervalMs` until stopped. */
import type { Source } from './pipeline';

export class TimerSource<T> implements Source<T> {
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(private readonly intervalMs: number, private readonly poll: () => Promise<T[]>) {}

  async run(emit: (item: T) => Promise<boolean>): Promise<void> {
    while (!this.stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.intervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (this.stopped) break;
      for (const item of await this.poll().catch(() => [] as T[])) {
        if (!(await emit(item))) return;
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
  }
}
