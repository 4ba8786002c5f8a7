/**
 * The StatsD client (hot-shots), prefix `<hostname>.`. UDP and fire-and-forget:
 * a StatsD server that is down never slows or breaks the node.
 */
import { hostname } from 'node:os';
import { StatsD } from 'hot-shots';
import type { Config } from '../config/config';
import { getLogger } from '../logging/logger';

const log = getLogger('statsd');

export type Metrics = StatsD;

export function createMetrics(config: Config['statsd']): Metrics {
  return new StatsD({
    host: config.host,
    port: config.port,
    prefix: `${hostname()}.`,
    sampleRate: config.rate,
    errorHandler: (err) => log.debug(`statsd: ${err.message}`),
  });
}
