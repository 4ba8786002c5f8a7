/** The bigchain table: blocks, keyed by block id (SPEC.md §7). */
import type { BlockDict, BlockOutline } from '../../models/block';
import type { TransactionDict } from '../../models/transaction';
import type { BlockId, PublicKey, Timestamp, TxId } from '../../models/types';
import type { Database } from '../connection';
import { PreparedQuery } from '../prepared-query';
import { jsonDocuments, r, type Term } from '../rethink';

/** A block's id and voters: what an election needs. */
export interface BlockVoters {
  id: BlockId;
  voters: PublicKey[];
}

/** A transaction as found in a block. */
export interface TransactionInBlock {
  tx: TransactionDict;
  blockId: BlockId;
  voters: PublicKey[];
}

/** Writes a block with durability hard: its transactions leave the backlog right after. */
export async function writeBlock(db: Database, block: BlockDict): Promise<void> {
  const result = await db.run<{ inserted: number; first_error?: string }>(
    db.table('bigchain').insert(jsonDocuments(block), { durability: 'hard', conflict: 'error' }),
  );
  if (result.inserted !== 1 && !/duplicate primary key/i.test(result.first_error ?? '')) {
    throw new Error(`block write failed: ${result.first_error ?? 'unknown error'}`);
  }
}

/** The primary key. */
export async function getBlock(db: Database, id: BlockId): Promise<BlockDict | null> {
  return db.run<BlockDict | null>(db.table('bigchain', 'majority').get(id));
}

/** The voters of a block, without its transactions, or null when there is no such block. The primary key. */
export async function getBlockVoters(db: Database, id: BlockId): Promise<PublicKey[] | null> {
  const [voters] = await db.run<PublicKey[][]>(db.table('bigchain', 'majority').getAll(id).map((block: Term) => block('block')('voters')));
  return voters ?? null;
}

/** The outline of a block, or null when there is no such block. The primary key. */
export async function getBlockOutline(db: Database, id: BlockId): Promise<BlockOutline | null> {
  const [outline] = await db.run<Omit<BlockOutline, 'id'>[]>(db.table('bigchain', 'majority').getAll(id).map((block: Term) => ({
    voters: block('block')('voters'),
    // pluck, not a path through the list, keeps one element per transaction whatever it holds.
    transactions: block('block')('transactions').pluck('id', { transaction: { asset: { id: true } } }),
  })));
  return outline === undefined ? null : { id, ...outline };
}

export async function countBlocks(db: Database): Promise<number> {
  return db.run<number>(db.table('bigchain', 'majority').count());
}

/** The first block in time whose one transaction is a GENESIS. */
export async function getGenesisBlock(db: Database): Promise<BlockDict | null> {
  const [genesis] = await db.run<BlockDict[]>(
    db.table('bigchain', 'majority')
      .between(r.minval, r.maxval, { index: 'block_timestamp' })
      .orderBy({ index: 'block_timestamp' })
      .filter((block: unknown) => r.expr(block)('block')('transactions')(0)('transaction')('operation').eq('GENESIS'))
      .limit(1),
  );
  return genesis ?? null;
}

/** Blocks whose timestamp is at or after `from`, oldest first. */
export async function getBlocksSince(db: Database, from: Timestamp): Promise<BlockDict[]> {
  return db.run<BlockDict[]>(
    db.table('bigchain', 'majority').between(from, r.maxval, { index: 'block_timestamp' }).orderBy({ index: 'block_timestamp' }),
  );
}

/** Every block holding transaction `txid`, with the transaction and the block's voters. Index `transaction_id`. */
// An object, not a function: reqlite matches it six times faster inside a block of 1000, and RethinkDB means the same by both.
const transactionById = new PreparedQuery<[TxId]>((db, txid) => transactionsQuery(db, txid, 'transaction_id', { id: txid }), 1);

export async function getTransactionInBlocks(db: Database, txid: TxId): Promise<TransactionInBlock[]> {
  return findPreparedTransactions(db, transactionById.term(db, [txid]));
}

