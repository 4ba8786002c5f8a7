/**
 * The core API of a node, as 0.8's `Bigchain` class: everything the HTTP
 * API, the CLI and the pipelines ask of the chain, answered through db/ and
 * judged through consensus/.
 */
import { randomInt } from 'node:crypto';
import { blockElectionStatus, type BlockStatus } from '../consensus/election';
import type { ChainReader, TransactionStatus, TransactionWithStatus } from '../consensus/chain';
import { baseConsensusRules, type ConsensusRules } from '../consensus/rules';
import type { Database } from '../db/connection';
import { getBacklogRow, insertBacklogRows, reassignBacklogRow, transactionOfRow, type Assignment, type BacklogRow } from '../db/queries/backlog';
import { writeUnlessKnown } from '../db/queries/intake';
import {
  getBlock, getBlocksHoldingTransactions, getBlocksSince, getGenesisBlock, getTransactionInBlocks, writeBlock, type BlockVoters, type TransactionInBlock,
} from '../db/queries/blocks';
import { getTransactionsByAssetId, getTransactionsByMetadataId } from '../db/queries/assets';
import { getSpenderIds, getSpendingTransactions } from '../db/queries/spent';
import { getVotesByBlockAndVoter, getVotesByBlockId, writeVote } from '../db/queries/votes';
import { Block, isGenesisBlock, type BlockDict } from '../models/block';
import { BigchainError } from '../models/errors';
import type { Keypair } from '../models/keys';
import { Transaction, type AssetDict, type TransactionDict, type TransactionLink } from '../models/transaction';
import { outputName } from '../models/transaction-checks';
import type { BlockId, PublicKey, Timestamp, TxId } from '../models/types';
import { createVote, type VoteDict } from '../models/vote';
import { GroupCommit } from './group-commit';
import { lastVotedBlockId } from './last-vote';
import type { ValidTransactions } from './valid-transactions';

/** Two valid blocks hold one transaction, or one output is spent twice in valid blocks: the chain is corrupt. */
export class ChainCorruption extends BigchainError {}

export interface NodeIdentity {
  readonly keypair: Keypair;
  readonly keyring: readonly PublicKey[];
}

/** A transaction found in a block, with the election status of that block. */
export type JudgedTransaction<S extends BlockStatus = BlockStatus> = TransactionInBlock & { readonly status: S };
/** A transaction in a valid or undecided block. */
export type LiveTransaction = JudgedTransaction<'valid' | 'undecided'>;

/**
 * How far before the block of its last vote a node looks for blocks it has not
 * voted on: covers clock skew between nodes and blocks written late.
 */
export const UNVOTED_LOOKBACK_SECONDS = 3600;

const DECIDED_CACHE_LIMIT = 100_000;
/** Outputs per spender lookup: a few hundred keep one query's answer small. */
const SPENDER_LOOKUP_BATCH = 500;

export class Bigchain implements ChainReader {
  /** Valid and invalid are final (a majority cannot be undone): cached, undecided is not. */
  private readonly decided = new Map<BlockId, 'valid' | 'invalid'>();
  /** The spenders the API's validations of concurrent POSTs ask for, in one query a batch. */
  private readonly spenderLookups = new GroupCommit<TransactionLink, TxId[]>(async (links) => {
    const ids = await getSpenderIds(this.db, links);
    return links.map((link) => ids.get(outputName(link)) ?? []);
  }, SPENDER_LOOKUP_BATCH);

  constructor(
    readonly db: Database,
    readonly node: NodeIdentity,
    readonly consensus: ConsensusRules = baseConsensusRules,
    /** What other threads of this node found in valid blocks; none, by default, but a lookup. */
    private readonly validTransactions?: ValidTransactions,
  ) {}

  get me(): PublicKey {
    return this.node.keypair.publicKey;
  }

  get nodesExceptMe(): PublicKey[] {
    return this.node.keyring.filter((k) => k !== this.me);
  }

  get federation(): PublicKey[] {
    return [...this.nodesExceptMe, this.me];
  }

  /**
   * Puts a transaction in the backlog, assigned to a random keyring node (to
   * me when I am alone). False when it was already in the backlog.
   */
  async writeTransaction(tx: Transaction): Promise<boolean> {
    return (await this.writeTransactions([tx])) === 1;
  }

  /** `writeTransaction` for many at once, each with its own random assignee; returns how many were new. */
  async writeTransactions(txs: readonly Transaction[]): Promise<number> {
    return insertBacklogRows(this.db, this.backlogRows(txs));
  }

