/**
 * Transactions found in valid blocks, known to every thread of a node that
 * validates. A block once valid stays valid (a majority cannot be undone,
 * which `Bigchain`'s cache of decided blocks relies on too), so what one
 * thread found need not be asked again by another: the vote on a block finds
 * the outputs its TRANSFERs spend where the block pipeline found them a
 * moment before, without a lookup that reads the whole block holding each.
 *
 * Only the status is taken on trust; the transaction itself is read again
 * with `Transaction.fromDict`, which checks it against its id. A thread
 * posts what it found once a turn, over a BroadcastChannel named for the
 * database, so that nodes sharing a process (as in the tests) never share
 * what they found in different chains.
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { DatabaseSettings } from '../db/connection';
import type { TransactionDict } from '../models/transaction';
import type { TxId } from '../models/types';

export interface ValidTransactions {
  /** The transaction if some thread found it in a valid block. */
  get(id: TxId): TransactionDict | undefined;
  /** Tells every thread that `tx` is in a valid block. */
  add(tx: TransactionDict): void;
}

/** Some seconds of full load: the span between the block pipeline's lookup and the vote's is one or two. */
const REMEMBERED = 10_000;

/** The channel of one database's finds; unreferenced: listening must not keep a thread alive that has nothing else to do. */
function channelOf(database: DatabaseSettings): BroadcastChannel {
  const channel = new BroadcastChannel(`bigchaindb valid transactions of ${database.host}:${database.port}/${database.name}`);
  channel.unref();
  return channel;
}

export class ValidTransactionsChannel implements ValidTransactions {
  private readonly known = new Map<TxId, TransactionDict>();
  private readonly channel: BroadcastChannel;
  private pending: TransactionDict[] = [];

  constructor(database: DatabaseSettings) {
    this.channel = channelOf(database);
    this.channel.onmessage = (event) => this.rememberAll((event as { data?: unknown }).data);
  }

  get(id: TxId): TransactionDict | undefined {
    return this.known.get(id);
  }

  add(tx: TransactionDict): void {
    this.remember(tx);
    if (this.pending.push(tx) === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const found = this.pending;
    this.pending = [];
    this.channel.postMessage(found);
  }

  private rememberAll(found: unknown): void {
    if (!Array.isArray(found)) return;
    for (const tx of found) if (typeof (tx as { id?: unknown } | null)?.id === 'string') this.remember(tx as TransactionDict);
  }

  private remember(tx: TransactionDict): void {
    if (this.known.size >= REMEMBERED && !this.known.has(tx.id)) this.known.delete(this.known.keys().next().value as TxId);
    this.known.set(tx.id, tx);
  }
}

/**
 * Passes on to the validation threads what another process found: the
 * primary relays its API processes' finds (server/cluster.ts), remembering
 * none of them itself.
 */
export class ValidTransactionsRelay {
  private readonly channel: BroadcastChannel;

  constructor(database: DatabaseSettings) {
    this.channel = channelOf(database);
  }

  relay(found: readonly TransactionDict[]): void {
    if (found.length > 0) this.channel.postMessage(found);
  }
}
