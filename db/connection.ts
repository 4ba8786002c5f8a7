/**
 * One connection to the node's RethinkDB database, with retries and a clear
 * error when the server cannot be reached.
 */
import { getLogger } from '../logging/logger';
import { r, type RawConnection, type Term } from './rethink';

const log = getLogger('db');

export interface DatabaseSettings {
  readonly host: string;
  readonly port: number;
  readonly name: string;
}

export type TableName = 'backlog' | 'bigchain' | 'votes';
export const TABLES: readonly TableName[] = ['backlog', 'bigchain', 'votes'];

/** RethinkDB could not be reached at all. */
export class DatabaseUnreachable extends Error {
  override name = 'DatabaseUnreachable';
}

/** How often a query is tried again on a fresh connection when the connection dropped under it. */
const QUERY_ATTEMPTS = 5;

export class Database {
  private closed = false;

  private constructor(private conn: RawConnection, readonly settings: DatabaseSettings) {
    Database.watch(conn, settings);
  }

  /** A socket error on an idle connection must not crash the process: the next query reconnects. */
  private static watch(conn: RawConnection, settings: DatabaseSettings): void {
    conn.on('error', (err) => log.warn(`connection to ${settings.host}:${settings.port} failed: ${(err as Error)?.message ?? String(err)}`));
  }

  /** Connects, retrying with exponential backoff; throws `DatabaseUnreachable` with what to do. */
  static async connect(settings: DatabaseSettings, options: { attempts?: number; firstDelayMs?: number } = {}): Promise<Database> {
    const attempts = options.attempts ?? 5;
    let delay = options.firstDelayMs ?? 250;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const conn = (await r.connect({ host: settings.host, port: settings.port })) as RawConnection;
        return new Database(conn, settings);
      } catch (err) {
        lastError = err;
        if (attempt < attempts) {
          log.warn(`cannot reach RethinkDB at ${settings.host}:${settings.port} (attempt ${attempt}/${attempts}), retrying in ${delay} ms`);
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(delay * 2, 5000);
        }
      }
    }
    throw new DatabaseUnreachable(
      `cannot reach RethinkDB at ${settings.host}:${settings.port} (${(lastError as Error)?.message ?? lastError}). ` +
        'Start RethinkDB there, use "bigchaindb start --dev-start-rethinkdb" for a development database, ' +
        'or set database.host / database.port (BIGCHAINDB_DATABASE_HOST / BIGCHAINDB_DATABASE_PORT).',
    );
  }

  get name(): string {
    return this.settings.name;
  }

  get isOpen(): boolean {
    return this.conn.open;
  }

  /** The node's database as a ReQL term. */
  db(): Term {
    return r.db(this.settings.name);
  }

  /** A table; `majority` for reads whose answer decides validity (SPEC.md §7). */
  table(name: TableName, readMode: 'single' | 'majority' = 'single'): Term {
    return readMode === 'majority' ? this.db().table(name, { readMode: 'majority' }) : this.db().table(name);
  }

  /**
   * Runs a query and returns its result; a sequence comes back as an array.
   * When the connection has dropped, it reconnects and runs the query again:
   * every query of this project is idempotent.
   */
  async run<T>(query: Term): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!this.conn.open && !this.closed) await this.reconnect();
        const result = await query.run(this.conn);
        if (result !== null && typeof result === 'object' && typeof result.toArray === 'function') {
          return (await result.toArray()) as T;
        }
        return result as T;
      } catch (err) {
        if (this.closed || attempt >= QUERY_ATTEMPTS || !isConnectionError(err)) throw err;
        log.warn(`connection to ${this.settings.host}:${this.settings.port} lost (${(err as Error).message}); reconnecting`);
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  private async reconnect(): Promise<void> {
    this.conn = (await Database.connect(this.settings, { attempts: 1 })).conn;
  }

  /** Runs a changefeed query and returns the driver's cursor. */
  async feed(query: Term): Promise<Term> {
    return query.run(this.conn);
  }

  onClose(listener: () => void): void {
    this.conn.on('close', listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.conn.open) await this.conn.close({ noreplyWait: false });
  }
}

/** True for an error that says the database could not be reached or the connection dropped, not that a query was wrong. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { name?: string; message?: string };
  return e.name === 'ReqlDriverError' || e.name === 'DatabaseUnreachable' || /connection|ECONNRESET|ECONNREFUSED|EPIPE/i.test(e.message ?? '');
}
