/**
 * Every node runs a stale monitor: two that find one stale backlog row at the
 * same moment must hand it to exactly one node (SPEC.md §8, compare-and-set).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Bigchain } from '../core/bigchain';
import { Database } from '../db/connection';
import { getBacklogRow, insertBacklogRows, type BacklogRow } from '../db/queries/backlog';
import type { Change } from '../pipelines/runtime/changefeed';
import { Metrics } from '../metrics/statsd';
import { generateKeypair, type Keypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import { stalePipeline } from '../pipelines/stale';
import { testNodeSettings } from './helpers/node-settings';
import { freshDatabase } from './helpers/database';
import { waitFor, sleep } from './helpers/federation';

const [nodeA, nodeB, gone] = [generateKeypair(), generateKeypair(), generateKeypair()];
const federation = [nodeA, nodeB, gone].map((k) => k.publicKey);
const alice = generateKeypair();

/** The Bigchain of `me` in the federation of A, B and a node that is gone, on a connection of its own. */
async function chainOf(me: Keypair, db: Database): Promise<Bigchain> {
  const own = await Database.connect(db.settings);
  return new Bigchain(own, { keypair: me, keyring: federation.filter((k) => k !== me.publicKey) });
}

function staleRows(count: number): BacklogRow[] {
  const longAgo = Date.now() / 1000 - 600;
  return Array.from({ length: count }, (_, i) => ({
    ...Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { i, r: Math.random() } }).sign([alice.privateKey]).toDict(),
    assignee: gone.publicKey,
    assignment_timestamp: longAgo + i / 1000,
  }));
}

/** Counts the updates of each backlog row seen on a changefeed, until `stop`. */
async function watchUpdates(db: Database): Promise<{ counts: Map<string, number>; stop(): Promise<void> }> {
  const conn = await Database.connect(db.settings);
  const feed = await conn.feed(conn.table('backlog').changes());
  const counts = new Map<string, number>();
  let stopped = false;
  const reading = (async () => {
    while (!stopped) {
      const change = (await feed.next().catch(() => null)) as Change<BacklogRow> | null;
      if (change?.old_val && change.new_val) counts.set(change.new_val.id, (counts.get(change.new_val.id) ?? 0) + 1);
    }
  })();
  return {
    counts,
    async stop() {
      stopped = true;
      await conn.close();
      await reading;
    },
  };
}

describe('two stale monitors on one stale row', () => {
  test('reassigning from the same read of the row, exactly one reassignment applies and the row has its assignee', async () => {
    const db = await freshDatabase();
    const [row] = staleRows(1);
    await insertBacklogRows(db, [row!]);
    const read = (await getBacklogRow(db, row!.id))!;
    const [a, b] = [await chainOf(nodeA, db), await chainOf(nodeB, db)];
    const results = await Promise.all([a.reassignTransaction(read), b.reassignTransaction(read)]);
    const winners = results.filter((assignee) => assignee !== null);
    assert.equal(winners.length, 1, `one reassignment applies, got ${JSON.stringify(results)}`);
    const stored = (await getBacklogRow(db, row!.id))!;
    assert.equal(stored.assignee, winners[0]);
    assert.notEqual(stored.assignee, gone.publicKey);
    await Promise.all([a.db.close(), b.db.close()]);
  });

  test('two running stale pipelines, started together on 200 stale rows, update each row exactly once', async () => {
    const db = await freshDatabase();
    const rows = staleRows(200);
    await insertBacklogRows(db, rows);
    const watch = await watchUpdates(db);
    const chains = [await chainOf(nodeA, db), await chainOf(nodeB, db)];
    const pipelines = chains.map((bigchain) => {
      const settings = testNodeSettings(db.settings, bigchain.node.keypair, bigchain.node.keyring, 60);
      return stalePipeline({ settings, bigchain, metrics: Metrics.discard(), intervalMs: 50 });
    });
    const running = pipelines.map((p) => p.start());
    try {
      await waitFor('every row reassigned', async () => {
        const stored = await db.run<BacklogRow[]>(db.table('backlog'));
        return stored.every((r) => r.assignee !== gone.publicKey);
      }, 20_000);
      // Both monitors keep polling; a second reassignment of a row would show within a few polls.
      await sleep(500);
    } finally {
      await Promise.all(pipelines.map((p) => p.stop()));
      await Promise.all(running);
      await watch.stop();
      await Promise.all(chains.map((c) => c.db.close()));
    }
    const twice = rows.filter((r) => (watch.counts.get(r.id) ?? 0) !== 1);
    assert.deepEqual(twice.map((r) => [r.id, watch.counts.get(r.id) ?? 0]), [], 'every row is updated exactly once');
  });
});
