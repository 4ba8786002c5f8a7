/**
 * Every workaround for reqlite, the in-memory RethinkDB-protocol server used
 * by the tests and the development mode, lives here. Queries elsewhere are
 * written to mean the same on reqlite and on RethinkDB 2.3/2.4.
 *
 * - reqlite listens on every interface and cannot be told a port of 0;
 *   `startReqlite` binds it to one address and a chosen or free port.
 * - reqlite has no table `config`/`reconfigure`: `isUnsupportedByReqlite`
 *   recognises its answer so commands can say that a real RethinkDB is needed.
 * - reqlite answers `getAll` and `between` on an index by evaluating the index
 *   function over every document of the table, every time: each lookup costs
 *   the whole table. `indexReqliteTables` keeps the index values of each
 *   document (computed once, dropped when the document changes) and an
 *   inverted map per index, so lookups cost what they cost on RethinkDB.
 *   `getAll` on the primary key compared every argument with every document;
 *   it now looks each key up.
 * - reqlite evaluates an `update` or `replace` function asynchronously on the
 *   document as it is when the write starts, so two concurrent updates of one
 *   document both saw the old version and both applied: a compare-and-set
 *   (`r.branch` in an update) let two writers win. RethinkDB makes every
 *   single-document write atomic; `serializeDocumentWrites` makes the writes
 *   of one document take turns, each on the document as the previous left it.
 * - reqlite keeps everything in memory and acknowledges a write once it is
 *   made there. `holdReply` lets the embedded database hold every reply until
 *   its journal has the writes (db/embedded/, whose reqlite-store.ts catches
 *   the changes where reqlite makes them).
 * - reqlite answers a changefeed's CONTINUE with one change at a time;
 *   `batchChangefeedResponses` (reqlite-changefeed-batches.ts) sends what is
 *   waiting in one batch, as RethinkDB does.
 * - reqlite copies every element of a sequence whole before matching it
 *   against a filter object; `matchObjectFiltersInPlace`
 *   (reqlite-object-filters.ts) reads only the fields the object names.
 * - reqlite builds a JSON text of every query and answer for a log it prints
 *   in debug mode only; `startQueriesWithoutLogs` (reqlite-quiet-queries.ts)
 *   runs queries without building them.
 */
import { batchChangefeedResponses } from './reqlite-changefeed-batches';
import { reqliteModule, type ReqliteValue as Any } from './reqlite-internals';
import { matchObjectFiltersInPlace } from './reqlite-object-filters';
import { startQueriesWithoutLogs } from './reqlite-quiet-queries';
import { reqlMessage } from './rethink';
import { createServer, type Server as NetServer, type AddressInfo, type Socket } from 'node:net';

interface ReqliteServer extends ReqliteInternals {
  port: number;
  _connections: Record<string, unknown>;
  _server: NetServer;
  stop(callback: () => void): void;
}
type ReqliteConstructor = new (options: Record<string, unknown>) => ReqliteServer;
type ConnectionConstructor = new (socket: unknown, server: ReqliteServer, options: Record<string, unknown>) => { id: number };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Reqlite = require('reqlite') as ReqliteConstructor;
const ReqliteConnection = reqliteModule('connection') as ConnectionConstructor;

/** What of a running reqlite the embedded database's store reads and changes (db/embedded/reqlite-store.ts). */
export interface ReqliteInternals {
  readonly databases: Record<string, unknown>;
}

export interface RunningReqlite {
  readonly host: string;
  readonly port: number;
  /** Cuts every client connection, as a network blink or a restarting server would. */
  dropClientConnections(): void;
  stop(): Promise<void>;
}

export interface ReqliteOptions {
  /** The server does not keep the process alive by itself. */
  readonly unref?: boolean;
  /** Runs before the server listens: no client sees the data until it is done. */
  readonly beforeListening?: (internals: ReqliteInternals) => Promise<void>;
  /**
   * Every byte the server sends a client goes through here: the embedded
   * database holds replies until what they could reveal is in its journal.
   */
  readonly holdReply?: (send: () => void) => void;
}

