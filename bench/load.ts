/**
 * `npm run bench -- http` and `npm run bench -- transfers`: one node loaded
 * through its HTTP API by concurrent clients, each transaction signed by a
 * key of its own, timed from POST to valid. Prints throughput, latency, CPU
 * milliseconds per transaction of the API processes, the node's process
 * (pipelines and their threads) and the database (reqlite in a process of
 * its own), and the queries the node sent per transaction.
 *
 *   BENCH_HTTP_COUNT (30000), BENCH_TRANSFERS_COUNT (10000), BENCH_CLIENTS (256),
 *   BENCH_RATE (transactions per second the clients are paced at; 0, the
 *   default: as fast as the node answers), BENCH_WARM_UP (0: CREATEs posted
 *   by as many clients and valid before an http load, not measured: the
 *   figures of a node that has run a while, not of one just started),
 *   BENCH_WS_CLIENTS (0: clients of the event stream during the load; it
 *   prints what each heard of and the CPU of the node's main thread, where
 *   the stream server runs)
 */
import type { ChildProcess } from 'node:child_process';
import { Database, type DatabaseSettings } from '../db/connection';
import { generateKeypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import type { VoteDict } from '../models/vote';
import { defaultConfig } from '../config/config';
import { advertisedStreamUrl } from '../stream/url';
import { childPids, cpuMs, cpuPerTransaction, snapshot, startQueryCounter, type CpuSnapshot, type QueryCounter } from './measure';
import { KeepAliveClient } from './http-client';
import { connectStreamClients, type StreamClients } from './stream-clients';
import { createsByDistinctOwners, databaseServer, discardChain, freePort, freshChain, nodeOnEmbeddedDatabase, onEmbeddedDatabase, percentile, sleep, startNode, stopNode, untilServing } from './support';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

interface BenchNode {
  readonly child: ChildProcess;
  readonly bind: string;
  readonly settings: DatabaseSettings;
  /** Null on the embedded database, which the node runs in its own process: no proxy can sit in between. */
  readonly counter: QueryCounter | null;
  readonly dbPid: number | null;
  readonly streamUrl: string;
  stop(): Promise<void>;
}

/** A node on a fresh database, its queries counted, its API serving. */
async function startBenchNode(label: string): Promise<BenchNode> {
  const key = generateKeypair();
  const bind = `127.0.0.1:${await freePort()}`;
  const wsserver = { ...defaultConfig().wsserver, host: '127.0.0.1', port: await freePort() };
  const streamUrl = advertisedStreamUrl(wsserver);
  if (onEmbeddedDatabase) {
    const { settings, child, removeData } = await nodeOnEmbeddedDatabase(key, bind, { wsserver });
    return { child, bind, settings, counter: null, dbPid: null, streamUrl, stop: async () => { await stopNode(child); removeData(); } };
  }
  const server = await databaseServer({ ownProcess: true });
  const { db, settings } = await freshChain(key, label, server);
  const counter = await startQueryCounter(server);
  const child = await startNode({ ...settings, host: '127.0.0.1', port: counter.port }, key, bind, { wsserver });
  await untilServing(bind);
  return {
    child, bind, settings, counter, dbPid: server.pid, streamUrl,
    async stop() {
      await stopNode(child);
      await counter.close();
      await discardChain(db);
    },
  };
}

function cpuGroups(node: BenchNode): Record<string, number[]> {
  return {
    api: childPids(node.child.pid!),
    pipelines: [node.child.pid!],
    ...(node.dbPid === null ? {} : { database: [node.dbPid] }),
  };
}

/** When each transaction's block got its valid vote (one node: the deciding one), watched on a connection of the benchmark's own. */
class ValidWatcher {
  readonly validAt = new Map<string, number>();
  private running = true;
  private done: Promise<void> = Promise.resolve();

  private constructor(private readonly db: Database) {}

  static async start(settings: DatabaseSettings): Promise<ValidWatcher> {
    const db = await Database.connect(settings);
    const watcher = new ValidWatcher(db);
    const feed = await db.feed(db.table('votes').changes());
    watcher.done = (async () => {
      while (watcher.running) {
        const change = (await feed.next().catch(() => null)) as { new_val: VoteDict | null } | null;
        if (change?.new_val?.vote.is_block_valid !== true) continue;
        // Only the ids: a whole block of 1000 cost the database and this process some 0.05 ms per transaction each with 16 clients, work no node does.
        const ids = await db.run<string[] | null>(db.table('bigchain').get(change.new_val.vote.voting_for_block)('block')('transactions')('id')).catch(() => null);
        const now = Date.now();
        for (const id of ids ?? []) watcher.validAt.set(id, now);
      }
    })();
    return watcher;
  }

  async until(ids: readonly string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (ids.some((id) => !this.validAt.has(id)) && Date.now() < deadline) await sleep(100);
  }

  /** Closing the connection ends the wait for a next change: without it, the benchmark waited for a vote that never came. */
  async stop(): Promise<void> {
    this.running = false;
    await this.db.close();
    await this.done;
  }
}

interface Posted {
  readonly postedAt: Map<string, number>;
  readonly postMs: number[];
  readonly failures: number;
  readonly seconds: number;
}

/** The first seconds of a load, apart in the latency figures: a node just started runs its code cold. */
const WARM_UP_MS = 5000;

/** POSTs every body from `clients` concurrent clients, paced at `rate` per second when it is above 0. */
async function postAll(bind: string, txs: readonly Transaction[], clients: number, rate: number): Promise<Posted> {
  const bodies = txs.map((tx) => ({ id: tx.id as string, body: JSON.stringify(tx.toDict()) }));
  const postedAt = new Map<string, number>();
  const postMs: number[] = [];
  let failures = 0;
  let next = 0;
  const [host, port] = bind.split(':');
  const started = Date.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    const client = new KeepAliveClient(host!, Number(port));
    for (let i = next++; i < bodies.length; i = next++) {
      if (rate > 0) await sleep(started + (i * 1000) / rate - Date.now());
      const t0 = Date.now();
      postedAt.set(bodies[i]!.id, t0);
      const answer = await client.post('/api/v1/transactions/', bodies[i]!.body).catch((err: Error) => ({ status: 0, text: String(err) }));
      if (answer.status !== 201) {
        if (failures++ < 3) console.log(`POST ${i}: ${answer.status} ${answer.text.slice(0, 300)}`);
      }
      postMs.push(Date.now() - t0);
    }
    client.close();
  }));
  return { postedAt, postMs: postMs.sort((a, b) => a - b), failures, seconds: (Date.now() - started) / 1000 };
}

