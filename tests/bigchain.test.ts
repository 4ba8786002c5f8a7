/**
 * The core API against a real RethinkDB-protocol server: lookups in SPEC.md
 * §6's order, elections from real signed votes, and double spends across
 * valid, undecided and invalid blocks.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Bigchain, ChainCorruption } from '../core/bigchain';
import { ChainQueries } from '../core/queries';
import { baseConsensusRules } from '../consensus/rules';
import type { Database } from '../db/connection';
import { getBacklogRow } from '../db/queries/backlog';
import { writeGenesisBlock } from '../db/schema';
import { Block, type BlockDict } from '../models/block';
import {
  CyclicBlockchainError, DoubleSpend, FulfillmentNotInValidBlock, InvalidSignature, OperationError, TransactionDoesNotExist,
} from '../models/errors';
import { generateKeypair, type Keypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import type { BlockId, Timestamp } from '../models/types';
import { createVote } from '../models/vote';
import { freshDatabase } from './helpers/database';

const [me, peer1, peer2] = [generateKeypair(), generateKeypair(), generateKeypair()];
const federation = [me, peer1, peer2];
const alice = generateKeypair();
const bob = generateKeypair();

interface Chain {
  db: Database;
  bigchain: Bigchain;
  genesis: BlockDict;
}

async function newChain(keyring: Keypair[] = [peer1, peer2]): Promise<Chain> {
  const db = await freshDatabase();
  const genesis = await writeGenesisBlock(db, me);
  return { db, bigchain: new Bigchain(db, { keypair: me, keyring: keyring.map((k) => k.publicKey) }), genesis };
}

const createFor = (owner: Keypair, metadata: Record<string, string> = { n: Math.random().toString() }): Transaction =>
  Transaction.create([owner.publicKey], [[[owner.publicKey], 1]], { metadata }).sign([owner.privateKey]);

const transferOf = (input: Transaction, from: Keypair, to: Keypair): Transaction =>
  Transaction.transfer(input.toInputs(), [[[to.publicKey], 1]], input.asset.id).sign([from.privateKey]);

let clock = Math.floor(Date.now() / 1000);

/**
 * Writes a block of `txs` by me and the votes `decisions[i]` of federation
 * node i (null: no vote). Each block gets its own second, so blocks holding the
 * same transactions still differ.
 */
async function blockWithVotes(chain: Chain, txs: Transaction[], decisions: (boolean | null)[], timestamp?: Timestamp): Promise<Block> {
  const at = timestamp ?? (String(++clock) as Timestamp);
  const block = Block.create(txs, me.publicKey, federation.map((k) => k.publicKey), at).sign(me.privateKey);
  await chain.bigchain.writeBlock(block);
  for (const [i, decision] of decisions.entries()) {
    if (decision !== null) await chain.bigchain.writeVote(createVote(federation[i]!, block.id, chain.genesis.id, decision));
  }
  return block;
}

const VALID = [true, true, null];
const INVALID = [false, false, null];
const UNDECIDED = [true, null, null];

describe('writing and reassigning backlog transactions', () => {
  let chain: Chain;
  before(async () => { chain = await newChain(); });

  test('writeTransaction assigns to a keyring node other than me, with a float timestamp', async () => {
    const tx = createFor(alice);
    assert.equal(await chain.bigchain.writeTransaction(tx), true);
    const row = await getBacklogRow(chain.db, tx.id);
    assert.ok(row !== null && [peer1.publicKey, peer2.publicKey].includes(row.assignee));
    assert.ok(Math.abs(row.assignment_timestamp - Date.now() / 1000) < 60);
  });

  test('writing the same transaction twice keeps one backlog row', async () => {
    const tx = createFor(alice);
    assert.equal(await chain.bigchain.writeTransaction(tx), true);
    assert.equal(await chain.bigchain.writeTransaction(tx), false);
  });

  test('a node alone assigns to itself and reassigns to itself', async () => {
    const alone = await newChain([]);
    const tx = createFor(alice);
    await alone.bigchain.writeTransaction(tx);
    const row = (await getBacklogRow(alone.db, tx.id))!;
    assert.equal(row.assignee, me.publicKey);
    assert.equal(await alone.bigchain.reassignTransaction(row), me.publicKey);
  });

  test('reassignTransaction hands the row to another federation node and renews its timestamp', async () => {
    const tx = createFor(alice);
    await chain.bigchain.writeTransaction(tx);
    const row = (await getBacklogRow(chain.db, tx.id))!;
    const assignee = await chain.bigchain.reassignTransaction(row);
    const after = (await getBacklogRow(chain.db, tx.id))!;
    assert.notEqual(assignee, row.assignee);
    assert.equal(after.assignee, assignee);
    assert.ok(after.assignment_timestamp >= row.assignment_timestamp);
  });
});

