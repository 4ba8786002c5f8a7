/**
 * `npm run bench -- embedded` (only when named: it takes minutes): a chain
 * of BENCH_EMBEDDED_COUNT (100,000) transactions in the embedded database.
 * Prints its size on disk, and for a node started on it (as `npm start`
 * would, one API process) the time until its API answers and the memory of
 * its main process, which holds the database: from the snapshot a clean
 * stop writes, and from the journal alone, as after a kill -9; an empty
 * chain for comparison.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../config/config';
import { Database } from '../db/connection';
import { embeddedDataDir } from '../db/dev-database';
import { formatBytes, startEmbeddedDatabase } from '../db/embedded/embedded-database';
import { journalFile, journalGenerations } from '../db/embedded/journal';
import { SNAPSHOT_FILE } from '../db/embedded/snapshot';
import { initDatabase } from '../db/schema';
import { generateKeypair, type Keypair } from '../models/keys';
import { fillChain, freePort, startNode, stopNode, untilServing } from './support';

/** Resident memory of process `pid`, in bytes. */
function rss(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(kb![1]) * 1024;
}

/** Starts a node on `dataDir`, waits for its API and asks it for one transaction, then stops it. */
async function measureStart(node: Keypair, dataDir: string, label: string): Promise<void> {
  const bind = `127.0.0.1:${await freePort()}`;
  const settings = { host: '127.0.0.1', port: await freePort(), name: 'bigchain' };
  const started = Date.now();
  const child = await startNode(settings, node, bind, { server: { ...defaultConfig().server, workers: 1 } }, ['--dev-start-rethinkdb', '--dev-data-dir', dataDir]);
  await untilServing(bind);
  const seconds = (Date.now() - started) / 1000;
  // A lookup by transaction id, as served reads make the node index its chain.
  await (await fetch(`http://${bind}/api/v1/transactions/${'0'.repeat(64)}`)).arrayBuffer();
  const memory = rss(child.pid!);
  await stopNode(child);
  console.log(`embedded: ${label}: API answering ${seconds.toFixed(1)} s after the start, main process ${formatBytes(memory)} resident`);
}

function sizeOf(dir: string): string {
  const journals = journalGenerations(dir).reduce((bytes, g) => bytes + statSync(journalFile(dir, g)).size, 0);
  const snapshot = statSync(join(dir, SNAPSHOT_FILE), { throwIfNoEntry: false })?.size ?? 0;
  return `snapshot ${formatBytes(snapshot)}, journal ${formatBytes(journals)}`;
}

export async function benchEmbedded(): Promise<void> {
  const count = Number(process.env.BENCH_EMBEDDED_COUNT ?? 100_000);
  const node = generateKeypair();
  const folders = ['empty', 'full', 'crashed'].map((name) => mkdtempSync(join(tmpdir(), `bdb-bench-embedded-${name}-`)));
  const [empty, full, crashed] = folders as [string, string, string];
  try {
    await measureStart(node, empty, 'empty chain');
    const started = Date.now();
    const database = await startEmbeddedDatabase('127.0.0.1', 0, embeddedDataDir(full), { snapshotAfterBytes: Infinity });
    const db = await Database.connect({ host: database.host, port: database.port, name: 'bigchain' });
    await initDatabase(db, node);
    await fillChain(db, node, [node.publicKey], count, 0);
    // Every write answered: the folder as a kill -9 would leave it, before the snapshot of a clean stop.
    cpSync(full, crashed, { recursive: true });
    await db.close();
    await database.stop();
    console.log(`embedded: ${count} transactions in blocks of 1000 written in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `after a clean stop: ${sizeOf(embeddedDataDir(full))}; after a crash: ${sizeOf(embeddedDataDir(crashed))}`);
    await measureStart(node, full, `${count} transactions, from the snapshot`);
    await measureStart(node, crashed, `${count} transactions, from the journal alone`);
  } finally {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
}