/** Posts `txs`, waits until all are valid, and prints the figures of that load. */
async function measuredLoad(label: string, node: BenchNode, watcher: ValidWatcher, txs: readonly Transaction[]): Promise<void> {
  const clients = env('BENCH_CLIENTS', 256);
  const rate = env('BENCH_RATE', 0);
  const wsClients = env('BENCH_WS_CLIENTS', 0);
  const stream = wsClients > 0 ? await connectStreamClients(node.streamUrl, wsClients) : null;
  const groups = cpuGroups(node);
  const cpuBefore: CpuSnapshot = snapshot(groups);
  const mainThreadBefore = cpuMs(node.child.pid!, node.child.pid!);
  const benchBefore = process.cpuUsage();
  const queriesBefore = node.counter?.queries() ?? 0;
  const started = Date.now();
  const posted = await postAll(node.bind, txs, clients, rate);
  const ids = txs.map((tx) => tx.id as string);
  await watcher.until(ids, 600_000);
  await stream?.until(txs.length, 60_000);
  const cpuAfter = snapshot(groups);
  const mainThreadMs = cpuMs(node.child.pid!, node.child.pid!) - mainThreadBefore;
  const bench = process.cpuUsage(benchBefore);
  const queries = node.counter === null ? null : node.counter.queries() - queriesBefore;
  const valid = ids.filter((id) => watcher.validAt.has(id));
  const lastValid = Math.max(...valid.map((id) => watcher.validAt.get(id)!));
  const seconds = (lastValid - started) / 1000;
  const latenciesOf = (ids: string[]) => ids.map((id) => watcher.validAt.get(id)! - posted.postedAt.get(id)!).sort((a, b) => a - b);
  const latencies = latenciesOf(valid);
  const warmingUp = (id: string) => posted.postedAt.get(id)! - started < WARM_UP_MS;
  const [early, later] = [latenciesOf(valid.filter(warmingUp)), latenciesOf(valid.filter((id) => !warmingUp(id)))];
  const pacing = rate > 0 ? `paced at ${rate}/s` : 'unpaced';
  console.log(`${label}: ${txs.length} POSTs from ${clients} clients (${pacing}) in ${posted.seconds.toFixed(1)} s: ` +
    `${Math.round(txs.length / posted.seconds)} req/s, ${posted.failures} not 201, POST p50 ${percentile(posted.postMs, 50)} ms, p99 ${percentile(posted.postMs, 99)} ms`);
  console.log(`${label}: ${valid.length} valid after ${seconds.toFixed(1)} s: ${Math.round(valid.length / seconds)} tx/s to valid; ` +
    `POST→valid p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`);
  if (early.length > 0 && later.length > 0) {
    console.log(`${label}: POST→valid p99 of the ${early.length} POSTed in the first ${WARM_UP_MS / 1000} s (the node warming up) ${percentile(early, 99)} ms, ` +
      `of the ${later.length} after ${percentile(later, 99)} ms`);
  }
  console.log(`${label}: CPU ms per transaction: ${cpuPerTransaction(cpuBefore, cpuAfter, txs.length)}; ` +
    (queries === null ? 'queries not counted on the embedded database' : `${(queries / txs.length).toFixed(2)} queries per transaction`));
  console.log(`${label}: CPU ms per transaction of the node's main thread (stream server, supervisor, log files) ${(mainThreadMs / txs.length).toFixed(3)}, ` +
    `of the benchmark's process (HTTP clients${stream === null ? '' : ', stream clients'}) ${((bench.user + bench.system) / 1000 / txs.length).toFixed(2)}`);
  if (stream !== null) reportStream(label, stream, wsClients, txs.length);
}

