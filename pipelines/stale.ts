/**
 * The stale transaction monitor (SPEC.md §8): every 5 s, backlog rows held
 * longer than `backlog_reassign_delay` go to another federation node (to me
 * when I am alone), so a node that stopped does not keep them for ever.
 */
import type { Bigchain } from '../core/bigchain';
import { getStaleBacklogRows, type BacklogRow } from '../db/queries/backlog';
import { getLogger } from '../logging/logger';
import type { Metrics } from '../metrics/statsd';
import { PipelineBuilder, type Pipeline, type Stage } from './runtime/pipeline';
import { TimerSource } from './runtime/timer';
import type { NodeSettings } from './node-settings';

const log = getLogger('pipeline:stale');

export const STALE_CHECK_INTERVAL_MS = 5000;

export interface StalePipelineDeps {
  readonly settings: NodeSettings;
  readonly bigchain: Bigchain;
  readonly metrics: Metrics;
  readonly intervalMs?: number;
}

export function stalePipeline(deps: StalePipelineDeps): Pipeline {
  const source = new TimerSource<BacklogRow>(deps.intervalMs ?? STALE_CHECK_INTERVAL_MS, () =>
    getStaleBacklogRows(deps.bigchain.db, Date.now() / 1000 - deps.settings.backlogReassignDelay));
  return PipelineBuilder.from('stale', source).then(reassign(deps)).build();
}

function reassign(deps: StalePipelineDeps): Stage<BacklogRow, BacklogRow> {
  return {
    name: 'reassign',
    async run(row) {
      const assignee = await deps.bigchain.reassignTransaction(row);
      if (assignee === null) {
        log.debug(`transaction ${row.id}: reassigned by another node's monitor or put in a block first`);
        return null;
      }
      deps.metrics.increment('stale.reassigned', 'per-transaction');
      log.info(`transaction ${row.id} was held by ${row.assignee} for over ${deps.settings.backlogReassignDelay} s: reassigned to ${assignee}`);
      return row;
    },
  };
}
