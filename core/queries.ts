/**
 * The query API of SPEC.md §13 (as BigchainDB 1.x has it, on the 0.8 model):
 * reads only, each through an index named beside its query in db/queries,
 * judged by the election status of the blocks found.
 */
import type { BlockStatus } from '../consensus/election';
import { getTransactionsByAssetId } from '../db/queries/assets';
import { getBlock, getBlockVoters } from '../db/queries/blocks';
import { getTransactionsOwnedBy } from '../db/queries/owned';
import { getVotesByBlockId } from '../db/queries/votes';
import type { BlockDict } from '../models/block';
import type { TransactionDict, TransactionLink } from '../models/transaction';
import type { BlockId, PublicKey, TxId } from '../models/types';
import type { VoteDict } from '../models/vote';
import type { Bigchain } from './bigchain';

/** The operations a client may filter an asset's transactions by. */
export type AssetOperation = 'CREATE' | 'TRANSFER';

export class ChainQueries {
  constructor(private readonly chain: Bigchain) {}

  /** The transactions of an asset in valid blocks, only those of `operation` when given. */
  async transactionsOfAsset(assetId: string, operation?: AssetOperation): Promise<TransactionDict[]> {
    const found = await this.chain.judge(await getTransactionsByAssetId(this.chain.db, assetId, operation));
    return found.filter((f) => f.status === 'valid').map((f) => f.tx);
  }

  /**
   * Outputs in valid blocks that `owner` is among the owners of. `spent`
   * false: not spent by a valid or undecided transaction (what /unspents
   * lists); true: spent by a valid one; absent: all of them, so an output
   * whose spender is still undecided is listed only then.
   */
  async outputs(owner: PublicKey, spent?: boolean): Promise<TransactionLink[]> {
    const owning = (await this.chain.judge(await getTransactionsOwnedBy(this.chain.db, owner))).filter((f) => f.status === 'valid');
    const links = owning.flatMap(({ tx }) =>
      tx.transaction.conditions.filter((c) => c.owners_after.includes(owner)).map((c) => ({ txid: tx.id, cid: c.cid })));
    if (spent === undefined) return links;
    const kept: TransactionLink[] = [];
    for (const link of links) {
      const spenders = await this.chain.getSpenders(link);
      if (spent ? spenders.some((s) => s.status === 'valid') : spenders.length === 0) kept.push(link);
    }
    return kept;
  }

  /** The election status of a block, or null when there is no such block. */
  async blockStatus(blockId: BlockId): Promise<BlockStatus | null> {
    const voters = await getBlockVoters(this.chain.db, blockId);
    return voters === null ? null : this.chain.blockElectionStatus(blockId, voters);
  }

  /** A block as stored, or null. */
  block(blockId: BlockId): Promise<BlockDict | null> {
    return getBlock(this.chain.db, blockId);
  }

  /** The ids of the blocks holding a transaction, only those of `status` when given. */
  async blocksHolding(txid: TxId, status?: BlockStatus): Promise<BlockId[]> {
    const statuses = await this.chain.getBlocksStatusContainingTx(txid);
    return [...statuses].filter(([, s]) => status === undefined || s === status).map(([id]) => id);
  }

  /** The votes on a block as stored, from any node. */
  votes(blockId: BlockId): Promise<VoteDict[]> {
    return getVotesByBlockId(this.chain.db, blockId);
  }
}
