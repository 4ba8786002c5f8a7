/**
 * Blocks written straight into a node's database and judged by a jury of
 * three keys the test holds. A block's status is what the jury's votes make
 * it (SPEC.md §6), whatever a running node votes: the node is not among the
 * block's voters, so its vote is not counted.
 */
import type { Database } from '../../db/connection';
import { getGenesisBlock } from '../../db/queries/blocks';
import { Block, type BlockDict } from '../../models/block';
import { generateKeypair, type Keypair } from '../../models/keys';
import type { Transaction } from '../../models/transaction';
import type { BlockId, PublicKey, Timestamp } from '../../models/types';
import { createVote, type VoteDict } from '../../models/vote';

/** The vote of jury member i, or null for none. */
export type Decisions = readonly (boolean | null)[];

export const VALID: Decisions = [true, true, null];
export const INVALID: Decisions = [false, false, null];
/** One valid and one invalid vote of three: no vote still to come decides it either way. */
export const UNDECIDED: Decisions = [true, false, null];

export class Jury {
  readonly members: readonly Keypair[] = [generateKeypair(), generateKeypair(), generateKeypair()];
  private clock = Math.floor(Date.now() / 1000);
  private genesisId: BlockId | null = null;

  constructor(readonly db: Database) {}

  get keys(): PublicKey[] {
    return this.members.map((m) => m.publicKey);
  }

  /** A block of `txs` signed by `creator` (the first member unless given), with the votes of the members. */
  async block(txs: readonly Transaction[], decisions: Decisions, creator: Keypair = this.members[0]!): Promise<BlockDict> {
    // A second of its own for each block: blocks of the same transactions still get ids of their own.
    const block = Block.create(txs, creator.publicKey, this.keys, String(++this.clock) as Timestamp).sign(creator.privateKey).toDict();
    await this.db.run(this.db.table('bigchain').insert(block));
    for (const [i, decision] of decisions.entries()) {
      if (decision !== null) await this.writeVote(await this.vote(this.members[i]!, block.id, decision));
    }
    return block;
  }

  /** Member `member`'s signed vote on a block, following the genesis block. */
  async vote(member: Keypair, blockId: BlockId, valid: boolean): Promise<VoteDict> {
    this.genesisId ??= (await getGenesisBlock(this.db))!.id;
    return createVote(member, blockId, this.genesisId, valid);
  }

  async writeVote(vote: VoteDict): Promise<void> {
    await this.db.run(this.db.table('votes').insert(vote));
  }
}
