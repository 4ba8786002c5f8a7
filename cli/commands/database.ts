/** `init`, `drop`, `set-shards`, `set-replicas`: the database as a whole. */
import type { Config } from '../../config/config';
import { setReplicas, setShards } from '../../db/admin';
import { isUnsupportedByReqlite } from '../../db/reqlite-compat';
import { createTables, DatabaseAlreadyExists, DatabaseDoesNotExist, dropDatabase, initDatabase } from '../../db/schema';
import { getLogger } from '../../logging/logger';
import type { Keypair } from '../../models/keys';
import { commandConfig, withDatabase, type GlobalOptions } from '../context';
import { confirm } from '../prompt';

const log = getLogger('init');

export class KeypairNotFound extends Error {
  override name = 'KeypairNotFound';
}

/** The node's keypair from the configuration; the genesis block and blocks need it. */
export function nodeKeypair(config: Config): Keypair {
  const { public: publicKey, private: privateKey } = config.keypair;
  if (publicKey === null || privateKey === null) {
    throw new KeypairNotFound('no keypair in the configuration: run "bigchaindb configure" or set BIGCHAINDB_KEYPAIR_PUBLIC and BIGCHAINDB_KEYPAIR_PRIVATE');
  }
  return { publicKey, privateKey };
}

/**
 * Creates database, tables, indexes and genesis; false (with a message) when
 * the database already exists, after adding the tables and indexes it lacks
 * (one made by 0.8.2, or by an older version of this node).
 */
export async function init(config: Config): Promise<boolean> {
  const keypair = nodeKeypair(config);
  return withDatabase(config, async (db) => {
    try {
      await initDatabase(db, keypair);
      process.stderr.write(`Created database \`${db.name}\` with its tables, indexes and genesis block.\n`);
      return true;
    } catch (err) {
      if (!(err instanceof DatabaseAlreadyExists)) throw err;
      const added = await createTables(db);
      for (const what of added) log.info(`database "${db.name}" lacked ${what.includes('.') ? 'index' : 'table'} ${what}: created it`);
      const upgraded = added.length > 0 ? `Added what it lacked: ${added.join(', ')}.\n` : '';
      process.stderr.write(`The database \`${db.name}\` already exists.\n${upgraded}If you wish to re-initialize it, first drop it.\n`);
      return false;
    }
  });
}

export async function initCommand(options: GlobalOptions): Promise<void> {
  await init(commandConfig(options));
}

export async function drop(options: GlobalOptions): Promise<void> {
  const config = commandConfig(options);
  const name = config.database.name;
  if (!options.yes && !(await confirm(`Do you want to drop \`${name}\` database? [y/n]: `))) {
    process.stderr.write('Nothing dropped.\n');
    return;
  }
  await withDatabase(config, async (db) => {
    try {
      await dropDatabase(db);
      process.stderr.write(`Dropped database \`${name}\`.\n`);
    } catch (err) {
      if (err instanceof DatabaseDoesNotExist) throw new DatabaseDoesNotExist(`cannot drop \`${name}\`: the database does not exist`);
      throw err;
    }
  });
}

export class NeedsRealRethinkdb extends Error {
  override name = 'NeedsRealRethinkdb';
}

export async function reconfigureTables(options: GlobalOptions, what: 'shards' | 'replicas', count: number): Promise<void> {
  const config = commandConfig(options);
  await withDatabase(config, async (db) => {
    try {
      await (what === 'shards' ? setShards(db, count) : setReplicas(db, count));
    } catch (err) {
      if (isUnsupportedByReqlite(err)) {
        throw new NeedsRealRethinkdb(`set-${what} needs a RethinkDB server: the embedded development database does not shard or replicate`);
      }
      throw err;
    }
  });
  process.stderr.write(`Tables backlog, bigchain and votes of \`${config.database.name}\` now have ${count} ${what}.\n`);
}
