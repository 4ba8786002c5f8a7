/**
 * The embedded database's state as reqlite holds it, seen as changes to
 * journal and state to snapshot. This module (with db/reqlite-compat.ts,
 * which holds the replies) is the only one that reaches into reqlite's
 * internals for persistence:
 *
 * - every document change is caught synchronously where reqlite makes it
 *   (`Table#emit('change')`, which inserts, updates, replaces and deletes
 *   all go through), so the journal's order is the order of the writes;
 * - schema changes (databases, tables, indexes) are caught after each DDL
 *   term, and before the first document change of a table the journal has
 *   not seen yet, which a concurrent query could make before that;
 * - changes to a table no longer in its server (dropped while a query held
 *   it) are invisible afterwards and are not journaled.
 */
import { getLogger } from '../../logging/logger';
import type { ReqliteInternals } from '../reqlite-compat';
import { reqliteModule, type ReqliteValue as Any } from '../reqlite-internals';

const ReqliteTable = reqliteModule('table');
const ReqliteQuery = reqliteModule('query');
const ReqliteDatabase = reqliteModule('database');
const reqliteUtil = reqliteModule('utils');

const log = getLogger('embedded:store');

/** A JSON value as the RethinkDB wire protocol carries it (times and binaries as pseudo-types). */
export type Datum = unknown;

export interface IndexSchema {
  /** The index function as a ReQL term. */
  readonly fn: Datum;
  readonly multi: boolean;
  readonly geo: boolean;
}

export interface TableSchema {
  /** reqlite's table id: a table dropped and made again under its name is another table. */
  readonly id: string;
  readonly primaryKey: string;
  readonly indexes: Readonly<Record<string, IndexSchema>>;
}

/** Database name → table name → table. */
export type Schema = Readonly<Record<string, Readonly<Record<string, TableSchema>>>>;

export type Change =
  | { readonly op: 'schema'; readonly schema: Schema }
  | { readonly op: 'put'; readonly db: string; readonly table: string; readonly doc: Datum }
  | { readonly op: 'delete'; readonly db: string; readonly table: string; readonly key: Datum };

/** A journal or snapshot record that does not describe a change. */
export class StoreRecordError extends Error {
  override name = 'StoreRecordError';
}

/** reqlite's own database, which it makes at every start: never journaled. */
const SYSTEM_DB = 'rethinkdb';

const stores = new Set<ReqliteStore>();

/** The fields of a reqlite table (reqlite/lib/table.js, untyped) that a change is recorded with. */
interface ReqliteTableFields {
  readonly db: string;
  readonly name: string;
  readonly id: string;
  readonly options: { readonly primaryKey: string };
}

/** What a reqlite table's 'change' event carries: the document after and before (null or undefined where there is none). */
interface ReqliteChange {
  readonly new_val: unknown;
  readonly old_val: unknown;
}

/** A reqlite server's user databases, for the journal and the snapshots. */
export class ReqliteStore {
  private listener: ((change: Change) => void) | null = null;
  private recordedSchema = '';
  private recordedTables = new WeakSet<object>();

  constructor(private readonly server: ReqliteInternals) {
    installHooks();
  }

  /** From now on every change is passed to `listener`; what is there now is taken as known to it. */
  watch(listener: (change: Change) => void): void {
    this.rebase(this.schema());
    this.listener = listener;
    stores.add(this);
  }

  unwatch(): void {
    this.listener = null;
    stores.delete(this);
  }

  /**
   * The journal starts again from `schema` (a snapshot's): it is taken as
   * recorded, with the tables it names.
   */
  rebase(schema: Schema): void {
    this.recordedSchema = JSON.stringify(schema);
    this.recordedTables = new WeakSet(this.liveTables().filter((t) => schema[t.db]?.[t.name]?.id === t.id));
  }

  schema(): Schema {
    const schema: Record<string, Record<string, TableSchema>> = {};
    for (const [dbName, db] of this.userDatabases()) {
      schema[dbName] = {};
      for (const [name, table] of Object.entries(db.tables as Record<string, Any>)) schema[dbName][name] = tableSchema(table);
    }
    return schema;
  }

  /** Documents in all. */
  count(): number {
    return this.liveTables().reduce((n, table) => n + Object.keys(table.documents).length, 0);
  }

  /**
   * The documents of a table as datums, one at a time so that the caller
   * can let writes go on between them; stops early if the table was
   * dropped or replaced meanwhile.
   */
  *documents(db: string, table: string, id: string): Generator<Datum> {
    const found = this.table(db, table);
    if (found?.id !== id) return;
    for (const key of Object.keys(found.documents)) {
      if (this.table(db, table) !== found) return;
      const doc = found.documents[key];
      if (doc !== undefined) yield reqliteUtil.toDatum(doc.doc);
    }
  }

