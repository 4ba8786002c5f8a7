/**
 * No transaction in two valid blocks, with real `bigchaindb start`
 * processes: when the federation's voters see two blocks sharing
 * transactions in opposite orders, and when a node's block write is held
 * back by a lost database while another node blocks the same transactions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countBacklog } from '../db/queries/backlog';
import { Block, type BlockDict } from '../models/block';
import type { BlockId, Timestamp } from '../models/types';
import { beforeDroppingDatabases, testServer } from './helpers/database';
import { startFederation, waitFor, within, type Federation, type NodeProcess } from './helpers/federation';
import { allBlocks, allValid, allVotes, assertValidOnce, assertVoteChain, create, genesisOf, writeAssigned } from './helpers/federation-checks';
import { startTcpProxy } from './helpers/tcp-proxy';

/** The status of a block once its election is over. */
async function decided(f: Federation, block: Block): Promise<'valid' | 'invalid'> {
  let status = await f.bigchain.blockElectionStatus(block.id, block.voters);
  await waitFor(`the election of block ${block.id}`, async () => (status = await f.bigchain.blockElectionStatus(block.id, block.voters)) !== 'undecided');
  return status as 'valid' | 'invalid';
}

async function voteOf(f: Federation, node: NodeProcess, block: Block): Promise<boolean> {
  const find = async () => (await allVotes(f)).find((v) => v.node_pubkey === node.keypair.publicKey && v.vote.voting_for_block === block.id);
  await waitFor(`the vote of ${node.keypair.publicKey} on block ${block.id}`, async () => (await find()) !== undefined);
  return (await find())!.vote.is_block_valid;
}

describe('two blocks sharing transactions', () => {
  test('seen in opposite orders by the voters of a three-node federation, they are never both valid, and every transaction ends valid exactly once', async () => {
    const f = await startFederation({ size: 3, notStarted: [1, 2] });
    const [first, second, third] = f.nodes as [NodeProcess, NodeProcess, NodeProcess];
    const voters = f.nodes.map((n) => n.keypair.publicKey);
    const shared = Array.from({ length: 6 }, (_, i) => create(`shared-${i}`));
    const [onlyX, onlyY] = [create('only-x'), create('only-y')];
    const now = Math.floor(Date.now() / 1000);
    const x = Block.create([...shared, onlyX], first.keypair.publicKey, voters, String(now) as Timestamp).sign(first.keypair.privateKey);
    // Older than x: a voter catching up takes y first, one following the changefeed takes x first.
    const y = Block.create([onlyY, ...shared], second.keypair.publicKey, voters, String(now - 30) as Timestamp).sign(second.keypair.privateKey);

    await first.waitUntilServing();
    await f.bigchain.writeBlock(x);
    assert.equal(await voteOf(f, first, x), true, 'node 0 saw x alone: valid');
    await f.bigchain.writeBlock(y);
    assert.equal(await voteOf(f, first, y), false, 'node 0 saw y while x was undecided: invalid');
    second.start();
    third.start();

    const [statusX, statusY] = [await decided(f, x), await decided(f, y)];
    assert.ok(!(statusX === 'valid' && statusY === 'valid'), `never both valid: x ${statusX}, y ${statusY}`);
    const genesis = (await genesisOf(f)).id;
    assert.deepEqual((await assertVoteChain(f, first.keypair, genesis)).slice(0, 2), [x.id, y.id], 'node 0 voted x, then y');
    for (const late of [second, third]) {
      assert.deepEqual((await assertVoteChain(f, late.keypair, genesis)).slice(0, 2), [y.id, x.id], 'the late nodes voted y, then x');
    }
    assert.match(first.log(), new RegExp(`block ${y.id} is invalid: transaction [0-9a-f]{64} is already in block ${x.id}`));

    const all = [...shared, onlyX, onlyY];
    await waitFor('every transaction valid', () => allValid(f, all), 90_000);
    await assertValidOnce(f, all);
    await waitFor('an empty backlog', async () => (await countBacklog(f.db)) === 0);
  });
});

describe('a node whose block write is held back', () => {
  test('by a database connection cut for longer than the reassign delay, while another node blocks the same transactions: no transaction is in two blocks', async () => {
    const proxy = await startTcpProxy(await testServer());
    beforeDroppingDatabases(() => proxy.close());
    // Node 0 reaches the database only through the proxy; node 1 directly.
    const f = await startFederation({
      size: 2,
      reassignDelay: 2,
      configOf: (i, database) => (i === 0 ? { database: { ...database, host: '127.0.0.1', port: proxy.port } } : {}),
    });
    const [held, other] = f.nodes as [NodeProcess, NodeProcess];
    await Promise.all(f.nodes.map((n) => n.waitUntilServing()));
    const tag = `held-${Date.now()}`;
    const txs = Array.from({ length: 8 }, () => create(tag));
    // The tag travels only inside whole transactions: the first query of node 0 that carries one is its block write.
    proxy.cutWhenClientSends(tag);
    await writeAssigned(f, txs, [held.keypair.publicKey]);
    await within('node 0 to write its block', proxy.whenCut, 30_000);

    const ids = new Set<string>(txs.map((tx) => tx.id));
    const holding = (blocks: BlockDict[], node: NodeProcess) =>
      blocks.filter((b) => b.block.node_pubkey === node.keypair.publicKey && b.block.transactions.some((tx) => ids.has(tx.id)));
    await waitFor('node 1 to block the transactions reassigned to it', async () =>
      holding(await allBlocks(f), other).flatMap((b) => b.block.transactions).filter((tx) => ids.has(tx.id)).length === txs.length, 60_000);
    proxy.restore();

    // Node 0 is done with its held block once it has dropped those transactions, or written it.
    await waitFor('node 0 to finish its held block', async () => /leaves block/.test(held.log()) || holding(await allBlocks(f), held).length > 0, 60_000);
    assert.match(held.log(), /write block [0-9a-f]{64} failed/, 'the block write of node 0 was held back');
    assert.deepEqual(holding(await allBlocks(f), held).map((b) => b.id as BlockId), [], 'node 0 wrote no block of these transactions');
    await waitFor('every transaction valid', () => allValid(f, txs), 90_000);
    await assertValidOnce(f, txs);
    await waitFor('an empty backlog', async () => (await countBacklog(f.db)) === 0);
  });
});
