/**
 * The event stream server (stream/) in this process, with real WebSocket
 * clients on loopback: every client gets every event once and in order, a
 * client that stops reading is closed with 1008 while what the node holds
 * for it stays bounded, keep-alive pings cut a client that does not answer.
 * The events are those of real blocks (stream/events.ts).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import WebSocket from 'ws';
import { Block } from '../models/block';
import { generateKeypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import { eventsOf, type ValidTransactionEvent } from '../stream/events';
import { startStreamServer, StreamServerError, type StreamServer } from '../stream/server';
import { FELL_BEHIND, type SubscriberLimits } from '../stream/subscriber';
import { STREAM_PATH } from '../stream/url';
import { waitFor } from './helpers/federation';

const node = generateKeypair();

/** The events of a block of `size` new CREATEs (unsigned: the stream never looks inside them). */
function blockEvents(size: number): ValidTransactionEvent[] {
  const txs = Array.from({ length: size }, () => Transaction.create([node.publicKey], [[[node.publicKey], 1]]));
  const block = Block.create(txs, node.publicKey, [node.publicKey]).sign(node.privateKey);
  return eventsOf({ id: block.id, transactions: block.body.transactions });
}

interface Client {
  readonly socket: WebSocket;
  readonly received: ValidTransactionEvent[];
  readonly pings: number;
  readonly closed: Promise<{ code: number; reason: string }>;
}

async function connect(server: StreamServer, options: WebSocket.ClientOptions = {}): Promise<Client> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}${STREAM_PATH}`, options);
  const client = {
    socket,
    received: [] as ValidTransactionEvent[],
    pings: 0,
    closed: new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
  };
  socket.on('message', (data) => client.received.push(JSON.parse(data.toString()) as ValidTransactionEvent));
  socket.on('ping', () => client.pings++);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return client;
}

const servers: StreamServer[] = [];
async function server(options: { limits?: SubscriberLimits; heartbeatMs?: number; maxClients?: number } = {}): Promise<StreamServer> {
  const started = await startStreamServer({ host: '127.0.0.1', port: 0, ...options });
  servers.push(started);
  return started;
}
after(async () => {
  for (const s of servers) await s.close();
});

/** Waits until the server counts `n` clients: a client is one once the server has handled its connection. */
const untilClients = (s: StreamServer, n: number) => waitFor(`${n} stream clients`, async () => s.stats().clients === n, 10_000);

describe('every client gets every event once, in order', () => {
  test('three clients each receive the events of two blocks in block order; a block published again is not sent again', async () => {
    const s = await server();
    const clients = await Promise.all([connect(s), connect(s), connect(s)]);
    await untilClients(s, 3);
    const [first, second, marker] = [blockEvents(20), blockEvents(5), blockEvents(1)];
    s.publish(first);
    s.publish(second);
    // As after a changefeed reconnect: the election tells of a block it told of before.
    s.publish(first);
    s.publish(marker);
    // One socket keeps order: once the marker is in, a repeat of `first` would have come before it.
    await waitFor('the marker at every client', async () => clients.every((c) => c.received.length >= 26), 10_000);
    for (const client of clients) assert.deepEqual(client.received, [...first, ...second, ...marker]);
  });

  test('a client that connects later gets the events from then on, and a client that leaves is forgotten', async () => {
    const s = await server();
    const early = await connect(s);
    await untilClients(s, 1);
    const before = blockEvents(3);
    s.publish(before);
    const late = await connect(s);
    await untilClients(s, 2);
    const after = blockEvents(3);
    s.publish(after);
    await waitFor('the later events at both clients', async () => early.received.length === 6 && late.received.length === 3, 10_000);
    assert.deepEqual(late.received, after);
    early.socket.close();
    await untilClients(s, 1);
  });
});

describe('a client that falls behind', () => {
  test('a client that stops reading is closed with 1008 and a reason; what the node holds for it stays under its limits', { timeout: 60_000 }, async () => {
    const limits: SubscriberLimits = { queueLimit: 200, highWaterBytes: 32 * 1024 };
    const s = await server({ limits });
    const reader = await connect(s);
    const stalled = await connect(s);
    await untilClients(s, 2);
    stalled.socket.pause();
    // Loopback's kernel buffers take a few MB before the socket holds anything: 25,000 events of 200-odd bytes overflow them.
    const events = Array.from({ length: 25 }, () => blockEvents(1000)).flat();
    let closedWith: number | null = null;
    void stalled.closed.then(({ code }) => (closedWith = code));
    for (let i = 0; i < events.length; i += 1000) {
      s.publish(events.slice(i, i + 1000));
      const { queued, bufferedBytes } = s.stats();
      // The stalled client's share, and the reader's (a few messages in flight): never all that was published.
      assert.ok(queued <= 2 * limits.queueLimit, `queued ${queued}`);
      assert.ok(bufferedBytes <= 2 * (limits.highWaterBytes + 1024), `buffered ${bufferedBytes}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(closedWith, null, 'the stalled client has not read its close frame yet');
    stalled.socket.resume();
    const { code, reason } = await stalled.closed;
    assert.equal(code, FELL_BEHIND);
    assert.match(reason, /fell behind/);
    assert.ok(stalled.received.length < events.length, `the stalled client got ${stalled.received.length} of ${events.length}`);
    assert.deepEqual(stalled.received, events.slice(0, stalled.received.length), 'what it got, it got in order');
    await waitFor('every event at the reader', async () => reader.received.length === events.length, 30_000);
    assert.equal(reader.socket.readyState, WebSocket.OPEN, 'the client that reads stays connected');
    await untilClients(s, 1);
  });
});

describe('keep-alive', () => {
  test('clients are pinged; one that answers stays, one that does not answer a ping is cut off by the next', { timeout: 30_000 }, async () => {
    const s = await server({ heartbeatMs: 50 });
    const answering = await connect(s);
    const silent = await connect(s, { autoPong: false });
    const { code } = await silent.closed;
    assert.equal(code, 1006, 'cut off without a close frame');
    await waitFor('three pings', async () => answering.pings >= 3, 10_000);
    assert.equal(answering.socket.readyState, WebSocket.OPEN);
  });
});

describe('limits of the server', () => {
  test('beyond maxClients a client is closed with 1013 (try again later)', { timeout: 30_000 }, async () => {
    const s = await server({ maxClients: 1 });
    await connect(s);
    await untilClients(s, 1);
    const extra = await connect(s);
    assert.equal((await extra.closed).code, 1013);
  });

  test('a port already in use is a StreamServerError naming wsserver and the address', async () => {
    const s = await server();
    await assert.rejects(startStreamServer({ host: '127.0.0.1', port: s.port }), (err: unknown) =>
      err instanceof StreamServerError && err.message.includes('wsserver') && err.message.includes(`127.0.0.1:${s.port}`) && err.message.includes('EADDRINUSE'));
  });
});
