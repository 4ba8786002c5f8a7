/** What the benchmarks share: a database, node processes, signed transactions, percentiles. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, keypairSetting, type Config } from '../config/config';
import { Database, type DatabaseSettings } from '../db/connection';
import { startReqlite } from '../db/reqlite-compat';
import { initDatabase } from '../db/schema';
import { Block, type BlockDict } from '../models/block';
import { generateKeypair, type Keypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import type { BlockId, PublicKey, Timestamp } from '../models/types';
import { createVote } from '../models/vote';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CLI = join(__dirname, '..', 'cli', 'main.js');

/** BIGCHAINDB_BENCH_DATABASE=embedded: the node runs its own embedded database (`start --dev-start-rethinkdb`). */
export const onEmbeddedDatabase = process.env.BIGCHAINDB_BENCH_DATABASE === 'embedded';

/** BIGCHAINDB_BENCH_DATABASE=host:port, or reqlite started in this process on a free port. */
export async function databaseServer(): Promise<{ host: string; port: number }> {
  const given = process.env.BIGCHAINDB_BENCH_DATABASE;
  if (onEmbeddedDatabase) throw new Error('this benchmark fills the database before the node starts: BIGCHAINDB_BENCH_DATABASE=embedded is for http only');
  if (given) {
    const [host, port] = given.split(':');
    return { host: host || 'localhost', port: Number(port || 28015) };
  }
  return startReqlite('127.0.0.1', 0, { unref: true });
}

/** A new database with `node`'s genesis block. */
export async function freshChain(node: Keypair, label: string): Promise<{ db: Database; settings: DatabaseSettings }> {
  const server = await databaseServer();
  const settings = { ...server, name: `bench_${label}_${Date.now()}` };
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
 * A node of `node` serving on `bind`, on a fresh chain: in the database of
 * `databaseServer()`, or (BIGCHAINDB_BENCH_DATABASE=embedded) in the
 * embedded database the node starts, with a data folder of its own.
 */
export async function nodeOnFreshChain(node: Keypair, label: string, bind: string): Promise<{ settings: DatabaseSettings; child: ChildProcess; close(): Promise<void> }> {
  if (!onEmbeddedDatabase) {
    const { db, settings } = await freshChain(node, label);
    const child = startNode(settings, node, bind);
    await untilServing(bind);
    return { settings, child, close: () => db.close() };
  }
  const settings = { host: '127.0.0.1', port: await freePort(), name: 'bigchain' };
  const dataDir = mkdtempSync(join(tmpdir(), 'bdb-bench-data-'));
  const child = startNode(settings, node, bind, {}, ['--dev-start-rethinkdb', '--dev-data-dir', dataDir]);
  await untilServing(bind);
  return { settings, child, close: async () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** `bigchaindb start ...args` of `node` on `settings`, its API on `bind`, with `overrides` in its config file. */
export function startNode(settings: DatabaseSettings, node: Keypair, bind: string, overrides: Partial<Config> = {}, args: readonly string[] = []): ChildProcess {
  const config: Config = { ...defaultConfig(), database: settings, keypair: keypairSetting(node), ...overrides };
  config.server = { ...config.server, bind };
  const dir = mkdtempSync(join(tmpdir(), 'bdb-bench-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  // BENCH_NODE_ARGS: Node flags for the node process, e.g. --cpu-prof to see where its time goes.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...nodeArgs, CLI, '-c', path, 'start', ...args], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { PATH: process.env.PATH ?? '', HOME: dir, BIGCHAINDB_LOG_LEVEL: 'warn' },
  });
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

export function signedCreates(owner: Keypair, count: number): Transaction[] {
  return Array.from({ length: count }, (_, i) =>
    Transaction.create([owner.publicKey], [[[owner.publicKey], 1]], { metadata: { i } }).sign([owner.privateKey]));
}

/** CREATEs each signed by an owner of its own, as real clients are. */
export function createsByDistinctOwners(count: number): Transaction[] {
  return Array.from({ length: count }, () => {
    const owner = generateKeypair();
    return Transaction.create([owner.publicKey], [[[owner.publicKey], 1]]).sign([owner.privateKey]);
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
    const block = Block.create(txs, node.publicKey, voters, String(1_500_000_000 + from + done) as Timestamp).sign(node.privateKey);
    await db.run(db.table('bigchain').insert(block.toDict()));
    await db.run(db.table('votes').insert(createVote(node, block.id, await genesisId(db), true)));
  }
}

const genesisIds = new WeakMap<Database, BlockId>();

export async function genesisId(db: Database): Promise<BlockId> {
  if (!genesisIds.has(db)) genesisIds.set(db, (await db.run<BlockDict[]>(db.table('bigchain').limit(1)))[0]!.id);
  return genesisIds.get(db)!;
}
