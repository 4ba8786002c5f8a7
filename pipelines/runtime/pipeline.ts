/**
 * A pipeline: a source, then small named stages joined by bounded queues,
 * each stage running in its own loop so that a slow stage holds the ones
 * before it back. A stage returns its output, or null to drop the item.
 */
import { getLogger, type Logger } from '../../logging/logger';
import { BoundedQueue, CLOSED, TIMEOUT } from './queue';

/** Produces items until stopped; `emit` waits while the first queue is full and is false once the pipeline stops. */
export interface Source<T> {
  run(emit: (item: T) => Promise<boolean>): Promise<void>;
  stop(): Promise<void>;
}

export interface Stage<In, Out> {
  readonly name: string;
  run(item: In): Promise<Out | null> | Out | null;
  /** Items handled at once (default 1), outputs kept in input order: for stages that wait on other threads or the database. */
  readonly concurrency?: number;
}

/**
 * Gathers items into a batch, released when `add` says it is full or when
 * `timeoutMs` has passed since the batch got its first item.
 */
export interface Collector<In, Out> {
  readonly name: string;
  readonly timeoutMs: number;
  add(item: In): Out | null;
  flush(): Out | null;
}

const OLDEST_DONE = Symbol('oldest done');

type Step =
  | { kind: 'stage'; stage: Stage<unknown, unknown> }
  | { kind: 'collect'; collector: Collector<unknown, unknown> };

export class PipelineBuilder<T> {
  private constructor(private readonly name: string, private readonly source: Source<unknown>, private readonly steps: Step[]) {}

  static from<T>(name: string, source: Source<T>): PipelineBuilder<T> {
    return new PipelineBuilder<T>(name, source as Source<unknown>, []);
  }

  then<Out>(stage: Stage<T, Out>): PipelineBuilder<Out> {
    return new PipelineBuilder<Out>(this.name, this.source, [...this.steps, { kind: 'stage', stage: stage as Stage<unknown, unknown> }]);
  }

  collect<Out>(collector: Collector<T, Out>): PipelineBuilder<Out> {
    return new PipelineBuilder<Out>(this.name, this.source, [...this.steps, { kind: 'collect', collector: collector as Collector<unknown, unknown> }]);
  }

  build(queueCapacity = 1000): Pipeline {
    return new Pipeline(this.name, this.source, this.steps, queueCapacity);
  }
}

export class Pipeline {
  private readonly log: Logger;
  private readonly queues: BoundedQueue<unknown>[];
  private running: Promise<void> | null = null;

  constructor(readonly name: string, private readonly source: Source<unknown>, private readonly steps: Step[], queueCapacity: number) {
    this.log = getLogger(`pipeline:${name}`);
    this.queues = steps.map(() => new BoundedQueue<unknown>(queueCapacity));
  }

  /** Runs until `stop`; resolves once every stage has finished its items. */
  start(): Promise<void> {
    const first = this.queues[0]!;
    const sourceDone = this.source.run((item) => first.push(item)).finally(() => first.close());
    const stagesDone = this.steps.map((step, i) => this.runStep(step, this.queues[i]!, this.queues[i + 1] ?? null));
    this.running = Promise.all([sourceDone, ...stagesDone]).then(() => undefined);
    return this.running;
  }

  /** Stops the source; items already inside go through every stage before `start` resolves. */
  async stop(): Promise<void> {
    await this.source.stop();
    await this.running;
  }

  private async runStep(step: Step, input: BoundedQueue<unknown>, output: BoundedQueue<unknown> | null): Promise<void> {
    try {
      if (step.kind === 'stage') await this.runStage(step.stage, input, output);
      else await this.runCollector(step.collector, input, output);
    } finally {
      output?.close();
    }
  }

  /**
   * Up to `concurrency` items are handled at once, but results leave in the
   * order items came: votes must follow the order blocks arrived in, or the
   * nodes' votes would disagree on the previous block.
   */
  private async runStage(stage: Stage<unknown, unknown>, input: BoundedQueue<unknown>, output: BoundedQueue<unknown> | null): Promise<void> {
    const limit = Math.max(1, stage.concurrency ?? 1);
    const window: Promise<unknown>[] = [];
    const emitOldest = async () => {
      const result = await window.shift();
      if (result !== null && result !== undefined && output !== null) await output.push(result);
    };
    let next: Promise<unknown> | null = input.pop();
    while (next !== null || window.length > 0) {
      if (next === null || window.length >= limit) {
        await emitOldest();
        continue;
      }
      // Wait for a new item or for the oldest one to finish, whichever comes first; a pending pop is kept, never lost.
      const first = window.length === 0 ? await next : await Promise.race([next, window[0]!.then(() => OLDEST_DONE)]);
      if (first === OLDEST_DONE) {
        await emitOldest();
      } else if (first === CLOSED) {
        next = null;
      } else {
        window.push(this.attempt(stage.name, () => stage.run(first)));
        next = input.pop();
      }
    }
  }

  private async runCollector(collector: Collector<unknown, unknown>, input: BoundedQueue<unknown>, output: BoundedQueue<unknown> | null): Promise<void> {
    const emit = async (batch: unknown) => {
      if (batch !== null && output !== null) await output.push(batch);
    };
    let deadline: number | null = null;
    for (;;) {
      const item = await input.pop(deadline === null ? undefined : Math.max(0, deadline - Date.now()));
      if (item === CLOSED) break;
      if (item === TIMEOUT) {
        const batch = collector.flush();
        // A batch may leave items behind (a block holds at most 1000): they get a timeout of their own.
        deadline = batch === null ? null : Date.now() + collector.timeoutMs;
        await emit(batch);
        continue;
      }
      deadline ??= Date.now() + collector.timeoutMs;
      const batch = collector.add(item);
      // What a full batch left behind must not wait for an item that may never come (a quiet feed).
      if (batch !== null) deadline = Date.now() + collector.timeoutMs;
      await emit(batch);
    }
    await emit(collector.flush());
  }

  /** A stage that throws drops the item and logs why: one bad item must not stop the pipeline. */
  private async attempt(stage: string, fn: () => unknown): Promise<unknown> {
    try {
      return await fn();
    } catch (err) {
      this.log.error(`stage ${stage} failed on an item and dropped it: ${(err as Error).stack ?? String(err)}`);
      return null;
    }
  }
}
