/**
 * The vote pipeline (SPEC.md §8): every new block is checked (id, signature,
 * creator), its transactions validated across the pool, and my vote written,
 * chained to my previous one. On start it first votes on the blocks it missed.
 */
import type { Bigchain } from '../core/bigchain';
import { checkBlockOrigin, checkNoOutputSpentTwice, checkNotInOtherBlocks } from '../consensus/rules';
import { DuplicateTransaction } from '../models/errors';
import { getLogger } from '../logging/logger';
import type { Metrics } from '../metrics/statsd';
import { Block, isGenesisBlock, type BlockDict, type CheckedHeader } from '../models/block';
import type { VerdictMemo } from '../models/verdict-memo';
import type { BlockId } from '../models/types';
import type { VoteDict } from '../models/vote';
import { ChangefeedSource } from './runtime/changefeed';
import { PipelineBuilder, type Pipeline, type Stage } from './runtime/pipeline';
import { retry } from './runtime/retry';
import type { NodeSettings } from './node-settings';
import type { ValidationPool } from './validation/pool';
import { countVerdicts, inOrder, VALID, type Verdict } from './validation/verdict';

const log = getLogger('pipeline:vote');

export interface VotePipelineDeps {
  readonly settings: NodeSettings;
  readonly bigchain: Bigchain;
  readonly pool: ValidationPool;
  /** The CREATEs this node's validation found wholly valid (models/verdict-memo.ts). */
  readonly memo: Pick<VerdictMemo, 'hasValidCreate'>;
  readonly metrics: Metrics;
  readonly isStopping: () => boolean;
}

/** Since when the pipeline has had the block, for the vote latency. */
interface Seen<T> {
  readonly item: T;
  readonly seen: bigint;
}

interface Judged {
  readonly blockId: BlockId;
  readonly valid: boolean;
}

export async function votePipeline(deps: VotePipelineDeps): Promise<Pipeline> {
  const state = { lastVoted: (await deps.bigchain.getLastVotedBlock()).id, inProgress: new Set<string>() };
  const source = new ChangefeedSource<BlockDict, BlockDict>({
    name: 'bigchain',
    settings: deps.settings.database,
    table: 'bigchain',
    prefeed: () => deps.bigchain.getUnvotedBlocks(),
    select: (change) => (change.old_val === null ? change.new_val : null),
    onReconnect: () => deps.metrics.increment('changefeed.reconnects', 'per-event'),
  });
  return PipelineBuilder.from('vote', source)
    .then(skipVoted(deps, state.inProgress))
    .then(validateBlock(deps))
    .then(vote(deps, state))
    .then(writeVote(deps, state.inProgress))
    .build();
}

/** Drops the genesis block, blocks I voted on, and blocks already on their way (a repeated change). */
function skipVoted(deps: VotePipelineDeps, inProgress: Set<string>): Stage<BlockDict, Seen<BlockDict>> {
  return {
    name: 'skipVoted',
    async run(block) {
      const seen = process.hrtime.bigint();
      if (isGenesisBlock(block)) return null;
      if (inProgress.has(block.id) || (await deps.bigchain.hasPreviousVote(block.id))) return null;
      inProgress.add(block.id);
      return { item: block, seen };
    },
  };
}

/**
 * A block with a bad id or signature, made by a node outside the federation,
 * or holding a transaction already in another valid or undecided block, is
 * voted invalid at once; otherwise every transaction is validated in the pool
 * and the block is valid iff all are. Judging reads the chain and changes
 * nothing, so a database failure is met by judging again, never by dropping
 * the block unvoted.
 */
function validateBlock(deps: VotePipelineDeps): Stage<Seen<BlockDict>, Seen<Judged>> {
  return {
    name: 'validateBlock',
    concurrency: 2,
    run: async ({ item, seen }) => ({ item: await retry(`judge block ${item.id}`, () => judge(deps, item), deps.isStopping), seen }),
  };
}

async function judge(deps: VotePipelineDeps, raw: BlockDict): Promise<Judged> {
  const reason = await invalidReason(deps, raw);
  if (reason !== null) log.info(`block ${raw.id} is invalid: ${reason}`);
  return { blockId: raw.id, valid: reason === null };
}

/** Why the block is invalid, or null when it is valid. */
async function invalidReason(deps: VotePipelineDeps, raw: BlockDict): Promise<string | null> {
  let checked: CheckedHeader;
  try {
    checked = Block.checkHeaderWithTexts(raw);
    checkBlockOrigin(deps.bigchain.federation, checked.dict);
    checkNoOutputSpentTwice(checked.dict);
  } catch (err) {
    return (err as Error).message;
  }
  try {
    await checkNotInOtherBlocks(deps.bigchain, checked.dict);
  } catch (err) {
    if (err instanceof DuplicateTransaction) return err.message;
    throw err;
  }
  const first = countVerdicts(await judgeTransactions(deps, checked), deps.metrics, 'vote')[0];
  return first === undefined ? null : `transaction ${first.id}: ${first.reason}`;
}

/**
 * Verdicts on a block's transactions, in order. A CREATE that this node's
 * validation found wholly valid, by the same canonical text, is valid again
 * without another look: its validity needs neither the chain nor the clock,
 * and what the chain could change (another block holding it) was checked
 * for the whole block. The pool validates the others.
 */
async function judgeTransactions(deps: VotePipelineDeps, { dict, transactionTexts }: CheckedHeader): Promise<Verdict[]> {
  const known = transactionTexts.map((text) => deps.memo.hasValidCreate(text));
  const others = dict.block.transactions.filter((_, i) => !known[i]);
  const judged = others.length === 0 ? [] : await deps.pool.validate(others, 'block', dict.id);
  return inOrder(known, () => VALID, judged);
}

/** My vote, chained to my previous vote: this stage runs one block at a time. */
function vote(deps: VotePipelineDeps, state: { lastVoted: BlockId }): Stage<Seen<Judged>, Seen<VoteDict>> {
  return {
    name: 'vote',
    run({ item: { blockId, valid }, seen }) {
      const signed = deps.bigchain.vote(blockId, state.lastVoted, valid);
      state.lastVoted = blockId;
      return { item: signed, seen };
    },
  };
}

function writeVote(deps: VotePipelineDeps, inProgress: Set<string>): Stage<Seen<VoteDict>, VoteDict> {
  return {
    name: 'writeVote',
    async run({ item: signed, seen }) {
      const blockId = signed.vote.voting_for_block;
      await retry(`write my vote on block ${blockId}`, () => deps.bigchain.writeVote(signed), deps.isStopping);
      inProgress.delete(blockId);
      const valid = signed.vote.is_block_valid;
      deps.metrics.increment(valid ? 'vote.cast.valid' : 'vote.cast.invalid', 'per-event');
      deps.metrics.timeSince('vote.latency', 'per-event', seen);
      log.info(`voted ${valid ? 'valid' : 'invalid'} on block ${blockId}`);
      return signed;
    },
  };
}