  /**
   * Writes those of `txs` the node does not know yet (in no valid or
   * undecided block, nor in the backlog), each once; per transaction, whether
   * it was written. One query for the whole batch when none is known, else two.
   */
  async writeNewTransactions(txs: readonly Transaction[]): Promise<boolean[]> {
    if (txs.length === 0) return [];
    const distinct = distinctBy(txs, (tx) => tx.id);
    const outcome = await writeUnlessKnown(this.db, this.backlogRows(distinct));
    let fresh = distinct;
    if (!outcome.written) {
      const known = new Set<TxId>([...(await this.liveHolders(outcome.held)).keys(), ...outcome.known]);
      fresh = distinct.filter((tx) => !known.has(tx.id));
      await this.writeTransactions(fresh);
    }
    const written = new Set(fresh);
    return txs.map((tx) => written.has(tx));
  }

  /** Backlog rows of `txs`, each with its own random assignee. */
  private backlogRows(txs: readonly Transaction[]): BacklogRow[] {
    const others = this.nodesExceptMe;
    const now = Date.now() / 1000;
    return txs.map((tx) => ({ ...tx.toDict(), assignee: this.assigneeAmong(others), assignment_timestamp: now }));
  }

  /**
   * Gives a backlog row to another federation node (to me when alone), if it
   * still has the assignment `read` saw; returns the new assignee, or null
   * when another node reassigned the row first or its block took it.
   */
  async reassignTransaction(read: Assignment): Promise<PublicKey | null> {
    const assignee = this.assigneeAmong(this.federation.filter((k) => k !== read.assignee));
    return (await reassignBacklogRow(this.db, read, assignee, Date.now() / 1000)) ? assignee : null;
  }

  /**
   * The transaction from a valid block, else an undecided one, else the
   * backlog (SPEC.md §6). One found only in invalid blocks is unknown.
   */
  async getTransaction(id: TxId): Promise<Transaction | null>;
  async getTransaction(id: TxId, options: { withStatus: true }): Promise<TransactionWithStatus | null>;
  async getTransaction(id: TxId, options?: { withStatus: true }): Promise<Transaction | TransactionWithStatus | null> {
    const found = await this.findTransaction(id);
    if (found === null) return null;
    return options?.withStatus ? found : found.transaction;
  }

  async getStatus(id: TxId): Promise<TransactionStatus | null> {
    return (await this.findTransaction(id))?.status ?? null;
  }

  /** The election status of every block holding `id`. */
  async getBlocksStatusContainingTx(id: TxId): Promise<Map<BlockId, BlockStatus>> {
    return this.statusOfBlocks(id, await getTransactionInBlocks(this.db, id));
  }

  /**
   * Of `txids`, those already in a valid or undecided block other than
   * `exceptBlock`, each with one such block: one query for the whole batch.
   */
  async alreadyInBlocks(txids: readonly TxId[], exceptBlock?: BlockId): Promise<Map<TxId, BlockId>> {
    return this.liveHolders(await getBlocksHoldingTransactions(this.db, txids, exceptBlock));
  }

  /** Of the transactions `held` lists, those in a valid or undecided block, each with one such block. */
  private async liveHolders(held: ReadonlyMap<TxId, readonly BlockVoters[]>): Promise<Map<TxId, BlockId>> {
    const live = new Map<TxId, BlockId>();
    for (const [txid, blocks] of held) {
      for (const block of blocks) {
        if (!live.has(txid) && (await this.blockElectionStatus(block.id, block.voters)) !== 'invalid') live.set(txid, block.id);
      }
    }
    return live;
  }

  /**
   * A transaction in a valid or undecided block that spends `link`, other
   * than `exceptId` (a transaction does not double-spend with itself), the
   * one in a valid block first; null when there is none.
   */
  async getSpent(link: TransactionLink, exceptId?: TxId, exceptBlock?: BlockId, spenderIds?: readonly TxId[]): Promise<Transaction | null> {
    const spenders = await this.getSpenders(link, exceptId, exceptBlock, spenderIds);
    const chosen = spenders.find((s) => s.status === 'valid') ?? spenders[0];
    return chosen === undefined ? null : Transaction.fromDict(chosen.tx);
  }

  /**
   * The transactions in valid or undecided blocks (but `exceptBlock`) that
   * spend `link`, but `exceptId`, each with its block's status; `spenderIds`
   * as `spenderIdsOf` found them, when a batch asked for them all at once.
   */
  async getSpenders(link: TransactionLink, exceptId?: TxId, exceptBlock?: BlockId, spenderIds?: readonly TxId[]): Promise<LiveTransaction[]> {
    const ids = spenderIds ?? (exceptBlock === undefined ? await this.spenderLookups.submit(link) : undefined);
    const spenders = await this.keepLive(await getSpendingTransactions(this.db, link, exceptId, exceptBlock, ids));
    const validIds = new Set(spenders.filter((s) => s.status === 'valid').map((s) => s.tx.id));
    if (validIds.size > 1) {
      throw new ChainCorruption(`output ${outputName(link)} is spent by several valid transactions: ${[...validIds].join(', ')}`);
    }
    return spenders;
  }

