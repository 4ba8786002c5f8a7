/**
 * The backlog-size gauge: every few seconds, how many backlog rows this node
 * holds. Summed over the federation's nodes, it is the whole backlog.
 */
import type { Bigchain } from '../core/bigchain';
import { countBacklogAssignedTo } from '../db/queries/backlog';
import type { Metrics } from '../metrics/statsd';
import { PipelineBuilder, type Pipeline, type Stage } from './runtime/pipeline';
import { TimerSource } from './runtime/timer';
import type { NodeSettings } from './node-settings';

const BACKLOG_GAUGE_INTERVAL_MS = 5000;

export interface BacklogGaugeDeps {
  readonly settings: NodeSettings;
  readonly bigchain: Bigchain;
  readonly metrics: Metrics;
}

export function backlogGaugePipeline(deps: BacklogGaugeDeps): Pipeline {
  const me = deps.settings.keypair.publicKey;
  const source = new TimerSource<number>(BACKLOG_GAUGE_INTERVAL_MS, async () => [await countBacklogAssignedTo(deps.bigchain.db, me)]);
  return PipelineBuilder.from('backlog-gauge', source).then(report(deps.metrics)).build();
}

function report(metrics: Metrics): Stage<number, number> {
  return {
    name: 'report',
    run(size) {
      metrics.gauge('backlog.size', size);
      return size;
    },
  };
}
