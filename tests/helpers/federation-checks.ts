/** What the federation tests write and check: transactions, blocks, votes, and the invariants they must keep. */
import assert from 'node:assert/strict';
import { insertBacklogRows } from '../../db/queries/backlog';
import type { BlockDict } from '../../models/block';
import { generateKeypair, type Keypair } from '../../models/keys';
import { Transaction } from '../../models/transaction';
import type { PublicKey } from '../../models/types';
import type { VoteDict } from '../../models/vote';
import type { Federation } from './federation';

/** The owner of the test transactions. */
export const alice = generateKeypair();

/** A fresh CREATE by alice, told apart by `tag`. */
export const create = (tag: string) =>
  Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { tag, r: Math.random() } }).sign([alice.privateKey]);

export async function allBlocks(f: Federation): Promise<BlockDict[]> {
  return f.db.run<BlockDict[]>(f.db.table('bigchain'));
}

export async function allVotes(f: Federation): Promise<VoteDict[]> {
  return f.db.run<VoteDict[]>(f.db.table('votes'));
}

/** Writes rows straight into the backlog, assigned round-robin to `assignees`. */
export async function writeAssigned(f: Federation, txs: Transaction[], assignees: readonly PublicKey[]): Promise<Map<string, PublicKey>> {
  const assigned = new Map(txs.map((tx, i) => [tx.id as string, assignees[i % assignees.length]!]));
  await insertBacklogRows(f.db, txs.map((tx) => ({ ...tx.toDict(), assignee: assigned.get(tx.id)!, assignment_timestamp: Date.now() / 1000 })));
  return assigned;
}

export async function allValid(f: Federation, txs: readonly Transaction[]): Promise<boolean> {
  for (const tx of txs) if ((await f.bigchain.getStatus(tx.id)) !== 'valid') return false;
  return true;
}

/** Every transaction is in exactly one valid block (getStatus throws on two). */
export async function assertValidOnce(f: Federation, txs: readonly Transaction[]): Promise<void> {
  for (const tx of txs) {
    const statuses = [...(await f.bigchain.getBlocksStatusContainingTx(tx.id)).values()];
    assert.equal(statuses.filter((s) => s === 'valid').length, 1, `transaction ${tx.id} is in exactly one valid block`);
  }
}

/** The votes of `node` form one chain from the genesis block through every block it voted on, each once. */
export async function assertVoteChain(f: Federation, node: Keypair, genesisId: string): Promise<string[]> {
  const votes = (await allVotes(f)).filter((v) => v.node_pubkey === node.publicKey);
  const next = new Map(votes.map((v) => [v.vote.previous_block as string, v.vote.voting_for_block as string]));
  assert.equal(next.size, votes.length, 'no two votes of a node share a previous block');
  const chain: string[] = [];
  for (let id = next.get(genesisId); id !== undefined; id = next.get(id)) chain.push(id);
  assert.equal(chain.length, votes.length, 'every vote of the node is on its chain from the genesis block');
  return chain;
}

export const genesisOf = async (f: Federation) => (await allBlocks(f)).find((b) => b.block.transactions[0]?.transaction.operation === 'GENESIS')!;