  /** Transactions of an asset in valid or undecided blocks. */
  async getTransactionsByAssetId(assetId: string): Promise<Transaction[]> {
    return this.liveTransactions(await getTransactionsByAssetId(this.db, assetId));
  }

  /** Transactions carrying a metadata id, in valid or undecided blocks. */
  async getTransactionsByMetadataId(metadataId: string): Promise<Transaction[]> {
    return this.liveTransactions(await getTransactionsByMetadataId(this.db, metadataId));
  }

  /** The asset as its CREATE (in a valid block) defined it. */
  async getAssetById(assetId: string): Promise<AssetDict | null> {
    const found = await this.keepLive(await getTransactionsByAssetId(this.db, assetId));
    const creation = found.find((f) => f.status === 'valid' && f.tx.transaction.operation !== 'TRANSFER');
    return creation?.tx.transaction.asset ?? null;
  }

  /** Returns the transaction if valid against the chain; throws a typed error saying why not. */
  async validateTransaction(tx: Transaction): Promise<Transaction> {
    return this.consensus.validateTransaction(this.readerFor(), tx);
  }

  /**
   * For each of `links`, by `outputName`, the ids of the transactions in
   * blocks but `exceptBlock` spending it: one query for a validation batch.
   */
  async spenderIdsOf(links: readonly TransactionLink[], exceptBlock?: BlockId): Promise<Map<string, TxId[]>> {
    return getSpenderIds(this.db, links, exceptBlock);
  }

  /**
   * The chain as the rules read it, spenders looked up outside `exceptBlock`
   * and, for the outputs `spenderIds` lists, taken from there: what one query
   * found for a whole validation batch. A vote judges a block's transactions
   * with its own block excepted, whose double spends `checkNoOutputSpentTwice`
   * (consensus/rules.ts) finds once for all.
   */
  readerFor(exceptBlock?: BlockId, spenderIds?: ReadonlyMap<string, readonly TxId[]>): ChainReader {
    return {
      federation: this.federation,
      // What validation finds valid is passed on to the node's other threads; a GET's find is not.
      getTransaction: (id) => this.findTransaction(id, true),
      getSpent: (link, exceptId) => this.getSpent(link, exceptId, exceptBlock, spenderIds?.get(outputName(link))),
      getAssetById: (assetId) => this.getAssetById(assetId),
      hasPreviousVote: (id) => this.hasPreviousVote(id),
      alreadyInBlocks: (txids, except) => this.alreadyInBlocks(txids, except),
    };
  }

  /** The transaction if valid, else false. */
  async isValidTransaction(tx: Transaction): Promise<Transaction | false> {
    try {
      return await this.validateTransaction(tx);
    } catch (err) {
      if (err instanceof BigchainError) return false;
      throw err;
    }
  }

  /** A block of `transactions` (objects, or dicts already validated), signed by me, to be judged by the whole federation. */
  createBlock(transactions: readonly (Transaction | TransactionDict)[]): Block {
    return Block.create(transactions, this.me, this.federation).sign(this.node.keypair.privateKey);
  }

  async validateBlock(block: Block): Promise<Block> {
    return this.consensus.validateBlock(this.readerFor(), block);
  }

  async writeBlock(block: Block): Promise<void> {
    await writeBlock(this.db, block.toDict());
  }

  /** True when I have already voted on this block. */
  async hasPreviousVote(blockId: BlockId): Promise<boolean> {
    return (await getVotesByBlockAndVoter(this.db, blockId, this.me)).length > 0;
  }

  /** My signed vote on a block, chained to my previous vote. */
  vote(blockId: BlockId, previousBlockId: BlockId, isValid: boolean): VoteDict {
    return createVote(this.node.keypair, blockId, previousBlockId, isValid);
  }

  async writeVote(vote: VoteDict): Promise<void> {
    await writeVote(this.db, vote);
  }

  /**
   * The block of my latest vote, found as 0.8.2 does: among my votes of the
   * latest second, follow `previous_block` → `voting_for_block` to the end of
   * the chain, refusing cycles. The genesis block when I never voted.
   */
  async getLastVotedBlock(): Promise<BlockDict> {
    const id = await lastVotedBlockId(this.db, this.me);
    const block = id === null ? await getGenesisBlock(this.db) : await getBlock(this.db, id);
    if (block === null) throw new ChainCorruption(id === null ? 'the chain has no genesis block' : `my last vote is for missing block ${id}`);
    return block;
  }

