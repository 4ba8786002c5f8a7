/**
 * The database layer against a real RethinkDB-protocol server (reqlite, or
 * the RethinkDB named by BIGCHAINDB_TEST_DATABASE): every query of
 * db/queries/*.ts and every step of db/schema.ts, never mocked. SPEC.md §7.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { Database, DatabaseUnreachable, TABLES, type DatabaseSettings } from '../db/connection';
import { getTransactionsByAssetId, getTransactionsByMetadataId } from '../db/queries/assets';
import {
  countBacklog, deleteBacklogRows, getBacklogAssignedTo, getBacklogRow, getStaleBacklogRows, insertBacklogRows,
  reassignBacklogRow, transactionOfRow, type BacklogRow,
} from '../db/queries/backlog';
import {
  countBlocks, findTransactions, getBlock, getBlocksSince, getGenesisBlock, getTransactionInBlocks, writeBlock,
  type TransactionInBlock,
} from '../db/queries/blocks';
import { getTransactionsOwnedBy } from '../db/queries/owned';
import { getSpendingTransactions } from '../db/queries/spent';
import {
  getLatestVoteTimestamp, getVotesByBlockAndVoter, getVotesByBlockId, getVotesByVoterAt, writeVote,
} from '../db/queries/votes';
import { PreparedQuery } from '../db/prepared-query';
import { r, type Term } from '../db/rethink';
import {
  createDatabase, createTables, databaseExists, DatabaseAlreadyExists, DatabaseDoesNotExist, dropDatabase,
  GenesisBlockAlreadyExists, INDEXES, initDatabase, writeGenesisBlock,
} from '../db/schema';
import { Block, createGenesisBlock, GENESIS_MESSAGE, type BlockDict } from '../models/block';
import { generateKeypair, type Keypair } from '../models/keys';
import { Transaction, type TransactionDict } from '../models/transaction';
import type { BlockId, PublicKey, Timestamp } from '../models/types';
import { createVote, type VoteDict } from '../models/vote';
import { freshDatabase, uniqueDatabaseSettings } from './helpers/database';

// ---------------------------------------------------------------- fixtures

const node = generateKeypair();
const peer = generateKeypair();
const alice = generateKeypair();
const bob = generateKeypair();
const carol = generateKeypair();
const stranger = generateKeypair();

const T0 = 1485511200;
const ts = (seconds: number): Timestamp => String(seconds) as Timestamp;
const randomId = (): BlockId => randomBytes(32).toString('hex') as BlockId;

/** A signed single-owner CREATE of amount 1 from `owner` to `owner` (or `to`). */
function createTx(owner: Keypair, options: { to?: PublicKey[]; metadata?: Record<string, string> | null; metadataId?: string } = {}): Transaction {
  return Transaction.create([owner.publicKey], [[options.to ?? [owner.publicKey], 1]], {
    metadata: options.metadata === undefined ? null : options.metadata,
    metadataId: options.metadataId,
  }).sign([owner.privateKey]);
}

/** A signed divisible CREATE by `owner` with one output per entry of `amounts`, each to `owner`. */
function divisibleCreate(owner: Keypair, amounts: number[]): Transaction {
  return Transaction.create([owner.publicKey], amounts.map((a) => [[owner.publicKey], a] as const), { asset: { divisible: true } })
    .sign([owner.privateKey]);
}

/** A signed block of `txs` by `node`, at `timestamp`, judged by `voters`. */
function blockOf(txs: Transaction[], timestamp: number = T0, voters: PublicKey[] = [node.publicKey]): BlockDict {
  return Block.create(txs, node.publicKey, voters, ts(timestamp)).sign(node.privateKey).toDict();
}

function backlogRow(tx: Transaction, assignee: PublicKey, assignmentTimestamp: number): BacklogRow {
  return { ...tx.toDict(), assignee, assignment_timestamp: assignmentTimestamp };
}

/** JSON round trip: what a dict looks like once stored. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Deep equality of JSON data. The driver hands some sequences back as its
 * ArrayResult (an Array subclass), which strict deepEqual tells apart from a
 * plain array, so both sides are compared as the JSON they are.
 */
function same(actual: unknown, expected: unknown, message?: string): void {
  assert.deepEqual(plain(actual), plain(expected), message);
}

/** Found transactions as comparable `txid@blockId` strings, sorted. */
const found = (entries: TransactionInBlock[]): string[] => entries.map((e) => `${e.tx.id}@${e.blockId}`).sort();
const at = (tx: Transaction | TransactionDict, block: BlockDict): string => `${tx.id}@${block.id}`;

/** A vote as stored, without the id the server gave it. */
function withoutId(vote: VoteDict): VoteDict {
  const { id: _id, ...rest } = vote;
  return rest;
}

/** Runs `fn` on a connection to a database that does not exist yet; drops it afterwards if it was made. */
async function withUncreatedDatabase(fn: (db: Database, settings: DatabaseSettings) => Promise<void>): Promise<void> {
  const settings = await uniqueDatabaseSettings();
  const db = await Database.connect(settings);
  try {
    await fn(db, settings);
  } finally {
    if (db.isOpen && (await databaseExists(db))) await dropDatabase(db);
    await db.close();
  }
}

