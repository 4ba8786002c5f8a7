/** What the benchmarks share: a database, node processes, signed transactions, percentiles. */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, keypairSetting, type Config } from '../config/config';
import { Database, type DatabaseSettings } from '../db/connection';
import { startReqlite } from '../db/reqlite-compat';
import { getGenesisBlock, writeBlock } from '../db/queries/blocks';
import { writeVote } from '../db/queries/votes';
import { dropDatabase, initDatabase } from '../db/schema';
import { Block } from '../models/block';
import { generateKeypair, type Keypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import type { BlockId, PublicKey, Timestamp } from '../models/types';
import { createVote } from '../models/vote';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CLI = join(__dirname, '..', 'cli', 'main.js');

/** BIGCHAINDB_BENCH_DATABASE=embedded: the node runs its own embedded database (`start --dev-start-rethinkdb`). */
export const onEmbeddedDatabase = process.env.BIGCHAINDB_BENCH_DATABASE === 'embedded';

export interface DatabaseServer {
  readonly host: string;
  readonly port: number;
  /** The server's process, when the benchmark started it in one of its own. */
  readonly pid: number | null;
}

/**
 * BIGCHAINDB_BENCH_DATABASE=host:port, or reqlite: in a process of its own
 * (`ownProcess`, so that its CPU can be told apart), else in this one.
 */
export async function databaseServer(options: { ownProcess?: boolean } = {}): Promise<DatabaseServer> {
  const given = process.env.BIGCHAINDB_BENCH_DATABASE;
  if (onEmbeddedDatabase) throw new Error('this benchmark fills the database before the node starts: BIGCHAINDB_BENCH_DATABASE=embedded is for http and transfers only');
  if (given) {
    const [host, port] = given.split(':');
    return { host: host || 'localhost', port: Number(port || 28015), pid: null };
  }
  if (!options.ownProcess) return { ...(await startReqlite('127.0.0.1', 0, { unref: true })), pid: null };
  // Its output is the benchmark's: a database that fails says why.
  // BENCH_DB_ARGS: Node flags for it, as BENCH_NODE_ARGS for the node.
  const execArgv = (process.env.BENCH_DB_ARGS ?? '').split(' ').filter(Boolean);
  const child = fork(join(__dirname, 'reqlite-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  // Its IPC channel keeps this process alive; the benchmark ends with process.exit, which closes it.
  return { host: '127.0.0.1', port, pid: child.pid! };
}

/** Drops a chain `freshChain` made and closes its connection: on an operator's RethinkDB every run would leave one behind. */
export async function discardChain(db: Database): Promise<void> {
  await dropDatabase(db);
  await db.close();
}

/** A new database with `node`'s genesis block. */
export async function freshChain(node: Keypair, label: string, server?: DatabaseServer): Promise<{ db: Database; settings: DatabaseSettings }> {
  const { host, port } = server ?? (await databaseServer());
  const settings = { host, port, name: `bench_${label}_${Date.now()}` };
  const db = await Database.connect(settings);
  await initDatabase(db, node);
  return { db, settings };
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * A node of `node` serving on `bind` on the embedded database it starts
 * itself (`--dev-start-rethinkdb`), with a data folder of its own and
 * `overrides` in its config file.
 */
export async function nodeOnEmbeddedDatabase(node: Keypair, bind: string, overrides: Partial<Config> = {}): Promise<{ settings: DatabaseSettings; child: ChildProcess; removeData(): void }> {
  const settings = { host: '127.0.0.1', port: await freePort(), name: 'bigchain' };
  const dataDir = mkdtempSync(join(tmpdir(), 'bdb-bench-data-'));
  const child = await startNode(settings, node, bind, overrides, ['--dev-start-rethinkdb', '--dev-data-dir', dataDir]);
  await untilServing(bind);
  return { settings, child, removeData: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/**
 * `bigchaindb start ...args` of `node` on `settings`, its API on `bind`, with
 * `overrides` in its config file; its event stream on a free port unless
 * `overrides` sets one.
 */
export async function startNode(settings: DatabaseSettings, node: Keypair, bind: string, overrides: Partial<Config> = {}, args: readonly string[] = []): Promise<ChildProcess> {
  const wsserver = { ...defaultConfig().wsserver, host: '127.0.0.1', port: await freePort() };
  const config: Config = { ...defaultConfig(), database: settings, keypair: keypairSetting(node), wsserver, ...overrides };
  // BENCH_API_WORKERS: the node's server.workers, to compare API process counts.
  const workers = process.env.BENCH_API_WORKERS;
  config.server = { ...config.server, bind, ...(workers === undefined ? {} : { workers: Number(workers) }) };
  const dir = mkdtempSync(join(tmpdir(), 'bdb-bench-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  // BENCH_NODE_ARGS: Node flags for the node process, e.g. --cpu-prof to see where its time goes.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const keepLog = process.env.BENCH_LOG_LEVEL !== undefined;
  if (keepLog) console.log(`bench: node log in ${dir}`);
  const child = spawn(process.execPath, [...nodeArgs, CLI, '-c', path, 'start', ...args], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { PATH: process.env.PATH ?? '', HOME: dir, BIGCHAINDB_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' },
  });
  // The folder holds the node's private key: it goes when the node does, unless its log was asked for.
  if (!keepLog) child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return child;
}

export async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

/** Resolves once the API on `bind` answers. */
export async function untilServing(bind: string): Promise<void> {
  while (!(await fetch(`http://${bind}/`).then((r) => r.ok, () => false))) await sleep(200);
}

/** CREATEs each signed by an owner of its own, as real clients are, with the owner's keys to spend them. */
export function createsByDistinctOwners(count: number): { tx: Transaction; owner: Keypair }[] {
  return Array.from({ length: count }, () => {
    const owner = generateKeypair();
    return { tx: Transaction.create([owner.publicKey], [[[owner.publicKey], 1]]).sign([owner.privateKey]), owner };
  });
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Fills the chain with `count` transactions in valid blocks of 1000 (unsigned: only their index entries matter). */
export async function fillChain(db: Database, node: Keypair, voters: PublicKey[], count: number, from: number): Promise<void> {
  const owner = generateKeypair();
  for (let done = 0; done < count; done += 1000) {
    const txs = Array.from({ length: Math.min(1000, count - done) }, (_, i) =>
      Transaction.create([owner.publicKey], [[[owner.publicKey], 1]], { metadata: { n: from + done + i } }).toDict());
    await writeValidBlock(db, node, Block.create(txs, node.publicKey, voters, String(1_500_000_000 + from + done) as Timestamp).sign(node.privateKey));
  }
}

/** Writes `block` with `node`'s valid vote on it, chained to the genesis block: with `node` its only voter, it is valid. */
export async function writeValidBlock(db: Database, node: Keypair, block: Block): Promise<void> {
  await writeBlock(db, block.toDict());
  await writeVote(db, createVote(node, block.id, await genesisId(db), true));
}

const genesisIds = new WeakMap<Database, BlockId>();

async function genesisId(db: Database): Promise<BlockId> {
  if (!genesisIds.has(db)) {
    const genesis = await getGenesisBlock(db);
    if (genesis === null) throw new Error('the chain has no genesis block: run initDatabase first');
    genesisIds.set(db, genesis.id);
  }
  return genesisIds.get(db)!;
}
