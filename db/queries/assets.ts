/** Transactions by asset id and by metadata id (SPEC.md §7's multi indexes). */
import type { Operation } from '../../models/transaction';
import type { Database } from '../connection';
import { findTransactions, type TransactionInBlock } from './blocks';

/**
 * Index `asset_id`. With `operation`, only the transactions of that
 * operation leave the server: the filter runs inside the blocks the index
 * found. Filters are objects, as in blocks.ts: matched field by field, nested
 * objects recursively, by RethinkDB and reqlite alike.
 */
export async function getTransactionsByAssetId(db: Database, assetId: string, operation?: Operation): Promise<TransactionInBlock[]> {
  return findTransactions(db, assetId, 'asset_id', { transaction: { asset: { id: assetId }, ...(operation === undefined ? {} : { operation }) } });
}

/** Index `metadata_id`. A null metadata is no object, so it matches nothing. */
export async function getTransactionsByMetadataId(db: Database, metadataId: string): Promise<TransactionInBlock[]> {
  return findTransactions(db, metadataId, 'metadata_id', { transaction: { metadata: { id: metadataId } } });
}
