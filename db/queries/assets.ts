/** Transactions by asset id and by metadata id (SPEC.md §7's multi indexes). */
import type { Database } from '../connection';
import { r, type Term } from '../rethink';
import { findTransactions, type TransactionInBlock } from './blocks';

export async function getTransactionsByAssetId(db: Database, assetId: string): Promise<TransactionInBlock[]> {
  return findTransactions(db, assetId, 'asset_id', (tx: Term) => tx('transaction')('asset')('id').eq(assetId));
}

export async function getTransactionsByMetadataId(db: Database, metadataId: string): Promise<TransactionInBlock[]> {
  return findTransactions(db, metadataId, 'metadata_id', (tx: Term) =>
    r.branch(tx('transaction')('metadata').ne(null), tx('transaction')('metadata')('id').eq(metadataId), false));
}
