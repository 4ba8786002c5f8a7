#!/usr/bin/env node
/**
 * The deployer's command line (the shell wrappers beside it call it):
 * deploy, make-confiles, write-keypairs-file, clusterize-confiles,
 * release-eips, terminate, deploy-monitor. Paths default to files beside
 * the deployment config file, as the original kept them in its folder.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { parseCommands, reportFailure } from '../cli/command-line';
import { getLogger } from '../logging/logger';
import { clusterizeConfigs } from './clusterize';
import { makeConfiles, readConfiles, writeConfiles } from './confiles';
import { awsdeploy, remoteHost, type DeployPaths } from './deploy';
import { readDeployConf } from './deploy-conf';
import { dryRunEc2, sdkEc2, type Ec2 } from './ec2';
import { releaseElasticIps } from './eips';
import { DeployConfigError } from './errors';
import { readHostlist } from './hostlist';
import { defaultTag, terminateCluster } from './instances';
import { firstKeypairs, writeKeypairsFile } from './keypairs-file';
import { deployMonitor, MONITOR_COMPOSE_FILE } from './monitor';
import { stdoutPrinter } from './output';
import { dryRunConnector, loadSshAuth, sshConnector, type Connector } from './ssh';

const log = getLogger('deploy');

/** The repository this file is compiled into (dist/deploy-cluster-aws/cli.js). */
const REPO_ROOT = resolve(__dirname, '..', '..');

function ec2For(dryRun: boolean, region: string | undefined): Ec2 {
  return dryRun ? dryRunEc2(stdoutPrinter) : sdkEc2(new EC2Client(region === undefined ? {} : { region }));
}

function connectorFor(dryRun: boolean, keyPath: string): Connector {
  if (!dryRun) return sshConnector(loadSshAuth(keyPath));
  if (!existsSync(keyPath)) log.warn(`no SSH private key at ${keyPath}: a real run would stop here`);
  return dryRunConnector;
}