/** The blocks but `exceptBlock` holding any of `txids`, each with its voters and the ids of its transactions. */
export function blocksHoldingQuery(db: Database, txids: Term, exceptBlock: Term): Term {
  return db.table('bigchain', 'majority').getAll(r.args(txids), { index: 'transaction_id' })
    .filter((block: Term) => block('id').ne(exceptBlock))
    .map((block: Term) => ({
      id: block('id'),
      voters: block('block')('voters'),
      txids: block('block')('transactions').map((tx: Term) => tx('id')),
    }));
}

/** What `blocksHoldingQuery` answers. */
export interface BlockHolding {
  readonly id: BlockId;
  readonly voters: PublicKey[];
  readonly txids: TxId[];
}

const blocksHolding = new PreparedQuery<[readonly TxId[], BlockId | null]>(blocksHoldingQuery, 2);

/**
 * For each of `txids` held by some block other than `exceptBlock`, the blocks
 * holding it with their voters: one query for a whole batch, where the block
 * pipeline would otherwise ask once per transaction. RethinkDB's multi index
 * lists a block once per matching transaction, so a vote on a block of 1000
 * would get that block back 1000 times: `exceptBlock` is left out on the
 * server, and only the other blocks travel.
 */
export async function getBlocksHoldingTransactions(db: Database, txids: readonly TxId[], exceptBlock?: BlockId): Promise<Map<TxId, BlockVoters[]>> {
  if (txids.length === 0) return new Map();
  return holdersOf(txids, await db.run<BlockHolding[]>(blocksHolding.term(db, [txids, exceptBlock ?? null])));
}

/** For each of `txids`, the blocks of `found` holding it, each once. */
export function holdersOf(txids: readonly TxId[], found: readonly BlockHolding[]): Map<TxId, BlockVoters[]> {
  const held = new Map<TxId, BlockVoters[]>();
  const wanted = new Set<string>(txids);
  const seen = new Set<string>();
  for (const block of found) {
    if (seen.has(block.id)) continue;
    seen.add(block.id);
    for (const txid of block.txids) {
      if (!wanted.has(txid)) continue;
      if (!held.has(txid)) held.set(txid, []);
      held.get(txid)!.push({ id: block.id, voters: block.voters });
    }
  }
  return held;
}

/**
 * The transactions matching `where` in the blocks a multi index lists under
 * `key`. Only those transactions travel, not whole blocks of up to 1000. A
 * multi index may list a block once per matching entry: duplicates go here.
 */
export async function findTransactions(db: Database, key: unknown, index: string, where: ((tx: Term) => Term) | Readonly<Record<string, unknown>>): Promise<TransactionInBlock[]> {
  return transactionsFound(await db.run<FoundInBlock[]>(transactionsQuery(db, key, index, where)));
}

/** `findTransactions` for a query prepared once (db/prepared-query.ts) from `transactionsQuery`. */
export async function findPreparedTransactions(db: Database, query: Term): Promise<TransactionInBlock[]> {
  return transactionsFound(await db.run<FoundInBlock[]>(query));
}

interface FoundInBlock {
  readonly blockId: BlockId;
  readonly voters: PublicKey[];
  readonly txs: TransactionDict[];
}

export function transactionsQuery(db: Database, key: unknown, index: string, where: ((tx: Term) => Term) | Readonly<Record<string, unknown>>): Term {
  return db.table('bigchain', 'majority').getAll(key, { index }).map((block: Term) => ({
    blockId: block('id'),
    voters: block('block')('voters'),
    txs: block('block')('transactions').filter(where),
  }));
}

function transactionsFound(found: readonly FoundInBlock[]): TransactionInBlock[] {
  const seen = new Set<string>();
  return found.flatMap(({ blockId, voters, txs }) => {
    if (seen.has(blockId)) return [];
    seen.add(blockId);
    return txs.map((tx) => ({ tx, blockId, voters }));
  });
}
