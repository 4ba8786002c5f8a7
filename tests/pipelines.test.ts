/**
 * The pipeline runtime and the four pipelines in one process, against a real
 * RethinkDB-protocol server: back-pressure, batching, changefeed replay after
 * a dropped connection, idempotent stages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Bigchain } from '../core/bigchain';
import type { Database } from '../db/connection';
import { countBacklog, getBacklogRow, insertBacklogRows } from '../db/queries/backlog';
import { countBlocks } from '../db/queries/blocks';
import { getVotesByBlockId } from '../db/queries/votes';
import { Metrics } from '../metrics/statsd';
import { writeGenesisBlock } from '../db/schema';
import { Block } from '../models/block';
import { generateKeypair, type Keypair } from '../models/keys';
import type { BlockId } from '../models/types';
import { Transaction } from '../models/transaction';
import { blockPipeline, InFlight } from '../pipelines/block';
import { electionPipeline } from '../pipelines/election';
import type { NodeSettings } from '../pipelines/node-settings';
import { ChangefeedSource } from '../pipelines/runtime/changefeed';
import { PipelineBuilder, type Pipeline, type Source } from '../pipelines/runtime/pipeline';
import { BoundedQueue, CLOSED, TIMEOUT } from '../pipelines/runtime/queue';
import { stalePipeline } from '../pipelines/stale';
import { ValidationPool } from '../pipelines/validation/pool';
import { VerdictMemo } from '../models/verdict-memo';
import { serialize } from '../models/serialize';
import { votePipeline } from '../pipelines/vote';
import { testNodeSettings } from './helpers/node-settings';
import { freshDatabase, testServer } from './helpers/database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A source of fixed items, for runtime tests. */
class ListSource<T> implements Source<T> {
  constructor(private readonly items: T[]) {}
  async run(emit: (item: T) => Promise<boolean>): Promise<void> {
    for (const item of this.items) if (!(await emit(item))) return;
  }
  async stop(): Promise<void> {}
}

describe('bounded queue', () => {
  test('push waits while the queue is full and resumes when an item is taken', async () => {
    const q = new BoundedQueue<number>(2);
    await q.push(1);
    await q.push(2);
    let third = false;
    const pushing = q.push(3).then(() => (third = true));
    await sleep(20);
    assert.equal(third, false);
    assert.equal(await q.pop(), 1);
    await pushing;
    assert.equal(third, true);
    assert.equal(q.size, 2);
  });

  test('pop gives TIMEOUT after its timeout and CLOSED once closed and empty', async () => {
    const q = new BoundedQueue<number>(1);
    assert.equal(await q.pop(10), TIMEOUT);
    await q.push(7);
    q.close();
    assert.equal(await q.pop(), 7);
    assert.equal(await q.pop(), CLOSED);
    assert.equal(await q.push(8), false);
  });
});

