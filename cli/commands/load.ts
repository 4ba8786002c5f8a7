/**
 * `bigchaindb load`: signed single-owner CREATE transactions written straight
 * into the backlog from N processes, with the rate printed every second.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { commandConfig, type GlobalOptions } from '../context';
import { nodeKeypair } from './database';
import type { LoadWorkerData, LoadWorkerReport } from './load-worker';

export interface LoadOptions {
  /** Processes; `true` for one per core. */
  readonly multiprocess: number | boolean | undefined;
  /** Transactions in all, or undefined to run until interrupted. */
  readonly count: number | undefined;
}

export async function load(options: GlobalOptions, load: LoadOptions): Promise<void> {
  const config = commandConfig(options);
  const keypair = nodeKeypair(config);
  const processes = load.multiprocess === true ? availableParallelism() : typeof load.multiprocess === 'number' ? load.multiprocess : 1;
  const shares = split(load.count, processes);
  const started = Date.now();
  let total = 0;
  let lastTotal = 0;
  const ticker = setInterval(() => {
    process.stdout.write(`${total - lastTotal} tx/s (${total} in all)\n`);
    lastTotal = total;
  }, 1000);
  const children = shares.map((count) => {
    const child = fork(join(__dirname, 'load-worker.js'), [], { stdio: 'inherit' });
    child.send({ database: config.database, keypair, keyring: config.keyring, count } satisfies LoadWorkerData);
    child.on('message', (report: LoadWorkerReport) => (total += report.written));
    return new Promise<number | null>((resolve) => child.once('exit', resolve));
  });
  const stopChildren = () => children.length;
  process.once('SIGINT', stopChildren);
  const codes = await Promise.all(children);
  clearInterval(ticker);
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`${total} transactions written to the backlog in ${seconds.toFixed(1)} s: ${Math.round(total / seconds)} tx/s from ${processes} processes\n`);
  if (codes.some((code) => code !== 0)) throw new Error('a load process failed');
}

/** `count` split as evenly as possible over `parts` (undefined: no limit for any). */
function split(count: number | undefined, parts: number): (number | undefined)[] {
  if (count === undefined) return Array.from({ length: parts }, () => undefined);
  return Array.from({ length: parts }, (_, i) => Math.floor(count / parts) + (i < count % parts ? 1 : 0)).filter((n) => n > 0);
}