describe('getTransaction looks in valid, then undecided blocks, then the backlog', () => {
  let chain: Chain;
  before(async () => { chain = await newChain(); });

  test('a transaction only in the backlog has status backlog, without the backlog fields', async () => {
    const tx = createFor(alice);
    await chain.bigchain.writeTransaction(tx);
    const found = await chain.bigchain.getTransaction(tx.id, { withStatus: true });
    assert.equal(found?.status, 'backlog');
    assert.deepEqual(Object.keys(found!.transaction.toDict()).sort(), ['id', 'transaction', 'version']);
  });

  test('a transaction in an undecided block is undecided even while still in the backlog', async () => {
    const tx = createFor(alice);
    await chain.bigchain.writeTransaction(tx);
    await blockWithVotes(chain, [tx], UNDECIDED);
    assert.equal(await chain.bigchain.getStatus(tx.id), 'undecided');
  });

  test('a transaction in a valid block is valid, and a valid block wins over an undecided one', async () => {
    const tx = createFor(alice);
    await blockWithVotes(chain, [tx], UNDECIDED);
    await blockWithVotes(chain, [tx], VALID);
    assert.equal(await chain.bigchain.getStatus(tx.id), 'valid');
    assert.equal((await chain.bigchain.getTransaction(tx.id))?.id, tx.id);
  });

  test('a transaction only in an invalid block is unknown; back in the backlog it is backlog again', async () => {
    const tx = createFor(alice);
    await blockWithVotes(chain, [tx], INVALID);
    assert.equal(await chain.bigchain.getTransaction(tx.id), null);
    assert.equal(await chain.bigchain.getStatus(tx.id), null);
    await chain.bigchain.writeTransaction(tx);
    assert.equal(await chain.bigchain.getStatus(tx.id), 'backlog');
  });

  test('getBlocksStatusContainingTx gives each block its election status', async () => {
    const tx = createFor(alice);
    const invalid = await blockWithVotes(chain, [tx], INVALID);
    const undecided = await blockWithVotes(chain, [tx], UNDECIDED);
    const statuses = await chain.bigchain.getBlocksStatusContainingTx(tx.id);
    assert.deepEqual(Object.fromEntries(statuses), { [invalid.id]: 'invalid', [undecided.id]: 'undecided' });
  });

  test('a transaction in two valid blocks is a ChainCorruption', async () => {
    const tx = createFor(alice);
    await blockWithVotes(chain, [tx], VALID);
    await blockWithVotes(chain, [tx], VALID);
    await assert.rejects(chain.bigchain.getTransaction(tx.id), ChainCorruption);
  });
});

