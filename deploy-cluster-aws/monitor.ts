/**
 * The monitoring host (the original's fabfile-monitor.py): Docker on an
 * instance launched beforehand, then the repository's monitoring compose
 * file (StatsD/Telegraf, InfluxDB, Grafana) uploaded and started there.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DeployFileError } from './errors';
import { runLocal, withWorkDir } from './local-command';
import type { Printer } from './output';
import { runOnHosts } from './runner';
import type { Connector, RemoteHost } from './ssh';
import { monitorTasks } from './tasks';

export const MONITOR_COMPOSE_FILE = 'docker-compose-monitor.yml';

export interface MonitorOptions {
  readonly host: RemoteHost;
  readonly composeFile: string;
  /** Files or folders the compose file uses, relative to its folder; uploaded with it. */
  readonly extraFiles: readonly string[];
  readonly dryRun: boolean;
}

export interface MonitorServices {
  readonly connect: Connector;
  readonly print: Printer;
}

export async function deployMonitor(options: MonitorOptions, services: MonitorServices): Promise<void> {
  const folder = dirname(options.composeFile);
  for (const file of [basename(options.composeFile), ...options.extraFiles]) {
    if (!existsSync(join(folder, file))) throw new DeployFileError(`${join(folder, file)} does not exist: the monitoring host needs it`);
  }
  await withWorkDir(async (workDir) => {
    const bundle = join(workDir, 'bigchaindb-monitor.tar.gz');
    runLocal('tar', ['czf', bundle, '-C', folder, basename(options.composeFile), ...options.extraFiles], { dryRun: options.dryRun, print: services.print });
    await runOnHosts([options.host], monitorTasks(bundle, basename(options.composeFile)), services.connect, services.print);
  });
  if (!options.dryRun) services.print(`Monitoring runs on ${options.host.name}: Grafana at http://${options.host.name}:3000/, StatsD on UDP port 8125`);
}
