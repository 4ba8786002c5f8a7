/**
 * Where a node's vote chain ends, found as 0.8.2 does: among its votes of
 * the latest second, follow `previous_block` → `voting_for_block` to the end
 * of the chain, refusing cycles.
 */
import type { Database } from '../db/connection';
import { getLatestVoteTimestamp, getVotesByVoterAt } from '../db/queries/votes';
import { CyclicBlockchainError } from '../models/errors';
import type { BlockId, PublicKey } from '../models/types';

/** The block of `voter`'s latest vote; null when it never voted. */
export async function lastVotedBlockId(db: Database, voter: PublicKey): Promise<BlockId | null> {
  const latest = await getLatestVoteTimestamp(db, voter);
  if (latest === null) return null;
  const votes = await getVotesByVoterAt(db, voter, latest);
  const next = new Map(votes.map((v) => [v.vote.previous_block, v.vote.voting_for_block]));
  let id = votes[0]!.vote.voting_for_block;
  const explored = new Set<BlockId>();
  for (let following = next.get(id); following !== undefined; following = next.get(id)) {
    if (explored.has(id)) throw new CyclicBlockchainError(`my votes of second ${latest} form a cycle through block ${id}`);
    explored.add(id);
    id = following;
  }
  return id;
}
