/**
 * Federations of real `bigchaindb start` processes sharing one
 * RethinkDB-protocol server, for end-to-end tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, keypairSetting, type Config } from '../../config/config';
import { Bigchain } from '../../core/bigchain';
import { Database, type DatabaseSettings } from '../../db/connection';
import { initDatabase } from '../../db/schema';
import { generateKeypair, type Keypair } from '../../models/keys';
import { advertisedStreamUrl } from '../../stream/url';
import { freePort } from './cli';
import { beforeDroppingDatabases, uniqueDatabaseSettings } from './database';

const CLI = join(__dirname, '..', '..', 'cli', 'main.js');

export class NodeProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly keypair: Keypair,
    readonly configPath: string,
    readonly logPath: string,
    private readonly env: Record<string, string>,
    readonly config: Config,
  ) {}

  start(): void {
    const log = createWriteStream(this.logPath, { flags: 'a' });
    const child = spawn(process.execPath, [CLI, '-c', this.configPath, 'start'], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Stops the node with `signal` and waits for it to exit; returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    if (this.child === null) return null;
    this.child.kill(signal);
    const code = await this.exited;
    this.child = null;
    return code;
  }

  /** Resolves with the exit code when the node ends by itself. */
  whenExited(): Promise<number | null> {
    return this.exited;
  }

  get running(): boolean {
    return this.child !== null;
  }

  log(): string {
    return readFileSync(this.logPath, 'utf8');
  }

  /** The node's API root, as a client is given it: `http://host:port/api/v1`. */
  get apiUrl(): string {
    return `http://${this.config.server.bind}/api/v1`;
  }

  /** The node's stream of valid transactions. */
  get streamUrl(): string {
    return advertisedStreamUrl(this.config.wsserver);
  }

  /** Resolves once the node's API answers: its pipelines started before it. */
  async waitUntilServing(timeoutMs = 60_000): Promise<void> {
    await waitFor(`node ${this.keypair.publicKey} to serve its API`, async () => {
      try {
        return (await fetch(`http://${this.config.server.bind}/`)).ok;
      } catch {
        return false;
      }
    }, timeoutMs);
  }
}

export interface Federation {
  readonly nodes: NodeProcess[];
  /** A Bigchain of the test process, to write and read like node 0 would. */
  readonly bigchain: Bigchain;
  readonly db: Database;
  stopAll(): Promise<void>;
}

export interface FederationOptions {
  readonly size: number;
  readonly reassignDelay?: number;
  /** Extra environment of node i. */
  readonly envOf?: (i: number) => Record<string, string>;
  /** Settings of node i's config file that differ from the defaults; `database` is the federation's. */
  readonly configOf?: (i: number, database: DatabaseSettings) => Partial<Config>;
  /** Lays out the database before the nodes start; `initDatabase` with node 0's genesis block by default. */
  readonly layout?: (db: Database, genesisNode: Keypair) => Promise<void>;
  /** Nodes the test starts itself, later. */
  readonly notStarted?: readonly number[];
}

/** Lays out a fresh database with node 0's genesis block and starts `size` nodes, each with the others as keyring. */
export async function startFederation(options: FederationOptions): Promise<Federation> {
  const settings = await uniqueDatabaseSettings();
  const keypairs = Array.from({ length: options.size }, () => generateKeypair());
  const dir = mkdtempSync(join(tmpdir(), 'bdb-federation-'));
  const db = await Database.connect(settings);
  await (options.layout ?? initDatabase)(db, keypairs[0]!);
  const nodes = await Promise.all(keypairs.map(async (keypair, i) => {
    const config: Config = {
      ...defaultConfig(),
      // Each API and stream on free ports of their own, one API process: never the shared defaults 9984 and 9985.
      server: { ...defaultConfig().server, bind: `127.0.0.1:${await freePort()}`, workers: 1 },
      wsserver: { ...defaultConfig().wsserver, host: '127.0.0.1', port: await freePort() },
      database: settings,
      keypair: keypairSetting(keypair),
      keyring: keypairs.filter((k) => k !== keypair).map((k) => k.publicKey),
      backlog_reassign_delay: options.reassignDelay ?? 120,
      log: { ...defaultConfig().log, file: join(dir, `node${i}.file.log`), error_file: join(dir, `node${i}.errors.log`) },
      ...options.configOf?.(i, settings),
    };
    const configPath = join(dir, `node${i}.json`);
    writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
    return new NodeProcess(keypair, configPath, join(dir, `node${i}.log`), { BIGCHAINDB_LOG_LEVEL: 'info', ...(options.envOf?.(i) ?? {}) }, config);
  }));
  nodes.forEach((n, i) => {
    if (!options.notStarted?.includes(i)) n.start();
  });
  const federation: Federation = {
    nodes,
    db,
    bigchain: new Bigchain(db, { keypair: keypairs[0]!, keyring: keypairs.slice(1).map((k) => k.publicKey) }),
    async stopAll() {
      await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    },
  };
  beforeDroppingDatabases(async () => {
    await federation.stopAll();
    await db.close();
    // The nodes' config files hold their private keys; their logs have served the file's tests.
    rmSync(dir, { recursive: true, force: true });
  });
  return federation;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** `promise`, or a failure naming `what` after `timeoutMs`. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
