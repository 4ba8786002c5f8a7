/** What every command shares: the global options, the loaded configuration, a database connection. */
import { loadConfig, type Config, type LoadedConfig } from '../config/config';
import { Database } from '../db/connection';
import { parseLogLevel, type LogLevel } from '../logging/levels';
import { configureLogging, getLogger, type LogSettings } from '../logging/logger';

export interface GlobalOptions {
  config?: string;
  yes: boolean;
  devStartRethinkdb: boolean;
  devAllowTempKeypair: boolean;
  /** `start --dev-create-config`: write the config file with a new keypair when there is none. */
  devCreateConfig: boolean;
  devDataDir?: string;
  /** `--log-level`: both the console's and the log file's level. */
  logLevel?: LogLevel;
}

const log = getLogger('cli');

/**
 * The configuration for `-c PATH` (or the default file), with the console
 * logging it asks for, warnings logged. Only `start` writes log files.
 */
export function commandConfig(options: GlobalOptions): Config {
  return loadCommandConfig(options).config;
}

/** `commandConfig`, with the file it was read from. */
export function loadCommandConfig(options: GlobalOptions): LoadedConfig {
  const loaded = loadConfig({ path: options.config });
  configureLogging(logSettings(loaded.config, options, { files: false }));
  for (const warning of loaded.warnings) log.warn(warning);
  return loaded;
}

/** The logging of `config`, where `--log-level` (else $BIGCHAINDB_LOG_LEVEL) overrides both levels. */
export function logSettings(config: Config, options: GlobalOptions, { files }: { files: boolean }): LogSettings {
  const override = options.logLevel ?? parseLogLevel(process.env.BIGCHAINDB_LOG_LEVEL);
  return {
    levelConsole: override ?? config.log.level_console,
    levelLogfile: override ?? config.log.level_logfile,
    file: files ? config.log.file : null,
    errorFile: files ? config.log.error_file : null,
    granularLevels: config.log.granular_levels,
    rotateBytes: config.log.rotate_bytes,
    rotateFiles: config.log.rotate_files,
  };
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