describe('block election status from real votes', () => {
  let chain: Chain;
  before(async () => { chain = await newChain(); });

  for (const [name, votes, expected] of [
    ['2 of 3 valid votes → valid', VALID, 'valid'],
    ['2 of 3 invalid votes → invalid', INVALID, 'invalid'],
    ['1 of 3 valid votes → undecided', UNDECIDED, 'undecided'],
    ['no votes → undecided', [null, null, null], 'undecided'],
    ['1 valid, 1 invalid of 3 → undecided', [true, false, null], 'undecided'],
  ] as const) {
    test(name, async () => {
      const block = await blockWithVotes(chain, [createFor(alice)], [...votes]);
      assert.equal(await chain.bigchain.blockElectionStatus(block.id, block.voters), expected);
    });
  }

  test('a vote signed by a node outside the block\'s voters does not count', async () => {
    const block = await blockWithVotes(chain, [createFor(alice)], UNDECIDED);
    await chain.bigchain.writeVote(createVote(generateKeypair(), block.id, chain.genesis.id, true));
    assert.equal(await chain.bigchain.blockElectionStatus(block.id, block.voters), 'undecided');
  });

  test('an undecided block becomes valid once a second valid vote arrives', async () => {
    const block = await blockWithVotes(chain, [createFor(alice)], UNDECIDED);
    assert.equal(await chain.bigchain.blockElectionStatus(block.id, block.voters), 'undecided');
    await chain.bigchain.writeVote(createVote(peer2, block.id, chain.genesis.id, true));
    assert.equal(await chain.bigchain.blockElectionStatus(block.id, block.voters), 'valid');
  });
});

describe('validateTransaction and double spends', () => {
  let chain: Chain;
  before(async () => { chain = await newChain(); });

  async function validCreate(): Promise<Transaction> {
    const create = createFor(alice);
    await blockWithVotes(chain, [create], VALID);
    return create;
  }

  test('a CREATE validates without any chain state', async () => {
    const tx = createFor(alice);
    assert.equal(await chain.bigchain.validateTransaction(tx), tx);
  });

  test('a TRANSFER of an output in a valid block validates', async () => {
    const create = await validCreate();
    const transfer = transferOf(create, alice, bob);
    assert.equal(await chain.bigchain.validateTransaction(transfer), transfer);
  });

  test("a TRANSFER of its asset's CREATE takes the asset from that input; one of a TRANSFER looks the CREATE up", async () => {
    const create = Transaction.create([alice.publicKey], [[[alice.publicKey], 2]], { asset: { divisible: true } }).sign([alice.privateKey]);
    await blockWithVotes(chain, [create], VALID);
    const asked: string[] = [];
    const reader = Object.create(chain.bigchain) as Bigchain;
    reader.getAssetById = (id) => { asked.push(id); return chain.bigchain.getAssetById(id); };
    // Splitting 2 into 1 + 1 is valid only for a divisible asset: the definition taken is the CREATE's whole one.
    const split = Transaction.transfer(create.toInputs(), [[[bob.publicKey], 1], [[bob.publicKey], 1]], create.asset.id).sign([alice.privateKey]);
    assert.equal(await baseConsensusRules.validateTransaction(reader, split), split);
    assert.deepEqual(asked, []);
    await blockWithVotes(chain, [split], VALID);
    const onward = Transaction.transfer(split.toInputs(), [[[alice.publicKey], 2]], create.asset.id).sign([bob.privateKey]);
    assert.equal(await baseConsensusRules.validateTransaction(reader, onward), onward);
    assert.deepEqual(asked, [create.asset.id]);
  });

  test('spending an output spent by a transaction in an undecided block is a DoubleSpend', async () => {
    const create = await validCreate();
    await blockWithVotes(chain, [transferOf(create, alice, bob)], UNDECIDED);
    await assert.rejects(chain.bigchain.validateTransaction(transferOf(create, alice, alice)), DoubleSpend);
  });

  test('spending an output spent by a transaction in a valid block is a DoubleSpend', async () => {
    const create = await validCreate();
    await blockWithVotes(chain, [transferOf(create, alice, bob)], VALID);
    await assert.rejects(chain.bigchain.validateTransaction(transferOf(create, alice, alice)), DoubleSpend);
  });

  test('a spend in an invalid block does not count: the output can be spent again', async () => {
    const create = await validCreate();
    await blockWithVotes(chain, [transferOf(create, alice, bob)], INVALID);
    const again = transferOf(create, alice, alice);
    assert.equal(await chain.bigchain.validateTransaction(again), again);
  });

  test('a transaction is not a double spend of itself (it may sit in the block being voted on)', async () => {
    const create = await validCreate();
    const transfer = transferOf(create, alice, bob);
    await blockWithVotes(chain, [transfer], UNDECIDED);
    assert.equal(await chain.bigchain.validateTransaction(transfer), transfer);
  });

  test('an input in an undecided block or in the backlog is FulfillmentNotInValidBlock', async () => {
    const undecided = createFor(alice);
    await blockWithVotes(chain, [undecided], UNDECIDED);
    await assert.rejects(chain.bigchain.validateTransaction(transferOf(undecided, alice, bob)), FulfillmentNotInValidBlock);
    const backlog = createFor(alice);
    await chain.bigchain.writeTransaction(backlog);
    await assert.rejects(chain.bigchain.validateTransaction(transferOf(backlog, alice, bob)), FulfillmentNotInValidBlock);
  });

  test('an input that does not exist is TransactionDoesNotExist', async () => {
    await assert.rejects(chain.bigchain.validateTransaction(transferOf(createFor(alice), alice, bob)), TransactionDoesNotExist);
  });

  test('isValidTransaction answers false instead of throwing', async () => {
    assert.equal(await chain.bigchain.isValidTransaction(transferOf(createFor(alice), alice, bob)), false);
  });

  test('getSpent names the spender in a valid block, and nothing once its block is invalid', async () => {
    const create = await validCreate();
    const transfer = transferOf(create, alice, bob);
    await blockWithVotes(chain, [transfer], VALID);
    assert.equal((await chain.bigchain.getSpent({ txid: create.id, cid: 0 }))?.id, transfer.id);
    const other = await validCreate();
    await blockWithVotes(chain, [transferOf(other, alice, bob)], INVALID);
    assert.equal(await chain.bigchain.getSpent({ txid: other.id, cid: 0 }), null);
  });
});

