/**
 * A transaction in two blocks (SPEC.md §8, beyond 0.8.2): a voter votes
 * invalid on a block holding a transaction already in another valid or
 * undecided block, and the election puts back only the transactions of an
 * invalid block that no live block holds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Bigchain } from '../core/bigchain';
import type { Database } from '../db/connection';
import { getBacklogRow } from '../db/queries/backlog';
import { getVotesByBlockAndVoter } from '../db/queries/votes';
import { writeGenesisBlock } from '../db/schema';
import { Metrics } from '../metrics/statsd';
import { Block, type BlockDict } from '../models/block';
import { checkNoOutputSpentTwice } from '../consensus/rules';
import { DoubleSpend, DuplicateTransaction } from '../models/errors';
import { generateKeypair, type Keypair } from '../models/keys';
import { Transaction, type TransactionDict } from '../models/transaction';
import type { BlockId, Timestamp } from '../models/types';
import { createVote, type VoteDict } from '../models/vote';
import { electionPipeline } from '../pipelines/election';
import type { NodeSettings } from '../pipelines/node-settings';
import type { Pipeline } from '../pipelines/runtime/pipeline';
import { ValidationPool } from '../pipelines/validation/pool';
import { VerdictMemo } from '../models/verdict-memo';
import { serialize } from '../models/serialize';
import { votePipeline } from '../pipelines/vote';
import { testNodeSettings } from './helpers/node-settings';
import { freshDatabase } from './helpers/database';
import { sleep, waitFor } from './helpers/federation';

const [me, peer1, peer2] = [generateKeypair(), generateKeypair(), generateKeypair()];
const voters = [me, peer1, peer2].map((k) => k.publicKey);
const alice = generateKeypair();
let clock = Math.floor(Date.now() / 1000);

const create = (tag: string) =>
  Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { tag, r: Math.random() } }).sign([alice.privateKey]);

/** A block of `txs` signed by `creator`, each in a second of its own so that blocks of the same transactions differ. */
function blockBy(creator: Keypair, txs: Transaction[]): Block {
  return Block.create(txs, creator.publicKey, voters, String(++clock) as Timestamp).sign(creator.privateKey);
}

interface Node {
  db: Database;
  bigchain: Bigchain;
  genesis: BlockDict;
  settings: NodeSettings;
}

/** My node in a federation of three whose peers do not run: my vote alone decides nothing. */
async function myNode(): Promise<Node> {
  const db = await freshDatabase();
  const genesis = await writeGenesisBlock(db, me);
  const keyring = [peer1.publicKey, peer2.publicKey];
  const settings = testNodeSettings(db.settings, me, keyring);
  return { db, genesis, settings, bigchain: new Bigchain(db, { keypair: me, keyring }) };
}

async function myVote(node: Node, block: Block): Promise<VoteDict> {
  await waitFor(`my vote on block ${block.id}`, async () => (await getVotesByBlockAndVoter(node.db, block.id as BlockId, me.publicKey)).length > 0, 20_000);
  return (await getVotesByBlockAndVoter(node.db, block.id as BlockId, me.publicKey))[0]!;
}

/** My node with its vote pipeline running through the tests of the enclosing describe. */
function myVotingNode(): { readonly node: Node; readonly memo: VerdictMemo } {
  let node: Node;
  let memo: VerdictMemo;
  let pool: ValidationPool;
  let pipeline: Pipeline;
  let running: Promise<void>;

  before(async () => {
    node = await myNode();
    memo = VerdictMemo.create();
    pool = new ValidationPool(node.settings, memo.memory);
    pipeline = await votePipeline({ settings: node.settings, bigchain: node.bigchain, pool, memo, metrics: Metrics.discard(), isStopping: () => false });
    running = pipeline.start();
  });

  after(async () => {
    await pipeline.stop();
    await running;
    await pool.destroy();
  });
  return { get node() { return node; }, get memo() { return memo; } };
}

