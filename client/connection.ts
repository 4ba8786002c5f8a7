/**
 * A connection to a node's HTTP API, with the names of js-bigchaindb-driver
 * of the 0.8 era, for the API of SPEC.md §9 and §13.
 */
import type { BlockStatus } from '../consensus/election';
import type { BlockDict } from '../models/block';
import { Transaction, type TransactionDict } from '../models/transaction';
import type { BlockId, PublicKey, TxId } from '../models/types';
import type { VoteDict } from '../models/vote';
import { PollTimeout, ProofError, RequestError } from './errors';
import { checkTransactionProof, type TransactionProof } from './proof';
import { openValidTransactionStream, type ValidTransactionEvent, type ValidTransactionStream } from './stream';

/** Where a transaction is: in a valid or an undecided block, or in the backlog. */
export type TransactionStatus = 'valid' | 'undecided' | 'backlog';

/** The node's /api/v1/ index: links to the endpoints, and the stream's URL. */
export interface ApiIndex {
  readonly streams: string;
  readonly [endpoint: string]: string;
}

/** What a node says of itself at GET / (SPEC.md §9). */
export interface NodeInfo {
  readonly software: string;
  readonly version: string;
  readonly public_key: PublicKey;
  readonly keyring: PublicKey[];
  readonly api_endpoint: string;
}

export interface PollOptions {
  /** Gives up after this long (default 60 s). */
  readonly timeoutMs?: number;
  /** Between two looks at the status (default 250 ms). */
  readonly intervalMs?: number;
}

type Query = Record<string, string | boolean | undefined>;

export class Connection {
  private readonly base: string;

  /** `apiUrl` is the node's API root, e.g. `http://localhost:9984/api/v1`. */
  constructor(apiUrl: string) {
    this.base = apiUrl.replace(/\/+$/, '');
  }

  /** Posts a transaction; resolves with the server's JSON, rejects with a RequestError carrying status and message. */
  postTransaction(tx: Transaction | TransactionDict): Promise<TransactionDict> {
    const body = JSON.stringify(tx instanceof Transaction ? tx.toDict() : tx);
    return this.request('/transactions/', {}, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  }

  getTransaction(id: TxId): Promise<TransactionDict> {
    return this.request(`/transactions/${encodeURIComponent(id)}`);
  }

  getStatus(id: TxId): Promise<{ status: TransactionStatus }> {
    return this.request(`/transactions/${encodeURIComponent(id)}/status`);
  }

  /** Resolves with the transaction once it is valid; rejects with a PollTimeout when it is not within `timeoutMs`. */
  async pollStatusAndFetchTransaction(id: TxId, options: PollOptions = {}): Promise<TransactionDict> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    let last: string | null = null;
    for (;;) {
      last = await this.getStatus(id).then((s) => s.status, (err: unknown) => {
        // Not known yet (or any more, when its block was invalid and it is on its way back to the backlog).
        if (err instanceof RequestError && err.status === 404) return null;
        throw err;
      });
      if (last === 'valid') return this.getTransaction(id);
      if (Date.now() >= deadline) throw new PollTimeout(id, last, timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs ?? 250, Math.max(0, deadline - Date.now()))));
    }
  }

  /** The transactions of an asset in valid blocks. */
  listTransactions(query: { asset_id: string; operation?: 'CREATE' | 'TRANSFER' }): Promise<TransactionDict[]> {
    return this.request('/transactions', query);
  }

  /** Links `../transactions/<txid>/conditions/<cid>` of the outputs a key owns in valid blocks; `spent` filters them. */
  listOutputs(query: { public_key: PublicKey; spent?: boolean }): Promise<string[]> {
    return this.request('/outputs', query);
  }

  /** The ids of the blocks holding a transaction, of one status when given. */
  listBlocks(query: { transaction_id: TxId; status?: BlockStatus }): Promise<BlockId[]> {
    return this.request('/blocks', query);
  }

  getBlock(id: BlockId): Promise<BlockDict> {
    return this.request(`/blocks/${encodeURIComponent(id)}`);
  }

  getBlockStatus(id: BlockId): Promise<{ status: BlockStatus }> {
    return this.request('/statuses', { block_id: id });
  }

  listVotes(blockId: BlockId): Promise<VoteDict[]> {
    return this.request('/votes', { block_id: blockId });
  }

  getApiIndex(): Promise<ApiIndex> {
    return this.request('/');
  }

  /** GET / of the node's origin: its key and keyring. A light client takes its federation from elsewhere. */
  getNodeInfo(): Promise<NodeInfo> {
    return this.request(new URL('/', this.base).href, {}, {}, false);
  }

  /** Calls `onEvent` for each transaction the node finds valid from now on; resolves once connected. */
  async streamValidTransactions(onEvent: (event: ValidTransactionEvent) => void): Promise<ValidTransactionStream> {
    return openValidTransactionStream((await this.getApiIndex()).streams, onEvent);
  }

  /**
   * Proves, without trusting this node, that transaction `txId` is in a block
   * a majority of `federation` voted valid: fetches every block holding it
   * and their votes, and checks them locally (client/proof.ts), whatever
   * status the node gives them. Rejects with a ProofError saying which check
   * failed (for each block, when several hold the transaction).
   */
  async verifyTransactionProof(txId: TxId, federation: readonly PublicKey[]): Promise<TransactionProof> {
    const failures: ProofError[] = [];
    for (const blockId of await this.listBlocks({ transaction_id: txId })) {
      const [block, votes] = await Promise.all([this.getBlock(blockId), this.listVotes(blockId)]);
      try {
        return checkTransactionProof(txId, blockId, block, votes, federation);
      } catch (err) {
        if (!(err instanceof ProofError)) throw err;
        failures.push(err);
      }
    }
    if (failures.length === 0) throw new ProofError('not-in-block', `the node knows no block holding transaction ${txId}`);
    if (failures.length === 1) throw failures[0]!;
    throw new ProofError(failures[0]!.reason, `none of the ${failures.length} blocks holding transaction ${txId} proves it: ${failures.map((f) => f.message).join('; ')}`);
  }

  private async request<T>(path: string, query: Query = {}, init: RequestInit = {}, underApi = true): Promise<T> {
    const url = new URL(underApi ? this.base + path : path);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    const response = await fetch(url, init);
    const text = await response.text();
    if (!response.ok) throw new RequestError(response.status, errorMessage(text, response.statusText), url.href);
    return JSON.parse(text) as T;
  }
}

/** The server's `message`, or the text of an answer that is not the API's JSON error. */
function errorMessage(text: string, fallback: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // Not JSON: a proxy's page, say.
  }
  return text.trim() === '' ? fallback : text.slice(0, 500);
}
