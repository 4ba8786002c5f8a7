/**
 * `bigchaindb start`: development database if asked, init if needed, then
 * the event stream, the four pipelines and the HTTP API, until SIGINT/SIGTERM
 * stops them cleanly.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { keypairSetting, type Config } from '../../config/config';
import { startDevelopmentDatabase, type DevelopmentDatabase } from '../../db/dev-database';
import { configureLogging, getLogger, registerSecret } from '../../logging/logger';
import { generateKeypair, type Keypair } from '../../models/keys';
import { nodeSettings } from '../../pipelines/node-settings';
import { startPipelines } from '../../pipelines/supervisor';
import { version } from '../version';
import { startApi } from '../../server/cluster';
import type { ValidTransactionEvent } from '../../stream/events';
import { startStreamServer } from '../../stream/server';
import { advertisedStreamUrl } from '../../stream/url';
import { commandConfig, logSettings, type GlobalOptions } from '../context';
import { init, nodeKeypair } from './database';

const log = getLogger('start');

export function devDataDir(options: GlobalOptions): string {
  return options.devDataDir ?? process.env.BIGCHAINDB_DEV_DATA_DIR ?? join(homedir(), '.bigchaindb-dev');
}

export async function start(options: GlobalOptions): Promise<void> {
  const config = withTemporaryKeypair(commandConfig(options), options.devAllowTempKeypair);
  if (config.keypair.private !== null) registerSecret(config.keypair.private);
  // Before the pipelines and the API start: they forward at the level set here.
  configureLogging(logSettings(config, options, { files: true }));
  let devDatabase: DevelopmentDatabase | null = null;
  if (options.devStartRethinkdb) devDatabase = await startDevelopmentDatabase(config.database, devDataDir(options));
  try {
    const keypair = nodeKeypair(config);
    await init(config);
    // Before the pipelines, so that it hears of the first block they find valid.
    const stream = await startStreamServer(config.wsserver);
    try {
      await runNode(config, keypair, (events) => stream.publish(events));
    } finally {
      await stream.close();
    }
  } finally {
    await devDatabase?.stop();
  }
}

async function runNode(config: Config, keypair: Keypair, onValidTransactions: (events: readonly ValidTransactionEvent[]) => void): Promise<void> {
  const pipelines = startPipelines(nodeSettings(config, keypair), onValidTransactions);
  const signalled = untilSignalled();
  try {
    await Promise.race([pipelines.started, signalled]);
  } catch (err) {
    // A pipeline that cannot start leaves no half-started node behind.
    await pipelines.stop();
    throw err;
  }
  const api = await startApi({ config, keypair, version });
  process.stderr.write(banner(config, keypair.publicKey));
  await signalled;
  // The API stops first, so nothing is accepted that the pipelines would not see.
  await api.stop();
  await pipelines.stop();
}

function banner(config: Config, publicKey: string): string {
  return [
    '',
    `BigchainDB ${version} node ${publicKey}`,
    `  API:      http://${config.server.bind}/ (api_endpoint ${config.api_endpoint})`,
    `  stream:   ${advertisedStreamUrl(config.wsserver)}`,
    `  database: ${config.database.host}:${config.database.port}/${config.database.name}`,
    `  keyring:  ${config.keyring.length === 0 ? '(none: a federation of one)' : config.keyring.join(', ')}`,
    'Stop with Ctrl-C (SIGINT) or SIGTERM.',
    '',
    '',
  ].join('\n');
}

function withTemporaryKeypair(config: Config, allowed: boolean): Config {
  if (!allowed) return config;
  if (config.keypair.public !== null || config.keypair.private !== null) {
    log.warn('keypair found, no need to create one on the fly');
    return config;
  }
  const keypair = generateKeypair();
  log.warn(`using a temporary keypair (public key ${keypair.publicKey}): it is lost when the node stops`);
  return { ...config, keypair: keypairSetting(keypair) };
}

function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      log.info(`${signal} received, stopping`);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
