/**
 * The block pipeline (SPEC.md §8): my backlog transactions, validated, into
 * signed blocks of up to 1000, written to `bigchain`, then deleted from the
 * backlog — only once their block is written.
 */
import type { Bigchain } from '../core/bigchain';
import { deleteBacklogRows, getBacklogAssignedTo, getBacklogAssignees, transactionOfRow, type BacklogRow } from '../db/queries/backlog';
import { getBlock } from '../db/queries/blocks';
import { getLogger } from '../logging/logger';
import type { Metrics } from '../metrics/statsd';
import type { Block } from '../models/block';
import { Transaction, type TransactionDict } from '../models/transaction';
import { outputName } from '../models/transaction-checks';
import { serialize } from '../models/serialize';
import { mayBeTimelessCreate, type VerdictMemo } from '../models/verdict-memo';
import type { BlockId, TxId } from '../models/types';
import { ChangefeedSource } from './runtime/changefeed';
import { PipelineBuilder, type Collector, type Pipeline, type Stage } from './runtime/pipeline';
import { retry } from './runtime/retry';
import type { NodeSettings } from './node-settings';
import type { ValidationPool } from './validation/pool';
import { alreadyInBlock, countVerdicts, inOrder, VALID, type Verdict } from './validation/verdict';

const log = getLogger('pipeline:block');

export const BLOCK_SIZE = 1000;
export const BLOCK_TIMEOUT_MS = 1000;
const VALIDATION_BATCH = 50;
/**
 * How long a validation batch waits to fill: at a few hundred transactions a
 * second, 20 ms made jobs of about ten, each a message and a query; 50 ms
 * fills them, within the 1 s a block waits anyway.
 */
const VALIDATION_BATCH_MS = 50;

/**
 * Transactions between the changefeed and the deletion of their backlog row,
 * with the outputs they spend. A transaction seen again meanwhile (a replayed
 * prefeed, a repeated change) is dropped rather than put in a second block,
 * and a second spender of an output is held back.
 */
export class InFlight {
  private readonly ids = new Set<string>();
  private readonly spent = new Map<string, string>();

  /** Marks `id`; false when it was already in flight. */
  claim(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    return true;
  }

  /** Reserves the outputs `tx` spends; false (and nothing reserved) when another transaction in flight spends one. */
  reserveOutputs(tx: TransactionDict): boolean {
    const outputs = spentOutputs(tx);
    if (outputs.some((o) => this.spent.has(o) && this.spent.get(o) !== tx.id)) return false;
    for (const o of outputs) this.spent.set(o, tx.id);
    return true;
  }

  release(tx: { id: string; transaction?: TransactionDict['transaction'] }): void {
    this.ids.delete(tx.id);
    if (tx.transaction !== undefined) for (const o of spentOutputs(tx as TransactionDict)) if (this.spent.get(o) === tx.id) this.spent.delete(o);
  }

  get size(): number {
    return this.ids.size;
  }
}

function spentOutputs(tx: TransactionDict): string[] {
  return tx.transaction.fulfillments.flatMap((f) => (f.input ? [outputName(f.input)] : []));
}

export interface BlockPipelineDeps {
  readonly settings: NodeSettings;
  readonly bigchain: Bigchain;
  readonly pool: ValidationPool;
  /** The CREATEs this node found wholly valid, its API processes' included (models/verdict-memo.ts). */
  readonly memo: Pick<VerdictMemo, 'hasValidCreate'>;
  readonly metrics: Metrics;
  readonly isStopping: () => boolean;
}

/** A signed block, the backlog transactions it was made of, and when they were all collected. */
interface NewBlock {
  readonly block: Block;
  readonly txs: readonly TransactionDict[];
  readonly started: bigint;
}

export function blockPipeline(deps: BlockPipelineDeps): Pipeline {
  const me = deps.settings.keypair.publicKey;
  const inFlight = new InFlight();
  const source = new ChangefeedSource<BacklogRow, BacklogRow>({
    name: 'backlog',
    settings: deps.settings.database,
    table: 'backlog',
    prefeed: (db) => getBacklogAssignedTo(db, me),
    select: (change) => change.new_val,
    onReconnect: () => deps.metrics.increment('changefeed.reconnects', 'per-event'),
  });
  return PipelineBuilder.from('block', source)
    .then(filterAssignedToMe(me))
    .then(dropInFlight(inFlight))
    .collect(batchForValidation())
    .then(validate(deps, inFlight))
    .collect(collectBlock(inFlight))
    .then(createBlock(deps))
    .then(writeBlock(deps, inFlight))
    .then(deleteFromBacklog(deps, inFlight))
    .build();
}

