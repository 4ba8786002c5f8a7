/**
 * A changefeed source that survives the database: it opens the changefeed,
 * replays the prefeed (what arrived while it was not listening), then
 * follows the feed. When the connection or the table blinks it reconnects
 * and replays the prefeed again, so an item may come twice but none is lost;
 * stages are written to be idempotent.
 */
import { Database, type DatabaseSettings, type TableName } from '../../db/connection';
import { getLogger } from '../../logging/logger';
import type { Term } from '../../db/rethink';
import type { Source } from './pipeline';
import { Sleeper } from './sleeper';

export interface Change<Row> {
  new_val: Row | null;
  old_val: Row | null;
}

export interface ChangefeedOptions<Row, T> {
  readonly name: string;
  readonly settings: DatabaseSettings;
  readonly table: TableName;
  /** What arrived while nobody listened, in the order to handle it. */
  prefeed(db: Database): Promise<T[]>;
  /** The item for a change, or null to ignore it. */
  select(change: Change<Row>): T | null;
  /** Called after every reconnection, for metrics. */
  onReconnect?(): void;
}

const MAX_BACKOFF_MS = 5000;

export class ChangefeedSource<Row, T> implements Source<T> {
  private stopped = false;
  private db: Database | null = null;
  private readonly sleeper = new Sleeper();
  private readonly log;

  constructor(private readonly options: ChangefeedOptions<Row, T>) {
    this.log = getLogger(`changefeed:${options.name}`);
  }

  async run(emit: (item: T) => Promise<boolean>): Promise<void> {
    let backoff = 250;
    let first = true;
    while (!this.stopped) {
      try {
        if (!first) this.options.onReconnect?.();
        first = false;
        await this.follow(emit);
        backoff = 250;
      } catch (err) {
        if (this.stopped) break;
        this.log.warn(`changefeed on ${this.options.table} dropped (${(err as Error).message}); reconnecting in ${backoff} ms and replaying the prefeed`);
        await this.sleeper.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      } finally {
        await this.closeDb();
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.wake();
    await this.closeDb();
  }

  private async follow(emit: (item: T) => Promise<boolean>): Promise<void> {
    this.db = await Database.connect(this.options.settings, { attempts: 1 });
    const feed: Term = await this.db.feed(this.db.table(this.options.table).changes());
    for (const item of await this.options.prefeed(this.db)) {
      if (this.stopped || !(await emit(item))) return;
    }
    while (!this.stopped) {
      const change = (await feed.next()) as Change<Row>;
      const item = this.options.select(change);
      if (item !== null && !(await emit(item))) return;
    }
  }

  private async closeDb(): Promise<void> {
    const db = this.db;
    this.db = null;
    await db?.close().catch(() => undefined);
  }
}
