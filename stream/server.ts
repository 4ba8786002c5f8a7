/**
 * The event stream of SPEC.md §13: a WebSocket server on `wsserver.host:port`
 * that sends every client one message per transaction of each block this
 * node's election found valid, in the order the election decided them.
 * Each transaction goes out once, even when the election replays blocks
 * after a changefeed reconnect or a restart of its thread.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { getLogger } from '../logging/logger';
import { RecentSet } from '../pipelines/runtime/recent-set';
import type { ValidTransactionEvent } from './events';
import { Subscriber, type SubscriberLimits } from './subscriber';
import { STREAM_PATH } from './url';

const log = getLogger('stream');

export interface StreamServerOptions {
  readonly host: string;
  /** 0: a free port, for tests. */
  readonly port: number;
  readonly limits?: SubscriberLimits;
  /** Between two pings; a client that did not answer the last one is cut off. */
  readonly heartbeatMs?: number;
  readonly maxClients?: number;
}

export interface StreamServer {
  readonly port: number;
  /** Sends each event not sent before to every client. */
  publish(events: readonly ValidTransactionEvent[]): void;
  /** What the clients hold in the node: they are its only cost that grows. */
  stats(): StreamStats;
  /** Closes every client (1001) and the server. */
  close(): Promise<void>;
}

export interface StreamStats {
  readonly clients: number;
  /** Messages waiting in the clients' queues. */
  readonly queued: number;
  /** Bytes the clients' sockets hold unwritten. */
  readonly bufferedBytes: number;
}

/** The stream server cannot listen where it was told to. */
export class StreamServerError extends Error {
  override name = 'StreamServerError';
}

/** About 1,500 events of 200-odd bytes wait per client: a few seconds of a busy node. */
export const DEFAULT_LIMITS: SubscriberLimits = { queueLimit: 1000, highWaterBytes: 256 * 1024 };
const HEARTBEAT_MS = 30_000;
const MAX_CLIENTS = 1000;
/** Transactions remembered as sent: more than an election replays after a reconnect, at a few MB. */
const REMEMBERED = 100_000;
/** How long clients get to finish the close handshake when the node stops. */
const CLOSE_GRACE_MS = 1000;
/** 1013 "try again later": the server has all the clients it takes. */
const TRY_AGAIN_LATER = 1013;
const GOING_AWAY = 1001;

export async function startStreamServer(options: StreamServerOptions): Promise<StreamServer> {
  const wss = await listen(options);
  const subscribers = new Set<Subscriber>();
  const sent = new RecentSet<string>(REMEMBERED);
  wss.on('connection', (socket: WebSocket, request) => {
    const peer = `${request.socket.remoteAddress}:${request.socket.remotePort}`;
    if (subscribers.size >= (options.maxClients ?? MAX_CLIENTS)) {
      socket.close(TRY_AGAIN_LATER, 'too many stream clients');
      return;
    }
    const subscriber = new Subscriber(socket, options.limits ?? DEFAULT_LIMITS, (waiting) => {
      log.warn(`stream client ${peer} fell behind with ${waiting} events waiting: closed with 1008`);
    });
    subscribers.add(subscriber);
    socket.on('error', (err) => log.debug(`stream client ${peer}: ${err.message}`));
    socket.once('close', () => subscribers.delete(subscriber));
  });
  const heartbeat = setInterval(() => subscribers.forEach((s) => s.heartbeat()), options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();
  const port = (wss.address() as { port: number }).port;
  log.info(`event stream on ws://${options.host}:${port}${STREAM_PATH}`);
  return {
    port,
    publish(events) {
      for (const event of events) {
        if (!sent.add(event.transaction_id)) continue;
        // Serialized once, whatever the number of clients.
        const message = JSON.stringify(event);
        for (const subscriber of subscribers) subscriber.offer(message);
      }
    },
    stats() {
      let queued = 0;
      let bufferedBytes = 0;
      for (const s of subscribers) {
        queued += s.queued;
        bufferedBytes += s.bufferedBytes;
      }
      return { clients: subscribers.size, queued, bufferedBytes };
    },
    async close() {
      clearInterval(heartbeat);
      for (const subscriber of subscribers) subscriber.close(GOING_AWAY, 'node stopping');
      const grace = setTimeout(() => subscribers.forEach((s) => s.terminate()), CLOSE_GRACE_MS);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      clearTimeout(grace);
    },
  };
}

function listen(options: StreamServerOptions): Promise<WebSocketServer> {
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({
      host: options.host,
      port: options.port,
      path: STREAM_PATH,
      // Clients send nothing the stream needs: a small limit keeps them from filling memory.
      maxPayload: 1024,
      perMessageDeflate: false,
      clientTracking: false,
    });
    wss.once('listening', () => {
      wss.on('error', (err) => log.error(`event stream server: ${err.message}`));
      resolve(wss);
    });
    wss.once('error', (err: NodeJS.ErrnoException) => {
      reject(new StreamServerError(`the event stream cannot listen on wsserver ${options.host}:${options.port}: ${err.code ?? err.message}`));
    });
  });
}
