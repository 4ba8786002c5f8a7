/** Transactions with an output that a key owns: the `owners_after` index, not 0.8.2's scan of every block. */
import type { PublicKey } from '../../models/types';
import type { Database } from '../connection';
import type { Term } from '../rethink';
import { findTransactions, type TransactionInBlock } from './blocks';

/** Index `owners_after`. */
export async function getTransactionsOwnedBy(db: Database, owner: PublicKey): Promise<TransactionInBlock[]> {
  return findTransactions(db, owner, 'owners_after', (tx: Term) =>
    tx('transaction')('conditions').contains((c: Term) => c('owners_after').contains(owner)));
}