/** Starts reqlite listening on `host:port` only (port 0: a free one). */
export async function startReqlite(host: string, port: number, options: ReqliteOptions = {}): Promise<RunningReqlite> {
  indexReqliteTables();
  serializeDocumentWrites();
  batchChangefeedResponses();
  matchObjectFiltersInPlace();
  startQueriesWithoutLogs();
  const { holdReply } = options;
  class BoundReqlite extends Reqlite {
    _createServer(this: ReqliteServer & Record<string, unknown>): NetServer {
      return createServer((socket) => {
        // A reply of several writes must not wait on Nagle for the client's delayed ACK (40 ms a query).
        socket.setNoDelay(true);
        if (holdReply !== undefined) holdWrites(socket, holdReply);
        const connection = new ReqliteConnection(socket, this, {
          version: this.protocolVersion,
          authKey: this.authKey,
          minProtocolVersion: this.minProtocolVersion,
          maxProtocolVersion: this.maxProtocolVersion,
        });
        this._connections[connection.id] = connection;
      });
    }
  }
  const server = new BoundReqlite({ silent: true });
  await options.beforeListening?.(server);
  const boundPort = await new Promise<number>((resolve, reject) => {
    server._server.once('error', reject);
    server._server.listen(port, host, () => resolve((server._server.address() as AddressInfo).port));
  });
  if (options.unref === true) server._server.unref();
  return {
    host,
    port: boundPort,
    dropClientConnections: () => {
      for (const connection of Object.values(server._connections) as { connection: { destroy(): void } }[]) connection.connection.destroy();
    },
    stop: () => new Promise((resolve) => server.stop(() => resolve())),
  };
}

/** reqlite writes each reply with one `socket.write` of its whole frame: holding that call holds the reply. */
function holdWrites(socket: Socket, holdReply: (send: () => void) => void): void {
  const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
  socket.write = ((chunk: Buffer) => {
    holdReply(() => {
      if (!socket.destroyed) write(chunk);
    });
    return true;
  }) as Socket['write'];
}

/** True for reqlite's answer to a ReQL term it does not implement. */
export function isUnsupportedByReqlite(err: unknown): boolean {
  return /not been implemented \(yet\) in Reqlite/.test(reqlMessage(err));
}

const ReqliteTable = reqliteModule('table');
const ReqliteSelection = reqliteModule('selection');
const reqliteUtil = reqliteModule('utils');
const ReqliteDocument = reqliteModule('document');
const ReqliteMissingDoc = reqliteModule('missing_doc');

interface IndexCache {
  /** Index values of each indexed document. */
  readonly values: Map<Any, Any[]>;
  /** Internal primary key → indexed document. */
  readonly docs: Map<string, Any>;
  /** Index key → documents holding it. */
  readonly inverted: Map<string, Set<Any>>;
  /** Documents inserted or changed since the last lookup. */
  readonly pending: Set<Any>;
  /** The refresh under way: the next one waits for it (see `refresh`). */
  refreshing: Promise<void>;
}

function keyOf(value: Any): string {
  if (value !== null && typeof value === 'object' && Array.isArray(value.sequence)) return `[${value.sequence.map(keyOf).join(',')}]`;
  if (value !== null && typeof value === 'object' && typeof value.toDatum === 'function') return JSON.stringify(value.toDatum());
  return JSON.stringify(value);
}

function cacheOf(table: Any, index: string): IndexCache {
  table.__indexCaches ??= new Map<string, IndexCache>();
  let cache = table.__indexCaches.get(index) as IndexCache | undefined;
  if (cache === undefined) {
    cache = { values: new Map(), docs: new Map(), inverted: new Map(), pending: new Set(Object.values(table.documents)), refreshing: Promise.resolve() };
    table.__indexCaches.set(index, cache);
  }
  if (!table.__indexWatch) {
    table.__indexWatch = true;
    table.on('change', (change: { new_val: Any; old_val: Any }) => {
      for (const val of [change.old_val, change.new_val]) {
        if (val === null || val === undefined) continue;
        const internal = reqliteUtil.makeInternalPk(val[table.options.primaryKey]);
        for (const c of table.__indexCaches.values() as Iterable<IndexCache>) {
          const stale = c.docs.get(internal);
          if (stale !== undefined) forget(c, internal, stale);
          const current = table.documents[internal];
          if (current !== undefined) c.pending.add(current);
        }
      }
    });
  }
  return cache;
}

function forget(cache: IndexCache, internal: string, doc: Any): void {
  for (const value of cache.values.get(doc) ?? []) cache.inverted.get(keyOf(value))?.delete(doc);
  cache.values.delete(doc);
  cache.docs.delete(internal);
}

/**
 * Computes the index values of the documents added or changed since the last
 * lookup. Lookups take turns: a document one has taken from `pending` is not
 * in `values` until it is evaluated, and a concurrent lookup that went ahead
 * would miss it (a federation's nodes starting together did not find the
 * genesis block).
 */
async function refresh(table: Any, index: string, query: Any, internalOptions: Any): Promise<IndexCache> {
  const cache = cacheOf(table, index);
  const turn = cache.refreshing.catch(() => undefined).then(() => indexPending(table, index, cache, query, internalOptions));
  cache.refreshing = turn;
  await turn;
  return cache;
}

