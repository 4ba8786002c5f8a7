/**
 * The election pipeline (SPEC.md §8): on every vote, the status of the voted
 * block; when it is invalid, its transactions go back to the backlog. Every
 * node does this, so writing a transaction already there changes nothing.
 */
import type { Bigchain } from '../core/bigchain';
import { getBlock } from '../db/queries/blocks';
import { getLogger } from '../logging/logger';
import { Transaction } from '../models/transaction';
import type { BlockDict } from '../models/block';
import type { VoteDict } from '../models/vote';
import { ChangefeedSource } from './runtime/changefeed';
import { PipelineBuilder, type Pipeline, type Stage } from './runtime/pipeline';
import type { NodeSettings } from './node-settings';

const log = getLogger('pipeline:election');

export interface ElectionPipelineDeps {
  readonly settings: NodeSettings;
  readonly bigchain: Bigchain;
}

export function electionPipeline(deps: ElectionPipelineDeps): Pipeline {
  const requeued = new Set<string>();
  const source = new ChangefeedSource<VoteDict, VoteDict>({
    name: 'votes',
    settings: deps.settings.database,
    table: 'votes',
    prefeed: async () => [],
    select: (change) => (change.old_val === null ? change.new_val : null),
  });
  return PipelineBuilder.from('election', source)
    .then(votedBlock(deps, requeued))
    .then(keepInvalid(deps))
    .then(requeueTransactions(deps, requeued))
    .build();
}

function votedBlock(deps: ElectionPipelineDeps, requeued: Set<string>): Stage<VoteDict, BlockDict> {
  return {
    name: 'votedBlock',
    run: async (v) => (requeued.has(v.vote.voting_for_block) ? null : getBlock(deps.bigchain.db, v.vote.voting_for_block)),
  };
}

function keepInvalid(deps: ElectionPipelineDeps): Stage<BlockDict, BlockDict> {
  return {
    name: 'keepInvalid',
    run: async (block) => ((await deps.bigchain.blockElectionStatus(block.id, block.block.voters)) === 'invalid' ? block : null),
  };
}

function requeueTransactions(deps: ElectionPipelineDeps, requeued: Set<string>): Stage<BlockDict, BlockDict> {
  return {
    name: 'requeueTransactions',
    async run(block) {
      requeued.add(block.id);
      let written = 0;
      for (const tx of block.block.transactions) {
        try {
          if (await deps.bigchain.writeTransaction(Transaction.fromDict(tx))) written++;
        } catch (err) {
          log.info(`not requeueing transaction ${String(tx?.id)} of block ${block.id}: ${(err as Error).message}`);
        }
      }
      log.info(`block ${block.id} is invalid: ${written} of its ${block.block.transactions.length} transactions put back in the backlog`);
      return block;
    },
  };
}
