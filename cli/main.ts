#!/usr/bin/env node
/** The `bigchaindb` command (SPEC.md §11). */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { version } from './version';
import { getLogger, setEarlyConsoleLevel } from '../logging/logger';
import { parseCommands, reportFailure } from './command-line';
import { configure } from './commands/configure';
import { drop, initCommand, reconfigureTables } from './commands/database';
import { exportMyPubkey, showConfig } from './commands/inspect';
import { load } from './commands/load';
import { start } from './commands/start';
import type { GlobalOptions } from './context';
import { parseLogLevel, type LogLevel } from '../logging/levels';

const log = getLogger('cli');

function globalOptions(argv: Record<string, unknown>): GlobalOptions {
  return {
    config: argv.config as string | undefined,
    yes: argv.yes === true,
    devStartRethinkdb: argv['dev-start-rethinkdb'] === true,
    devAllowTempKeypair: argv['dev-allow-temp-keypair'] === true,
    devCreateConfig: argv['dev-create-config'] === true,
    devDataDir: argv['dev-data-dir'] as string | undefined,
    logLevel: argv['log-level'] as LogLevel | undefined,
  };
}

const positiveCount = (name: string) => (y: yargs.Argv) =>
  y.positional(name, { type: 'number', demandOption: true }).check((argv) => {
    const n = argv[name];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1`);
    return true;
  });

/**
 * As with 0.8's argparse, options after a command belong to it: `-c` after
 * `load` is its count, not the global config file (`bigchaindb -c FILE load -c 100`).
 */
export function commandScopedArgs(args: readonly string[]): string[] {
  const at = args.indexOf('load');
  if (at < 0) return [...args];
  return [...args.slice(0, at + 1), ...args.slice(at + 1).map((a) => (a === '-c' ? '--count' : a.startsWith('-c=') ? `--count=${a.slice(3)}` : a))];
}

async function main(): Promise<void> {
  await parseCommands(yargs(commandScopedArgs(hideBin(process.argv)))
    .scriptName('bigchaindb')
    .usage('$0 <command> [options]\n\nControl your BigchainDB node.')
    .option('config', { alias: 'c', type: 'string', describe: 'config file (default $BIGCHAINDB_CONFIG_PATH or ~/.bigchaindb; "-" = stdout for configure)' })
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'answer yes/defaults to every question' })
    .option('dev-start-rethinkdb', { type: 'boolean', default: false, describe: 'start a development database (rethinkdb from PATH, else the embedded one)' })
    .option('dev-allow-temp-keypair', { type: 'boolean', default: false, describe: 'make a temporary keypair if none is configured' })
    .option('dev-create-config', { type: 'boolean', default: false, describe: 'start: write the config file (-c, else ~/.bigchaindb) with a new keypair if there is none, then use it' })
    .option('dev-data-dir', { type: 'string', describe: 'data folder of the development database (default ~/.bigchaindb-dev)' })
    .option('log-level', {
      type: 'string',
      describe: 'level of the console and the log file (error, warning, info, debug; overrides log.level_console and log.level_logfile)',
      coerce: (text: string) => parseLogLevel(text) ?? (() => { throw new Error(`--log-level must be one of critical, error, warning, info, verbose, debug, notset; got "${text}"`); })(),
    })
    .middleware((argv) => {
      if (argv['log-level'] !== undefined) setEarlyConsoleLevel(argv['log-level'] as LogLevel);
    })
    .command('configure', 'write a config file with a new keypair', {}, async (argv) => configure(globalOptions(argv)))
    .command('show-config', 'print the configuration (private key masked)', {}, async (argv) => showConfig(globalOptions(argv)))
    .command('export-my-pubkey', "print this node's public key", {}, async (argv) => exportMyPubkey(globalOptions(argv)))
    .command('init', 'create the database, tables, indexes and genesis block', {}, async (argv) => initCommand(globalOptions(argv)))
    .command('drop', 'drop the database', {}, async (argv) => drop(globalOptions(argv)))
    .command('start', 'start the node', {}, async (argv) => start(globalOptions(argv)))
    .command('load', 'write signed CREATE transactions straight into the backlog', (y) => y
      .option('multiprocess', { alias: 'm', describe: 'processes (no number: one per core)' })
      .usage('$0 load [-m [N]] [-c COUNT]')
      .option('count', { type: 'number', describe: 'transactions in all (default: until interrupted)' })
      .check((argv) => {
        const m = argv.multiprocess;
        if (m !== undefined && m !== true && (typeof m !== 'number' || !Number.isInteger(m) || m < 1)) throw new Error('-m takes a whole number ≥ 1');
        if (argv.count !== undefined && (!Number.isInteger(argv.count) || argv.count < 1)) throw new Error('-c takes a whole number ≥ 1');
        return true;
      }),
    async (argv) => load(globalOptions(argv), { multiprocess: argv.multiprocess as number | boolean | undefined, count: argv.count }))
    .command('set-shards <num_shards>', 'shard the three tables into N shards', positiveCount('num_shards'),
      async (argv) => reconfigureTables(globalOptions(argv), 'shards', argv.num_shards))
    .command('set-replicas <num_replicas>', 'replicate the three tables N times', positiveCount('num_replicas'),
      async (argv) => reconfigureTables(globalOptions(argv), 'replicas', argv.num_replicas))
    .version(version)
    .alias('version', 'v'));
}

main().catch((err: unknown) => reportFailure('bigchaindb', err, log));
