/**
 * Federations of real `bigchaindb start` processes on one RethinkDB-protocol
 * server: transactions reach `valid` exactly once through faults, stops,
 * kills and catch-up.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { countBacklog } from '../db/queries/backlog';
import { Transaction } from '../models/transaction';
import type { BlockId } from '../models/types';
import { startFederation, waitFor } from './helpers/federation';
import { alice, allBlocks, allValid, allVotes, assertValidOnce, assertVoteChain, create, genesisOf, writeAssigned } from './helpers/federation-checks';

describe('a federation of one node', () => {
  test('loaded transactions all become valid; a TRANSFER of a valid output becomes valid; its double spend never does', async () => {
    const f = await startFederation({ size: 1 });
    const node = f.nodes[0]!;
    const config = node.configPath;
    const load = spawn(process.execPath, [join(__dirname, '..', 'cli', 'main.js'), '-c', config, 'load', '-c', '300'], { stdio: 'pipe' });
    let out = '';
    load.stdout.on('data', (d) => (out += String(d)));
    assert.equal(await new Promise((resolve) => load.once('exit', resolve)), 0);
    assert.match(out, /300 transactions written to the backlog/);
    await waitFor('an empty backlog', async () => (await countBacklog(f.db)) === 0);
    await waitFor('every block valid', async () => {
      const blocks = (await allBlocks(f)).filter((b) => b.block.transactions[0]?.transaction.operation !== 'GENESIS');
      const statuses = await Promise.all(blocks.map((b) => f.bigchain.blockElectionStatus(b.id, b.block.voters)));
      return blocks.reduce((n, b) => n + b.block.transactions.length, 0) === 300 && statuses.every((s) => s === 'valid');
    });

    const origin = create('origin');
    await f.bigchain.writeTransaction(origin);
    await waitFor('origin valid', () => allValid(f, [origin]));
    const transfer = Transaction.transfer(origin.toInputs(), [[[node.keypair.publicKey], 1]], origin.asset.id).sign([alice.privateKey]);
    await f.bigchain.writeTransaction(transfer);
    await waitFor('transfer valid', () => allValid(f, [transfer]));
    const doubleSpend = Transaction.transfer(origin.toInputs(), [[[alice.publicKey], 1]], origin.asset.id).sign([alice.privateKey]);
    await f.bigchain.writeTransaction(doubleSpend);
    await waitFor('the double spend to leave the backlog', async () => (await countBacklog(f.db)) === 0);
    assert.equal(await f.bigchain.getStatus(doubleSpend.id), null);
  });
});

describe('a federation of three nodes', () => {
  test('transactions assigned to any node become valid in a block signed by their assignee, with three valid votes chained per node', async () => {
    const f = await startFederation({ size: 3 });
    const keys = f.nodes.map((n) => n.keypair.publicKey);
    const txs = Array.from({ length: 60 }, (_, i) => create(`three-${i}`));
    const assigned = await writeAssigned(f, txs, keys);
    await waitFor('all valid', () => allValid(f, txs));
    await assertValidOnce(f, txs);
    const blocks = (await allBlocks(f)).filter((b) => b.block.transactions[0]?.transaction.operation !== 'GENESIS');
    for (const block of blocks) {
      for (const tx of block.block.transactions) assert.equal(block.block.node_pubkey, assigned.get(tx.id));
      assert.deepEqual([...block.block.voters].sort(), [...keys].sort());
    }
    await waitFor('three votes on every block', async () => {
      const votes = await allVotes(f);
      return blocks.every((b) => votes.filter((v) => v.vote.voting_for_block === b.id && v.vote.is_block_valid).length === 3);
    });
    const genesis = await genesisOf(f);
    for (const node of f.nodes) assert.equal((await assertVoteChain(f, node.keypair, genesis.id)).length, blocks.length);
  });

  test('a block signed with an invalid transaction is voted invalid and its good transactions end up valid exactly once elsewhere', async () => {
    const f = await startFederation({ size: 3, envOf: (i): Record<string, string> => (i === 2 ? { BIGCHAINDB_TEST_FAULTY_BLOCKS: '1' } : {}) });
    const faulty = f.nodes[2]!.keypair.publicKey;
    const txs = Array.from({ length: 12 }, (_, i) => create(`faulty-${i}`));
    await writeAssigned(f, txs, [faulty]);
    await waitFor('all valid', () => allValid(f, txs), 90_000);
    await assertValidOnce(f, txs);
    const blocks = await allBlocks(f);
    const byFaulty = blocks.filter((b) => b.block.node_pubkey === faulty);
    assert.ok(byFaulty.length > 0);
    for (const block of byFaulty) assert.equal(await f.bigchain.blockElectionStatus(block.id, block.block.voters), 'invalid');
  });

  test('transactions held by a stopped node are reassigned by the stale monitor of the others and become valid', async () => {
    const f = await startFederation({ size: 3, reassignDelay: 2 });
    const stopped = f.nodes[2]!;
    await stopped.stop();
    const txs = Array.from({ length: 10 }, (_, i) => create(`stale-${i}`));
    await writeAssigned(f, txs, [stopped.keypair.publicKey]);
    await waitFor('all valid', () => allValid(f, txs), 60_000);
    await assertValidOnce(f, txs);
  });

  test('a node kept down while the others write blocks votes on every block it missed, in order, when it comes back', async () => {
    const f = await startFederation({ size: 3 });
    const late = f.nodes[2]!;
    await late.stop();
    const [a, b] = [f.nodes[0]!.keypair.publicKey, f.nodes[1]!.keypair.publicKey];
    for (let round = 0; round < 5; round++) {
      const txs = Array.from({ length: 4 }, (_, i) => create(`catchup-${round}-${i}`));
      await writeAssigned(f, txs, [a, b]);
      await waitFor(`round ${round} valid`, () => allValid(f, txs));
    }
    const blocks = (await allBlocks(f)).filter((blk) => blk.block.transactions[0]?.transaction.operation !== 'GENESIS');
    assert.ok(blocks.length >= 5);
    late.start();
    await waitFor('the late node to vote on every block', async () =>
      (await allVotes(f)).filter((v) => v.node_pubkey === late.keypair.publicKey).length === blocks.length);
    const chain = await assertVoteChain(f, late.keypair, (await genesisOf(f)).id);
    const timestamps = chain.map((id) => Number(blocks.find((blk) => blk.id === id)!.block.timestamp));
    assert.deepEqual(timestamps, [...timestamps].sort((x, y) => x - y), 'missed blocks are voted oldest first');
  });
});

describe('a node killed while writing blocks', () => {
  test('after kill -9 and a restart every accepted transaction is valid exactly once', async () => {
    const f = await startFederation({ size: 1 });
    const node = f.nodes[0]!;
    const txs = Array.from({ length: 1500 }, (_, i) => create(`kill-${i}`));
    await writeAssigned(f, txs, [node.keypair.publicKey]);
    await waitFor('the first block', async () => (await allBlocks(f)).length > 1, 30_000);
    await node.stop('SIGKILL');
    node.start();
    await waitFor('all valid', () => allValid(f, txs), 120_000);
    await assertValidOnce(f, txs);
    await waitFor('an empty backlog', async () => (await countBacklog(f.db)) === 0);
  });
});

describe('a node whose pipelines cannot start', () => {
  test('exits with an error instead of staying half-started (a vote for a missing block: the vote pipeline cannot find its chain head)', async () => {
    const f = await startFederation({ size: 1 });
    const node = f.nodes[0]!;
    await node.stop();
    const genesis = await f.bigchain.getLastVotedBlock();
    await f.bigchain.writeVote(f.bigchain.vote('f'.repeat(64) as BlockId, genesis.id, true));
    node.start();
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([node.whenExited(), new Promise((resolve) => { timer = setTimeout(() => resolve('still running after 60 s'), 60_000); })]);
    clearTimeout(timer);
    assert.equal(code, 1, node.log());
    assert.match(node.log(), /my last vote is for missing block f{64}/);
    assert.match(node.log(), /pipeline vote exited with code 1 while starting/);
  });
});