function reportStream(label: string, stream: StreamClients, clients: number, transactions: number): void {
  const { distinct, repeats } = stream.counts();
  console.log(`${label}: ${clients} stream clients heard of ${Math.min(...distinct)}–${Math.max(...distinct)} of ${transactions} transactions each, ${repeats} repeated messages`);
  stream.close();
}

/** POSTs `txs` unpaced and waits until all are valid, measuring nothing. */
async function postUntilValid(node: BenchNode, watcher: ValidWatcher, txs: readonly Transaction[]): Promise<void> {
  if (txs.length === 0) return;
  await postAll(node.bind, txs, env('BENCH_CLIENTS', 256), 0);
  await watcher.until(txs.map((tx) => tx.id), 600_000);
}

export async function benchHttp(): Promise<void> {
  const count = env('BENCH_HTTP_COUNT', 30_000);
  console.log(`http: signing ${count} CREATEs, each with a key of its own…`);
  const txs = createsByDistinctOwners(count).map((c) => c.tx);
  const warmUp = createsByDistinctOwners(env('BENCH_WARM_UP', 0)).map((c) => c.tx);
  const node = await startBenchNode('http');
  const watcher = await ValidWatcher.start(node.settings);
  await postUntilValid(node, watcher, warmUp);
  await measuredLoad('http', node, watcher, txs);
  await watcher.stop();
  await node.stop();
}

/** TRANSFERs of outputs already valid: CREATEs are posted first (not measured), then one TRANSFER of each to a new key. */
export async function benchTransfers(): Promise<void> {
  const count = env('BENCH_TRANSFERS_COUNT', 10_000);
  console.log(`transfers: signing ${count} CREATEs to spend and their TRANSFERs…`);
  const origins = createsByDistinctOwners(count);
  const transfers = origins.map(({ tx, owner }) =>
    Transaction.transfer(tx.toInputs(), [[[generateKeypair().publicKey], 1]], tx.asset.id).sign([owner.privateKey]));
  const node = await startBenchNode('transfers');
  const watcher = await ValidWatcher.start(node.settings);
  await postUntilValid(node, watcher, origins.map((o) => o.tx));
  await measuredLoad('transfers', node, watcher, transfers);
  await watcher.stop();
  await node.stop();
}
