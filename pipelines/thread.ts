/**
 * The body of a pipeline's worker thread: builds one pipeline with its own
 * database connection (and validation pool), runs it, and on "stop" lets the
 * items inside finish before the thread ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Bigchain } from '../core/bigchain';
import { Database } from '../db/connection';
import { getLogger } from '../logging/logger';
import { Metrics } from '../metrics/statsd';
import { validBlockMessage } from '../stream/events';
import { backlogGaugePipeline } from './backlog-gauge';
import { blockPipeline } from './block';
import { electionPipeline } from './election';
import type { NodeSettings } from './node-settings';
import type { Pipeline } from './runtime/pipeline';
import { stalePipeline } from './stale';
import { ValidationPool } from './validation/pool';
import { VerdictMemo } from '../models/verdict-memo';
import { votePipeline } from './vote';

export type PipelineName = 'block' | 'vote' | 'election' | 'stale';

export interface PipelineThreadData {
  readonly pipeline: PipelineName;
  readonly settings: NodeSettings;
  /** The node's memo of what it checked (models/verdict-memo.ts), for the validation threads and the vote. */
  readonly verdictMemory: SharedArrayBuffer;
}

async function main(): Promise<void> {
  const { pipeline: name, settings, verdictMemory } = workerData as PipelineThreadData;
  const log = getLogger(`thread:${name}`);
  let stopping = false;
  const isStopping = () => stopping;
  const db = await Database.connect(settings.database, { attempts: 20 });
  const bigchain = new Bigchain(db, { keypair: settings.keypair, keyring: settings.keyring });
  const metrics = Metrics.create(settings.statsd);
  const pool = name === 'block' || name === 'vote' ? new ValidationPool(settings, verdictMemory) : null;
  const deps = { settings, bigchain, metrics, isStopping };
  const judging = () => ({ ...deps, pool: pool!, memo: VerdictMemo.attach(verdictMemory) });
  let pipelines: Pipeline[];
  switch (name) {
    case 'block': pipelines = [blockPipeline(judging())]; break;
    case 'vote': pipelines = [await votePipeline(judging())]; break;
    // The event stream is served by the main thread: the events of each valid block go there.
    case 'election': pipelines = [electionPipeline({ ...deps, onValidBlock: (block) => parentPort?.postMessage(validBlockMessage(block)) })]; break;
    // The gauge is periodic too: it shares the stale monitor's thread rather than take one of its own.
    case 'stale': pipelines = [stalePipeline(deps), backlogGaugePipeline(deps)]; break;
  }
  parentPort?.on('message', (message: unknown) => {
    if (message !== 'stop' || stopping) return;
    stopping = true;
    log.info('stopping: finishing the items in the pipeline');
    for (const pipeline of pipelines) void pipeline.stop();
  });
  // Started once its validation threads are ready: the API opens only then (cli/commands/start.ts).
  await pool?.ready();
  parentPort?.postMessage('started');
  await Promise.all(pipelines.map((pipeline) => pipeline.start()));
  await pool?.destroy();
  await metrics.close();
  await db.close();
  // An open port keeps a worker thread alive: close it so the thread ends now.
  parentPort?.close();
  log.info('stopped');
}

main().catch((err: unknown) => {
  getLogger('thread').error(`pipeline thread failed: ${(err as Error).stack ?? String(err)}`);
  // Ends this thread only, open connections and all: the supervisor must see it go.
  process.exit(1);
});
