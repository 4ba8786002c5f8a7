/**
 * The light-client proof: that a transaction is in a block that a majority
 * of a federation voted valid, checked locally from the block and its votes
 * as any node served them. Trust goes to the federation's keys, not to the
 * node that answered.
 */
import { blockElectionStatus } from '../consensus/election';
import { Block, type BlockDict } from '../models/block';
import { BigchainError, InvalidSignature, MultipleVotesError } from '../models/errors';
import { Transaction, type TransactionDict } from '../models/transaction';
import type { BlockId, PublicKey, TxId } from '../models/types';
import { verifyVote, type VoteDict } from '../models/vote';
import { ProofError } from './errors';

/** A transaction, the valid block holding it and the votes that made that block valid. */
export interface TransactionProof {
  readonly transaction: TransactionDict;
  readonly block: BlockDict;
  /** The votes of the block's voters on it, every one signed by its voter. */
  readonly votes: readonly VoteDict[];
}

/**
 * Checks that block `blockId`, as served, holds transaction `txId` and was
 * voted valid by a majority (SPEC.md §6) of `federation`: the block's id and
 * signature, its signer and voters against the federation, the transaction
 * inside it, the signature of every vote of a voter. Throws a ProofError
 * saying which check failed.
 */
export function checkTransactionProof(txId: TxId, blockId: BlockId, block: BlockDict, votes: readonly VoteDict[], federation: readonly PublicKey[]): TransactionProof {
  const checked = checkBlock(blockId, block, federation);
  const transaction = transactionIn(checked, txId);
  const counted = votes.filter((v) => v.vote?.voting_for_block === blockId && checked.block.voters.includes(v.node_pubkey));
  const forged = counted.find((v) => !verifyVote(checked.block.voters, v));
  if (forged !== undefined) throw new ProofError('vote-signature', `the vote of ${forged.node_pubkey} on block ${blockId} is not signed by that key`);
  const status = electionOf(checked, counted);
  if (status !== 'valid') {
    const valid = counted.filter((v) => v.vote.is_block_valid === true).length;
    throw new ProofError('no-majority', `block ${blockId} is ${status}: ${valid} of its ${checked.block.voters.length} voters voted it valid`);
  }
  return { transaction, block: checked, votes: counted };
}

function checkBlock(blockId: BlockId, block: BlockDict, federation: readonly PublicKey[]): BlockDict {
  let checked: BlockDict;
  try {
    checked = Block.checkHeader(block);
  } catch (err) {
    if (!(err instanceof BigchainError)) throw err;
    throw new ProofError(err instanceof InvalidSignature ? 'block-signature' : 'block-id', err.message);
  }
  if (checked.id !== blockId) throw new ProofError('block-id', `asked for block ${blockId}, was served block ${checked.id}`);
  if (checked.signature === null) throw new ProofError('block-signature', `block ${blockId} is not signed`);
  if (!federation.includes(checked.block.node_pubkey)) {
    throw new ProofError('signer-not-in-federation', `block ${blockId} is signed by ${checked.block.node_pubkey}, which is not in the federation`);
  }
  const voters = new Set(checked.block.voters);
  if (voters.size !== checked.block.voters.length || voters.size !== new Set(federation).size || !federation.every((k) => voters.has(k))) {
    throw new ProofError('voters-not-federation', `the voters of block ${blockId} are not the federation`);
  }
  return checked;
}

function transactionIn(block: BlockDict, txId: TxId): TransactionDict {
  const found = block.block.transactions.find((tx) => tx.id === txId);
  if (found === undefined) throw new ProofError('transaction-not-in-block', `block ${block.id} does not hold transaction ${txId}`);
  try {
    // The block id covers the transaction's bytes; its own id must cover its content too.
    Transaction.fromDict(found);
  } catch (err) {
    if (!(err instanceof BigchainError)) throw err;
    throw new ProofError('transaction-not-in-block', `transaction ${txId} of block ${block.id} does not check: ${err.message}`);
  }
  return found;
}

function electionOf(block: BlockDict, votes: readonly VoteDict[]): ReturnType<typeof blockElectionStatus> {
  try {
    return blockElectionStatus(block.id, block.block.voters, votes);
  } catch (err) {
    if (err instanceof MultipleVotesError) throw new ProofError('duplicate-vote', err.message);
    throw err;
  }
}
