/**
 * Every StatsD metric the node emits, with its StatsD type. The dashboard and
 * the tests read this list, so a metric cannot be renamed in one place only.
 * Names are sent with the prefix `<hostname>.`.
 */
export const METRICS = {
  /** API: time to write one accepted transaction to the backlog. */
  write_transaction: 'ms',
  'api.transactions.accepted': 'c',
  'api.transactions.rejected': 'c',
  'block.transactions.validated': 'c',
  'block.transactions.rejected': 'c',
  'block.written': 'c',
  /** Transactions in each block written. */
  'block.size': 'h',
  /** From the block's transactions collected to the block written. */
  'block.creation_time': 'ms',
  'vote.transactions.validated': 'c',
  'vote.transactions.rejected': 'c',
  'vote.cast.valid': 'c',
  'vote.cast.invalid': 'c',
  /** From a new block seen to my vote on it written. */
  'vote.latency': 'ms',
  'election.valid': 'c',
  /** Transactions of the blocks decided valid: the rate of transactions into valid blocks. */
  'election.valid_transactions': 'c',
  'election.invalid': 'c',
  /** Transactions of invalid blocks put back in the backlog. */
  'election.requeued': 'c',
  'stale.reassigned': 'c',
  /** Backlog rows assigned to this node, sampled every few seconds. */
  'backlog.size': 'g',
  'changefeed.reconnects': 'c',
} as const;

export type MetricName = keyof typeof METRICS;
export type StatsdType = (typeof METRICS)[MetricName];
type NamesOfType<T extends StatsdType> = { [K in MetricName]: (typeof METRICS)[K] extends T ? K : never }[MetricName];
export type CounterName = NamesOfType<'c'>;
export type TimerName = NamesOfType<'ms'>;
export type GaugeName = NamesOfType<'g'>;
export type HistogramName = NamesOfType<'h'>;
