/** What the benchmarks share: a database, node processes, signed transactions, percentiles. */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, keypairSetting, type Config } from '../config/config';
import { Database, type DatabaseSettings } from '../db/connection';
import { startReqlite } from '../db/reqlite-compat';
import { initDatabase } from '../db/schema';
import { generateKeypair, type Keypair } from '../models/keys';
import { Transaction } from '../models/transaction';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CLI = join(__dirname, '..', 'cli', 'main.js');

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
  if (given) {
    const [host, port] = given.split(':');
    return { host: host || 'localhost', port: Number(port || 28015), pid: null };
  }
  if (!options.ownProcess) return { ...(await startReqlite('127.0.0.1', 0, { unref: true })), pid: null };
  // Its output is the benchmark's: a database that fails says why.
  const child = fork(join(__dirname, 'reqlite-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  // Its IPC channel keeps this process alive; the benchmark ends with process.exit, which closes it.
  return { host: '127.0.0.1', port, pid: child.pid! };
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
 * `bigchaindb start` of `node` on `settings`, its API on `bind`, with
 * `overrides` in its config file; its event stream on a free port unless
 * `overrides` sets one.
 */
export async function startNode(settings: DatabaseSettings, node: Keypair, bind: string, overrides: Partial<Config> = {}): Promise<ChildProcess> {
  const wsserver = { ...defaultConfig().wsserver, host: '127.0.0.1', port: await freePort() };
  const config: Config = { ...defaultConfig(), database: settings, keypair: keypairSetting(node), wsserver, ...overrides };
  config.server = { ...config.server, bind };
  const dir = mkdtempSync(join(tmpdir(), 'bdb-bench-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  // BENCH_NODE_ARGS: Node flags for the node process, e.g. --cpu-prof to see where its time goes.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...nodeArgs, CLI, '-c', path, 'start'], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { PATH: process.env.PATH ?? '', HOME: dir, BIGCHAINDB_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' },
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