  /**
   * Blocks I have not voted on, oldest first, genesis excluded: those from
   * UNVOTED_LOOKBACK_SECONDS before the block of my last vote onwards (or all
   * blocks when I never voted), without the ones I voted on.
   */
  async getUnvotedBlocks(): Promise<BlockDict[]> {
    const unvoted: BlockDict[] = [];
    for (const block of await this.getBlocksSinceLastVote()) {
      if (!(await this.hasPreviousVote(block.id))) unvoted.push(block);
    }
    return unvoted;
  }

  /**
   * Blocks but the genesis, oldest first, from UNVOTED_LOOKBACK_SECONDS
   * before the block of my last vote: what a node that was down may have missed.
   */
  async getBlocksSinceLastVote(): Promise<BlockDict[]> {
    const last = await this.getLastVotedBlock();
    const from = isGenesisBlock(last) ? '0' : String(Math.max(0, Number(last.block.timestamp) - UNVOTED_LOOKBACK_SECONDS));
    return (await getBlocksSince(this.db, from as Timestamp)).filter((block) => !isGenesisBlock(block));
  }

  /** The election status of a block from the votes in the database (SPEC.md §6). */
  async blockElectionStatus(blockId: BlockId, voters: readonly PublicKey[]): Promise<BlockStatus> {
    const cached = this.decided.get(blockId);
    if (cached !== undefined) return cached;
    const status = blockElectionStatus(blockId, voters, await getVotesByBlockId(this.db, blockId));
    if (status !== 'undecided') {
      if (this.decided.size >= DECIDED_CACHE_LIMIT) this.decided.clear();
      this.decided.set(blockId, status);
    }
    return status;
  }

  /** A random one of `candidates`; me when there is none (a federation of one). */
  private assigneeAmong(candidates: readonly PublicKey[]): PublicKey {
    return candidates.length > 0 ? pick(candidates) : this.me;
  }

  /**
   * `share`: tell the node's other validating threads when it is in a valid block. A transaction leaves
   * the backlog only once its block is written: one that moved between the two reads is in a block now.
   */
  private async findTransaction(id: TxId, share = false): Promise<TransactionWithStatus | null> {
    const known = this.validTransactions?.get(id);
    if (known !== undefined) return { transaction: Transaction.fromDict(known), status: 'valid' };
    const inBlock = await this.findInLiveBlock(id, share);
    if (inBlock !== null) return inBlock;
    const row = await getBacklogRow(this.db, id);
    if (row !== null) return { transaction: Transaction.fromDict(transactionOfRow(row)), status: 'backlog' };
    return this.findInLiveBlock(id, share);
  }

  private async findInLiveBlock(id: TxId, share: boolean): Promise<TransactionWithStatus | null> {
    const inBlocks = await getTransactionInBlocks(this.db, id);
    const statuses = await this.statusOfBlocks(id, inBlocks);
    const pick = (wanted: BlockStatus) => inBlocks.find((b) => statuses.get(b.blockId) === wanted);
    const found = pick('valid') ?? pick('undecided');
    if (found === undefined) return null;
    const status = statuses.get(found.blockId) as 'valid' | 'undecided';
    if (share && status === 'valid') this.validTransactions?.add(found.tx);
    return { transaction: Transaction.fromDict(found.tx), status };
  }

  private async statusOfBlocks(id: TxId, inBlocks: readonly TransactionInBlock[]): Promise<Map<BlockId, BlockStatus>> {
    const statuses = new Map<BlockId, BlockStatus>();
    for (const { blockId, voters } of inBlocks) statuses.set(blockId, await this.blockElectionStatus(blockId, voters));
    const valid = [...statuses].filter(([, s]) => s === 'valid').map(([b]) => b);
    if (valid.length > 1) throw new ChainCorruption(`transaction ${id} is in several valid blocks: ${valid.join(', ')}`);
    return statuses;
  }

  /** Each found transaction with the election status of its block. */
  async judge(found: readonly TransactionInBlock[]): Promise<JudgedTransaction[]> {
    const judged: JudgedTransaction[] = [];
    for (const f of found) judged.push({ ...f, status: await this.blockElectionStatus(f.blockId, f.voters) });
    return judged;
  }

  /** The found transactions whose block is valid or undecided, with that status. */
  private async keepLive(found: readonly TransactionInBlock[]): Promise<LiveTransaction[]> {
    return (await this.judge(found)).filter((f): f is LiveTransaction => f.status !== 'invalid');
  }

  private async liveTransactions(found: readonly TransactionInBlock[]): Promise<Transaction[]> {
    return distinctBy(await this.keepLive(found), (f) => f.tx.id).map((f) => Transaction.fromDict(f.tx));
  }
}

function pick<T>(items: readonly T[]): T {
  return items[randomInt(items.length)] as T;
}

/** The first of each group of items with the same key, in order. */
function distinctBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
