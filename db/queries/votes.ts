/** The votes table (SPEC.md §5, §7). */
import type { BlockId, PublicKey, Timestamp } from '../../models/types';
import type { VoteDict } from '../../models/vote';
import type { Database } from '../connection';
import { PreparedQuery } from '../prepared-query';
import { r } from '../rethink';

/** Writes a vote with durability hard: a node's vote chain must survive a crash. */
export async function writeVote(db: Database, vote: VoteDict): Promise<void> {
  await db.run(db.table('votes').insert(vote, { durability: 'hard' }));
}

/** Every vote on a block, from any node. Index `block_and_voter`, on its block prefix. */
const votesOnBlock = new PreparedQuery<[BlockId]>((db, blockId) =>
  db.table('votes', 'majority').between([blockId, r.minval], [blockId, r.maxval], { index: 'block_and_voter' }), 1);

export async function getVotesByBlockId(db: Database, blockId: BlockId): Promise<VoteDict[]> {
  return db.run<VoteDict[]>(votesOnBlock.term(db, [blockId]));
}

/** The votes of `voter` on a block: normally none or one. */
export async function getVotesByBlockAndVoter(db: Database, blockId: BlockId, voter: PublicKey): Promise<VoteDict[]> {
  return db.run<VoteDict[]>(db.table('votes', 'majority').getAll([blockId, voter], { index: 'block_and_voter' }));
}

/** The timestamp of the latest vote of `voter`, or null when it never voted. */
export async function getLatestVoteTimestamp(db: Database, voter: PublicKey): Promise<Timestamp | null> {
  const [latest] = await db.run<VoteDict[]>(
    db.table('votes', 'majority')
      .between([voter, r.minval], [voter, r.maxval], { index: 'voter_and_timestamp' })
      .orderBy({ index: r.desc('voter_and_timestamp') })
      .limit(1),
  );
  return latest?.vote.timestamp ?? null;
}

/** The votes `voter` cast during second `timestamp` (votes carry whole seconds). */
export async function getVotesByVoterAt(db: Database, voter: PublicKey, timestamp: Timestamp): Promise<VoteDict[]> {
  return db.run<VoteDict[]>(db.table('votes', 'majority').getAll([voter, timestamp], { index: 'voter_and_timestamp' }));
}
