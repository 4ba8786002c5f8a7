/**
 * The validation rules of SPEC.md §4–5, pluggable as 0.8's consensus
 * plugins were: a node may run other `ConsensusRules`.
 */
import type { Block, BlockDict } from '../models/block';
import {
  DuplicateTransaction, FulfillmentNotInValidBlock, InvalidSignature, OperationError, DoubleSpend, TransactionDoesNotExist, AssetIdMismatch,
} from '../models/errors';
import type { AssetDict, SpentOutput, Transaction, TransactionLink } from '../models/transaction';
import { outputName } from '../models/transaction-checks';
import { verifyVote, type VoteDict } from '../models/vote';
import type { PublicKey, TxId } from '../models/types';
import type { ChainReader } from './chain';

export interface ConsensusRules {
  /** Returns the transaction if valid against the chain; throws a typed error saying why not. */
  validateTransaction(chain: ChainReader, tx: Transaction): Promise<Transaction>;
  /** Returns the block if valid; throws a typed error saying why not. */
  validateBlock(chain: ChainReader, block: Block): Promise<Block>;
  verifyVoteSignature(voters: readonly string[], vote: VoteDict): boolean;
}

export const baseConsensusRules: ConsensusRules = {
  async validateTransaction(chain, tx) {
    if (tx.operation === 'CREATE' || tx.operation === 'GENESIS') {
      tx.validateCreate();
      return tx;
    }
    if (tx.operation !== 'TRANSFER') throw new OperationError(`unknown operation ${String(tx.operation)}`);
    if (tx.inputs.some((input) => input.link === null)) throw new OperationError('only CREATE transactions can have null inputs');
    const { spent, holders } = await spentOutputs(chain, tx);
    const asset = assetCreatedByAHolder(holders, tx.asset.id) ?? (await chain.getAssetById(tx.asset.id));
    if (asset === null) throw new AssetIdMismatch(`asset ${tx.asset.id} has no CREATE in a valid block`);
    tx.validateTransfer(spent, asset);
    return tx;
  },

  async validateBlock(chain, block) {
    if (await chain.hasPreviousVote(block.id)) return block;
    checkBlockOrigin(chain.federation, block.toDict());
    if (!block.isSignatureValid()) throw new InvalidSignature(`block ${block.id} has an invalid signature`);
    await checkNotInOtherBlocks(chain, block.toDict());
    for (const tx of block.transactions) await this.validateTransaction(chain, tx);
    return block;
  },

  verifyVoteSignature: verifyVote,
};

/**
 * A block counts only when signed by a federation node. Whether the
 * signature verifies is for the caller (`Block.checkHeader` or
 * `isSignatureValid`), which has the serialized body at hand.
 */
export function checkBlockOrigin(federation: readonly PublicKey[], block: BlockDict): void {
  if (block.signature === null) throw new InvalidSignature(`block ${block.id} is not signed`);
  if (!federation.includes(block.block.node_pubkey)) {
    throw new OperationError(`block ${block.id} was created by ${block.block.node_pubkey}, who is not a federation node`);
  }
}

/**
 * A block may not hold a transaction that is already in another valid or
 * undecided block (SPEC.md §8, beyond 0.8.2). A voter therefore votes valid
 * on at most one of two blocks that share a transaction: of two majorities
 * of valid votes, one voter would be in both, and the later of its two
 * checks saw the other block live. No transaction ends in two valid blocks.
 */
export async function checkNotInOtherBlocks(chain: ChainReader, block: BlockDict): Promise<void> {
  // A transaction without a string id is not looked up: its own validation refuses it.
  const ids = block.block.transactions.flatMap((tx: unknown) => {
    const id = (tx as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? [id as TxId] : [];
  });
  const elsewhere = await chain.alreadyInBlocks(ids, block.id);
  const [first] = elsewhere;
  if (first === undefined) return;
  const [txid, holder] = first;
  const more = elsewhere.size > 1 ? ` (and ${elsewhere.size - 1} more of its transactions)` : '';
  throw new DuplicateTransaction(`transaction ${txid} is already in block ${holder}, valid or undecided${more}`);
}

/**
 * The outputs a TRANSFER spends, each checked to be in a valid block and not
 * spent by another transaction, and the transactions holding them.
 */
async function spentOutputs(chain: ChainReader, tx: Transaction): Promise<{ spent: SpentOutput[]; holders: Transaction[] }> {
  const spent: SpentOutput[] = [];
  const holders: Transaction[] = [];
  for (const link of tx.spentLinks()) {
    const found = await chain.getTransaction(link.txid, { withStatus: true });
    if (found === null) throw new TransactionDoesNotExist(`input ${link.txid} does not exist`);
    if (found.status !== 'valid') throw new FulfillmentNotInValidBlock(`input ${link.txid} is not in a valid block (${found.status})`);
    const condition = found.transaction.conditions[link.cid];
    if (condition === undefined) throw new TransactionDoesNotExist(`input ${link.txid} has no output ${link.cid}`);
    const spender = await chain.getSpent(link, tx.id);
    if (spender !== null) {
      throw new DoubleSpend(`input ${outputName(link)} already spent by ${spender.id}`);
    }
    spent.push({ link, condition, assetId: found.transaction.asset.id });
    holders.push(found.transaction);
  }
  return { spent, holders };
}

/**
 * The asset as defined by a CREATE (or GENESIS) among the holders of the
 * spent outputs, all in valid blocks: exactly what `getAssetById` looks for,
 * so a TRANSFER of its asset's CREATE, the commonest, needs no lookup of it
 * again. Should two valid CREATEs share an asset id, either may answer, as
 * the index order does there.
 */
function assetCreatedByAHolder(holders: readonly Transaction[], assetId: string): AssetDict | null {
  return holders.find((holder) => holder.operation !== 'TRANSFER' && holder.asset.id === assetId)?.asset ?? null;
}

/**
 * No output is spent by two transactions of one block. A vote checks this
 * once for the whole block and then looks up each TRANSFER's spenders
 * outside it (`Bigchain.readerFor`): a lookup that took in
 * the block being voted read all of its transactions, every time.
 */
export function checkNoOutputSpentTwice(block: BlockDict): void {
  const spenders = new Map<string, unknown>();
  for (const tx of block.block.transactions as unknown[]) {
    const { id, transaction } = (tx ?? {}) as { id?: unknown; transaction?: { fulfillments?: unknown } };
    const fulfillments = Array.isArray(transaction?.fulfillments) ? (transaction.fulfillments as { input?: TransactionLink | null }[]) : [];
    for (const input of fulfillments.map((f) => f?.input)) {
      if (input === null || input === undefined) continue;
      const key = outputName(input);
      const other = spenders.get(key);
      // One transaction listing an input twice is its own validation's to refuse.
      if (other !== undefined && other !== id) throw new DoubleSpend(`input ${key} is spent by both ${String(other)} and ${String(id)} in block ${block.id}`);
      spenders.set(key, id);
    }
  }
}
