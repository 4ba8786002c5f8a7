/**
 * Runs the four pipelines of a node, each in its own worker thread, restarts
 * a thread that dies, and stops them all cleanly.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { getLogger } from '../logging/logger';
import { isValidBlockMessage, type ValidTransactionEvent } from '../stream/events';
import type { NodeSettings } from './node-settings';
import type { PipelineName, PipelineThreadData } from './thread';

const log = getLogger('pipelines');
const PIPELINES: readonly PipelineName[] = ['block', 'vote', 'election', 'stale'];
const STOP_TIMEOUT_MS = 60_000;
const RESTART_DELAY_MS = 1000;

export interface RunningPipelines {
  /** Resolves once every pipeline has started. */
  readonly started: Promise<void>;
  stop(): Promise<void>;
}

/**
 * `verdictMemory` is the node's memo of what it checked, which the block
 * and the vote pipeline and their pools share: one for the node, so that a restarted
 * thread finds it whole. `onValidTransactions` gets the events of each block
 * the election finds valid. Worker messages arrive in the order they were
 * posted, so blocks keep the election's order.
 */
export function startPipelines(settings: NodeSettings, verdictMemory: SharedArrayBuffer, onValidTransactions: (events: readonly ValidTransactionEvent[]) => void = () => undefined): RunningPipelines {
  let stopping = false;
  const workers = new Map<PipelineName, Worker>();
  const exits = new Map<PipelineName, Promise<void>>();

  const spawn = (name: PipelineName): Promise<void> => {
    const worker = new Worker(join(__dirname, 'thread.js'), { workerData: { pipeline: name, settings, verdictMemory } satisfies PipelineThreadData });
    workers.set(name, worker);
    worker.on('message', (message: unknown) => {
      if (isValidBlockMessage(message)) onValidTransactions(message.events);
    });
    const started = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (message === 'started') resolve();
      });
      worker.once('exit', (code) => reject(new Error(`pipeline ${name} exited with code ${code} while starting`)));
    });
    exits.set(name, new Promise((resolve) => worker.once('exit', (code) => {
      if (!stopping) {
        log.error(`pipeline ${name} stopped unexpectedly (exit code ${code}); restarting it`);
        setTimeout(() => {
          if (!stopping) void spawn(name).catch((err: Error) => log.error(err.message));
        }, RESTART_DELAY_MS);
      }
      resolve();
    })));
    return started;
  };

  const started = Promise.all(PIPELINES.map(spawn)).then(() => {
    log.info(`pipelines ${PIPELINES.join(', ')} started`);
  });
  return {
    started,
    async stop() {
      stopping = true;
      for (const worker of workers.values()) worker.postMessage('stop');
      const timeout = setTimeout(() => {
        log.warn('pipelines did not stop in time: terminating them');
        for (const worker of workers.values()) void worker.terminate();
      }, STOP_TIMEOUT_MS);
      await Promise.all(exits.values());
      clearTimeout(timeout);
      log.info('pipelines stopped');
    },
  };
}
