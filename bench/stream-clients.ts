/**
 * BENCH_WS_CLIENTS: clients of a node's event stream during a load, each
 * counting the transactions it hears of, to see that every client gets every
 * event and what serving them costs.
 */
import WebSocket from 'ws';
import type { ValidTransactionEvent } from '../stream/events';
import { sleep } from './support';

export interface StreamClients {
  /** Per client: distinct transactions heard of, and messages that repeated one. */
  counts(): { distinct: number[]; repeats: number };
  /** Waits until every client has heard of `count` transactions, or `timeoutMs` passed. */
  until(count: number, timeoutMs: number): Promise<void>;
  close(): void;
}

export async function connectStreamClients(url: string, n: number): Promise<StreamClients> {
  const sockets: WebSocket[] = [];
  const heard = Array.from({ length: n }, () => new Set<string>());
  let repeats = 0;
  await Promise.all(heard.map((ids) => new Promise<void>((resolve, reject) => {
    const socket = new WebSocket(url);
    sockets.push(socket);
    socket.on('message', (data) => {
      const id = (JSON.parse(data.toString()) as ValidTransactionEvent).transaction_id;
      if (ids.has(id)) repeats++;
      ids.add(id);
    });
    socket.once('open', () => resolve()).once('error', reject);
  })));
  return {
    counts: () => ({ distinct: heard.map((ids) => ids.size), repeats }),
    async until(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (heard.some((ids) => ids.size < count) && Date.now() < deadline) await sleep(100);
    },
    close: () => sockets.forEach((s) => s.close()),
  };
}
