/**
 * The event stream of a real node (`bigchaindb start`): transactions posted
 * through its API come back on every connected client once their block is
 * found valid, with the block's id and the asset's, in block order; a node
 * whose changefeeds are cut and come back (its database behind a TCP proxy)
 * sends no transaction twice.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import type { BlockDict } from '../models/block';
import { generateKeypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import type { ValidTransactionEvent } from '../stream/events';
import { createServer, type AddressInfo } from 'node:net';
import { databaseVars, isolatedEnv, keypairVars, lastLine, runCli, tempDir } from './helpers/cli';
import { beforeDroppingDatabases, testServer, uniqueDatabaseSettings } from './helpers/database';
import { startFederation, waitFor, type Federation, type NodeProcess } from './helpers/federation';
import { startTcpProxy } from './helpers/tcp-proxy';

const alice = generateKeypair();
const creates = (n: number) =>
  Array.from({ length: n }, () => Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { r: Math.random() } }).sign([alice.privateKey]));

interface Listener {
  readonly received: ValidTransactionEvent[];
  close(): void;
}

async function listen(node: NodeProcess): Promise<Listener> {
  const socket = new WebSocket(node.streamUrl);
  const received: ValidTransactionEvent[] = [];
  socket.on('message', (data) => received.push(JSON.parse(data.toString()) as ValidTransactionEvent));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return { received, close: () => socket.close() };
}

/** Posts each transaction until the node accepts it: a node that lost its database answers 503 for a while. */
async function post(node: NodeProcess, txs: readonly Transaction[]): Promise<void> {
  for (const tx of txs) {
    await waitFor(`node to accept ${tx.id}`, async () => {
      const response = await fetch(`${node.apiUrl}/transactions/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tx.toDict()) })
        .catch(() => null);
      return response !== null && (response.status === 201 || response.status === 200);
    });
  }
}

const untilReceived = (listener: Listener, txs: readonly Transaction[]) =>
  waitFor(`${txs.length} events`, async () => txs.every((tx) => listener.received.some((e) => e.transaction_id === tx.id)), 60_000);

/** The blocks holding the given transactions, by transaction id. */
async function blockOf(f: Federation, txs: readonly Transaction[]): Promise<Map<string, BlockDict>> {
  const ids = new Set<string>(txs.map((tx) => tx.id));
  const blocks = await f.db.run<BlockDict[]>(f.db.table('bigchain'));
  return new Map(blocks.flatMap((b) => b.block.transactions.filter((tx) => ids.has(tx.id)).map((tx) => [tx.id as string, b] as const)));
}

describe('the stream of a running node', () => {
  test('two clients each get one event per posted transaction, naming its asset and its valid block, in block order', { timeout: 120_000 }, async () => {
    const f = await startFederation({ size: 1 });
    const node = f.nodes[0]!;
    await node.waitUntilServing();
    const listeners = [await listen(node), await listen(node)];
    const txs = creates(6);
    await post(node, txs);
    for (const listener of listeners) await untilReceived(listener, txs);
    // A marker block: anything more about the first ones would have come before its event.
    const marker = creates(1);
    await post(node, marker);
    const blocks = await blockOf(f, txs);
    for (const listener of listeners) {
      await untilReceived(listener, marker);
      const events = listener.received.filter((e) => e.transaction_id !== marker[0]!.id);
      assert.deepEqual(events.map((e) => e.transaction_id).sort(), txs.map((tx) => tx.id).sort(), 'each transaction once');
      for (const event of events) {
        const tx = txs.find((t) => t.id === event.transaction_id)!;
        assert.deepEqual(event, { transaction_id: tx.id, asset_id: tx.asset.id, block_id: blocks.get(tx.id)!.id });
      }
      // Block order: each block's events together, in the order of its transactions.
      const blockIds = events.map((e) => e.block_id).filter((id, i, all) => all.indexOf(id) === i);
      const expected = blockIds.flatMap((id) => [...blocks.values()].find((b) => b.id === id)!.block.transactions.map((tx) => tx.id));
      assert.deepEqual(events.map((e) => e.transaction_id), expected);
    }
    listeners.forEach((l) => l.close());
  });

  test('after its changefeeds were cut and came back, the node has sent each transaction once', { timeout: 180_000 }, async () => {
    const proxy = await startTcpProxy(await testServer());
    beforeDroppingDatabases(() => proxy.close());
    const f = await startFederation({ size: 1, configOf: (_i, database) => ({ database: { ...database, host: '127.0.0.1', port: proxy.port } }) });
    const node = f.nodes[0]!;
    await node.waitUntilServing();
    const listener = await listen(node);
    const before = creates(4);
    await post(node, before);
    await untilReceived(listener, before);

    proxy.cut();
    await waitFor('the votes changefeed to drop', async () => /changefeed on votes dropped/.test(node.log()));
    proxy.restore();
    // Replayed blocks come first after a reconnect: once these are in, a repeat of the first ones would be too.
    const after = creates(4);
    await post(node, after);
    await untilReceived(listener, after);

    const ids = listener.received.map((e) => e.transaction_id);
    assert.deepEqual([...ids].sort(), [...before, ...after].map((tx) => tx.id).sort(), `each transaction exactly once: ${ids.length} events`);
    listener.close();
  });
});

describe('bigchaindb start and the stream\'s port', () => {
  test('a wsserver port already in use stops start with exit 1 and a StreamServerError naming wsserver and the address', { timeout: 60_000 }, async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const result = await runCli(['start'], isolatedEnv(tempDir(), {
        ...databaseVars(await uniqueDatabaseSettings()), ...keypairVars(generateKeypair()),
        BIGCHAINDB_WSSERVER_HOST: '127.0.0.1', BIGCHAINDB_WSSERVER_PORT: String(port), BIGCHAINDB_SERVER_BIND: '127.0.0.1:1',
      }), { timeoutMs: 50_000 });
      assert.equal(result.code, 1, result.stderr);
      assert.match(lastLine(result.stderr), new RegExp(`StreamServerError: .*wsserver 127\\.0\\.0\\.1:${port}: EADDRINUSE`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