async function indexPending(table: Any, index: string, cache: IndexCache, query: Any, internalOptions: Any): Promise<void> {
  const spec = table.indexes[index];
  const varId = reqliteUtil.getVarId(spec.fn);
  for (const doc of [...cache.pending]) {
    cache.pending.delete(doc);
    const internal = reqliteUtil.makeInternalPk(doc.doc[table.options.primaryKey]);
    const stale = cache.docs.get(internal);
    if (stale !== undefined) forget(cache, internal, stale);
    if (table.documents[internal] !== doc) continue;
    query.context[varId] = doc;
    let values: Any[] = [];
    try {
      const value = await query.evaluate(spec.fn, internalOptions);
      values = spec.multi === true ? Array.from({ length: value.length }, (_, k) => value.get(k)) : [value];
    } catch (err) {
      // A document the index function cannot read is simply not in the index, as on RethinkDB.
      if (!/^No attribute `|non-object|Cannot perform/.test((err as Error).message)) throw err;
    } finally {
      delete query.context[varId];
    }
    if (table.documents[internal] !== doc) continue;
    cache.values.set(doc, values);
    cache.docs.set(internal, doc);
    for (const value of values) {
      const key = keyOf(value);
      if (!cache.inverted.has(key)) cache.inverted.set(key, new Set());
      cache.inverted.get(key)!.add(doc);
    }
  }
}

let indexed = false;

/** Replaces reqlite's scanning `getAll` and `between` on secondary indexes with cached ones (see the header). */
export function indexReqliteTables(): void {
  if (indexed) return;
  indexed = true;
  const originalGetAll = ReqliteTable.prototype.getAll;
  const originalBetween = ReqliteTable.prototype.between;
  const secondary = (table: Any, options: Any): boolean =>
    typeof options?.index === 'string' && options.index !== table.options.primaryKey && table.indexes[options.index] !== undefined;
  ReqliteTable.prototype.getAll = async function getAll(this: Any, args: Any[], options: Any, query: Any, internalOptions: Any) {
    const scalar = (arg: Any) => typeof arg === 'string' || typeof arg === 'number';
    if ((typeof options?.index !== 'string' || options.index === this.options.primaryKey) && args.every(scalar)) {
      const selection = new ReqliteSelection([], this, {});
      const seen = new Set<Any>();
      for (const arg of args) {
        const doc = this.documents[reqliteUtil.makeInternalPk(arg)];
        if (doc !== undefined && !seen.has(doc)) {
          seen.add(doc);
          selection.push(doc);
        }
      }
      return selection;
    }
    if (!secondary(this, options)) return originalGetAll.call(this, args, options, query, internalOptions);
    const cache = await refresh(this, options.index, query, internalOptions);
    const seen = new Set<Any>();
    const selection = new ReqliteSelection([], this, {});
    for (const arg of args) {
      for (const doc of cache.inverted.get(keyOf(arg)) ?? []) {
        if (!seen.has(doc)) {
          seen.add(doc);
          selection.push(doc);
        }
      }
    }
    return selection;
  };
  ReqliteTable.prototype.between = async function between(this: Any, left: Any, right: Any, options: Any, query: Any, internalOptions: Any) {
    if (!secondary(this, options)) return originalBetween.call(this, left, right, options, query, internalOptions);
    const cache = await refresh(this, options.index, query, internalOptions);
    const bounds = { left_bound: options.left_bound || 'closed', right_bound: options.right_bound || 'open' };
    const selection = new ReqliteSelection([], this, {
      type: 'TABLE_SLICE', operation: 'between', index: options.index, args: { left, right }, options: bounds,
    });
    for (const [doc, values] of cache.values) {
      for (const value of values) reqliteUtil.between(selection, doc, value, left, right, bounds);
    }
    return selection;
  };
}

let serialized = false;

/** One document's `update` and `replace` take turns, each on the current version of the document (see the header). */
export function serializeDocumentWrites(): void {
  if (serialized) return;
  serialized = true;
  for (const method of ['update', 'replace'] as const) {
    const original = ReqliteDocument.prototype[method];
    ReqliteDocument.prototype[method] = function write(this: Any, ...args: Any[]) {
      const table = this.table;
      const internal = reqliteUtil.makeInternalPk(this.doc[table.options.primaryKey]);
      const turns: Map<string, Promise<Any>> = (table.__writeTurns ??= new Map());
      const turn = (turns.get(internal) ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => {
          // A write that went before may have replaced or deleted the document.
          const current = table.documents[internal];
          return current === undefined
            ? ReqliteMissingDoc.prototype[method].apply(new ReqliteMissingDoc(internal, table), args)
            : original.apply(current, args);
        });
      turns.set(internal, turn);
      const forget = () => {
        if (turns.get(internal) === turn) turns.delete(internal);
      };
      turn.then(forget, forget);
      return turn;
    };
  }
}