async function indexNames(db: Database, table: 'backlog' | 'bigchain' | 'votes'): Promise<string[]> {
  return (await db.run<string[]>(db.table(table).indexList())).sort();
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------- backlog

describe('backlog queries', () => {
  test('insertBacklogRows counts a new row and the row reads back whole, with its assignee and float timestamp', async () => {
    const db = await freshDatabase();
    const tx = createTx(alice);
    const row = backlogRow(tx, peer.publicKey, T0 + 0.25);
    assert.equal(await insertBacklogRows(db, [row]), 1);
    const stored = await getBacklogRow(db, tx.id);
    same(stored, plain(row));
    assert.equal(stored!.assignee, peer.publicKey);
    assert.equal(stored!.assignment_timestamp, T0 + 0.25);
  });

  test('insertBacklogRows counts nothing for a duplicate id and leaves the first row untouched', async () => {
    const db = await freshDatabase();
    const tx = createTx(alice);
    assert.equal(await insertBacklogRows(db, [backlogRow(tx, node.publicKey, T0)]), 1);
    assert.equal(await insertBacklogRows(db, [backlogRow(tx, peer.publicKey, T0 + 50)]), 0);
    const stored = await getBacklogRow(db, tx.id);
    assert.equal(stored!.assignee, node.publicKey);
    assert.equal(stored!.assignment_timestamp, T0);
    assert.equal(await countBacklog(db), 1);
  });

  test('insertBacklogRows writes a batch and counts only the new rows: ids already in the backlog are skipped, left as they were', async () => {
    const db = await freshDatabase();
    const old = createTx(alice);
    assert.equal(await insertBacklogRows(db, [backlogRow(old, node.publicKey, T0)]), 1);
    const [n1, n2] = [createTx(bob), createTx(carol)];
    const batch = [backlogRow(n1, peer.publicKey, T0 + 1), backlogRow(old, peer.publicKey, T0 + 2), backlogRow(n2, node.publicKey, T0 + 3)];
    assert.equal(await insertBacklogRows(db, batch), 2);
    assert.equal(await countBacklog(db), 3);
    same(await getBacklogRow(db, n1.id), batch[0]);
    same(await getBacklogRow(db, n2.id), batch[2]);
    const kept = await getBacklogRow(db, old.id);
    assert.equal(kept!.assignee, node.publicKey);
    assert.equal(kept!.assignment_timestamp, T0);
  });

  test('insertBacklogRows with no rows writes nothing and returns 0', async () => {
    const db = await freshDatabase();
    assert.equal(await insertBacklogRows(db, []), 0);
    assert.equal(await countBacklog(db), 0);
  });

  test('insertBacklogRows counts a transaction given twice in one batch once', async () => {
    const db = await freshDatabase();
    const tx = createTx(alice);
    assert.equal(await insertBacklogRows(db, [backlogRow(tx, node.publicKey, T0), backlogRow(tx, peer.publicKey, T0 + 1)]), 1);
    assert.equal(await countBacklog(db), 1);
  });

  test('reassignBacklogRow returns true and changes only assignee and assignment_timestamp', async () => {
    const db = await freshDatabase();
    const tx = createTx(alice);
    await insertBacklogRows(db, [backlogRow(tx, node.publicKey, T0)]);
    assert.equal(await reassignBacklogRow(db, (await getBacklogRow(db, tx.id))!, peer.publicKey, T0 + 130.5), true);
    const stored = await getBacklogRow(db, tx.id);
    assert.equal(stored!.assignee, peer.publicKey);
    assert.equal(stored!.assignment_timestamp, T0 + 130.5);
    same(transactionOfRow(stored!), plain(tx.toDict()));
  });

  test('reassignBacklogRow returns false for a row that is not in the backlog and creates no row', async () => {
    const db = await freshDatabase();
    const tx = createTx(alice);
    assert.equal(await reassignBacklogRow(db, { id: tx.id, assignee: node.publicKey, assignment_timestamp: T0 }, peer.publicKey, T0), false);
    assert.equal(await getBacklogRow(db, tx.id), null);
    assert.equal(await countBacklog(db), 0);
  });

  test('reassignBacklogRow is a compare-and-set: of two reassignments from one read, the second changes nothing and returns false', async () => {
    const db = await freshDatabase();
    const tx = createTx(alice);
    await insertBacklogRows(db, [backlogRow(tx, node.publicKey, T0 + 0.25)]);
    const read = (await getBacklogRow(db, tx.id))!;
    assert.equal(await reassignBacklogRow(db, read, peer.publicKey, T0 + 200.5), true);
    assert.equal(await reassignBacklogRow(db, read, stranger.publicKey, T0 + 201.5), false);
    const stored = (await getBacklogRow(db, tx.id))!;
    assert.equal(stored.assignee, peer.publicKey);
    assert.equal(stored.assignment_timestamp, T0 + 200.5);
  });

  test('reassignBacklogRow changes nothing when only the assignment timestamp differs from what was read', async () => {
    const db = await freshDatabase();
    const tx = createTx(alice);
    await insertBacklogRows(db, [backlogRow(tx, node.publicKey, T0 + 0.5)]);
    const read = { id: tx.id, assignee: node.publicKey, assignment_timestamp: T0 + 0.25 };
    assert.equal(await reassignBacklogRow(db, read, peer.publicKey, T0 + 300), false);
    const stored = (await getBacklogRow(db, tx.id))!;
    assert.equal(stored.assignee, node.publicKey);
    assert.equal(stored.assignment_timestamp, T0 + 0.5);
  });

  test('deleteBacklogRows deletes only the given ids and returns how many it deleted (missing ids not counted)', async () => {
    const db = await freshDatabase();
    const [a, b, c] = [createTx(alice), createTx(bob), createTx(carol)];
    for (const [i, tx] of [a, b, c].entries()) await insertBacklogRows(db, [backlogRow(tx, node.publicKey, T0 + i)]);
    const missing = createTx(stranger);
    assert.equal(await deleteBacklogRows(db, [a.id, c.id, missing.id]), 2);
    assert.equal(await getBacklogRow(db, a.id), null);
    assert.equal(await getBacklogRow(db, c.id), null);
    assert.notEqual(await getBacklogRow(db, b.id), null);
    assert.equal(await countBacklog(db), 1);
  });

  test('deleteBacklogRows with no ids deletes nothing and returns 0', async () => {
    const db = await freshDatabase();
    const tx = createTx(alice);
    await insertBacklogRows(db, [backlogRow(tx, node.publicKey, T0)]);
    assert.equal(await deleteBacklogRows(db, []), 0);
    assert.equal(await countBacklog(db), 1);
  });

  test('getBacklogRow returns null for an id that is not in the backlog', async () => {
    const db = await freshDatabase();
    await insertBacklogRows(db, [backlogRow(createTx(alice), node.publicKey, T0)]);
    assert.equal(await getBacklogRow(db, createTx(bob).id), null);
  });

  test("getBacklogAssignedTo returns only that node's rows, ordered by assignment_timestamp", async () => {
    const db = await freshDatabase();
    const mine = [createTx(alice), createTx(bob), createTx(carol)];
    // Inserted out of order: 300, 100, 200.
    await insertBacklogRows(db, [backlogRow(mine[2]!, node.publicKey, T0 + 300.5)]);
    await insertBacklogRows(db, [backlogRow(mine[0]!, node.publicKey, T0 + 100.25)]);
    await insertBacklogRows(db, [backlogRow(mine[1]!, node.publicKey, T0 + 200)]);
    const theirs = createTx(stranger);
    await insertBacklogRows(db, [backlogRow(theirs, peer.publicKey, T0 + 150)]);

    const rows = await getBacklogAssignedTo(db, node.publicKey);
    same(rows.map((row) => row.id), mine.map((tx) => tx.id));
    same(rows.map((row) => row.assignment_timestamp), [T0 + 100.25, T0 + 200, T0 + 300.5]);
    assert.ok(rows.every((row) => row.assignee === node.publicKey));

    same((await getBacklogAssignedTo(db, peer.publicKey)).map((row) => row.id), [theirs.id]);
    same(await getBacklogAssignedTo(db, stranger.publicKey), []);
  });

  test('getStaleBacklogRows returns the rows assigned strictly before the cutoff, whoever holds them (even a node outside the federation)', async () => {
    const db = await freshDatabase();
    const old1 = createTx(alice);
    const old2 = createTx(bob);
    const old3 = createTx(carol);
    const fresh = createTx(stranger);
    await insertBacklogRows(db, [backlogRow(old1, node.publicKey, T0 + 100.5)]);
    await insertBacklogRows(db, [backlogRow(old2, peer.publicKey, T0 + 200)]);
    await insertBacklogRows(db, [backlogRow(old3, stranger.publicKey, T0 + 300)]);
    await insertBacklogRows(db, [backlogRow(fresh, node.publicKey, T0 + 400)]);

    const stale = await getStaleBacklogRows(db, T0 + 350);
    same(stale.map((row) => row.id).sort(), [old1.id, old2.id, old3.id].sort());
    // The cutoff itself is not older than the cutoff.
    same((await getStaleBacklogRows(db, T0 + 200)).map((row) => row.id), [old1.id]);
    same(await getStaleBacklogRows(db, T0 + 100), []);
    assert.equal((await getStaleBacklogRows(db, T0 + 10_000)).length, 4);
  });

  test('countBacklog counts the rows: 0 when empty, then one per inserted transaction', async () => {
    const db = await freshDatabase();
    assert.equal(await countBacklog(db), 0);
    const txs = [createTx(alice), createTx(bob), createTx(carol)];
    for (const tx of txs) await insertBacklogRows(db, [backlogRow(tx, node.publicKey, T0)]);
    assert.equal(await countBacklog(db), 3);
    await deleteBacklogRows(db, [txs[0]!.id]);
    assert.equal(await countBacklog(db), 2);
  });

  test('transactionOfRow strips assignee and assignment_timestamp, leaving the transaction dict, and does not change the row', async () => {
    const tx = createTx(alice, { metadata: { note: 'x' } });
    const row = backlogRow(tx, peer.publicKey, T0 + 0.5);
    const stripped = transactionOfRow(row);
    same(stripped, tx.toDict());
    same(Object.keys(stripped).sort(), ['id', 'transaction', 'version']);
    assert.equal(row.assignee, peer.publicKey);
    assert.equal(row.assignment_timestamp, T0 + 0.5);

    // And on a row read back from the database, the result is again a valid transaction with its id.
    const db = await freshDatabase();
    await insertBacklogRows(db, [row]);
    const fromDb = transactionOfRow((await getBacklogRow(db, tx.id))!);
    same(fromDb, plain(tx.toDict()));
    assert.equal(Transaction.fromDict(fromDb).id, tx.id);
  });
});

// ---------------------------------------------------------------- blocks

describe('block queries', () => {
  test('index lookups made at once from many connections all see a block written just before', async () => {
    const db = await freshDatabase();
    const others = await Promise.all(Array.from({ length: 8 }, () => Database.connect(db.settings)));
    try {
      assert.equal(await getGenesisBlock(db), null);
      for (let round = 0; round < 5; round++) {
        const block = blockOf([createTx(alice)]);
        await writeBlock(db, block);
        const seen = await Promise.all(others.map((o) => getBlocksSince(o, '0' as Timestamp)));
        for (const blocks of seen) assert.ok(blocks.some((b) => b.id === block.id), `round ${round}: every lookup finds the new block`);
      }
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
  });

  test('writeBlock stores a block that getBlock returns unchanged', async () => {
    const db = await freshDatabase();
    const block = blockOf([createTx(alice), createTx(bob)]);
    await writeBlock(db, block);
    same(await getBlock(db, block.id), plain(block));
    assert.equal(Block.fromDict(await getBlock(db, block.id)).isSignatureValid(), true);
  });

  test('writing the same block twice is harmless: no error, still one block', async () => {
    const db = await freshDatabase();
    const block = blockOf([createTx(alice)]);
    await writeBlock(db, block);
    await writeBlock(db, block);
    assert.equal(await countBlocks(db), 1);
    same(await getBlock(db, block.id), plain(block));
  });

  test('getBlock returns null for an id no block has', async () => {
    const db = await freshDatabase();
    await writeBlock(db, blockOf([createTx(alice)]));
    assert.equal(await getBlock(db, randomId()), null);
  });

  test('countBlocks is 0 on an empty chain and counts every written block', async () => {
    const db = await freshDatabase();
    assert.equal(await countBlocks(db), 0);
    await writeBlock(db, blockOf([createTx(alice)], T0));
    await writeBlock(db, blockOf([createTx(alice)], T0 + 1));
    await writeBlock(db, blockOf([createTx(alice)], T0 + 2));
    assert.equal(await countBlocks(db), 3);
  });

  test('getGenesisBlock returns null on an empty chain', async () => {
    const db = await freshDatabase();
    assert.equal(await getGenesisBlock(db), null);
  });

  test('getGenesisBlock returns null when the chain has blocks but none is a genesis', async () => {
    const db = await freshDatabase();
    await writeBlock(db, blockOf([createTx(alice)], T0));
    assert.equal(await getGenesisBlock(db), null);
  });

  test('getGenesisBlock returns the genesis even when later blocks exist (written before or after it) or an ordinary block is older', async () => {
    const db = await freshDatabase();
    await writeBlock(db, blockOf([createTx(carol)], T0 - 10));
    const later1 = blockOf([createTx(alice)], T0 + 10);
    await writeBlock(db, later1);
    const genesis = createGenesisBlock(node, { timestamp: ts(T0) }).toDict();
    await writeBlock(db, genesis);
    await writeBlock(db, blockOf([createTx(bob)], T0 + 20));
    const got = await getGenesisBlock(db);
    assert.ok(got !== null);
    assert.equal(got.id, genesis.id);
    assert.equal(got.block.transactions[0]!.transaction.operation, 'GENESIS');
  });

  test('getGenesisBlock finds the genesis written by writeGenesisBlock among ordinary blocks', async () => {
    const db = await freshDatabase();
    const genesis = await writeGenesisBlock(db, node);
    const now = Math.floor(Date.now() / 1000);
    await writeBlock(db, blockOf([createTx(alice)], now + 5));
    await writeBlock(db, blockOf([createTx(bob)], now + 6));
    same(await getGenesisBlock(db), plain(genesis));
  });

  test('getBlocksSince returns the blocks from a timestamp on (inclusive), oldest first, whatever the write order', async () => {
    const db = await freshDatabase();
    const b0 = blockOf([createTx(alice)], T0);
    const b10 = blockOf([createTx(alice)], T0 + 10);
    const b20 = blockOf([createTx(alice)], T0 + 20);
    const b30 = blockOf([createTx(alice)], T0 + 30);
    for (const block of [b20, b0, b30, b10]) await writeBlock(db, block);

    const since = await getBlocksSince(db, ts(T0 + 10));
    same(since.map((b) => b.id), [b10.id, b20.id, b30.id]);
    same(since.map((b) => b.block.timestamp), [ts(T0 + 10), ts(T0 + 20), ts(T0 + 30)]);
    same((await getBlocksSince(db, ts(T0 + 11))).map((b) => b.id), [b20.id, b30.id]);
    same((await getBlocksSince(db, ts(T0 - 100))).map((b) => b.id), [b0.id, b10.id, b20.id, b30.id]);
    same(await getBlocksSince(db, ts(T0 + 31)), []);
  });

  test('getBlocksSince includes every block sharing the starting second', async () => {
    const db = await freshDatabase();
    const a = blockOf([createTx(alice)], T0 + 5);
    const b = blockOf([createTx(bob)], T0 + 5);
    await writeBlock(db, blockOf([createTx(carol)], T0));
    await writeBlock(db, a);
    await writeBlock(db, b);
    same((await getBlocksSince(db, ts(T0 + 5))).map((x) => x.id).sort(), [a.id, b.id].sort());
  });

  test('getTransactionInBlocks returns the transaction with its block id and that block\'s voters, not its block-mates', async () => {
    const db = await freshDatabase();
    const tx = createTx(alice);
    const mate = createTx(bob);
    const block = blockOf([mate, tx], T0, [node.publicKey, peer.publicKey]);
    await writeBlock(db, block);
    const entries = await getTransactionInBlocks(db, tx.id);
    assert.equal(entries.length, 1);
    same(entries[0]!.tx, plain(tx.toDict()));
    assert.equal(entries[0]!.blockId, block.id);
    same(entries[0]!.voters, [node.publicKey, peer.publicKey]);
  });

  test('getTransactionInBlocks gives one entry per block for a transaction in two blocks, each with that block\'s voters', async () => {
    const db = await freshDatabase();
    const tx = createTx(alice);
    const first = blockOf([tx], T0, [node.publicKey]);
    const second = blockOf([createTx(bob), tx], T0 + 1, [node.publicKey, peer.publicKey]);
    await writeBlock(db, first);
    await writeBlock(db, second);
    const entries = await getTransactionInBlocks(db, tx.id);
    same(found(entries), [at(tx, first), at(tx, second)].sort());
    const byBlock = new Map(entries.map((e) => [e.blockId, e]));
    same(byBlock.get(first.id)!.voters, [node.publicKey]);
    same(byBlock.get(second.id)!.voters, [node.publicKey, peer.publicKey]);
    assert.ok(entries.every((e) => e.tx.id === tx.id));
  });

  test('getTransactionInBlocks returns nothing for a transaction that is only in the backlog or nowhere', async () => {
    const db = await freshDatabase();
    await writeBlock(db, blockOf([createTx(alice)]));
    const queued = createTx(bob);
    await insertBacklogRows(db, [backlogRow(queued, node.publicKey, T0)]);
    same(await getTransactionInBlocks(db, queued.id), []);
    same(await getTransactionInBlocks(db, createTx(carol).id), []);
  });

  test('findTransactions returns, from the blocks an index lists under a key, only the transactions matching the predicate', async () => {
    const db = await freshDatabase();
    const create = createTx(alice);
    const transfer = Transaction.transfer(create.toInputs(), [[[bob.publicKey], 1]], create.asset.id).sign([alice.privateKey]);
    const other = createTx(carol);
    const block = blockOf([create, other, transfer], T0);
    await writeBlock(db, block);

    const onlyTransfers = await findTransactions(db, create.asset.id, 'asset_id', (tx: Term) => tx('transaction')('operation').eq('TRANSFER'));
    same(found(onlyTransfers), [at(transfer, block)]);
    same(onlyTransfers[0]!.voters, [node.publicKey]);

    const all = await findTransactions(db, create.asset.id, 'asset_id', (tx: Term) => tx('transaction')('asset')('id').eq(create.asset.id));
    // The index lists the block twice (two entries with this asset id): each transaction still comes once.
    same(found(all), [at(create, block), at(transfer, block)].sort());

    same(await findTransactions(db, randomId(), 'transaction_id', () => r.expr(true)), []);
  });
});

// ---------------------------------------------------------------- votes

describe('vote queries', () => {
  test('writeVote stores the vote and the server gives it an id', async () => {
    const db = await freshDatabase();
    const blockId = randomId();
    const vote = createVote(node, blockId, randomId(), true, ts(T0));
    await writeVote(db, vote);
    const [stored, ...rest] = await getVotesByBlockId(db, blockId);
    assert.equal(rest.length, 0);
    assert.equal(typeof stored!.id, 'string');
    assert.ok(stored!.id!.length > 0);
    same(withoutId(stored!), plain(vote));
  });

  test('getVotesByBlockId returns every node\'s vote on that block and none on other blocks', async () => {
    const db = await freshDatabase();
    const [blockA, blockB, previous] = [randomId(), randomId(), randomId()];
    const mineOnA = createVote(node, blockA, previous, true, ts(T0));
    const peerOnA = createVote(peer, blockA, previous, false, ts(T0 + 1));
    const mineOnB = createVote(node, blockB, blockA, true, ts(T0 + 2));
    for (const v of [mineOnA, peerOnA, mineOnB]) await writeVote(db, v);

    const onA = await getVotesByBlockId(db, blockA);
    const key = (v: VoteDict): string => v.node_pubkey;
    same(onA.map(withoutId).sort((x, y) => key(x).localeCompare(key(y))),
      plain([mineOnA, peerOnA]).sort((x, y) => key(x).localeCompare(key(y))));
    same((await getVotesByBlockId(db, blockB)).map(withoutId), [plain(mineOnB)]);
    same(await getVotesByBlockId(db, randomId()), []);
  });

  test('getVotesByBlockAndVoter returns only that voter\'s votes on that block (both, if it voted twice)', async () => {
    const db = await freshDatabase();
    const [blockA, blockB, previous] = [randomId(), randomId(), randomId()];
    const mineOnA = createVote(node, blockA, previous, true, ts(T0));
    const peerOnA = createVote(peer, blockA, previous, true, ts(T0));
    const mineOnB = createVote(node, blockB, blockA, true, ts(T0 + 1));
    for (const v of [mineOnA, peerOnA, mineOnB]) await writeVote(db, v);

    same((await getVotesByBlockAndVoter(db, blockA, node.publicKey)).map(withoutId), [plain(mineOnA)]);
    same((await getVotesByBlockAndVoter(db, blockA, peer.publicKey)).map(withoutId), [plain(peerOnA)]);
    same(await getVotesByBlockAndVoter(db, blockB, peer.publicKey), []);
    same(await getVotesByBlockAndVoter(db, blockA, stranger.publicKey), []);

    const again = createVote(node, blockA, previous, false, ts(T0 + 5));
    await writeVote(db, again);
    const twice = await getVotesByBlockAndVoter(db, blockA, node.publicKey);
    assert.equal(twice.length, 2);
    same(twice.map((v) => v.vote.is_block_valid).sort(), [false, true]);
  });

  test('getLatestVoteTimestamp is null for a node that never voted', async () => {
    const db = await freshDatabase();
    await writeVote(db, createVote(peer, randomId(), randomId(), true, ts(T0)));
    assert.equal(await getLatestVoteTimestamp(db, node.publicKey), null);
  });

  test('getLatestVoteTimestamp returns the newest timestamp of that voter, ignoring later votes of other nodes', async () => {
    const db = await freshDatabase();
    const blocks = [randomId(), randomId(), randomId(), randomId()];
    const genesisId = randomId();
    // Written out of time order.
    await writeVote(db, createVote(node, blocks[0]!, genesisId, true, ts(T0 + 10)));
    await writeVote(db, createVote(node, blocks[2]!, blocks[1]!, true, ts(T0 + 30)));
    await writeVote(db, createVote(node, blocks[1]!, blocks[0]!, true, ts(T0 + 20)));
    await writeVote(db, createVote(peer, blocks[3]!, genesisId, true, ts(T0 + 99)));
    assert.equal(await getLatestVoteTimestamp(db, node.publicKey), ts(T0 + 30));
    assert.equal(await getLatestVoteTimestamp(db, peer.publicKey), ts(T0 + 99));
  });

  test('getVotesByVoterAt returns the votes that voter cast in that second, not other seconds or other voters', async () => {
    const db = await freshDatabase();
    const [a, b, c, g] = [randomId(), randomId(), randomId(), randomId()];
    const first = createVote(node, a, g, true, ts(T0 + 7));
    const second = createVote(node, b, a, true, ts(T0 + 7));
    const later = createVote(node, c, b, true, ts(T0 + 8));
    const peers = createVote(peer, a, g, true, ts(T0 + 7));
    for (const v of [first, second, later, peers]) await writeVote(db, v);

    const inSecond = await getVotesByVoterAt(db, node.publicKey, ts(T0 + 7));
    same(inSecond.map((v) => v.vote.voting_for_block).sort(), [a, b].sort());
    assert.ok(inSecond.every((v) => v.node_pubkey === node.publicKey));
    same((await getVotesByVoterAt(db, node.publicKey, ts(T0 + 8))).map(withoutId), [plain(later)]);
    same(await getVotesByVoterAt(db, node.publicKey, ts(T0 + 9)), []);
    same(await getVotesByVoterAt(db, stranger.publicKey, ts(T0 + 7)), []);
  });
});

// ---------------------------------------------------------------- answers on the wire

describe('queries written to and answers read from the connection', () => {
  test('answers of megabytes, split over many socket reads, and many small answers at once each reach their query whole', async () => {
    const db = await freshDatabase();
    const big = Array.from({ length: 3000 }, (_, i) => ({ i, text: `${i}:`.padEnd(900, 'x') }));
    const small = Array.from({ length: 50 }, (_, i) => ({ i }));
    const answers = await Promise.all([
      db.run<typeof big>(r.expr(big)),
      ...small.map((value) => db.run<typeof value>(r.expr(value))),
      db.run<typeof big>(r.expr(big).orderBy(r.desc('i'))),
    ]);
    same(answers[0], big);
    same(answers.slice(1, 1 + small.length), small);
    same(answers[1 + small.length], [...big].reverse());
  });

  test('queries of multi-byte text, many sent in one turn and more in the next, each reach the server whole', async () => {
    const db = await freshDatabase();
    const texts = Array.from({ length: 40 }, (_, i) => `é☃𝄞 ${i} `.repeat(1 + i * 50));
    const first = texts.slice(0, 20).map((text) => db.run<string>(r.expr(text)));
    await Promise.resolve();
    const next = texts.slice(20).map((text) => db.run<string>(r.expr(text)));
    same(await Promise.all([...first, ...next]), texts);
  });
});

// ---------------------------------------------------------------- prepared queries

describe('prepared queries, built once and run with new arguments', () => {
  const docs = [
    { id: 'a', key: ['x', 0], tag: 'one' },
    { id: 'b', key: ['x', 1], tag: 'two' },
    { id: 'c', key: ['y', 0], tag: 'one' },
  ];
  const tagged = (_db: Database, key: Term, tag: Term): Term =>
    r.expr(docs).filter((d: Term) => d('key').eq(key).or(d('tag').eq(tag))).map((d: Term) => ({ id: d('id'), echo: [key, tag] }));
  const prepared = new PreparedQuery<[readonly unknown[], string | null]>(tagged, 2);

  test('answer as the query built each time, for array, string and null arguments, many at once on one connection', async () => {
    const db = await freshDatabase();
    const cases: [readonly unknown[], string | null][] = [[['x', 0], 'none'], [['y', 0], 'two'], [['z', 9], null], [[], 'one'], [['x', 1], 'o"ne\\']];
    const runs = cases.flatMap((args) => [db.run(prepared.term(db, args)), db.run(tagged(db, ...args))]);
    const answers = await Promise.all(runs);
    for (let i = 0; i < cases.length; i++) same(answers[2 * i], answers[2 * i + 1], `arguments ${JSON.stringify(cases[i])}`);
    same(answers[0], [{ id: 'a', echo: [['x', 0], 'none'] }]);
    same(answers[2], [{ id: 'b', echo: [['y', 0], 'two'] }, { id: 'c', echo: [['y', 0], 'two'] }]);
  });

  test('a query that does not use each of its arguments as a plain value is refused when first built', async () => {
    const db = await freshDatabase();
    const unused = new PreparedQuery<[string, string]>((_db, a) => r.expr([a]), 2);
    assert.throws(() => unused.term(db, ['x', 'y']), /each of its arguments/);
  });
});

// ---------------------------------------------------------------- object filters

describe('filters by object, as the lookups inside blocks use them', () => {
  const docs = [
    { id: 1, t: { x: 'a', l: [1, 2], o: { k: 'v' } } },
    { id: 2, t: { x: 'a', l: [1], o: { k: 'w' } } },
    { id: 3, t: { x: 'b', l: [1, 2], o: { k: 'v', extra: true } } },
    { id: 5, t: { x: 'a', l: [2, 1], o: { k: 'v' } } },
  ];
  const ids = async (pattern: Record<string, unknown>) => {
    const db = await freshDatabase();
    return (await db.run<{ id: number }[]>(r.expr(docs).filter(pattern))).map((d) => d.id);
  };

  test('nested objects match field by field, so extra fields do not matter', async () => {
    same(await ids({ t: { x: 'a' } }), [1, 2, 5]);
    same(await ids({ t: { o: { k: 'v' } } }), [1, 3, 5]);
    same(await ids({ t: { x: 'a', o: { k: 'v' } } }), [1, 5]);
    same(await ids({ id: 3 }), [3]);
  });

  test('arrays match element by element and only at equal length', async () => {
    same(await ids({ t: { l: [1, 2] } }), [1, 3]);
    same(await ids({ t: { l: [1] } }), [2]);
    same(await ids({ t: { x: 'a', l: [2, 1] } }), [5]);
  });
});

// ---------------------------------------------------------------- spent, owned, assets

/** A fresh chain with alice's CREATE in a block, and two TRANSFERs of its one output, to bob and to carol, in none yet. */
async function oneOutputSpentTwice(): Promise<{ db: Database; create: Transaction; toBob: Transaction; toCarol: Transaction }> {
  const db = await freshDatabase();
  const create = createTx(alice);
  const spendTo = (to: Keypair) => Transaction.transfer(create.toInputs(), [[[to.publicKey], 1]], create.asset.id).sign([alice.privateKey]);
  await writeBlock(db, blockOf([create], T0));
  return { db, create, toBob: spendTo(bob), toCarol: spendTo(carol) };
}

describe('spent, owned and asset queries', () => {
  test('getSpendingTransactions finds the TRANSFER spending [txid, cid], not one spending another cid of the same transaction', async () => {
    const db = await freshDatabase();
    const create = divisibleCreate(alice, [2, 3]);
    const spends0 = Transaction.transfer(create.toInputs([0]), [[[bob.publicKey], 2]], create.asset.id).sign([alice.privateKey]);
    const spends1 = Transaction.transfer(create.toInputs([1]), [[[carol.publicKey], 3]], create.asset.id).sign([alice.privateKey]);
    const createBlock = blockOf([create], T0);
    const transfers = blockOf([spends1, spends0], T0 + 1);
    await writeBlock(db, createBlock);
    await writeBlock(db, transfers);

    const of0 = await getSpendingTransactions(db, { txid: create.id, cid: 0 });
    same(found(of0), [at(spends0, transfers)]);
    same(of0[0]!.tx, plain(spends0.toDict()));
    same(of0[0]!.voters, [node.publicKey]);
    same(found(await getSpendingTransactions(db, { txid: create.id, cid: 1 })), [at(spends1, transfers)]);
  });

  test('getSpendingTransactions is empty for an unspent output and for an output index the transaction lacks', async () => {
    const db = await freshDatabase();
    const create = divisibleCreate(alice, [2, 3]);
    const spends0 = Transaction.transfer(create.toInputs([0]), [[[bob.publicKey], 2]], create.asset.id).sign([alice.privateKey]);
    await writeBlock(db, blockOf([create], T0));
    await writeBlock(db, blockOf([spends0], T0 + 1));
    same(await getSpendingTransactions(db, { txid: create.id, cid: 1 }), []);
    same(await getSpendingTransactions(db, { txid: create.id, cid: 2 }), []);
    same(await getSpendingTransactions(db, { txid: spends0.id, cid: 0 }), []);
  });

  test('getSpendingTransactions lists every block spending the output (a double spend across blocks gives two entries)', async () => {
    const { db, create, toBob, toCarol } = await oneOutputSpentTwice();
    const b1 = blockOf([toBob], T0 + 1);
    const b2 = blockOf([toCarol], T0 + 2);
    await writeBlock(db, b1);
    await writeBlock(db, b2);
    same(found(await getSpendingTransactions(db, { txid: create.id, cid: 0 })), [at(toBob, b1), at(toCarol, b2)].sort());
  });

  test('getSpendingTransactions leaves out the transaction it is told to, and still finds another spender in the same block and in another', async () => {
    const { db, create, toBob, toCarol } = await oneOutputSpentTwice();
    const both = blockOf([toBob, toCarol], T0 + 1);
    const again = blockOf([toBob], T0 + 2);
    await writeBlock(db, both);
    await writeBlock(db, again);
    const link = { txid: create.id, cid: 0 };
    same(found(await getSpendingTransactions(db, link, toBob.id)), [at(toCarol, both)]);
    same(found(await getSpendingTransactions(db, link, toCarol.id)), [at(toBob, both), at(toBob, again)].sort());
    same(found(await getSpendingTransactions(db, link)), [at(toBob, both), at(toCarol, both), at(toBob, again)].sort());
  });

  test('getTransactionsOwnedBy finds transactions with an output owned by the key, including inside a multi-owner output', async () => {
    const db = await freshDatabase();
    const alone = createTx(alice);
    const shared = createTx(alice, { to: [alice.publicKey, bob.publicKey] });
    const givenAway = createTx(alice, { to: [carol.publicKey] });
    const blockA = blockOf([alone, shared, givenAway], T0, [node.publicKey, peer.publicKey]);
    await writeBlock(db, blockA);

    const alices = await getTransactionsOwnedBy(db, alice.publicKey);
    same(found(alices), [at(alone, blockA), at(shared, blockA)].sort());
    assert.ok(alices.every((e) => e.blockId === blockA.id && e.voters.length === 2));
    same(found(await getTransactionsOwnedBy(db, bob.publicKey)), [at(shared, blockA)]);
    same(found(await getTransactionsOwnedBy(db, carol.publicKey)), [at(givenAway, blockA)]);
  });

  test('getTransactionsOwnedBy returns nothing for a key that owns no output (a stranger, or only an owner before)', async () => {
    const db = await freshDatabase();
    const giver = generateKeypair();
    await writeBlock(db, blockOf([createTx(giver, { to: [bob.publicKey] }), createTx(alice)], T0));
    same(await getTransactionsOwnedBy(db, stranger.publicKey), []);
    same(await getTransactionsOwnedBy(db, giver.publicKey), []);
  });

  test('getTransactionsOwnedBy lists a transaction once even when several of its outputs belong to the key', async () => {
    const db = await freshDatabase();
    const twoOutputs = divisibleCreate(alice, [1, 1]);
    const transfer = Transaction.transfer(twoOutputs.toInputs(), [[[alice.publicKey], 1], [[alice.publicKey, bob.publicKey], 1]], twoOutputs.asset.id)
      .sign([alice.privateKey]);
    const block = blockOf([twoOutputs, transfer], T0);
    await writeBlock(db, block);
    const entries = await getTransactionsOwnedBy(db, alice.publicKey);
    same(found(entries), [at(twoOutputs, block), at(transfer, block)].sort());
    assert.equal(entries.length, 2);
  });

  test('getTransactionsByAssetId returns the CREATE and the TRANSFERs of that asset, each with its block, and nothing of other assets', async () => {
    const db = await freshDatabase();
    const createX = createTx(alice);
    const createY = createTx(bob);
    const transferX = Transaction.transfer(createX.toInputs(), [[[carol.publicKey], 1]], createX.asset.id).sign([alice.privateKey]);
    const block1 = blockOf([createX, createY], T0);
    const block2 = blockOf([transferX], T0 + 1);
    await writeBlock(db, block1);
    await writeBlock(db, block2);

    const ofX = await getTransactionsByAssetId(db, createX.asset.id);
    same(found(ofX), [at(createX, block1), at(transferX, block2)].sort());
    same(ofX.map((e) => e.tx.transaction.operation).sort(), ['CREATE', 'TRANSFER']);
    same(found(await getTransactionsByAssetId(db, createY.asset.id)), [at(createY, block1)]);
    same(await getTransactionsByAssetId(db, '6f8b1b9e-1c0a-4c7e-9f1e-000000000000'), []);
  });

  test('getTransactionsByAssetId lists each transaction once when the CREATE and TRANSFER of an asset share a block', async () => {
    const db = await freshDatabase();
    const create = createTx(alice);
    const transfer = Transaction.transfer(create.toInputs(), [[[bob.publicKey], 1]], create.asset.id).sign([alice.privateKey]);
    const block = blockOf([create, createTx(carol), transfer], T0);
    await writeBlock(db, block);
    const entries = await getTransactionsByAssetId(db, create.asset.id);
    assert.equal(entries.length, 2);
    same(found(entries), [at(create, block), at(transfer, block)].sort());
  });

  test('getTransactionsByMetadataId finds the transaction with that metadata id, even beside transactions with null metadata', async () => {
    const db = await freshDatabase();
    const withMeta = createTx(alice, { metadata: { note: 'first' } });
    const otherMeta = createTx(bob, { metadata: { note: 'second' } });
    const nullA = createTx(carol);
    const nullB = createTx(alice);
    assert.equal(nullA.toDict().transaction.metadata, null);
    const block1 = blockOf([nullA, withMeta, nullB], T0);
    const block2 = blockOf([otherMeta, createTx(bob)], T0 + 1);
    await writeBlock(db, block1);
    await writeBlock(db, block2);

    const entries = await getTransactionsByMetadataId(db, withMeta.metadata!.id);
    same(found(entries), [at(withMeta, block1)]);
    same(entries[0]!.tx.transaction.metadata, { id: withMeta.metadata!.id, data: { note: 'first' } });
    same(found(await getTransactionsByMetadataId(db, otherMeta.metadata!.id)), [at(otherMeta, block2)]);
    same(await getTransactionsByMetadataId(db, '6f8b1b9e-1c0a-4c7e-9f1e-000000000001'), []);
  });

  test('getTransactionsByMetadataId returns every transaction carrying the metadata id, across blocks', async () => {
    const db = await freshDatabase();
    const metadataId = '0b5c8a2e-4a43-4d8e-9f5e-3c1a7d2e9b10';
    const one = createTx(alice, { metadata: { n: '1' }, metadataId });
    const two = createTx(bob, { metadata: { n: '2' }, metadataId });
    const b1 = blockOf([one, createTx(carol)], T0);
    const b2 = blockOf([createTx(carol), two], T0 + 1);
    await writeBlock(db, b1);
    await writeBlock(db, b2);
    same(found(await getTransactionsByMetadataId(db, metadataId)), [at(one, b1), at(two, b2)].sort());
  });
});

// ---------------------------------------------------------------- schema and connection

describe('schema', () => {
  test('createDatabase creates the three tables with exactly the indexes named in INDEXES', async () => {
    await withUncreatedDatabase(async (db) => {
      assert.equal(await databaseExists(db), false);
      await createDatabase(db);
      assert.equal(await databaseExists(db), true);
      same((await db.run<string[]>(db.db().tableList())).sort(), ['backlog', 'bigchain', 'votes']);
      for (const table of TABLES) {
        same(await indexNames(db, table), INDEXES[table].map((i) => i.name).sort(), `indexes of ${table}`);
      }
      // The names SPEC.md §7 requires are among them.
      assert.ok(INDEXES.backlog.some((i) => i.name === 'assignee__transaction_timestamp'));
      for (const name of ['block_timestamp', 'transaction_id', 'metadata_id', 'asset_id']) {
        assert.ok(INDEXES.bigchain.some((i) => i.name === name), name);
      }
      assert.ok(INDEXES.votes.some((i) => i.name === 'block_and_voter'));
    });
  });

  test('createDatabase on a database that exists throws DatabaseAlreadyExists naming it, and keeps its data', async () => {
    const db = await freshDatabase();
    const block = blockOf([createTx(alice)]);
    await writeBlock(db, block);
    await assert.rejects(createDatabase(db), (err: unknown) => {
      assert.ok(err instanceof DatabaseAlreadyExists);
      assert.match(err.message, new RegExp(db.name));
      return true;
    });
    same(await getBlock(db, block.id), plain(block));
  });

  test('createTables is idempotent: a second run changes no table or index and keeps the rows', async () => {
    const db = await freshDatabase();
    const block = blockOf([createTx(alice)]);
    await writeBlock(db, block);
    await createTables(db);
    await createTables(db);
    same((await db.run<string[]>(db.db().tableList())).sort(), ['backlog', 'bigchain', 'votes']);
    for (const table of TABLES) same(await indexNames(db, table), INDEXES[table].map((i) => i.name).sort());
    assert.equal(await countBlocks(db), 1);
    same(await getBlock(db, block.id), plain(block));
  });

  test('createTables recreates a missing table and a missing index, and the recreated index answers queries', async () => {
    const db = await freshDatabase();
    await db.run(db.db().tableDrop('votes'));
    await db.run(db.table('bigchain').indexDrop('asset_id'));
    const tx = createTx(alice);
    const block = blockOf([tx]);
    await writeBlock(db, block);
    await createTables(db);
    same(await indexNames(db, 'votes'), INDEXES.votes.map((i) => i.name).sort());
    same(await indexNames(db, 'bigchain'), INDEXES.bigchain.map((i) => i.name).sort());
    same(found(await getTransactionsByAssetId(db, tx.asset.id)), [at(tx, block)]);
  });

  test('writeGenesisBlock writes a signed block holding one GENESIS transaction from the node to itself', async () => {
    const db = await freshDatabase();
    const genesis = await writeGenesisBlock(db, node);
    same(await getBlock(db, genesis.id), plain(genesis));
    assert.equal(await countBlocks(db), 1);
    assert.equal(genesis.block.node_pubkey, node.publicKey);
    same(genesis.block.voters, [node.publicKey]);
    assert.equal(genesis.block.transactions.length, 1);
    const tx = genesis.block.transactions[0]!;
    assert.equal(tx.transaction.operation, 'GENESIS');
    same(tx.transaction.conditions.map((c) => [c.owners_after, c.amount]), [[[node.publicKey], 1]]);
    same(tx.transaction.metadata!.data, { message: GENESIS_MESSAGE });
    assert.equal(Block.fromDict(await getBlock(db, genesis.id)).isSignatureValid(), true);
  });

  test('writeGenesisBlock a second time throws GenesisBlockAlreadyExists and writes nothing', async () => {
    const db = await freshDatabase();
    const genesis = await writeGenesisBlock(db, node);
    await assert.rejects(writeGenesisBlock(db, node), GenesisBlockAlreadyExists);
    await assert.rejects(writeGenesisBlock(db, peer), GenesisBlockAlreadyExists);
    assert.equal(await countBlocks(db), 1);
    assert.equal((await getGenesisBlock(db))!.id, genesis.id);
  });

  test('writeGenesisBlock throws GenesisBlockAlreadyExists on a chain that already has an ordinary block', async () => {
    const db = await freshDatabase();
    await writeBlock(db, blockOf([createTx(alice)]));
    await assert.rejects(writeGenesisBlock(db, node), GenesisBlockAlreadyExists);
    assert.equal(await countBlocks(db), 1);
    assert.equal(await getGenesisBlock(db), null);
  });

  test('initDatabase creates database, tables, indexes and the genesis block; a second run throws DatabaseAlreadyExists', async () => {
    await withUncreatedDatabase(async (db) => {
      await initDatabase(db, node);
      assert.equal(await databaseExists(db), true);
      for (const table of TABLES) same(await indexNames(db, table), INDEXES[table].map((i) => i.name).sort());
      assert.equal(await countBlocks(db), 1);
      const genesis = await getGenesisBlock(db);
      assert.ok(genesis !== null);
      assert.equal(genesis.block.node_pubkey, node.publicKey);
      await assert.rejects(initDatabase(db, node), DatabaseAlreadyExists);
      assert.equal(await countBlocks(db), 1);
    });
  });

  test('dropDatabase removes the database: databaseExists is then false, and dropping again throws DatabaseDoesNotExist', async () => {
    await withUncreatedDatabase(async (db) => {
      await createDatabase(db);
      assert.equal(await databaseExists(db), true);
      await dropDatabase(db);
      assert.equal(await databaseExists(db), false);
      assert.ok(!(await db.run<string[]>(r.dbList())).includes(db.name));
      await assert.rejects(dropDatabase(db), DatabaseDoesNotExist);
    });
  });

  test('databaseExists is false for a database never created and true for one that was', async () => {
    const fresh = await freshDatabase();
    assert.equal(await databaseExists(fresh), true);
    await withUncreatedDatabase(async (db) => {
      assert.equal(await databaseExists(db), false);
    });
  });
});

describe('connection', () => {
  test('Database.connect to a closed port with attempts: 1 throws DatabaseUnreachable naming host:port and saying what to do', async () => {
    const port = await closedPort();
    const started = Date.now();
    await assert.rejects(Database.connect({ host: '127.0.0.1', port, name: 'bigchain' }, { attempts: 1 }), (err: unknown) => {
      assert.ok(err instanceof DatabaseUnreachable);
      assert.equal(err.name, 'DatabaseUnreachable');
      assert.ok(err.message.includes(`127.0.0.1:${port}`), err.message);
      assert.match(err.message, /Start RethinkDB/);
      assert.match(err.message, /--dev-start-rethinkdb/);
      assert.match(err.message, /BIGCHAINDB_DATABASE_HOST/);
      assert.match(err.message, /BIGCHAINDB_DATABASE_PORT/);
      return true;
    });
    // One attempt: no backoff wait.
    assert.ok(Date.now() - started < 2000);
  });

  test('Database.connect retries the given number of attempts before throwing DatabaseUnreachable', async () => {
    const port = await closedPort();
    const started = Date.now();
    await assert.rejects(Database.connect({ host: '127.0.0.1', port, name: 'bigchain' }, { attempts: 3, firstDelayMs: 100 }), DatabaseUnreachable);
    // Waits 100 ms then 200 ms between the three attempts.
    assert.ok(Date.now() - started >= 290, `returned after ${Date.now() - started} ms`);
  });

  test('a connected Database knows its name, runs sequences to arrays, reads in majority mode, and is closed by close()', async () => {
    const settings = await uniqueDatabaseSettings();
    const db = await Database.connect(settings, { attempts: 1 });
    try {
      assert.equal(db.name, settings.name);
      assert.equal(db.isOpen, true);
      await createDatabase(db);
      const tx = createTx(alice);
      const block = blockOf([tx]);
      await writeBlock(db, block);
      const single = await db.run<BlockDict[]>(db.table('bigchain').getAll(tx.id, { index: 'transaction_id' }));
      const majority = await db.run<BlockDict[]>(db.table('bigchain', 'majority').getAll(tx.id, { index: 'transaction_id' }));
      assert.ok(Array.isArray(single));
      same(single, [plain(block)]);
      same(majority, [plain(block)]);
      await dropDatabase(db);
    } finally {
      await db.close();
    }
    assert.equal(db.isOpen, false);
  });
});
