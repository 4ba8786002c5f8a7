/**
 * What a node knows of transactions about to be written to its backlog: the
 * blocks holding them and their backlog rows, in one round trip. A POST
 * batch of one or two, the rule with few clients, otherwise paid a query for
 * each.
 */
import type { PublicKey, TxId } from '../../models/types';
import type { Database } from '../connection';
import { r } from '../rethink';
import { assigneesOf, backlogAssignees, type Assignee } from './backlog';
import { blocksHolding, heldBy, type BlockVoters, type HoldingBlock } from './blocks';

export interface KnownTransactions {
  /** For each of the ids held by some block, the blocks holding it. */
  readonly inBlocks: Map<TxId, BlockVoters[]>;
  /** For each of the ids with a backlog row, its assignee. */
  readonly inBacklog: Map<TxId, PublicKey>;
}

export async function getKnownTransactions(db: Database, ids: readonly TxId[]): Promise<KnownTransactions> {
  if (ids.length === 0) return { inBlocks: new Map(), inBacklog: new Map() };
  const [blocks, rows] = await db.run<[HoldingBlock[], Assignee[]]>(r.expr([blocksHolding(db, ids), backlogAssignees(db, ids)]));
  return { inBlocks: heldBy(ids, blocks), inBacklog: assigneesOf(rows) };
}