describe('pipeline runtime', () => {
  test('stages run in order, null drops an item, and a throwing stage drops only its item', async () => {
    const out: number[] = [];
    const pipeline = PipelineBuilder.from('t', new ListSource([1, 2, 3, 4, 5]))
      .then({ name: 'dropEven', run: (n: number) => (n % 2 === 0 ? null : n) })
      .then({ name: 'throwOnThree', run: (n: number) => { if (n === 3) throw new Error('boom'); return n * 10; } })
      .then({ name: 'sink', run: (n: number) => { out.push(n); return n; } })
      .build();
    await pipeline.start();
    assert.deepEqual(out, [10, 50]);
  });

  test('a collector releases a full batch at once and the rest when its timeout has passed since the first item', async () => {
    const batches: number[][] = [];
    let pending: number[] = [];
    const take = () => (pending.length ? pending.splice(0) : null);
    const source: Source<number> = {
      async run(emit) {
        for (let i = 0; i < 5; i++) await emit(i);
        for (let i = 5; i < 8; i++) { await sleep(40); await emit(i); }
      },
      async stop() {},
    };
    const pipeline = PipelineBuilder.from('c', source)
      .collect({ name: 'batch', timeoutMs: 100, add: (n: number) => (pending.push(n) >= 4 ? take() : null), flush: take })
      .then({ name: 'sink', run: (b: number[]) => { batches.push(b); return b; } })
      .build();
    await pipeline.start();
    assert.deepEqual(batches[0], [0, 1, 2, 3]);
    assert.deepEqual(batches.flat(), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.ok(batches.length <= 3, `a trickle of items still makes batches: ${JSON.stringify(batches)}`);
  });

  test('what a full batch leaves behind goes out after the timeout though no item comes again, as a changefeed that falls quiet', async () => {
    const batches: number[][] = [];
    let pending: number[] = [];
    // Like the block pipeline's collector: at most 4 a batch, so an add of the 6th leaves items behind it.
    const take = () => (pending.length ? pending.splice(0, 4) : null);
    let endFeed!: () => void;
    const quiet = new Promise<void>((resolve) => { endFeed = resolve; });
    const source: Source<number[]> = {
      async run(emit) {
        await emit([0, 1, 2, 3, 4, 5]);
        await quiet;
      },
      async stop() {},
    };
    const pipeline = PipelineBuilder.from('q', source)
      .collect({ name: 'batch', timeoutMs: 100, add: (ns: number[]) => (pending.push(...ns) >= 4 ? take() : null), flush: take })
      .then({ name: 'sink', run: (b: number[]) => { batches.push(b); return b; } })
      .build();
    const running = pipeline.start();
    await waitFor('the items left behind', () => batches.flat().length === 6, 5_000).finally(endFeed);
    await running;
    assert.deepEqual(batches, [[0, 1, 2, 3], [4, 5]]);
  });

  test('a slow stage holds back a fast source: queues never exceed their capacity', async () => {
    let maxInFlight = 0;
    let emitted = 0;
    let handled = 0;
    const pipeline = PipelineBuilder.from('p', new ListSource(Array.from({ length: 200 }, (_, i) => i)))
      .then({ name: 'count', run: (n: number) => { emitted++; maxInFlight = Math.max(maxInFlight, emitted - handled); return n; } })
      .then({ name: 'slow', run: async (n: number) => { await sleep(1); handled++; return n; } })
      .build(5);
    await pipeline.start();
    assert.equal(handled, 200);
    // Beside the queue, the producer holds one item it is pushing, the slow stage one it is running and one it has taken next.
    assert.ok(maxInFlight <= 5 + 3, `at most a queue's capacity (plus one item per stage) waits between stages, saw ${maxInFlight}`);
  });

  test('InFlight refuses a transaction twice and a second spender of one output until released', () => {
    const alice = generateKeypair();
    const create = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]]).sign([alice.privateKey]);
    const a = Transaction.transfer(create.toInputs(), [[[alice.publicKey], 1]], create.asset.id).sign([alice.privateKey]).toDict();
    const b = Transaction.transfer(create.toInputs(), [[[generateKeypair().publicKey], 1]], create.asset.id).sign([alice.privateKey]).toDict();
    const inFlight = new InFlight();
    assert.equal(inFlight.claim(a.id), true);
    assert.equal(inFlight.claim(a.id), false);
    assert.equal(inFlight.reserveOutputs(a), true);
    assert.equal(inFlight.reserveOutputs(b), false);
    inFlight.release(a);
    assert.equal(inFlight.reserveOutputs(b), true);
  });
});