  /** Applies a change read back from a snapshot or the journal (none is journaled meanwhile). */
  apply(change: Change): void {
    switch (change.op) {
      case 'schema':
        this.applySchema(change.schema);
        return;
      case 'put':
        this.table(change.db, change.table)?._singleInsert(reqliteUtil.revertDatum(change.doc), { conflict: 'replace' });
        return;
      case 'delete': {
        const table = this.table(change.db, change.table);
        table?._delete({ doc: { [table.options.primaryKey]: reqliteUtil.revertDatum(change.key) } }, {});
        return;
      }
      default:
        throw new StoreRecordError(`not a change: ${JSON.stringify(change).slice(0, 200)}`);
    }
  }

  /** Makes databases, tables and indexes what `schema` says; tables it names with another id start empty. */
  applySchema(schema: Schema): void {
    const databases = this.server.databases as Record<string, Any>;
    for (const name of Object.keys(databases)) if (name !== SYSTEM_DB && schema[name] === undefined) delete databases[name];
    for (const [dbName, tables] of Object.entries(schema)) {
      const db = (databases[dbName] ??= new ReqliteDatabase(dbName));
      for (const name of Object.keys(db.tables)) if (tables[name] === undefined) delete db.tables[name];
      for (const [name, spec] of Object.entries(tables)) {
        if (db.tables[name]?.id !== spec.id) {
          db.tableCreate(name, spec.primaryKey === 'id' ? {} : { primary_key: spec.primaryKey });
          db.tables[name].id = spec.id;
        }
        setIndexes(db.tables[name], spec);
      }
    }
  }

  /** Records the schema if it is not the one last recorded. */
  schemaMayHaveChanged(): void {
    if (this.listener === null) return;
    const schema = this.schema();
    const text = JSON.stringify(schema);
    if (text === this.recordedSchema) return;
    this.recordedSchema = text;
    this.recordedTables = new WeakSet(this.liveTables());
    this.listener({ op: 'schema', schema });
  }

  /** A document of `table` changed; called synchronously by reqlite, before anyone can see it. */
  documentChanged(table: ReqliteTableFields, change: ReqliteChange): void {
    if (this.listener === null) return;
    if (!this.recordedTables.has(table)) this.schemaMayHaveChanged();
    if (change.new_val !== null && change.new_val !== undefined) {
      this.listener({ op: 'put', db: table.db, table: table.name, doc: reqliteUtil.toDatum(change.new_val) });
    } else {
      this.listener({ op: 'delete', db: table.db, table: table.name, key: reqliteUtil.toDatum((change.old_val as Record<string, unknown>)[table.options.primaryKey]) });
    }
  }

  serves(server: unknown): boolean {
    return this.server === server;
  }

  owns(table: ReqliteTableFields): boolean {
    return table.db !== SYSTEM_DB && this.table(table.db, table.name) === table;
  }

  private table(db: string, name: string): Any {
    return (this.server.databases[db] as Any)?.tables[name];
  }

  private userDatabases(): [string, Any][] {
    return Object.entries(this.server.databases).filter(([name]) => name !== SYSTEM_DB);
  }

  private liveTables(): Any[] {
    return this.userDatabases().flatMap(([, db]) => Object.values(db.tables as Record<string, Any>));
  }
}

function tableSchema(table: Any): TableSchema {
  const indexes: Record<string, IndexSchema> = {};
  for (const [name, index] of Object.entries(table.indexes as Record<string, Any>)) {
    if (name !== table.options.primaryKey) indexes[name] = { fn: index.fn, multi: index.multi === true, geo: index.geo === true };
  }
  return { id: table.id, primaryKey: table.options.primaryKey, indexes };
}

function setIndexes(table: Any, spec: TableSchema): void {
  for (const name of Object.keys(table.indexes)) {
    if (name !== table.options.primaryKey && spec.indexes[name] === undefined) delete table.indexes[name];
  }
  for (const [name, index] of Object.entries(spec.indexes)) {
    table.indexes[name] = { fn: index.fn, function: {}, geo: index.geo, multi: index.multi, outdated: false, ready: true };
  }
}

let installed = false;

/** Patches reqlite once; the patches do nothing for a server no store watches. */
function installHooks(): void {
  if (installed) return;
  installed = true;
  const emit = ReqliteTable.prototype.emit;
  ReqliteTable.prototype.emit = function hookedEmit(this: Any, event: string, ...args: Any[]) {
    if (event === 'change') for (const store of stores) if (store.owns(this)) store.documentChanged(this, args[0]);
    return emit.call(this, event, ...args);
  };
  for (const method of ['dbCreate', 'dbDrop', 'tableCreate', 'tableDrop', 'indexCreate', 'indexDrop', 'indexRename']) {
    const original = ReqliteQuery.prototype[method];
    ReqliteQuery.prototype[method] = function hookedDdl(this: Any, ...args: Any[]) {
      // reqlite's own (bluebird) promise, whose methods its callers use.
      return original.apply(this, args).then((result: Any) => {
        for (const store of stores) if (store.serves(this.server)) store.schemaMayHaveChanged();
        return result;
      });
    };
  }
  log.debug('reqlite hooked for the journal');
}
