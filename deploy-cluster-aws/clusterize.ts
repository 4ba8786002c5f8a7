/**
 * Turns default node config files into the config files of one federation
 * (the original's clusterize_confiles.py): each node keeps its own keypair
 * (or takes the next one of the keypairs file), lists every other node's
 * public key in its keyring, serves the API on every interface and
 * advertises it at its public name, and sends its metrics to the monitor.
 */
import { defaultConfig, keypairSetting, type Config } from '../config/config';
import { generateKeypair, type Keypair } from '../models/keys';
import type { PublicKey } from '../models/types';
import { DeployFileError } from './errors';

export const API_PORT = 9984;

export interface ClusterSettings {
  /** Public DNS name (or IP address) of each node, in node order. */
  readonly hosts: readonly string[];
  /** Keypairs to give the nodes in order instead of the files' own (USE_KEYPAIRS_FILE). */
  readonly keypairs?: readonly Keypair[];
  /** The monitoring host that receives StatsD metrics; the files' value stays when absent. */
  readonly statsdHost?: string;
}

export function apiEndpoint(host: string): string {
  return `http://${host}:${API_PORT}/api/v1`;
}

/** The federation's config files, one per host, from the default files `configs`. */
export function clusterizeConfigs(configs: readonly Config[], settings: ClusterSettings): Config[] {
  const { hosts, keypairs, statsdHost } = settings;
  if (hosts.length !== configs.length) throw new DeployFileError(`${configs.length} config files for ${hosts.length} hosts`);
  if (keypairs !== undefined && keypairs.length < configs.length) {
    throw new DeployFileError(`${keypairs.length} keypairs from the keypairs file for ${configs.length} nodes`);
  }
  const nodeKeys = configs.map((config, index) => nodeKeypair(config, keypairs?.[index], index));
  const publicKeys = nodeKeys.map((k) => k.public);
  const repeated = publicKeys.find((key, index) => publicKeys.indexOf(key) !== index);
  if (repeated !== undefined) throw new DeployFileError(`two nodes have the same public key ${repeated}: every node needs its own keypair`);
  return configs.map((config, index) => ({
    ...config,
    keypair: { ...nodeKeys[index]! },
    keyring: publicKeys.filter((_, other) => other !== index),
    server: { ...config.server, bind: `0.0.0.0:${API_PORT}` },
    // RethinkDB runs on every node and the nodes join it into one cluster.
    database: { ...config.database, host: 'localhost' },
    api_endpoint: apiEndpoint(hosts[index]!),
    statsd: { ...config.statsd, host: statsdHost ?? config.statsd.host },
  }));
}

/** A node's keypair, both halves present. */
type NodeKeys = ReturnType<typeof keypairSetting>;

function nodeKeypair(config: Config, fromFile: Keypair | undefined, index: number): NodeKeys {
  if (fromFile !== undefined) return keypairSetting(fromFile);
  if (config.keypair.public === null || config.keypair.private === null) {
    throw new DeployFileError(`config file ${index} has no keypair (make the files with make_confiles.sh, or set USE_KEYPAIRS_FILE=True)`);
  }
  return { public: config.keypair.public, private: config.keypair.private };
}

/** The federation a load client writes to. */
export interface ServerFederation {
  readonly hosts: readonly string[];
  readonly publicKeys: readonly PublicKey[];
}

/**
 * Config files of `count` load clients. `bigchaindb load` writes straight
 * into a server's database, so client i uses server i mod S; its keyring is
 * the servers' keys, so the transactions it writes are assigned to servers.
 */
export function clientConfigs(count: number, servers: ServerFederation, statsdHost?: string): Config[] {
  if (servers.hosts.length === 0) throw new DeployFileError('load clients need at least one server');
  return Array.from({ length: count }, (_, index) => {
    const server = servers.hosts[index % servers.hosts.length]!;
    const config = defaultConfig();
    return {
      ...config,
      keypair: keypairSetting(generateKeypair()),
      keyring: [...servers.publicKeys],
      database: { ...config.database, host: server },
      api_endpoint: apiEndpoint(server),
      statsd: { ...config.statsd, host: statsdHost ?? config.statsd.host },
    };
  });
}
