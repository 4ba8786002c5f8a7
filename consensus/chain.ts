/** What the validation rules need to know about the chain; the core's Bigchain provides it. */
import type { Transaction, AssetDict, TransactionLink } from '../models/transaction';
import type { BlockId, PublicKey, TxId } from '../models/types';

/** Where a transaction stands: in a valid block, an undecided one, or still in the backlog. */
export type TransactionStatus = 'valid' | 'undecided' | 'backlog';

export interface TransactionWithStatus {
  readonly transaction: Transaction;
  readonly status: TransactionStatus;
}

export interface ChainReader {
  /** The federation: keyring plus this node. */
  readonly federation: readonly PublicKey[];
  getTransaction(id: TxId, options: { withStatus: true }): Promise<TransactionWithStatus | null>;
  /** A transaction other than `exceptId`, in a valid or undecided block, that spends `link`. */
  getSpent(link: TransactionLink, exceptId?: TxId): Promise<Transaction | null>;
  /** The asset as its CREATE (in a valid block) defined it. */
  getAssetById(assetId: string): Promise<AssetDict | null>;
  hasPreviousVote(blockId: BlockId): Promise<boolean>;
  /** Of `txids`, those in a valid or undecided block other than `exceptBlock`, each with one such block. */
  alreadyInBlocks(txids: readonly TxId[], exceptBlock?: BlockId): Promise<ReadonlyMap<TxId, BlockId>>;
}
