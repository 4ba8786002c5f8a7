/**
 * awsdeploy: from a checked deployment config to a running test cluster.
 * Every local check (config files, keypairs, host list, package) is made
 * before the first instance is launched; once instances exist, a failure
 * says how to get rid of them.
 */
import type { Config } from '../config/config';
import { getLogger } from '../logging/logger';
import { clientConfigs, clusterizeConfigs } from './clusterize';
import { readConfiles, writeConfiles } from './confiles';
import type { DeployConfig } from './deploy-conf';
import type { Ec2 } from './ec2';
import { DeployError, DeployFileError } from './errors';
import { readHostlist, writeHostlist } from './hostlist';
import { assignElasticIps } from './eips';
import { CLUSTER_TAG_KEY, ensureTagUnused, launchInstances, publicNames } from './instances';
import { firstKeypairs } from './keypairs-file';
import { withWorkDir } from './local-command';
import { dryRunLine, type Printer } from './output';
import { checkPackageSource, preparePackage } from './package-source';
import { runOnHosts } from './runner';
import type { Connector, RemoteHost } from './ssh';
import { clientTasks, serverTasks } from './tasks';

export interface DeployPaths {
  /** The node config files (bcdb_conf0…): read, and rewritten for the cluster. */
  readonly confiles: string;
  readonly keypairs: string;
  /** Where this deployment writes its hosts' public names. */
  readonly hostlist: string;
  /** The servers' host list, which load clients are pointed at. */
  readonly serversHostlist: string;
}

export interface DeployOptions {
  readonly config: DeployConfig;
  readonly paths: DeployPaths;
  readonly tag: string;
  readonly sshUser: string;
  /** The monitoring host, made every node's StatsD host. */
  readonly monitorHost?: string;
  /** The replication factor of the tables; min(3, NUM_NODES) when absent. */
  readonly replicas?: number;
  readonly dryRun: boolean;
}

export interface DeployServices {
  readonly ec2: Ec2;
  readonly connect: Connector;
  readonly print: Printer;
  /** The git repository BRANCH is taken from. */
  readonly repoRoot: string;
}

export interface Deployment {
  readonly tag: string;
  readonly instanceIds: readonly string[];
  readonly hosts: readonly string[];
}

const SSH_PORT = 22;
const log = getLogger('deploy');

export async function awsdeploy(options: DeployOptions, services: DeployServices): Promise<Deployment> {
  const { config, tag } = options;
  const nodeConfigs = nodeConfigMaker(options);
  const replicas = replicationFactor(options);
  checkPackageSource(config.BRANCH, services.repoRoot);
  await ensureTagUnused(services.ec2, tag);
  const instanceIds = await launchInstances(services.ec2, config, tag);
  try {
    await assignElasticIps(services.ec2, instanceIds, tag);
    const hosts = await publicNames(services.ec2, instanceIds);
    const configs = nodeConfigs(hosts);
    saveLocalFiles(options, hosts, configs, services.print);
    await provision(options, services, hosts, configs, replicas);
    return { tag, instanceIds, hosts };
  } catch (err) {
    if (!options.dryRun) {
      log.error(`instances ${instanceIds.join(', ')} (tag ${tag}) are still running: terminate them (terminate.sh --tag ${tag}) and release their addresses (release_eips.sh --tag ${tag})`);
    }
    throw err;
  }
}

/** Installs, configures and starts everything on the hosts, then says what was deployed. */
async function provision(options: DeployOptions, services: DeployServices, hosts: readonly string[], configs: readonly Config[], replicas: number): Promise<void> {
  const { config, tag } = options;
  await withWorkDir(async (workDir) => {
    const pkg = preparePackage(config.BRANCH, services.repoRoot, workDir, { dryRun: options.dryRun, print: services.print });
    const tasks = config.WHAT_TO_DEPLOY === 'servers' ? serverTasks({ config, hosts, configs, pkg, replicas }) : clientTasks(pkg, configs);
    await runOnHosts(hosts.map((host) => remoteHost(host, options.sshUser)), tasks, services.connect, services.print);
  });
  const deployed = `${hosts.length} ${config.WHAT_TO_DEPLOY} tagged ${CLUSTER_TAG_KEY}=${tag}`;
  if (options.dryRun) {
    services.print(`Dry run: nothing was launched, written or run; a real run deploys ${deployed}.`);
    return;
  }
  services.print(`Deployed ${deployed}:`);
  for (const host of hosts) services.print(`  ${host}`);
}

export function remoteHost(host: string, user: string): RemoteHost {
  return { name: host, address: host, port: SSH_PORT, user };
}

/**
 * Reads and checks every local input of the nodes' config files now, and
 * returns what makes the files once the hosts' names are known.
 */
function nodeConfigMaker(options: DeployOptions): (hosts: readonly string[]) => Config[] {
  const { config, paths, monitorHost } = options;
  if (config.WHAT_TO_DEPLOY === 'clients') {
    const servers = readHostlist(paths.serversHostlist);
    const publicKeys = readConfiles(paths.confiles, servers.length).map((c, index) => {
      if (c.keypair.public === null) throw new DeployFileError(`config file ${index} of the servers in ${paths.confiles} has no public key`);
      return c.keypair.public;
    });
    return () => clientConfigs(config.NUM_NODES, { hosts: servers, publicKeys }, monitorHost);
  }
  const defaults = readConfiles(paths.confiles, config.NUM_NODES);
  const keypairs = config.USE_KEYPAIRS_FILE ? firstKeypairs(paths.keypairs, config.NUM_NODES) : undefined;
  const make = (hosts: readonly string[]) => clusterizeConfigs(defaults, { hosts, keypairs, statsdHost: monitorHost });
  // Made once with stand-in names so that a missing or repeated keypair stops the deployment before the launch.
  make(defaults.map((_, index) => `node-${index}`));
  return make;
}

function replicationFactor(options: DeployOptions): number {
  const nodes = options.config.NUM_NODES;
  const replicas = options.replicas ?? Math.min(3, nodes);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > nodes) {
    throw new DeployError(`--replicas must be a whole number from 1 to NUM_NODES (${nodes}), got ${replicas}`);
  }
  return replicas;
}

/** The host list, and the servers' config files as the nodes get them (clients are pointed at them later). */
function saveLocalFiles(options: DeployOptions, hosts: readonly string[], configs: readonly Config[], print: Printer): void {
  const servers = options.config.WHAT_TO_DEPLOY === 'servers';
  if (options.dryRun) {
    print(dryRunLine('write', options.paths.hostlist));
    if (servers) print(dryRunLine('write', options.paths.confiles));
    return;
  }
  writeHostlist(options.paths.hostlist, hosts);
  if (servers) writeConfiles(options.paths.confiles, configs);
  log.info(`host list written to ${options.paths.hostlist}${servers ? `, cluster config files to ${options.paths.confiles}` : ''}`);
}