describe('changefeed source', () => {
  test('replays the prefeed, follows inserts, and after a dropped connection replays the prefeed again without losing an insert', async (t) => {
    const server = await testServer();
    if (server.dropClientConnections === undefined) {
      t.skip('cannot cut connections of a real RethinkDB from the test');
      return;
    }
    const db = await freshDatabase();
    const node = generateKeypair();
    const row = (n: number) => ({ ...Transaction.create([node.publicKey], [[[node.publicKey], 1]], { metadata: { n } }).sign([node.privateKey]).toDict(), assignee: node.publicKey, assignment_timestamp: n });
    await insertBacklogRows(db, [row(1)]);
    const seen: number[] = [];
    let reconnects = 0;
    const source = new ChangefeedSource<{ assignment_timestamp: number }, number>({
      name: 'test',
      settings: db.settings,
      table: 'backlog',
      prefeed: async (feedDb) => (await feedDb.run<{ assignment_timestamp: number }[]>(feedDb.table('backlog'))).map((r) => r.assignment_timestamp),
      select: (change) => change.new_val?.assignment_timestamp ?? null,
      onReconnect: () => reconnects++,
    });
    const running = source.run(async (n) => { seen.push(n); return true; });
    await waitFor('the prefeed', () => seen.includes(1));
    await insertBacklogRows(db, [row(2)]);
    await waitFor('the insert', () => seen.includes(2));
    server.dropClientConnections();
    await insertBacklogRows(db, [row(3)]);
    await waitFor('the insert made while the feed was down', () => seen.includes(3));
    await source.stop();
    await running;
    assert.ok(reconnects >= 1);
    assert.ok(seen.filter((n) => n === 1).length >= 2, 'the prefeed was replayed after reconnecting');
  });
});

describe('the four pipelines of one node', () => {
  // One memo, as in a node: the vote finds the CREATEs the block pipeline validated.
  const memo = VerdictMemo.create();
  let db: Database;
  let bigchain: Bigchain;
  let settings: NodeSettings;
  let pool: ValidationPool;
  const pipelines: Pipeline[] = [];
  const running: Promise<void>[] = [];
  let stopping = false;
  const node: Keypair = generateKeypair();
  const alice = generateKeypair();

  before(async () => {
    db = await freshDatabase();
    await writeGenesisBlock(db, node);
    settings = testNodeSettings(db.settings, node, [], 1);
    bigchain = new Bigchain(db, { keypair: node, keyring: [] });
    pool = new ValidationPool(settings, memo.memory);
    const isStopping = () => stopping;
    const metrics = Metrics.discard();
    pipelines.push(blockPipeline({ settings, bigchain, pool, memo, metrics, isStopping }));
    pipelines.push(await votePipeline({ settings, bigchain, pool, memo, metrics, isStopping }));
    pipelines.push(electionPipeline({ settings, bigchain, metrics, isStopping }));
    pipelines.push(stalePipeline({ settings, bigchain, metrics, intervalMs: 200 }));
    for (const p of pipelines) running.push(p.start());
  });

  after(async () => {
    stopping = true;
    await Promise.all(pipelines.map((p) => p.stop()));
    await Promise.all(running);
    await pool.destroy();
  });

  const create = (n: number) => Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { n } }).sign([alice.privateKey]);

  test('backlog transactions become valid, each in exactly one block, and leave the backlog', async () => {
    const txs = Array.from({ length: 30 }, (_, i) => create(i));
    await bigchain.writeTransactions(txs);
    await waitFor('all valid', async () => (await Promise.all(txs.map((tx) => bigchain.getStatus(tx.id)))).every((s) => s === 'valid'));
    for (const tx of txs) assert.equal((await bigchain.getBlocksStatusContainingTx(tx.id)).size, 1);
    await waitFor('an empty backlog', async () => (await countBacklog(db)) === 0);
  });

  test('a transaction written again while its block is undecided or valid is dropped, not blocked twice', async () => {
    const tx = create(1000);
    await bigchain.writeTransaction(tx);
    await waitFor('valid', async () => (await bigchain.getStatus(tx.id)) === 'valid');
    const blocksBefore = await countBlocks(db);
    await insertBacklogRows(db, [{ ...tx.toDict(), assignee: node.publicKey, assignment_timestamp: Date.now() / 1000 }]);
    await waitFor('the copy to leave the backlog', async () => (await getBacklogRow(db, tx.id)) === null);
    assert.equal(await countBlocks(db), blocksBefore);
    assert.equal((await bigchain.getBlocksStatusContainingTx(tx.id)).size, 1);
  });

  test("a backlog CREATE whose exact text the node's memo holds as valid goes into a block on the memo's word", async () => {
    // Broken in a way only validation sees (a divisible asset of amount 1): had the pipelines validated it, it would never be valid.
    const remembered = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { n: 5000 }, asset: { divisible: true } }).sign([alice.privateKey]);
    const unknown = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { n: 5001 }, asset: { divisible: true } }).sign([alice.privateKey]);
    memo.addValidCreate(serialize(remembered.toDict()));
    await bigchain.writeTransactions([remembered, unknown]);
    await waitFor('the remembered one valid', async () => (await bigchain.getStatus(remembered.id)) === 'valid');
    await waitFor('the other to leave the backlog', async () => (await getBacklogRow(db, unknown.id)) === null);
    assert.equal(await bigchain.getStatus(unknown.id), null);
  });

  test('a valid TRANSFER becomes valid and a double spend of the same output never does', async () => {
    const origin = create(2000);
    await bigchain.writeTransaction(origin);
    await waitFor('origin valid', async () => (await bigchain.getStatus(origin.id)) === 'valid');
    const transfer = Transaction.transfer(origin.toInputs(), [[[node.publicKey], 1]], origin.asset.id).sign([alice.privateKey]);
    await bigchain.writeTransaction(transfer);
    await waitFor('transfer valid', async () => (await bigchain.getStatus(transfer.id)) === 'valid');
    const doubleSpend = Transaction.transfer(origin.toInputs(), [[[alice.publicKey], 1]], origin.asset.id).sign([alice.privateKey]);
    await bigchain.writeTransaction(doubleSpend);
    await waitFor('the double spend to leave the backlog', async () => (await getBacklogRow(db, doubleSpend.id)) === null);
    assert.equal(await bigchain.getStatus(doubleSpend.id), null);
  });

  test('a block made by a node outside the federation, or unsigned, is voted invalid', async () => {
    const stranger = generateKeypair();
    const foreign = Block.create([create(4000).toDict()], stranger.publicKey, [node.publicKey]).sign(stranger.privateKey);
    const unsigned = Block.create([create(4001).toDict()], node.publicKey, [node.publicKey]);
    for (const block of [foreign, unsigned]) await bigchain.writeBlock(block);
    for (const block of [foreign, unsigned]) {
      await waitFor(`my vote on block ${block.id}`, async () => (await getVotesByBlockId(db, block.id as BlockId)).length === 1);
      const [vote] = await getVotesByBlockId(db, block.id as BlockId);
      assert.equal(vote!.vote.is_block_valid, false);
    }
  });

  test('a row assigned to a node that is gone is reassigned by the stale monitor and becomes valid', async () => {
    const tx = create(3000);
    await insertBacklogRows(db, [{ ...tx.toDict(), assignee: generateKeypair().publicKey, assignment_timestamp: Date.now() / 1000 - 60 }]);
    await waitFor('valid', async () => (await bigchain.getStatus(tx.id)) === 'valid');
  });
});