/** Keeps rows assigned to me, as plain transactions. */
function filterAssignedToMe(me: string): Stage<BacklogRow, TransactionDict> {
  return { name: 'filterAssignedToMe', run: (row) => (row.assignee === me ? transactionOfRow(row) : null) };
}

function dropInFlight(inFlight: InFlight): Stage<TransactionDict, TransactionDict> {
  return { name: 'dropInFlight', run: (tx) => (inFlight.claim(tx.id) ? tx : null) };
}

/** Small batches, so that one message to a validation thread carries many transactions. */
function batchForValidation(): Collector<TransactionDict, TransactionDict[]> {
  let batch: TransactionDict[] = [];
  const take = () => {
    if (batch.length === 0) return null;
    const out = batch;
    batch = [];
    return out;
  };
  return {
    name: 'batchForValidation',
    timeoutMs: VALIDATION_BATCH_MS,
    add: (tx) => (batch.push(tx) >= VALIDATION_BATCH ? take() : null),
    flush: take,
  };
}

/**
 * Valid transactions go on; invalid ones, and those already in a valid or
 * undecided block, leave the backlog. When validation itself fails (the
 * database is away), the batch is released and stays in the backlog, to come
 * back by the stale monitor.
 */
function validate(deps: BlockPipelineDeps, inFlight: InFlight): Stage<TransactionDict[], TransactionDict[]> {
  return {
    name: 'validate',
    concurrency: deps.settings.validationThreads * 2,
    async run(batch) {
      let verdicts;
      try {
        verdicts = await judgeBatch(deps, batch);
      } catch (err) {
        batch.forEach((tx) => inFlight.release(tx));
        throw err;
      }
      const rejected = countVerdicts(verdicts, deps.metrics, 'block');
      for (const r of rejected) log.info(`dropping transaction ${r.id} from the backlog: ${r.reason}`);
      await retry('delete rejected transactions', () => deleteBacklogRows(deps.bigchain.db, rejected.map((r) => r.id as TxId)), deps.isStopping);
      rejected.forEach((r) => inFlight.release({ id: r.id }));
      const valid = batch.filter((_, i) => verdicts[i]!.ok);
      return valid.length > 0 ? valid : null;
    },
  };
}

/**
 * Verdicts on a batch, in order. A CREATE that this node found wholly valid
 * before (its API did, by the same canonical text) needs only the check the
 * chain can change: is a valid or undecided block holding it already? The
 * pool validates the others.
 */
async function judgeBatch(deps: BlockPipelineDeps, batch: readonly TransactionDict[]): Promise<Verdict[]> {
  const known = batch.map((tx) => isKnownValid(deps, tx));
  const others = batch.filter((_, i) => !known[i]);
  const [judged, inBlocks] = await Promise.all([
    others.length === 0 ? [] : deps.pool.validate(others, 'backlog'),
    others.length === batch.length ? new Map<TxId, BlockId>() : deps.bigchain.alreadyInBlocks(batch.filter((_, i) => known[i]).map((tx) => tx.id)),
  ]);
  return inOrder(known, (i) => {
    const holder = inBlocks.get(batch[i]!.id);
    return holder === undefined ? VALID : alreadyInBlock(batch[i]!.id, holder);
  }, judged);
}

function isKnownValid(deps: BlockPipelineDeps, tx: TransactionDict): boolean {
  if (!mayBeTimelessCreate(tx)) return false;
  try {
    return deps.memo.hasValidCreate(serialize(tx));
  } catch {
    // A row with no canonical form was never remembered: validation refuses it.
    return false;
  }
}

/** Up to BLOCK_SIZE transactions, or what came within BLOCK_TIMEOUT_MS of the first. */
function collectBlock(inFlight: InFlight): Collector<TransactionDict[], TransactionDict[]> {
  let pending: TransactionDict[] = [];
  const take = (count: number) => {
    if (pending.length === 0) return null;
    const out = pending.slice(0, count);
    pending = pending.slice(count);
    return out;
  };
  return {
    name: 'collectBlock',
    timeoutMs: BLOCK_TIMEOUT_MS,
    add(valid) {
      for (const tx of valid) {
        if (inFlight.reserveOutputs(tx)) pending.push(tx);
        else {
          log.info(`holding back transaction ${tx.id}: another transaction in flight spends the same output`);
          inFlight.release(tx);
        }
      }
      return pending.length >= BLOCK_SIZE ? take(BLOCK_SIZE) : null;
    },
    flush: () => take(BLOCK_SIZE),
  };
}

