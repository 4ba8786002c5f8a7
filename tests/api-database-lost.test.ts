/**
 * The API of a node whose RethinkDB server is gone: it answers 503 with a
 * reason, so a client goes to another node, and 201 again once the server
 * is back. The database is cut off by a TCP proxy, as a dead server would be.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { defaultConfig } from '../config/config';
import { Bigchain } from '../core/bigchain';
import { Database } from '../db/connection';
import { writeGenesisBlock } from '../db/schema';
import { Metrics } from '../metrics/statsd';
import { generateKeypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import { createApi } from '../server/app';
import { freshDatabase } from './helpers/database';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy';

const me = generateKeypair();
const alice = generateKeypair();
const create = () => Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { r: Math.random() } }).sign([alice.privateKey]);

describe('a node that cannot reach its database', () => {
  let proxy: TcpProxy;
  let server: Server;
  let through: Database;
  let base: string;

  before(async () => {
    const db = await freshDatabase();
    await writeGenesisBlock(db, me);
    proxy = await startTcpProxy(db.settings);
    through = await Database.connect({ ...db.settings, host: '127.0.0.1', port: proxy.port });
    const api = createApi({ bigchain: new Bigchain(through, { keypair: me, keyring: [] }), config: defaultConfig(), metrics: Metrics.discard(), version: '0.8.2' });
    server = await new Promise<Server>((resolve) => {
      const s = createServer(api).listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await through.close();
    await proxy.close();
  });

  const post = (tx: Transaction) =>
    fetch(`${base}/transactions/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tx.toDict()) });

  test('answers 503 with a reason and Retry-After to a POST and to a status query, then 201 once the database is back', async () => {
    proxy.cut();
    const posted = await post(create());
    assert.equal(posted.status, 503);
    assert.equal(posted.headers.get('retry-after'), '1');
    const body = (await posted.json()) as { status: number; message: string };
    assert.equal(body.status, 503);
    assert.match(body.message, /cannot reach its database/);
    const status = await fetch(`${base}/transactions/${'a'.repeat(64)}/status`);
    assert.equal(status.status, 503);
    await status.arrayBuffer();

    proxy.restore();
    const again = await post(create());
    assert.equal(again.status, 201);
    await again.arrayBuffer();
  });
});