describe('owned outputs and asset lookups', () => {
  let chain: Chain;
  before(async () => { chain = await newChain(); });

  test('ChainQueries.outputs unspent lists the outputs of valid blocks not spent by a valid or undecided one; spent lists those a valid one spent', async () => {
    const owner = generateKeypair();
    const valid = createFor(owner);
    const undecided = createFor(owner);
    const invalid = createFor(owner);
    const spent = createFor(owner);
    await blockWithVotes(chain, [valid, spent], VALID);
    await blockWithVotes(chain, [undecided], UNDECIDED);
    await blockWithVotes(chain, [invalid], INVALID);
    await blockWithVotes(chain, [transferOf(spent, owner, bob)], VALID);
    const queries = new ChainQueries(chain.bigchain);
    const links = async (spentFilter?: boolean) => (await queries.outputs(owner.publicKey, spentFilter)).map((o) => `${o.txid}/${o.cid}`).sort();
    assert.deepEqual(await links(false), [`${valid.id}/0`]);
    assert.deepEqual(await links(true), [`${spent.id}/0`]);
    assert.deepEqual(await links(), [`${valid.id}/0`, `${spent.id}/0`].sort());
  });

  test('transactions by asset id and by metadata id, and the asset as its CREATE defined it', async () => {
    const create = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { tag: 'm' }, asset: { data: { name: 'x' } } })
      .sign([alice.privateKey]);
    const transfer = transferOf(create, alice, bob);
    await blockWithVotes(chain, [create], VALID);
    await blockWithVotes(chain, [transfer], UNDECIDED);
    const byAsset = await chain.bigchain.getTransactionsByAssetId(create.asset.id);
    assert.deepEqual(byAsset.map((t) => t.id).sort(), [create.id, transfer.id].sort());
    const byMetadata = await chain.bigchain.getTransactionsByMetadataId(create.metadata!.id);
    assert.deepEqual(byMetadata.map((t) => t.id), [create.id]);
    assert.deepEqual(await chain.bigchain.getAssetById(create.asset.id), create.asset);
    assert.equal(await chain.bigchain.getAssetById('00000000-0000-4000-8000-000000000000'), null);
  });
});

