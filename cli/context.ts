/** What every command shares: the global options, the loaded configuration, a database connection. */
import { loadConfig, type Config } from '../config/config';
import { Database } from '../db/connection';
import { getLogger } from '../logging/logger';

export interface GlobalOptions {
  config?: string;
  yes: boolean;
  devStartRethinkdb: boolean;
  devAllowTempKeypair: boolean;
  devDataDir?: string;
}

const log = getLogger('cli');

/** The configuration for `-c PATH` (or the default file), warnings logged. */
export function commandConfig(options: GlobalOptions): Config {
  const loaded = loadConfig({ path: options.config });
  for (const warning of loaded.warnings) log.warn(warning);
  return loaded.config;
}

/** Runs `fn` with a connection to the configured database, closed afterwards. */
export async function withDatabase<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.connect(config.database, { attempts: 3 });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
