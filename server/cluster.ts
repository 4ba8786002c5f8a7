/**
 * The API on `server.workers` processes (node:cluster; null → one per two
 * cores) sharing one port, so that the signature checks of concurrent POSTs
 * use more than one core. The signatures they verify go into the node's memo,
 * and the transactions they find in valid blocks to the validation threads.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { getLogger } from '../logging/logger';
import type { VerdictMemo } from '../models/verdict-memo';
import { ValidTransactionsRelay } from '../core/valid-transactions';
import { isApiReport } from './api-reports';
import type { ApiWorkerSettings } from './worker';

const log = getLogger('api');

export interface RunningApi {
  stop(): Promise<void>;
}

/**
 * How many API processes to run: `workers` when set, else one per two cores
 * (at least one). The API takes about a third of a loaded node's CPU, the
 * pipelines and the database the rest. On two cores one process did what two
 * did with 256 clients, and with 16 it spent a quarter less CPU per POST:
 * each process batches only the POSTs it holds, and compiles its code for
 * itself (README, Benchmarks).
 */
export function apiProcessCount(workers: number | null, cores = availableParallelism()): number {
  return workers ?? Math.max(1, Math.ceil(cores / 2));
}

/**
 * What `start` says of `server.threads` when it is set: 0.8 passed it to
 * gunicorn as threads per worker, but a Node process serves all its requests
 * on one event loop, so the setting is accepted (0.8 configurations load
 * unchanged) and changes nothing.
 */
export function serverThreadsWarning(threads: number | null): string | null {
  return threads === null ? null : `server.threads (${threads}) changes nothing here: each API process serves its requests on one event loop; server.workers sets how many processes run`;
}

export async function startApi(settings: ApiWorkerSettings, memo: VerdictMemo): Promise<RunningApi> {
  const threadsWarning = serverThreadsWarning(settings.config.server.threads);
  if (threadsWarning !== null) log.warn(threadsWarning);
  const count = apiProcessCount(settings.config.server.workers);
  cluster.setupPrimary({ exec: join(__dirname, 'worker.js'), args: [] });
  let stopping = false;
  const workers = new Set<Worker>();
  const relay = new ValidTransactionsRelay(settings.config.database);
  const fork = (): Promise<void> => new Promise((resolve, reject) => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.once('online', () => worker.send({ ...settings, memoKey: memo.digestKey().toString('hex') } satisfies ApiWorkerSettings));
    worker.on('message', (message: unknown) => {
      if (!isApiReport(message)) return;
      memo.addDigests(Buffer.from(message.digests, 'base64'));
      relay.relay(message.validTransactions);
    });
    const listening = (message: unknown) => {
      if (message !== 'listening') return;
      worker.off('message', listening);
      resolve();
    };
    worker.on('message', listening);
    worker.once('exit', (code) => {
      workers.delete(worker);
      if (!stopping) {
        log.error(`API process ${worker.process.pid} exited (code ${code}); starting another`);
        setTimeout(() => void fork().catch((err: Error) => log.error(err.message)), 1000);
      }
      reject(new Error(`API process exited with code ${code} while starting`));
    });
  });
  await Promise.all(Array.from({ length: count }, fork));
  log.info(`API listening on http://${settings.config.server.bind} with ${count} ${count === 1 ? 'process' : 'processes'}`);
  return {
    async stop() {
      stopping = true;
      await Promise.all([...workers].map((w) => new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.send('stop');
      })));
    },
  };
}
