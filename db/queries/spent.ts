/** Which transactions spend an output: the `inputs` index, not 0.8.2's scan of every block. */
import type { TransactionLink } from '../../models/transaction';
import { outputName } from '../../models/transaction-checks';
import type { BlockId, TxId } from '../../models/types';
import type { Database } from '../connection';
import { r, type Term } from '../rethink';
import { PreparedQuery } from '../prepared-query';
import { findTransactions, type TransactionInBlock } from './blocks';

interface PluckedBlock {
  readonly blockId: BlockId;
  readonly txs: readonly { id: TxId; transaction: { fulfillments: readonly { input: TransactionLink | null }[] } }[];
}

/**
 * Index `inputs`, but the block `exceptBlock`. The index finds the blocks;
 * which of their up to 1000 transactions spend an output is read from their
 * ids and inputs alone, plucked. A ReQL function run on every transaction of
 * a block cost reqlite about four times the pluck.
 */
const blocksSpending = new PreparedQuery<[readonly (readonly [TxId, number])[], BlockId | null]>((db, keys, exceptBlock) =>
  db.table('bigchain', 'majority').getAll(r.args(keys), { index: 'inputs' }).filter((block: Term) => block('id').ne(exceptBlock)).map((block: Term) => ({
    blockId: block('id'),
    txs: block('block')('transactions').pluck({ id: true, transaction: { fulfillments: { input: true } } }),
  })), 2);

/**
 * For each of `links`, by `outputName`, the ids of the transactions in
 * blocks but `exceptBlock` that spend it: one query for a whole validation
 * batch. A multi index may list a block once per matching output: it is
 * read once here.
 */
export async function getSpenderIds(db: Database, links: readonly TransactionLink[], exceptBlock?: BlockId): Promise<Map<string, TxId[]>> {
  if (links.length === 0) return new Map();
  const spenders = new Map<string, Set<TxId>>(links.map((link) => [outputName(link), new Set()]));
  const blocks = await db.run<PluckedBlock[]>(blocksSpending.term(db, [links.map((link) => [link.txid, link.cid] as const), exceptBlock ?? null]));
  const seen = new Set<BlockId>();
  for (const { blockId, txs } of blocks) {
    if (seen.has(blockId)) continue;
    seen.add(blockId);
    for (const tx of txs) {
      for (const f of tx.transaction.fulfillments) if (f.input !== null) spenders.get(outputName(f.input))?.add(tx.id);
    }
  }
  return new Map([...spenders].map(([output, ids]) => [output, [...ids]]));
}

/**
 * The transactions in blocks but `exceptBlock` that spend `link`, but
 * `exceptId`. `spenderIds`, when given, are their ids as `getSpenderIds`
 * found them for the batch; only the spenders, which are rare, then travel
 * whole.
 */
export async function getSpendingTransactions(
  db: Database, link: TransactionLink, exceptId?: TxId, exceptBlock?: BlockId, spenderIds?: readonly TxId[],
): Promise<TransactionInBlock[]> {
  const ids = spenderIds ?? (await getSpenderIds(db, [link], exceptBlock)).get(outputName(link)) ?? [];
  const key = [link.txid, link.cid] as const;
  const found = await Promise.all(ids.filter((id) => id !== exceptId).map((id) => findTransactions(db, key, 'inputs', { id })));
  return found.flat().filter((entry) => entry.blockId !== exceptBlock);
}
