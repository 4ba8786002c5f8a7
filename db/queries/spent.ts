/** Which transactions spend an output: the `inputs` index, not 0.8.2's scan of every block. */
import type { TransactionLink } from '../../models/transaction';
import type { Database } from '../connection';
import { r, type Term } from '../rethink';
import { findTransactions, type TransactionInBlock } from './blocks';

/** Index `inputs`. */
export async function getSpendingTransactions(db: Database, link: TransactionLink): Promise<TransactionInBlock[]> {
  return findTransactions(db, [link.txid, link.cid], 'inputs', (tx: Term) =>
    tx('transaction')('fulfillments').contains((f: Term) => f('input').eq(r.expr({ txid: link.txid, cid: link.cid }))));
}