function createBlock(deps: BlockPipelineDeps): Stage<TransactionDict[], NewBlock> {
  return {
    name: 'createBlock',
    run(txs) {
      const started = process.hrtime.bigint();
      return { block: signBlock(deps, txs), txs, started };
    },
  };
}

function signBlock(deps: BlockPipelineDeps, txs: readonly TransactionDict[]): Block {
  return deps.bigchain.createBlock(deps.settings.faultyBlocks ? [...txs, invalidTransaction(deps.settings)] : txs);
}

/** A well-formed, signed CREATE that breaks a rule (a divisible asset of amount 1): for fault-injection tests only. */
function invalidTransaction(settings: NodeSettings): TransactionDict {
  const { publicKey, privateKey } = settings.keypair;
  return Transaction.create([publicKey], [[[publicKey], 1]], { asset: { divisible: true } }).sign([privateKey]).toDict();
}

/**
 * Writes the block, checking just before every attempt that its transactions
 * are still mine to block: a write held back by retries (the database away
 * for longer than the reassign delay) must not carry work another node took
 * over meanwhile. An attempt whose answer was lost may have written the block:
 * the next one looks for it by id first.
 */
function writeBlock(deps: BlockPipelineDeps, inFlight: InFlight): Stage<NewBlock, Block> {
  return {
    name: 'writeBlock',
    async run(built) {
      let pending: NewBlock | null = built;
      let maybeWritten = false;
      await retry(`write block ${built.block.id}`, async () => {
        if (pending === null || (maybeWritten && (await getBlock(deps.bigchain.db, pending.block.id)) !== null)) return;
        const checked = await keepStillMine(deps, inFlight, pending);
        maybeWritten &&= checked === pending;
        pending = checked;
        if (pending === null) return;
        maybeWritten = true;
        await deps.bigchain.writeBlock(pending.block);
      }, deps.isStopping);
      if (pending === null) return null;
      const { block, started } = pending;
      const size = block.body.transactions.length;
      deps.metrics.increment('block.written', 'per-event');
      deps.metrics.histogram('block.size', size);
      deps.metrics.timeSince('block.creation_time', 'per-event', started);
      log.info(`wrote block ${block.id} with ${size} transactions`);
      return block;
    },
  };
}

/**
 * The block without the transactions that are now in a valid or undecided
 * block, or no longer assigned to me, signed again (null when none is left).
 * Those found in a live block also leave the backlog, as validation would
 * have done; the others stay with their new assignee.
 */
async function keepStillMine(deps: BlockPipelineDeps, inFlight: InFlight, pending: NewBlock): Promise<NewBlock | null> {
  const me = deps.settings.keypair.publicKey;
  const ids = pending.txs.map((tx) => tx.id);
  const [elsewhere, assignees] = await Promise.all([
    deps.bigchain.alreadyInBlocks(ids, pending.block.id),
    getBacklogAssignees(deps.bigchain.db, ids),
  ]);
  const leaving = pending.txs.filter((tx) => elsewhere.has(tx.id) || assignees.get(tx.id) !== me);
  if (leaving.length === 0) return pending;
  for (const tx of leaving) {
    const holder = elsewhere.get(tx.id);
    log.info(`transaction ${tx.id} leaves block ${pending.block.id}: ${holder !== undefined ? `it is in block ${holder}, valid or undecided` : 'it is no longer assigned to me'}`);
  }
  await deleteBacklogRows(deps.bigchain.db, leaving.flatMap((tx) => (elsewhere.has(tx.id) ? [tx.id] : [])));
  leaving.forEach((tx) => inFlight.release(tx));
  const txs = pending.txs.filter((tx) => !leaving.includes(tx));
  return txs.length === 0 ? null : { block: signBlock(deps, txs), txs, started: pending.started };
}

function deleteFromBacklog(deps: BlockPipelineDeps, inFlight: InFlight): Stage<Block, Block> {
  return {
    name: 'deleteFromBacklog',
    async run(block) {
      const ids = block.body.transactions.map((tx) => tx.id);
      await retry(`delete the transactions of block ${block.id} from the backlog`, () => deleteBacklogRows(deps.bigchain.db, ids), deps.isStopping);
      block.body.transactions.forEach((tx) => inFlight.release(tx));
      return block;
    },
  };
}