describe('the vote on a block holding a transaction of another block', () => {
  const voting = myVotingNode();

  test('is invalid when that other block is undecided, and its transactions are otherwise valid', async () => {
    const shared = create('shared-undecided');
    const first = blockBy(peer1, [shared, create('first-only')]);
    await voting.node.bigchain.writeBlock(first);
    assert.equal((await myVote(voting.node, first)).vote.is_block_valid, true);
    assert.equal(await voting.node.bigchain.blockElectionStatus(first.id, voters), 'undecided');

    const second = blockBy(peer2, [create('second-only'), shared]);
    await voting.node.bigchain.writeBlock(second);
    assert.equal((await myVote(voting.node, second)).vote.is_block_valid, false);
    // The same rule in the consensus rules, asked by a peer that has not voted on it yet.
    const peerView = new Bigchain(voting.node.db, { keypair: peer1, keyring: [me.publicKey, peer2.publicKey] });
    await assert.rejects(peerView.validateBlock(second), (err: unknown) => {
      assert.ok(err instanceof DuplicateTransaction);
      assert.match(err.message, new RegExp(`transaction ${shared.id} is already in block ${first.id}`));
      return true;
    });
  });

  test('is invalid when that other block is valid', async () => {
    const shared = create('shared-valid');
    const first = blockBy(peer1, [shared]);
    await voting.node.bigchain.writeBlock(first);
    // Valid takes a majority agreeing on the previous block too: peer 1 chains its vote as I did.
    const mine = await myVote(voting.node, first);
    await voting.node.bigchain.writeVote(createVote(peer1, first.id, mine.vote.previous_block, true));
    assert.equal(await voting.node.bigchain.blockElectionStatus(first.id, voters), 'valid');

    const second = blockBy(peer2, [shared]);
    await voting.node.bigchain.writeBlock(second);
    assert.equal((await myVote(voting.node, second)).vote.is_block_valid, false);
  });

  test('a block holding a transaction without an id is voted invalid: the lookup of other blocks skips it', async () => {
    const malformed = { transaction: { operation: 'CREATE' } } as unknown as TransactionDict;
    const block = Block.create([create('beside-a-malformed-one').toDict(), malformed], peer1.publicKey, voters, String(++clock) as Timestamp).sign(peer1.privateKey);
    await voting.node.bigchain.writeBlock(block);
    assert.equal((await myVote(voting.node, block)).vote.is_block_valid, false);
  });

  test('is valid when that other block is invalid', async () => {
    const shared = create('shared-invalid');
    const first = blockBy(peer1, [shared]);
    for (const peer of [peer1, peer2]) await voting.node.bigchain.writeVote(createVote(peer, first.id, voting.node.genesis.id, false));
    await voting.node.bigchain.writeBlock(first);
    await myVote(voting.node, first);
    assert.equal(await voting.node.bigchain.blockElectionStatus(first.id, voters), 'invalid');

    const second = blockBy(peer2, [shared]);
    await voting.node.bigchain.writeBlock(second);
    assert.equal((await myVote(voting.node, second)).vote.is_block_valid, true);
  });
});

