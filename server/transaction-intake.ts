/**
 * What `POST /api/v1/transactions` does with a body, whichever HTTP path
 * brought it: validate fully (SPEC.md §4), write to the backlog, and say
 * whether the node took it now (201) or knew it already (200).
 */
import type { Bigchain } from '../core/bigchain';
import { ChainCorruption } from '../core/bigchain';
import type { Metrics } from '../metrics/statsd';
import { BigchainError } from '../models/errors';
import { parseJson } from '../models/serialize';
import { Transaction, type TransactionDict } from '../models/transaction';
import { HttpError } from './errors';
import { GroupCommit } from '../core/group-commit';

/** Transactions per backlog write: a few hundred keeps one insert well under a megabyte or two. */
const MAX_WRITE_BATCH = 500;

export interface Accepted {
  readonly status: 200 | 201;
  readonly transaction: TransactionDict;
}

export class TransactionIntake {
  /** Writes a transaction unless the node knows it already; true when written. */
  private readonly writer: GroupCommit<Transaction, boolean>;

  /** `onValidated`: told of each transaction that passed every check, before it is written. */
  constructor(private readonly bigchain: Bigchain, private readonly metrics: Metrics, private readonly onValidated?: (tx: Transaction) => void) {
    this.writer = new GroupCommit((txs) => bigchain.writeNewTransactions(txs), MAX_WRITE_BATCH);
  }

  /** The answer to a body already decoded as text; throws `HttpError` for what the client must mend. */
  async accept(raw: string): Promise<Accepted> {
    if (raw.trim() === '') throw new HttpError(400, 'Empty body: send the transaction as a JSON object');
    try {
      const value = parseJson(raw);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new HttpError(400, 'Invalid transaction: the body must be a JSON object');
      }
      const tx = Transaction.fromDict(value);
      await this.bigchain.validateTransaction(tx);
      this.onValidated?.(tx);
      const started = process.hrtime.bigint();
      if (!(await this.writer.submit(tx))) return { status: 200, transaction: tx.toDict() };
      this.metrics.timeSince('write_transaction', 'per-transaction', started);
      this.metrics.increment('api.transactions.accepted', 'per-transaction');
      return { status: 201, transaction: tx.toDict() };
    } catch (err) {
      const invalid = err instanceof BigchainError && !(err instanceof ChainCorruption);
      if (invalid || err instanceof HttpError) this.metrics.increment('api.transactions.rejected', 'per-transaction');
      if (invalid) throw new HttpError(400, `Invalid transaction: ${err.name}: ${err.message}`);
      throw err;
    }
  }
}