describe('blocks and votes', () => {
  let chain: Chain;
  before(async () => { chain = await newChain(); });

  test('createBlock signs with my key for the whole federation', () => {
    const block = chain.bigchain.createBlock([createFor(alice)]);
    assert.equal(block.nodePubkey, me.publicKey);
    assert.deepEqual([...block.voters].sort(), federation.map((k) => k.publicKey).sort());
    assert.ok(block.isSignatureValid());
  });

  test('validateBlock accepts a block of valid transactions by a federation node', async () => {
    const block = chain.bigchain.createBlock([createFor(alice)]);
    assert.equal(await chain.bigchain.validateBlock(block), block);
  });

  test('validateBlock refuses a block by a node outside the federation', async () => {
    const stranger = generateKeypair();
    const block = Block.create([createFor(alice)], stranger.publicKey, [stranger.publicKey]).sign(stranger.privateKey);
    await assert.rejects(chain.bigchain.validateBlock(block), OperationError);
  });

  test('validateBlock refuses an unsigned block and a block holding an invalid transaction', async () => {
    await assert.rejects(chain.bigchain.validateBlock(Block.create([createFor(alice)], me.publicKey, [me.publicKey])), InvalidSignature);
    const bad = chain.bigchain.createBlock([transferOf(createFor(alice), alice, bob)]);
    await assert.rejects(chain.bigchain.validateBlock(bad), TransactionDoesNotExist);
  });

  test('a block I already voted on passes validateBlock without being checked again', async () => {
    const bad = chain.bigchain.createBlock([transferOf(createFor(alice), alice, bob)]);
    await chain.bigchain.writeBlock(bad);
    await chain.bigchain.writeVote(chain.bigchain.vote(bad.id, chain.genesis.id, false));
    assert.equal(await chain.bigchain.hasPreviousVote(bad.id), true);
    assert.equal(await chain.bigchain.validateBlock(bad), bad);
  });
});

describe('the vote chain: last voted block and unvoted blocks', () => {
  test('a node that never voted has voted last on the genesis block, and every other block is unvoted, oldest first', async () => {
    const chain = await newChain();
    assert.equal((await chain.bigchain.getLastVotedBlock()).id, chain.genesis.id);
    const b2 = await blockWithVotes(chain, [createFor(alice)], [], '1600000002' as Timestamp);
    const b1 = await blockWithVotes(chain, [createFor(alice)], [], '1600000001' as Timestamp);
    assert.deepEqual((await chain.bigchain.getUnvotedBlocks()).map((b) => b.id), [b1.id, b2.id]);
  });

  test('votes cast within one second are ordered by following previous_block', async () => {
    const chain = await newChain();
    const blocks = [];
    for (let i = 0; i < 4; i++) blocks.push(await blockWithVotes(chain, [createFor(alice)], []));
    let previous: BlockId = chain.genesis.id;
    for (const block of [blocks[2]!, blocks[0]!, blocks[3]!, blocks[1]!]) {
      await chain.bigchain.writeVote(createVote(me, block.id, previous, true, '1700000000' as Timestamp));
      previous = block.id;
    }
    assert.equal((await chain.bigchain.getLastVotedBlock()).id, blocks[1]!.id);
    assert.deepEqual(await chain.bigchain.getUnvotedBlocks(), []);
  });

  test('a vote chain that loops is a CyclicBlockchainError', async () => {
    const chain = await newChain();
    const a = await blockWithVotes(chain, [createFor(alice)], []);
    const b = await blockWithVotes(chain, [createFor(alice)], []);
    await chain.bigchain.writeVote(createVote(me, a.id, b.id, true, '1700000000' as Timestamp));
    await chain.bigchain.writeVote(createVote(me, b.id, a.id, true, '1700000000' as Timestamp));
    await assert.rejects(chain.bigchain.getLastVotedBlock(), CyclicBlockchainError);
  });

  test('unvoted blocks exclude those I voted on and the genesis block', async () => {
    const chain = await newChain();
    const voted = await blockWithVotes(chain, [createFor(alice)], [true, null, null]);
    const unvoted = await blockWithVotes(chain, [createFor(alice)], [null, true, true]);
    const ids = (await chain.bigchain.getUnvotedBlocks()).map((b) => b.id);
    assert.deepEqual(ids, [unvoted.id]);
    assert.ok(!ids.includes(voted.id) && !ids.includes(chain.genesis.id));
  });
});
