/** A source that asks for items every `intervalMs` until stopped. */
import type { Source } from './pipeline';
import { Sleeper } from './sleeper';

export class TimerSource<T> implements Source<T> {
  private stopped = false;
  private readonly sleeper = new Sleeper();

  constructor(private readonly intervalMs: number, private readonly poll: () => Promise<T[]>) {}

  async run(emit: (item: T) => Promise<boolean>): Promise<void> {
    while (!this.stopped) {
      await this.sleeper.sleep(this.intervalMs);
      if (this.stopped) break;
      for (const item of await this.poll().catch(() => [] as T[])) {
        if (!(await emit(item))) return;
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.wake();
  }
}