const count = (name: string) => (argv: Record<string, unknown>) => {
  const n = argv[name];
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1`);
  return true;
};

async function deployCommand(argv: {
  conf: string; tag?: string; 'dry-run': boolean; confiles?: string; keypairs?: string; hostlist?: string; 'servers-hostlist'?: string;
  'ssh-key'?: string; 'ssh-user': string; 'monitor-host'?: string; replicas?: number; region?: string;
}): Promise<void> {
  const config = readDeployConf(argv.conf);
  const beside = (name: string) => join(dirname(resolve(argv.conf)), name);
  const paths: DeployPaths = {
    confiles: argv.confiles ?? beside('confiles'),
    keypairs: argv.keypairs ?? beside('keypairs.json'),
    hostlist: argv.hostlist ?? beside(`hostlist_${config.WHAT_TO_DEPLOY}`),
    serversHostlist: argv['servers-hostlist'] ?? beside('hostlist_servers'),
  };
  const dryRun = argv['dry-run'];
  await awsdeploy({
    config,
    paths,
    tag: argv.tag ?? defaultTag(config.WHAT_TO_DEPLOY),
    sshUser: argv['ssh-user'],
    monitorHost: argv['monitor-host'],
    replicas: argv.replicas,
    dryRun,
  }, {
    ec2: ec2For(dryRun, argv.region),
    connect: connectorFor(dryRun, argv['ssh-key'] ?? join(homedir(), '.ssh', config.SSH_KEY_NAME)),
    print: stdoutPrinter,
    repoRoot: REPO_ROOT,
  });
}

function clusterizeCommand(argv: { dir: string; count: number; hostlist: string; keypairs?: string; 'monitor-host'?: string }): void {
  const hosts = readHostlist(argv.hostlist);
  const keypairs = argv.keypairs === undefined ? undefined : firstKeypairs(argv.keypairs, argv.count);
  const configs = clusterizeConfigs(readConfiles(argv.dir, argv.count), { hosts, keypairs, statsdHost: argv['monitor-host'] });
  writeConfiles(argv.dir, configs);
  stdoutPrinter(`Rewrote ${configs.length} config files in ${argv.dir} for ${hosts.join(', ')}`);
}

const awsOptions = (y: yargs.Argv) => y
  .option('region', { type: 'string', describe: 'AWS region (default: AWS_REGION or your AWS profile\'s region)' })
  .option('dry-run', { type: 'boolean', default: false, describe: 'print every AWS call and remote command instead of making it' });

async function main(): Promise<void> {
  await parseCommands(yargs(hideBin(process.argv))
    .scriptName('awsdeploy')
    .usage('$0 <command> [options]\n\nDeploy a BigchainDB test cluster on AWS.')
    .command('deploy <conf>', 'launch, configure and start a cluster (servers or load clients) as the deployment config file says',
      (y) => awsOptions(y)
        .positional('conf', { type: 'string', demandOption: true, describe: 'deployment config file (see example_deploy_conf.env)' })
        .option('tag', { type: 'string', describe: 'tag of the deployment (default BDB-<WHAT_TO_DEPLOY>-<UTC time>)' })
        .option('confiles', { type: 'string', describe: 'folder of node config files (default: confiles beside the config file)' })
        .option('keypairs', { type: 'string', describe: 'keypairs file for USE_KEYPAIRS_FILE=True (default: keypairs.json beside it)' })
        .option('hostlist', { type: 'string', describe: 'host list to write (default: hostlist_<WHAT_TO_DEPLOY> beside it)' })
        .option('servers-hostlist', { type: 'string', describe: 'servers the clients load (default: hostlist_servers beside it)' })
        .option('ssh-key', { type: 'string', describe: 'SSH private key (default ~/.ssh/<SSH_KEY_NAME>)' })
        .option('ssh-user', { type: 'string', default: 'ubuntu', describe: 'user on the instances' })
        .option('monitor-host', { type: 'string', describe: 'monitoring host: every node sends its StatsD metrics there' })
        .option('replicas', { type: 'number', describe: 'replication factor of the tables (default min(3, NUM_NODES))' }),
      (argv) => deployCommand(argv))
    .command('make-confiles <dir> <count>', 'write <count> default node config files with fresh keypairs into <dir>',
      (y) => y.positional('dir', { type: 'string', demandOption: true }).positional('count', { type: 'number', demandOption: true }).check(count('count')),
      (argv) => {
        for (const path of makeConfiles(argv.dir, argv.count)) stdoutPrinter(`Wrote ${path}`);
      })
    .command('write-keypairs-file <count>', 'write <count> fresh node keypairs to a keypairs file (mode 0600)',
      (y) => y.positional('count', { type: 'number', demandOption: true }).check(count('count'))
        .option('file', { type: 'string', default: 'keypairs.json', describe: 'the keypairs file' }),
      (argv) => {
        writeKeypairsFile(argv.file, argv.count);
        stdoutPrinter(`Wrote ${argv.count} keypairs to ${argv.file}`);
      })
    .command('clusterize-confiles <dir> <count>', 'rewrite the config files of <dir> for the hosts of a host list (deploy does this itself)',
      (y) => y.positional('dir', { type: 'string', demandOption: true }).positional('count', { type: 'number', demandOption: true }).check(count('count'))
        .option('hostlist', { type: 'string', demandOption: true, describe: 'host list, one public name per line in node order' })
        .option('keypairs', { type: 'string', describe: 'give the nodes the keypairs of this keypairs file' })
        .option('monitor-host', { type: 'string', describe: 'StatsD host of every node' }),
      (argv) => clusterizeCommand(argv))
    .command('release-eips', 'disassociate and release the elastic IPs of a deployment (--tag), or every unassociated one',
      (y) => awsOptions(y).option('tag', { type: 'string', describe: 'the deployment whose addresses to release' }),
      async (argv) => {
        await releaseElasticIps(ec2For(argv['dry-run'], argv.region), argv.tag === undefined ? { unassociated: true as const } : { tag: argv.tag }, stdoutPrinter);
      })
    .command('terminate', 'terminate every instance of a deployment',
      (y) => awsOptions(y).option('tag', { type: 'string', demandOption: true, describe: 'the deployment to terminate' }),
      async (argv) => {
        const ids = await terminateCluster(ec2For(argv['dry-run'], argv.region), argv.tag);
        stdoutPrinter(`Terminating ${ids.length} instances of ${argv.tag}${ids.length > 0 ? `: ${ids.join(', ')}` : ''}`);
      })
    .command('deploy-monitor <host>', 'install Docker on <host> and start the monitoring compose file there',
      (y) => y.positional('host', { type: 'string', demandOption: true, describe: 'public name of an Ubuntu instance' })
        .option('ssh-key', { type: 'string', demandOption: true, describe: 'SSH private key of the instance' })
        .option('ssh-user', { type: 'string', default: 'ubuntu', describe: 'user on the instance' })
        .option('compose-file', { type: 'string', default: join(REPO_ROOT, MONITOR_COMPOSE_FILE), describe: 'the monitoring compose file' })
        .option('with', { type: 'string', array: true, default: [] as string[], describe: 'a file or folder the compose file uses (relative to its folder); repeatable' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print every remote command instead of running it' }),
      async (argv) => {
        await deployMonitor({
          host: remoteHost(argv.host, argv['ssh-user']),
          composeFile: resolve(argv['compose-file']),
          extraFiles: argv.with,
          dryRun: argv['dry-run'],
        }, { connect: connectorFor(argv['dry-run'], argv['ssh-key']), print: stdoutPrinter });
      }));
}

/** A config error gets a line per problem; any other failure one line. */
main().catch((err: unknown) => reportFailure('awsdeploy', err, log, err instanceof DeployConfigError ? [`${err.source}:`, ...err.problems.map((p) => `  ${p}`)] : undefined));
