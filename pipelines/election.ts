/**
 * The election pipeline (SPEC.md §8): on every vote, the status of the voted
 * block; when it is valid, the event stream hears of it (SPEC.md §13); when
 * it is invalid, its transactions go back to the backlog. Every
 * node does this, so writing a transaction already there changes nothing.
 * Until a block is found invalid the election reads only its outline: every
 * vote before the decision would otherwise fetch a megabyte.
 * On every (re)subscription it first looks again at the blocks it may have
 * missed, as the vote pipeline does: an election decided while this node was
 * down still has its transactions requeued.
 */
import type { Bigchain } from '../core/bigchain';
import { getBlock, getBlockOutline } from '../db/queries/blocks';
import { getLogger } from '../logging/logger';
import type { Metrics } from '../metrics/statsd';
import { Transaction } from '../models/transaction';
import type { BlockDict, BlockOutline } from '../models/block';
import type { BlockId } from '../models/types';
import type { VoteDict } from '../models/vote';
import { ChangefeedSource } from './runtime/changefeed';
import { PipelineBuilder, type Pipeline, type Stage } from './runtime/pipeline';
import { RecentSet } from './runtime/recent-set';
import { retry } from './runtime/retry';
import type { NodeSettings } from './node-settings';

const log = getLogger('pipeline:election');

/** Blocks remembered as decided: far more than the votes in flight at any time. */
const DECIDED_MEMORY = 10_000;

export interface ElectionPipelineDeps {
  readonly settings: NodeSettings;
  readonly bigchain: Bigchain;
  readonly metrics: Metrics;
  readonly isStopping: () => boolean;
  /** Called once for each block found valid, in the order the election decides them. */
  readonly onValidBlock?: (block: BlockOutline) => void;
}

export function electionPipeline(deps: ElectionPipelineDeps): Pipeline {
  const decided = new RecentSet<string>(DECIDED_MEMORY);
  const source = new ChangefeedSource<VoteDict, BlockId>({
    name: 'votes',
    settings: deps.settings.database,
    table: 'votes',
    prefeed: async () => (await deps.bigchain.getBlocksSinceLastVote()).map((block) => block.id),
    select: (change) => (change.old_val === null && change.new_val !== null ? change.new_val.vote.voting_for_block : null),
    onReconnect: () => deps.metrics.increment('changefeed.reconnects', 'per-event'),
  });
  return PipelineBuilder.from('election', source)
    .then(fetchOutline(deps, decided))
    .then(keepInvalid(deps, decided))
    .then(fetchWholeBlock(deps))
    .then(requeueTransactions(deps))
    .build();
}

/** The outline of the block voted on, unless its election is already known to be over: its transactions wait until it is found invalid. */
function fetchOutline(deps: ElectionPipelineDeps, decided: RecentSet<string>): Stage<BlockId, BlockOutline> {
  return {
    name: 'fetchOutline',
    run: async (blockId) => (decided.has(blockId) ? null : getBlockOutline(deps.bigchain.db, blockId)),
  };
}

/** Counts each decided block once, tells of the valid ones, and passes on the invalid ones. */
function keepInvalid(deps: ElectionPipelineDeps, decided: RecentSet<string>): Stage<BlockOutline, BlockId> {
  return {
    name: 'keepInvalid',
    async run(block) {
      const status = await deps.bigchain.blockElectionStatus(block.id, block.voters);
      if (status === 'undecided' || !decided.add(block.id)) return null;
      deps.metrics.increment(status === 'valid' ? 'election.valid' : 'election.invalid', 'per-event');
      if (status === 'invalid') return block.id;
      deps.metrics.increment('election.valid_transactions', 'per-event', block.transactions.length);
      deps.onValidBlock?.(block);
      return null;
    },
  };
}

/** The whole of an invalid block, read until it comes: the election is marked decided, so a replayed vote would not bring it again. */
function fetchWholeBlock(deps: ElectionPipelineDeps): Stage<BlockId, BlockDict> {
  return {
    name: 'fetchWholeBlock',
    run: (blockId) => retry(`read invalid block ${blockId}`, () => getBlock(deps.bigchain.db, blockId), deps.isStopping),
  };
}

/**
 * Puts back the transactions of an invalid block that are in no valid or
 * undecided block: one also held by a live block stays there, and when that
 * block ends invalid too, its own election puts the transaction back, once.
 */
function requeueTransactions(deps: ElectionPipelineDeps): Stage<BlockDict, BlockDict> {
  return {
    name: 'requeueTransactions',
    async run(block) {
      const txs = block.block.transactions.flatMap((tx) => {
        try {
          return [Transaction.fromDict(tx)];
        } catch (err) {
          log.info(`not requeueing transaction ${String(tx?.id)} of block ${block.id}: ${(err as Error).message}`);
          return [];
        }
      });
      // Checked and written again until it succeeds: inserting a row twice changes nothing.
      const { written, live } = await retry(`requeue the transactions of block ${block.id}`, async () => {
        const elsewhere = await deps.bigchain.alreadyInBlocks(txs.map((tx) => tx.id), block.id);
        return { written: await deps.bigchain.writeTransactions(txs.filter((tx) => !elsewhere.has(tx.id))), live: elsewhere.size };
      }, deps.isStopping);
      deps.metrics.increment('election.requeued', 'per-transaction', written);
      const kept = live > 0 ? `, ${live} stay in other valid or undecided blocks` : '';
      log.info(`block ${block.id} is invalid: ${written} of its ${block.block.transactions.length} transactions put back in the backlog${kept}`);
      return block;
    },
  };
}
