/**
 * The node's StatsD client (hot-shots), prefix `<hostname>.`. UDP and
 * fire-and-forget: a StatsD server that is down never slows or breaks the
 * node. Events that happen once per transaction are sampled at `statsd.rate`;
 * per-block and per-vote events are always sent.
 */
import { hostname } from 'node:os';
import { StatsD } from 'hot-shots';
import type { Config } from '../config/config';
import { getLogger } from '../logging/logger';
import type { CounterName, GaugeName, HistogramName, TimerName } from './names';

const log = getLogger('statsd');

/** Whether an event happens once per transaction, and so is sampled. */
export type Frequency = 'per-transaction' | 'per-event';

/**
 * `<hostname>.`, dots in the host name made `_`: the monitoring stack reads
 * the first segment as the host, so a full domain name must stay one segment.
 */
export function metricPrefix(host: string = hostname()): string {
  return `${host.replace(/\./g, '_')}.`;
}

export class Metrics {
  private constructor(private readonly client: StatsD, private readonly rate: number) {}

  static create(config: Config['statsd']): Metrics {
    const client = new StatsD({
      host: config.host,
      port: config.port,
      prefix: metricPrefix(),
      // Lines batched into one datagram per flush: a busy node sends thousands of events a second.
      maxBufferSize: 1400,
      bufferFlushInterval: 500,
      // statsd.host is usually a monitor's name: resolved once a minute, not on every datagram.
      cacheDns: true,
      cacheDnsTtl: 60_000,
      errorHandler: (err) => log.debug(`statsd: ${err.message}`),
    });
    return new Metrics(client, config.rate);
  }

  /** A client that sends nothing, for code run outside a node (tests of one stage, benchmarks). */
  static discard(): Metrics {
    return new Metrics(new StatsD({ mock: true }), 1);
  }

  increment(name: CounterName, frequency: Frequency, count = 1): void {
    if (count > 0) this.client.increment(name, count, this.sampleRate(frequency));
  }

  timing(name: TimerName, frequency: Frequency, ms: number): void {
    this.client.timing(name, ms, this.sampleRate(frequency));
  }

  /** Milliseconds since `started` (from `process.hrtime.bigint()`). */
  timeSince(name: TimerName, frequency: Frequency, started: bigint): void {
    this.timing(name, frequency, Number(process.hrtime.bigint() - started) / 1e6);
  }

  histogram(name: HistogramName, value: number): void {
    this.client.histogram(name, value, 1);
  }

  gauge(name: GaugeName, value: number): void {
    this.client.gauge(name, value, 1);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.client.close(() => resolve()));
  }

  private sampleRate(frequency: Frequency): number {
    return frequency === 'per-transaction' ? this.rate : 1;
  }
}
