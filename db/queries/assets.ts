/** Transactions by asset id and by metadata id (SPEC.md §7's multi indexes). */
import type { Operation } from '../../models/transaction';
import type { Database } from '../connection';
import { r, type Term } from '../rethink';
import { PreparedQuery } from '../prepared-query';
import { findPreparedTransactions, findTransactions, transactionsQuery, type TransactionInBlock } from './blocks';

/** Every TRANSFER's validation asks this, in the API and in both pipelines. */
const transactionsOfAsset = new PreparedQuery<[string]>((db, assetId) => transactionsQuery(db, assetId, 'asset_id', { transaction: { asset: { id: assetId } } }), 1);

/**
 * Index `asset_id`. With `operation`, only the transactions of that
 * operation leave the server: the filter runs inside the blocks the index
 * found. The filter is an object, as in blocks.ts: matched field by field,
 * nested objects recursively, by RethinkDB and reqlite alike; every
 * transaction has an asset with an id.
 */
export async function getTransactionsByAssetId(db: Database, assetId: string, operation?: Operation): Promise<TransactionInBlock[]> {
  if (operation === undefined) return findPreparedTransactions(db, transactionsOfAsset.term(db, [assetId]));
  return findTransactions(db, assetId, 'asset_id', { transaction: { asset: { id: assetId }, operation } });
}

/**
 * Index `metadata_id`. A function, not an object: most metadata are null,
 * and what RethinkDB makes of an object filter naming a field of a null is
 * not pinned here (no RethinkDB to run); the function says exactly what is
 * meant. Only the query API asks this, not validation.
 */
export async function getTransactionsByMetadataId(db: Database, metadataId: string): Promise<TransactionInBlock[]> {
  return findTransactions(db, metadataId, 'metadata_id', (tx: Term) =>
    r.branch(tx('transaction')('metadata').ne(null), tx('transaction')('metadata')('id').eq(metadataId), false));
}
