/**
 * A transaction's status while the block pipeline moves it from the backlog
 * into its block (the block written, then the backlog row deleted): a reader
 * on another connection must find it in one or the other at every moment,
 * never answer that an acknowledged transaction is unknown.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Bigchain } from '../core/bigchain';
import { Database } from '../db/connection';
import { deleteBacklogRows } from '../db/queries/backlog';
import { writeGenesisBlock } from '../db/schema';
import { generateKeypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import { freshDatabase } from './helpers/database';
import { sleep } from './helpers/federation';
import { startTcpProxy } from './helpers/tcp-proxy';

const me = generateKeypair();
const alice = generateKeypair();

describe('the status of a transaction on its way from the backlog into a block', () => {
  test('is backlog, then undecided, and never unknown, for readers whose two reads of each look are far apart', async () => {
    const db = await freshDatabase();
    await writeGenesisBlock(db, me);
    const node = new Bigchain(db, { keypair: me, keyring: [] });
    // Each reader behind a slow link: what it asks reaches the database 20 ms late, while the node moves a transaction in a few ms.
    const proxies = await Promise.all([0, 1, 2].map(() => startTcpProxy(db.settings, { clientDelayMs: 20 })));
    const readers = await Promise.all(proxies.map(async (proxy) =>
      new Bigchain(await Database.connect({ ...db.settings, host: '127.0.0.1', port: proxy.port }), { keypair: me, keyring: [] })));
    const seen: (string | null)[] = [];
    try {
      for (let round = 0; round < 30; round++) {
        const tx = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { round } }).sign([alice.privateKey]);
        await node.writeTransactions([tx]);
        let moved = false;
        const polls = readers.map(async (reader, i) => {
          await sleep(i * 7);
          while (!moved) seen.push(await reader.getStatus(tx.id));
        });
        await sleep(50);
        await node.writeBlock(node.createBlock([tx]));
        await deleteBacklogRows(db, [tx.id]);
        await sleep(50);
        moved = true;
        await Promise.all(polls);
        assert.equal(await node.getStatus(tx.id), 'undecided');
      }
    } finally {
      await Promise.all(readers.map((reader) => reader.db.close()));
      await Promise.all(proxies.map((proxy) => proxy.close()));
    }
    assert.deepEqual(seen.filter((status) => status !== 'backlog' && status !== 'undecided'), [], `of ${seen.length} answers`);
  });
});
