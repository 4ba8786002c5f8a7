/**
 * `npm run bench [-- backlog|http|transfers|transfer|failover|embedded]`:
 * one node against the database named by BIGCHAINDB_BENCH_DATABASE=host:port,
 * or reqlite started by the benchmark; for http and transfers,
 * BIGCHAINDB_BENCH_DATABASE=embedded runs the node on its own embedded
 * database. Prints figures; asserts nothing.
 *
 *   backlog   10,000 CREATEs put in the backlog, then the node started:
 *             seconds until all are in valid blocks.
 *   http      30,000 CREATEs POSTed by 256 clients, each signed by a key of
 *             its own: throughput, latency from POST to valid, CPU per
 *             transaction per process, queries per transaction (bench/load.ts).
 *   transfers 10,000 TRANSFERs of valid outputs the same way.
 *   transfer  time to validate one TRANSFER with 1,000 and with 100,000
 *             transactions in the chain.
 *   failover  three nodes under load, one cut off from its database:
 *             accepted transactions lost or in two valid blocks (bench/failover.ts).
 *   embedded  100,000 transactions in the embedded database: size on disk,
 *             node start time and memory (bench/embedded.ts).
 */
import { Bigchain } from '../core/bigchain';
import { Database } from '../db/connection';
import { countBacklog, insertBacklogRows } from '../db/queries/backlog';
import { countBlocks } from '../db/queries/blocks';
import { Block } from '../models/block';
import { generateKeypair, type Keypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import type { Timestamp } from '../models/types';
import { benchEmbedded } from './embedded';
import { benchFailover } from './failover';
import { benchHttp, benchTransfers } from './load';
import { createsByDistinctOwners, discardChain, fillChain, freePort, freshChain, onEmbeddedDatabase, sleep, startNode, stopNode, writeValidBlock } from './support';

/** Votes cast = blocks written (but genesis): with one node, every block then has its deciding vote. */
async function allVoted(db: Database): Promise<boolean> {
  const [blocks, votes] = await Promise.all([countBlocks(db), db.run<number>(db.table('votes').count())]);
  return votes === blocks - 1;
}

async function benchBacklog(): Promise<void> {
  const count = Number(process.env.BENCH_BACKLOG_COUNT ?? 10_000);
  const node = generateKeypair();
  const { db, settings } = await freshChain(node, 'backlog');
  console.log(`backlog: signing ${count} CREATEs…`);
  const txs = createsByDistinctOwners(count).map((c) => c.tx);
  for (let i = 0; i < txs.length; i += 500) {
    await insertBacklogRows(db, txs.slice(i, i + 500).map((tx) => ({ ...tx.toDict(), assignee: node.publicKey, assignment_timestamp: Date.now() / 1000 })));
  }
  const started = Date.now();
  const child = await startNode(settings, node, `127.0.0.1:${await freePort()}`);
  while (!((await countBacklog(db)) === 0 && (await allVoted(db)))) await sleep(200);
  const seconds = (Date.now() - started) / 1000;
  await stopNode(child);
  const blocks = (await countBlocks(db)) - 1;
  console.log(`backlog: ${count} transactions from the backlog into valid blocks in ${seconds.toFixed(1)} s ` +
    `(node start included): ${Math.round(count / seconds)} tx/s, ${blocks} blocks`);
  await discardChain(db);
}

async function timeTransfer(db: Database, node: Keypair): Promise<{ cold: number; warm: number }> {
  const alice = generateKeypair();
  const origin = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]]).sign([alice.privateKey]);
  const block = Block.create([origin], node.publicKey, [node.publicKey], String(Math.floor(Date.now() / 1000)) as Timestamp).sign(node.privateKey);
  await writeValidBlock(db, node, block);
  const transfer = Transaction.transfer(origin.toInputs(), [[[node.publicKey], 1]], origin.asset.id).sign([alice.privateKey]);
  const runs = 100;
  const measure = async (fresh: boolean) => {
    let bigchain = new Bigchain(db, { keypair: node, keyring: [] });
    await bigchain.validateTransaction(transfer);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) {
      if (fresh) bigchain = new Bigchain(db, { keypair: node, keyring: [] });
      await bigchain.validateTransaction(transfer);
    }
    return Number(process.hrtime.bigint() - t0) / 1e6 / runs;
  };
  return { cold: await measure(true), warm: await measure(false) };
}

async function benchTransfer(): Promise<void> {
  const node = generateKeypair();
  const sizes = (process.env.BENCH_CHAIN_SIZES ?? '1000,100000').split(',').map(Number);
  const { db } = await freshChain(node, 'transfer');
  let filled = 0;
  for (const size of sizes) {
    const t0 = Date.now();
    await fillChain(db, node, [node.publicKey], size - filled, filled);
    filled = size;
    console.log(`transfer: chain filled to ${size} transactions (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    const { cold, warm } = await timeTransfer(db, node);
    console.log(`transfer: validating one TRANSFER with ${size} transactions in the chain: ${warm.toFixed(2)} ms (election cache warm), ${cold.toFixed(2)} ms (cold)`);
  }
  await discardChain(db);
}

const parts: Record<string, () => Promise<void>> = {
  backlog: benchBacklog, http: benchHttp, transfers: benchTransfers, transfer: benchTransfer, failover: benchFailover, embedded: benchEmbedded,
};

async function main(): Promise<void> {
  const chosen = process.argv.slice(2).filter((a) => a in parts);
  const database = onEmbeddedDatabase ? "the node's embedded database (--dev-start-rethinkdb)" : process.env.BIGCHAINDB_BENCH_DATABASE ?? 'reqlite (started by the benchmark)';
  console.log(`bench: node ${process.version}, database ${database}`);
  // The failover and embedded scenarios run minutes: only when named.
  for (const name of chosen.length > 0 ? chosen : ['backlog', 'http', 'transfers', 'transfer']) await parts[name]!();
  process.exit(0);
}

void main();
