/**
 * `bigchaindb start`: development database if asked, init if needed, then
 * the node. The pipelines and the HTTP API are not in this build yet; with
 * --dev-start-rethinkdb it serves the development database until stopped.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config/config';
import { startDevelopmentDatabase, type DevelopmentDatabase } from '../../db/dev-database';
import { getLogger } from '../../logging/logger';
import { generateKeypair } from '../../models/keys';
import { commandConfig, type GlobalOptions } from '../context';
import { init } from './database';

const log = getLogger('start');

export function devDataDir(options: GlobalOptions): string {
  return options.devDataDir ?? process.env.BIGCHAINDB_DEV_DATA_DIR ?? join(homedir(), '.bigchaindb-dev');
}

export async function start(options: GlobalOptions): Promise<void> {
  const config = withTemporaryKeypair(commandConfig(options), options.devAllowTempKeypair);
  let devDatabase: DevelopmentDatabase | null = null;
  if (options.devStartRethinkdb) devDatabase = await startDevelopmentDatabase(config.database, devDataDir(options));
  try {
    await init(config);
    log.info(`node ${config.keypair.public} ready on database ${config.database.host}:${config.database.port}/${config.database.name}`);
    if (devDatabase === null) {
      log.warn('the pipelines and the HTTP API are not yet available in this build: nothing more to run');
      process.exitCode = 1;
      return;
    }
    log.warn('the pipelines and the HTTP API are not yet available in this build: serving the development database until interrupted');
    await untilSignalled();
  } finally {
    await devDatabase?.stop();
  }
}

function withTemporaryKeypair(config: Config, allowed: boolean): Config {
  if (!allowed) return config;
  if (config.keypair.public !== null || config.keypair.private !== null) {
    log.warn('keypair found, no need to create one on the fly');
    return config;
  }
  const keypair = generateKeypair();
  log.warn(`using a temporary keypair (public key ${keypair.publicKey}): it is lost when the node stops`);
  return { ...config, keypair: { public: keypair.publicKey, private: keypair.privateKey } };
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
