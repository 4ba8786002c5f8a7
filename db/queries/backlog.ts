/** The backlog table: transactions waiting for a block, each assigned to one node (SPEC.md §7). */
import type { TransactionDict } from '../../models/transaction';
import type { PublicKey, TxId } from '../../models/types';
import type { Database } from '../connection';
import { PreparedQuery } from '../prepared-query';
import { jsonDocuments, r, type Term } from '../rethink';

export interface BacklogRow extends TransactionDict {
  assignee: PublicKey;
  /** Unix seconds, as a float. */
  assignment_timestamp: number;
}

export interface WriteResult {
  inserted: number;
  errors: number;
  replaced: number;
  unchanged: number;
  deleted: number;
  first_error?: string;
}

/**
 * Inserts rows; returns how many were new. A row whose id is already in the
 * backlog is left as it is. Durability hard: the API answers 201 once this
 * returns, and a transaction acknowledged must survive the servers' crash.
 */
export async function insertBacklogRows(db: Database, rows: readonly BacklogRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  return checkedInsertCount(await db.run<WriteResult>(db.table('backlog').insert(jsonDocuments(rows), { durability: 'hard' })), rows.length);
}

/** How many of `count` rows an insert wrote; throws unless the others were there already. */
export function checkedInsertCount(result: WriteResult, count: number): number {
  if (result.inserted + result.errors === count && (result.errors === 0 || /duplicate primary key/i.test(result.first_error ?? ''))) {
    return result.inserted;
  }
  throw new Error(`backlog insert failed: ${result.first_error ?? 'unknown error'}`);
}

/** What a stale monitor read of a row: the assignment it means to replace. */
export type Assignment = Pick<BacklogRow, 'id' | 'assignee' | 'assignment_timestamp'>;

/**
 * Hands a row to another node, but only if it still has the assignment that
 * was read: a compare-and-set in one update, because every node runs a stale
 * monitor and two that read one stale row must not give it to two nodes.
 * False when the race was lost (the row was reassigned meanwhile) or the row
 * is gone (its block was written); a lost race changes nothing.
 */
export async function reassignBacklogRow(db: Database, read: Assignment, assignee: PublicKey, timestamp: number): Promise<boolean> {
  const result = await db.run<WriteResult>(
    db.table('backlog').get(read.id).update(
      (row: Term) => r.branch(
        row('assignee').eq(read.assignee).and(row('assignment_timestamp').eq(read.assignment_timestamp)),
        { assignee, assignment_timestamp: timestamp },
        {},
      ),
      { durability: 'soft' },
    ),
  );
  return result.replaced === 1;
}

/** Deletes rows (durability hard: they are deleted only once their block is safely written). */
export async function deleteBacklogRows(db: Database, ids: readonly TxId[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.run<WriteResult>(db.table('backlog').getAll(r.args([...ids])).delete({ durability: 'hard' }));
  return result.deleted;
}

export async function getBacklogRow(db: Database, id: TxId): Promise<BacklogRow | null> {
  return db.run<BacklogRow | null>(db.table('backlog', 'majority').get(id));
}

/** Of `ids`, those with a backlog row, each with its assignee: one lookup for the whole batch. */
const assignees = new PreparedQuery<[readonly TxId[]]>((db, ids) => db.table('backlog', 'majority').getAll(r.args(ids)).pluck('id', 'assignee'), 1);

export async function getBacklogAssignees(db: Database, ids: readonly TxId[]): Promise<Map<TxId, PublicKey>> {
  if (ids.length === 0) return new Map();
  const rows = await db.run<Pick<BacklogRow, 'id' | 'assignee'>[]>(assignees.term(db, [ids]));
  return new Map(rows.map((row) => [row.id, row.assignee]));
}

/** Rows assigned to `node`, oldest first: the block pipeline's prefeed. */
export async function getBacklogAssignedTo(db: Database, node: PublicKey): Promise<BacklogRow[]> {
  return db.run<BacklogRow[]>(
    db.table('backlog')
      .between([node, r.minval], [node, r.maxval], { index: 'assignee__transaction_timestamp' })
      .orderBy({ index: 'assignee__transaction_timestamp' }),
  );
}

/** Rows assigned before `olderThan` (Unix seconds), whoever holds them. */
export async function getStaleBacklogRows(db: Database, olderThan: number): Promise<BacklogRow[]> {
  return db.run<BacklogRow[]>(db.table('backlog').between(r.minval, olderThan, { index: 'assignment_timestamp' }));
}

/** Rows assigned to `node`, counted on the index: the backlog-size gauge runs every few seconds. */
export async function countBacklogAssignedTo(db: Database, node: PublicKey): Promise<number> {
  return db.run<number>(
    db.table('backlog').between([node, r.minval], [node, r.maxval], { index: 'assignee__transaction_timestamp' }).count(),
  );
}

export async function countBacklog(db: Database): Promise<number> {
  return db.run<number>(db.table('backlog').count());
}

/** The transaction of a backlog row, without the two backlog fields. */
export function transactionOfRow(row: BacklogRow): TransactionDict {
  const { assignee: _assignee, assignment_timestamp: _timestamp, ...tx } = row;
  return tx;
}
