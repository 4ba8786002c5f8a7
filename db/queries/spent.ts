/** Which transactions spend an output: the `inputs` index, not 0.8.2's scan of every block. */
import type { TransactionLink } from '../../models/transaction';
import type { BlockId, TxId } from '../../models/types';
import type { Database } from '../connection';
import type { Term } from '../rethink';
import { PreparedQuery } from '../prepared-query';
import { findTransactions, type TransactionInBlock } from './blocks';

interface PluckedBlock {
  readonly blockId: BlockId;
  readonly txs: readonly { id: TxId; transaction: { fulfillments: readonly { input: TransactionLink | null }[] } }[];
}

/**
 * Index `inputs`, but `exceptId` and the block `exceptBlock`. The index finds the blocks; which of their
 * up to 1000 transactions spend the output is read from their ids and inputs
 * alone, plucked, and only the spenders then travel whole. A ReQL function
 * run on every transaction of a block cost reqlite about four times the pluck.
 */
const blocksSpending = new PreparedQuery<[readonly [TxId, number], BlockId | null]>((db, key, exceptBlock) =>
  db.table('bigchain', 'majority').getAll(key, { index: 'inputs' }).filter((block: Term) => block('id').ne(exceptBlock)).map((block: Term) => ({
    blockId: block('id'),
    txs: block('block')('transactions').pluck({ id: true, transaction: { fulfillments: { input: true } } }),
  })), 2);

export async function getSpendingTransactions(db: Database, link: TransactionLink, exceptId?: TxId, exceptBlock?: BlockId): Promise<TransactionInBlock[]> {
  const key = [link.txid, link.cid] as const;
  const blocks = await db.run<PluckedBlock[]>(blocksSpending.term(db, [key, exceptBlock ?? null]));
  const spenders = new Set<TxId>();
  for (const { txs } of blocks) {
    for (const tx of txs) {
      if (tx.id !== exceptId && tx.transaction.fulfillments.some((f) => f.input?.txid === link.txid && f.input.cid === link.cid)) spenders.add(tx.id);
    }
  }
  const found = await Promise.all([...spenders].map((id) => findTransactions(db, key, 'inputs', { id })));
  return found.flat().filter((entry) => entry.blockId !== exceptBlock);
}
