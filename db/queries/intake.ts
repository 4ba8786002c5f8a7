/**
 * The write of a batch of POSTed transactions, in one round trip when none
 * of them is known yet: the blocks holding any of them, the backlog rows of
 * any of them, and, only if both are empty, the insert of them all. With few
 * clients a batch holds a few POSTs, and its three round trips were most of
 * their wait and many of the API's socket writes.
 */
import type { TxId } from '../../models/types';
import type { Database } from '../connection';
import { PreparedQuery } from '../prepared-query';
import { r, type Term } from '../rethink';
import { blocksHoldingQuery, holdersOf, type BlockHolding, type BlockVoters } from './blocks';
import { checkedInsertCount, type BacklogRow, type WriteResult } from './backlog';

export interface IntakeOutcome {
  /** For each transaction held by a block, whatever its status, the blocks holding it. */
  readonly held: Map<TxId, BlockVoters[]>;
  /** The transactions with a backlog row already. */
  readonly known: Set<TxId>;
  /** True when the rows were written: nothing was held or known. */
  readonly written: boolean;
}

const intake = new PreparedQuery<[readonly TxId[], string]>((db, txids, rowsJson) =>
  r.do(
    blocksHoldingQuery(db, txids, r.expr(null)).coerceTo('array'),
    db.table('backlog', 'majority').getAll(r.args(txids))('id').coerceTo('array'),
    (held: Term, known: Term) => r.branch(
      held.isEmpty().and(known.isEmpty()),
      { held, known, written: db.table('backlog').insert(r.json(rowsJson), { durability: 'hard' }) },
      { held, known, written: null },
    ),
  ), 2);

/**
 * Looks up `rows` (distinct ids) in blocks and the backlog, and inserts them
 * all, durability hard, when none is found anywhere. Otherwise it writes
 * nothing and says what it found: which of them may be written is for the
 * caller, who knows the elections.
 */
export async function writeUnlessKnown(db: Database, rows: readonly BacklogRow[]): Promise<IntakeOutcome> {
  const txids = rows.map((row) => row.id);
  const answer = await db.run<{ held: BlockHolding[]; known: TxId[]; written: WriteResult | null }>(intake.term(db, [txids, JSON.stringify(rows)]));
  if (answer.written !== null) checkedInsertCount(answer.written, rows.length);
  return { held: holdersOf(txids, answer.held), known: new Set(answer.known), written: answer.written !== null };
}