describe('the election pipeline after downtime', () => {
  test('a block decided invalid before the pipeline started still has its good transactions put back in the backlog', async () => {
    const db = await freshDatabase();
    const node = generateKeypair();
    const alice = generateKeypair();
    await writeGenesisBlock(db, node);
    const bigchain = new Bigchain(db, { keypair: node, keyring: [] });
    const good = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { n: 'missed' } }).sign([alice.privateKey]);
    const bad = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { asset: { divisible: true } }).sign([alice.privateKey]);
    const block = bigchain.createBlock([good.toDict(), bad.toDict()]);
    await bigchain.writeBlock(block);
    const genesis = await bigchain.getLastVotedBlock();
    await bigchain.writeVote(bigchain.vote(block.id, genesis.id, false));
    assert.equal(await bigchain.blockElectionStatus(block.id, block.body.voters), 'invalid');
    assert.equal(await getBacklogRow(db, good.id), null);

    const settings = testNodeSettings(db.settings, node, []);
    const pipeline = electionPipeline({ settings, bigchain, metrics: Metrics.discard(), isStopping: () => false });
    const running = pipeline.start();
    try {
      await waitFor('the good transaction back in the backlog', async () => (await getBacklogRow(db, good.id)) !== null, 20_000);
    } finally {
      await pipeline.stop();
      await running;
    }
  });
});
