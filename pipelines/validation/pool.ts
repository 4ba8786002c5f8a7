/**
 * The validation pool, after lodestar's signature-verification pool: jobs go
 * in batches to its threads (one per two cores: `validationThreadsPerPool`),
 * and a bounded queue pushes back on the pipeline feeding it.
 */
import { join } from 'node:path';
import { once } from 'node:events';
import Piscina from 'piscina';
import type { NodeSettings } from '../node-settings';
import type { BlockId } from '../../models/types';
import type { Purpose, ValidationJob, ValidationThreadData, Verdict } from './verdict';

/** Transactions per job: enough to amortise a message between threads. */
export const BATCH_SIZE = 50;

export class ValidationPool {
  private readonly pool: Piscina;
  private readonly maxQueue: number;
  private readonly threads: number;

  /** `verdictMemory`: the node's memo of what it checked (models/verdict-memo.ts), which its threads share with the rest of the node. */
  constructor(settings: NodeSettings, verdictMemory: SharedArrayBuffer) {
    this.threads = settings.validationThreads;
    this.maxQueue = settings.validationThreads * 4;
    this.pool = new Piscina({
      filename: join(__dirname, 'worker.js'),
      workerData: { settings, verdictMemory } satisfies ValidationThreadData,
      minThreads: settings.validationThreads,
      maxThreads: settings.validationThreads,
    });
  }

  /**
   * Resolves once the threads have logged in to the database and warmed up,
   * so that a node takes transactions only when it can judge them at speed.
   * One task each: a thread busy with its own takes no other, but one ready
   * before another has loaded may take two, so this is best effort.
   */
  async ready(): Promise<void> {
    await Promise.all(Array.from({ length: this.threads }, () => this.pool.run(null, { name: 'ready' })));
  }

  /** Verdicts for `txs`, in order; waits while the pool's queue is full. `blockId`: see `ValidationJob`. */
  async validate(txs: readonly unknown[], purpose: Purpose, blockId?: BlockId): Promise<Verdict[]> {
    const jobs: Promise<Verdict[]>[] = [];
    for (let i = 0; i < txs.length; i += BATCH_SIZE) {
      while (this.pool.queueSize >= this.maxQueue) await once(this.pool, 'drain');
      jobs.push(this.pool.run({ purpose, txs: txs.slice(i, i + BATCH_SIZE), blockId } satisfies ValidationJob));
    }
    return (await Promise.all(jobs)).flat();
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}
