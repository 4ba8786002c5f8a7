/**
 * Blocks written with real signed votes, for tests that need a transaction
 * in a valid, undecided or invalid block.
 */
import type { Bigchain } from '../../core/bigchain';
import { Block } from '../../models/block';
import type { Keypair } from '../../models/keys';
import type { Transaction } from '../../models/transaction';
import type { BlockId, Timestamp } from '../../models/types';
import { createVote } from '../../models/vote';

let second = Math.floor(Date.now() / 1000);

/**
 * A block of `txs` by the first of `voters`, voted on by each voter whose
 * `decisions` entry is not null, each vote chained to `previous`. Each block
 * gets a second of its own, so blocks of the same transactions differ.
 */
export async function votedBlock(bigchain: Bigchain, voters: readonly Keypair[], txs: readonly Transaction[], decisions: readonly (boolean | null)[], previous: BlockId): Promise<Block> {
  const block = Block.create([...txs], voters[0]!.publicKey, voters.map((k) => k.publicKey), String(++second) as Timestamp).sign(voters[0]!.privateKey);
  await bigchain.writeBlock(block);
  for (const [i, decision] of decisions.entries()) {
    if (decision !== null) await bigchain.writeVote(createVote(voters[i]!, block.id, previous, decision));
  }
  return block;
}