describe('the vote on a block holding TRANSFERs', () => {
  const voting = myVotingNode();

  /** CREATEs to alice in a block made valid by my vote and peer 1's. */
  async function validCreates(tag: string, count: number): Promise<Transaction[]> {
    const creates = Array.from({ length: count }, (_, i) => create(`${tag}-${i}`));
    const block = blockBy(peer1, creates);
    await voting.node.bigchain.writeBlock(block);
    const mine = await myVote(voting.node, block);
    await voting.node.bigchain.writeVote(createVote(peer1, block.id, mine.vote.previous_block, true));
    assert.equal(await voting.node.bigchain.blockElectionStatus(block.id, voters), 'valid');
    return creates;
  }

  const transfer = (of: Transaction, to: Keypair) =>
    Transaction.transfer(of.toInputs(), [[[to.publicKey], 1]], of.asset.id).sign([alice.privateKey]);

  test('is valid when each spends its own valid output, several to a block', async () => {
    const [a, b] = await validCreates('own-output', 2);
    const block = blockBy(peer2, [transfer(a!, peer1), transfer(b!, peer2)]);
    await voting.node.bigchain.writeBlock(block);
    assert.equal((await myVote(voting.node, block)).vote.is_block_valid, true);
  });

  test('is invalid when two of its TRANSFERs spend one output', async () => {
    const [a, b] = await validCreates('spent-twice-within', 2);
    const block = blockBy(peer2, [transfer(a!, peer1), transfer(b!, peer1), transfer(a!, peer2)]);
    await voting.node.bigchain.writeBlock(block);
    assert.equal((await myVote(voting.node, block)).vote.is_block_valid, false);
    assert.throws(() => checkNoOutputSpentTwice(block.toDict()), (err: Error) => err instanceof DoubleSpend && err.message.includes(`${a!.id}/0`));
  });

  test('is invalid when its TRANSFER spends an output that a TRANSFER of another, undecided block spends', async () => {
    const [a] = await validCreates('spent-elsewhere', 1);
    const first = blockBy(peer1, [transfer(a!, peer1)]);
    await voting.node.bigchain.writeBlock(first);
    assert.equal((await myVote(voting.node, first)).vote.is_block_valid, true);
    const second = blockBy(peer2, [transfer(a!, peer2)]);
    await voting.node.bigchain.writeBlock(second);
    assert.equal((await myVote(voting.node, second)).vote.is_block_valid, false);
  });
});

describe('the vote on CREATEs its node found valid before (models/verdict-memo.ts)', () => {
  const voting = myVotingNode();
  /** Breaks a rule that only validation sees, as the fault-injection setting's CREATE does: a divisible asset of amount 1. */
  const breaking = (tag: string) =>
    Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { tag }, asset: { divisible: true } }).sign([alice.privateKey]);

  test('takes a CREATE whose exact canonical text the memo holds as valid, without validating it again', async () => {
    const remembered = breaking('remembered as valid');
    voting.memo.addValidCreate(serialize(remembered.toDict()));
    const block = blockBy(peer1, [create('beside it'), remembered]);
    await voting.node.bigchain.writeBlock(block);
    assert.equal((await myVote(voting.node, block)).vote.is_block_valid, true);
  });

  test('validates every CREATE the memo does not hold, and votes invalid on one that breaks a rule', async () => {
    const unknown = breaking('not remembered');
    const other = serialize(breaking('another one').toDict());
    voting.memo.addValidCreate(other);
    const block = blockBy(peer1, [create('valid beside it'), unknown]);
    await voting.node.bigchain.writeBlock(block);
    assert.equal((await myVote(voting.node, block)).vote.is_block_valid, false);
  });
});

describe('the election of an invalid block', () => {
  test('puts back its transactions that no valid or undecided block holds, and only those', async () => {
    const node = await myNode();
    const [shared, alone] = [create('requeue-shared'), create('requeue-alone')];
    const live = blockBy(peer1, [shared]);
    await node.bigchain.writeBlock(live);
    const invalid = blockBy(peer2, [shared, alone]);
    await node.bigchain.writeBlock(invalid);
    for (const peer of [peer1, peer2]) await node.bigchain.writeVote(createVote(peer, invalid.id, node.genesis.id, false));

    const pipeline = electionPipeline({ settings: node.settings, bigchain: node.bigchain, metrics: Metrics.discard(), isStopping: () => false });
    const running = pipeline.start();
    try {
      await waitFor('the transaction in no other block back in the backlog', async () => (await getBacklogRow(node.db, alone.id)) !== null, 20_000);
      // The block's transactions are written back in one insert: had the shared one been put back, it would be there now.
      await sleep(200);
      assert.equal(await getBacklogRow(node.db, shared.id), null, 'the transaction held by the undecided block stays out of the backlog');
    } finally {
      await pipeline.stop();
      await running;
    }
  });
});
