/**
 * What the benchmarks measure besides time: CPU of each process from /proc
 * (Linux), and the queries a node sends its database, counted by a proxy
 * that reads the RethinkDB wire protocol.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User plus system CPU milliseconds of a process (all its threads), or of its thread `tid`; 0 once it is gone. */
export function cpuMs(pid: number, tid?: number): number {
  try {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The pids of the children of `pid`. */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** CPU milliseconds of named groups of processes, read now. */
export type CpuSnapshot = Record<string, number>;

export function snapshot(groups: Record<string, readonly number[]>): CpuSnapshot {
  return Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, pids.reduce((sum, pid) => sum + cpuMs(pid), 0)]));
}

export function cpuPerTransaction(before: CpuSnapshot, after: CpuSnapshot, transactions: number): string {
  return Object.keys(after).map((name) => `${name} ${((after[name]! - (before[name] ?? 0)) / transactions).toFixed(2)}`).join(', ');
}

export interface QueryCounter {
  readonly port: number;
  /** START queries sent through the proxy so far (changefeed and cursor continuations are not queries). */
  queries(): number;
  close(): Promise<void>;
}

const START = 1;

/**
 * A TCP proxy in front of the database that counts the queries passing
 * through. After the handshake (a 4-byte magic number, then two
 * NUL-terminated messages from the client), each query is a frame: 8-byte
 * token, 4-byte length, then JSON whose first element is the query type.
 */
export async function startQueryCounter(target: { host: string; port: number }): Promise<QueryCounter> {
  let queries = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host === 'localhost' ? '127.0.0.1' : target.host);
    sockets.add(client).add(upstream);
    // Without it each forwarded frame can wait for a delayed ACK: the proxy would add 40 ms to queries.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let buffered = Buffer.alloc(0);
    let handshakeNuls = -1;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      if (handshakeNuls === -1 && buffered.length >= 4) {
        buffered = buffered.subarray(4);
        handshakeNuls = 0;
      }
      while (handshakeNuls >= 0 && handshakeNuls < 2) {
        const nul = buffered.indexOf(0);
        if (nul < 0) return;
        buffered = buffered.subarray(nul + 1);
        handshakeNuls++;
      }
      while (buffered.length >= 12) {
        const length = buffered.readUInt32LE(8);
        if (buffered.length < 12 + length) return;
        if (buffered[12 + 1] === 0x30 + START && buffered[12] === 0x5b) queries++;
        buffered = buffered.subarray(12 + length);
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    queries: () => queries,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
