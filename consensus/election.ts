/**
 * The status of a block from its votes, SPEC.md §6. A pure function: the
 * caller fetches the votes.
 */
import { MultipleVotesError } from '../models/errors';
import type { BlockId, PublicKey } from '../models/types';
import { verifyVote, type VoteDict } from '../models/vote';

export type BlockStatus = 'valid' | 'invalid' | 'undecided';

/**
 * Counts only votes for `blockId` that are signed by one of `voters`; a
 * forged or foreign vote changes nothing. Two such votes from one node are a
 * `MultipleVotesError`.
 *
 * With every vote in, this is 0.8.2's rule. While votes are missing, a block
 * is decided only when no vote still to come can change the answer: 0.8.2
 * called 2 valid votes of 3 that disagree on `previous_block` invalid, and a
 * third valid vote then made the block valid. A node that acted on the early
 * "invalid" put back transactions that ended in a valid block, where they
 * could be blocked a second time.
 */
export function blockElectionStatus(blockId: BlockId, voters: readonly PublicKey[], votes: readonly VoteDict[]): BlockStatus {
  const counted = countedVotes(blockId, voters, votes);
  const n = voters.length;
  const majority = Math.floor(n / 2);
  const valid = counted.filter((v) => v.vote.is_block_valid === true);
  const invalidCount = counted.length - valid.length;
  const agreeing = mostCommonCount(valid.map((v) => v.vote.previous_block));
  const missing = n - counted.length;

  if (invalidCount >= Math.ceil(n / 2)) return 'invalid';
  if (valid.length > majority && agreeing > majority) return 'valid';
  // Even if every missing vote were valid and agreed, no previous block would have a majority.
  if (agreeing + missing <= majority) return 'invalid';
  return 'undecided';
}

function countedVotes(blockId: BlockId, voters: readonly PublicKey[], votes: readonly VoteDict[]): VoteDict[] {
  const counted = votes.filter((v) => v.vote?.voting_for_block === blockId && verifyVote(voters, v));
  const seen = new Set<string>();
  for (const v of counted) {
    if (seen.has(v.node_pubkey)) {
      throw new MultipleVotesError(`block ${blockId} has more than one vote from node ${v.node_pubkey}`);
    }
    seen.add(v.node_pubkey);
  }
  return counted;
}

function mostCommonCount(values: string[]): number {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}
