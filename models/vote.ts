/** The 0.8 vote (SPEC.md §5): a node's signed verdict on one block, chained to its previous vote. */
import { CyclicBlockchainError } from './errors';
import { type Keypair, signText, verifyText } from './keys';
import { serialize } from './serialize';
import { timestampNow } from './timestamp';
import type { BlockId, PublicKey, SignatureB58, Timestamp } from './types';

export interface VoteBody {
  voting_for_block: BlockId;
  previous_block: BlockId;
  is_block_valid: boolean;
  invalid_reason: null;
  timestamp: Timestamp;
}

export interface VoteDict {
  node_pubkey: PublicKey;
  signature: SignatureB58;
  vote: VoteBody;
  /** Given by RethinkDB on insert. */
  id?: string;
}

/** A signed vote of `node` on `blockId`, following its vote on `previousBlockId`. */
export function createVote(
  node: Keypair,
  blockId: BlockId,
  previousBlockId: BlockId,
  isBlockValid: boolean,
  timestamp: Timestamp = timestampNow(),
): VoteDict {
  if (blockId === previousBlockId) throw new CyclicBlockchainError(`block ${blockId} cannot follow itself`);
  const vote: VoteBody = {
    voting_for_block: blockId,
    previous_block: previousBlockId,
    is_block_valid: isBlockValid,
    invalid_reason: null,
    timestamp,
  };
  return { node_pubkey: node.publicKey, signature: signText(serialize(vote), node.privateKey), vote };
}

/** True iff the vote is signed by its `node_pubkey` and that key is among `voters`. Never throws. */
export function verifyVote(voters: readonly string[], vote: VoteDict): boolean {
  if (!voters.includes(vote.node_pubkey)) return false;
  try {
    return verifyText(serialize(vote.vote), vote.signature, vote.node_pubkey);
  } catch {
    return false;
  }
}
