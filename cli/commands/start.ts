/**
 * `bigchaindb start`: development database if asked, init if needed, then
 * the event stream, the four pipelines and the HTTP API, until SIGINT/SIGTERM
 * stops them cleanly.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultConfigPath, envName, keypairSetting, type Config } from '../../config/config';
import { writeConfigFile } from '../../config/write';
import { startDevelopmentDatabase, type DevelopmentDatabase } from '../../db/dev-database';
import { configureLogging, getLogger, registerSecret } from '../../logging/logger';
import { generateKeypair, type Keypair } from '../../models/keys';
import { VerdictMemo } from '../../models/verdict-memo';
import { nodeSettings } from '../../pipelines/node-settings';
import { startPipelines } from '../../pipelines/supervisor';
import { version } from '../version';
import { startApi } from '../../server/cluster';
import type { ValidTransactionEvent } from '../../stream/events';
import { startStreamServer } from '../../stream/server';
import { advertisedStreamUrl } from '../../stream/url';
import { UsageError } from '../command-line';
import { loadCommandConfig, logSettings, type GlobalOptions } from '../context';
import { newConfiguration } from './configure';
import { init, nodeKeypair } from './database';

const log = getLogger('start');

export function devDataDir(options: GlobalOptions): string {
  return options.devDataDir ?? process.env.BIGCHAINDB_DEV_DATA_DIR ?? join(homedir(), '.bigchaindb-dev');
}

export async function start(options: GlobalOptions): Promise<void> {
  const created = options.devCreateConfig ? createConfigIfMissing(options) : null;
  const loaded = loadCommandConfig(options);
  const { config, key } = withTemporaryKeypair(loaded.config, options.devAllowTempKeypair, keySource(loaded.path, created));
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
      await runNode(config, keypair, { key, devDatabase }, (events) => stream.publish(events));
    } finally {
      await stream.close();
    }
  } finally {
    await devDatabase?.stop();
  }
}

/** The config file `start --dev-create-config` uses: written now, as `configure -y` would, when there is none; null when it was there. */
function createConfigIfMissing(options: GlobalOptions): string | null {
  const path = options.config ?? defaultConfigPath();
  if (path === '-') throw new UsageError('--dev-create-config needs a config file, not "-"');
  if (existsSync(path)) return null;
  writeConfigFile(path, newConfiguration());
  log.info(`wrote ${path} (mode 0600) with a new keypair: later starts use it`);
  return path;
}

/** Where the node's key comes from, for the banner. */
function keySource(path: string | null, created: string | null): string {
  if (process.env[envName('keypair.private')] !== undefined) return `from ${envName('keypair.private')}`;
  if (path === null) return '(none configured)';
  return created === path ? `${path} (written now, mode 0600)` : path;
}

/** What the banner says of where the node's key and data are. */
interface NodeOrigins {
  readonly key: string;
  readonly devDatabase: DevelopmentDatabase | null;
}

async function runNode(config: Config, keypair: Keypair, origins: NodeOrigins, onValidTransactions: (events: readonly ValidTransactionEvent[]) => void): Promise<void> {
  // Filled by the API processes and the validation threads alike: each signature is verified once.
  const memo = VerdictMemo.create();
  const pipelines = startPipelines(nodeSettings(config, keypair), memo.memory, onValidTransactions);
  const signalled = untilSignalled();
  try {
    await Promise.race([pipelines.started, signalled]);
  } catch (err) {
    // A pipeline that cannot start leaves no half-started node behind.
    await pipelines.stop();
    throw err;
  }
  const api = await startApi({ config, keypair, version }, memo);
  process.stderr.write(banner(config, keypair.publicKey, origins));
  const lost = await untilSignalledOrLost(signalled, origins.devDatabase);
  // The API stops first, so nothing is accepted that the pipelines would not see.
  await api.stop();
  await pipelines.stop();
  if (lost !== null) throw lost;
}

/** Null once signalled; the error when the development database stops serving first. */
async function untilSignalledOrLost(signalled: Promise<void>, devDatabase: DevelopmentDatabase | null): Promise<Error | null> {
  if (devDatabase === null) return signalled.then(() => null);
  return Promise.race([signalled.then(() => null), devDatabase.lost.catch((err: Error) => err)]);
}

function banner(config: Config, publicKey: string, { key, devDatabase }: NodeOrigins): string {
  return [
    '',
    `BigchainDB ${version} node ${publicKey}`,
    `  API:      http://${config.server.bind}/ (api_endpoint ${config.api_endpoint})`,
    `  stream:   ${advertisedStreamUrl(config.wsserver)}`,
    `  database: ${config.database.host}:${config.database.port}/${config.database.name}`,
    `  key:      ${key}`,
    `  data:     ${devDatabase?.data ?? `on the database server ${config.database.host}:${config.database.port}`}`,
    `  keyring:  ${config.keyring.length === 0 ? '(none: a federation of one)' : config.keyring.join(', ')}`,
    'Stop with Ctrl-C (SIGINT) or SIGTERM.',
    '',
    '',
  ].join('\n');
}

function withTemporaryKeypair(config: Config, allowed: boolean, key: string): { config: Config; key: string } {
  if (!allowed) return { config, key };
  if (config.keypair.public !== null || config.keypair.private !== null) {
    log.warn('keypair found, no need to create one on the fly');
    return { config, key };
  }
  const keypair = generateKeypair();
  log.warn(`using a temporary keypair (public key ${keypair.publicKey}): it is lost when the node stops`);
  return { config: { ...config, keypair: keypairSetting(keypair) }, key: 'temporary (--dev-allow-temp-keypair): lost when the node stops' };
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
