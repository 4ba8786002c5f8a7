/**
 * The API on `server.workers` processes (node:cluster; null → one per core)
 * sharing one port, so that the signature checks of concurrent POSTs use
 * every core. The signatures they verify go into the node's memo, and the
 * transactions they find in valid blocks to the validation threads.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { getLogger } from '../logging/logger';
import type { SignatureMemo } from '../models/signature-memo';
import { ValidTransactionsRelay } from '../core/valid-transactions';
import { isApiReport } from './api-reports';
import type { ApiWorkerSettings } from './worker';

const log = getLogger('api');

export interface RunningApi {
  stop(): Promise<void>;
}

export async function startApi(settings: ApiWorkerSettings, memo: SignatureMemo): Promise<RunningApi> {
  const count = settings.config.server.workers ?? availableParallelism();
  cluster.setupPrimary({ exec: join(__dirname, 'worker.js'), args: [] });
  let stopping = false;
  const workers = new Set<Worker>();
  const relay = new ValidTransactionsRelay(settings.config.database);
  const fork = (): Promise<void> => new Promise((resolve, reject) => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.once('online', () => worker.send({ ...settings, signatureDigestKey: memo.digestKey().toString('hex') } satisfies ApiWorkerSettings));
    worker.on('message', (message: unknown) => {
      if (!isApiReport(message)) return;
      memo.addDigests(Buffer.from(message.verifiedSignatures, 'base64'));
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
  log.info(`API listening on http://${settings.config.server.bind} with ${count} processes`);
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
