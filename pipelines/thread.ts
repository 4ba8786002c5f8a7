/**
 * The body of a pipeline's worker thread: builds one pipeline with its own
 * database connection (and validation pool), runs it, and on "stop" lets the
 * items inside finish before the thread ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Bigchain } from '../core/bigchain';
import { Database } from '../db/connection';
import { getLogger } from '../logging/logger';
import { blockPipeline } from './block';
import { electionPipeline } from './election';
import type { NodeSettings } from './node-settings';
import type { Pipeline } from './runtime/pipeline';
import { stalePipeline } from './stale';
import { ValidationPool } from './validation/pool';
import { votePipeline } from './vote';

export type PipelineName = 'block' | 'vote' | 'election' | 'stale';

export interface PipelineThreadData {
  readonly pipeline: PipelineName;
  readonly settings: NodeSettings;
}

async function main(): Promise<void> {
  const { pipeline: name, settings } = workerData as PipelineThreadData;
  const log = getLogger(`thread:${name}`);
  let stopping = false;
  const isStopping = () => stopping;
  const db = await Database.connect(settings.database, { attempts: 20 });
  const bigchain = new Bigchain(db, { keypair: settings.keypair, keyring: settings.keyring });
  const pool = name === 'block' || name === 'vote' ? new ValidationPool(settings) : null;
  let pipeline: Pipeline;
  switch (name) {
    case 'block': pipeline = blockPipeline({ settings, bigchain, pool: pool!, isStopping }); break;
    case 'vote': pipeline = await votePipeline({ settings, bigchain, pool: pool!, isStopping }); break;
    case 'election': pipeline = electionPipeline({ settings, bigchain }); break;
    case 'stale': pipeline = stalePipeline({ settings, bigchain }); break;
  }
  parentPort?.on('message', (message: unknown) => {
    if (message !== 'stop' || stopping) return;
    stopping = true;
    log.info('stopping: finishing the items in the pipeline');
    void pipeline.stop();
  });
  parentPort?.postMessage('started');
  await pipeline.start();
  await pool?.destroy();
  await db.close();
  // An open port keeps a worker thread alive: close it so the thread ends now.
  parentPort?.close();
  log.info('stopped');
}

main().catch((err: unknown) => {
  getLogger('thread').error(`pipeline thread failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
