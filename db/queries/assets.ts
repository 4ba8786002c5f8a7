/** Transactions by asset id and by metadata id (SPEC.md §7's multi indexes). */
import type { Operation } from '../../models/transaction';
import type { Database } from '../connection';
import { r, type Term } from '../rethink';
import { findTransactions, type TransactionInBlock } from './blocks';

/**
 * Index `asset_id`. With `operation`, only the transactions of that
 * operation leave the server: the filter runs inside the blocks the index found.
 */
export async function getTransactionsByAssetId(db: Database, assetId: string, operation?: Operation): Promise<TransactionInBlock[]> {
  return findTransactions(db, assetId, 'asset_id', (tx: Term) => {
    const ofAsset = tx('transaction')('asset')('id').eq(assetId);
    return operation === undefined ? ofAsset : ofAsset.and(tx('transaction')('operation').eq(operation));
  });
}

/** Index `metadata_id`. */
export async function getTransactionsByMetadataId(db: Database, metadataId: string): Promise<TransactionInBlock[]> {
  return findTransactions(db, metadataId, 'metadata_id', (tx: Term) =>
    r.branch(tx('transaction')('metadata').ne(null), tx('transaction')('metadata')('id').eq(metadataId), false));
}
