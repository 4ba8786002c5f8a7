/**
 * The embedded development database: reqlite in this process, made durable.
 * On start it loads the last snapshot and replays the journal after it,
 * before it listens. Every change is journaled where reqlite makes it, and
 * no reply leaves the server before the journal has what came before it
 * (group commit), so whatever a client was told survives a kill -9. Once
 * the journal passes `snapshotAfterBytes`, and on a clean stop, a snapshot
 * is written and the journals it covers removed.
 */
import { mkdirSync } from 'node:fs';
import { getLogger } from '../../logging/logger';
import { startReqlite, type RunningReqlite } from '../reqlite-compat';
import { Journal, journalGenerations, removeJournalsBefore, replayJournals } from './journal';
import { ReqliteStore, type Change, type Schema } from './reqlite-store';
import { readSnapshot, writeSnapshot, type TableDocuments } from './snapshot';

const log = getLogger('embedded');
const DEFAULT_SNAPSHOT_AFTER_BYTES = 64 * 1024 * 1024;

export interface EmbeddedDatabaseOptions {
  /** A snapshot is written once the journal holds more than this. */
  readonly snapshotAfterBytes?: number;
}

/** What the database held when it started, and where it came from. */
export interface LoadedData {
  readonly documents: number;
  readonly snapshotBytes: number;
  readonly journalBytes: number;
  readonly journalRecords: number;
  readonly seconds: number;
}

export interface EmbeddedDatabase {
  readonly host: string;
  readonly port: number;
  readonly loaded: LoadedData;
  /** Rejects when the journal cannot be written: the server then stops answering. */
  readonly lost: Promise<never>;
  /** Journal records and the fsyncs (group commits) that made them durable, since the start. */
  journalStats(): { readonly records: number; readonly commits: number };
  /** Writes a snapshot now (or waits for the one under way) and removes the journals it covers. */
  snapshot(): Promise<void>;
  /** A last snapshot, then the server stops. */
  stop(): Promise<void>;
}

/** Starts the embedded database on `host:port` (0: a free port) with its data in `dir`. */
export async function startEmbeddedDatabase(host: string, port: number, dir: string, options: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
  mkdirSync(dir, { recursive: true });
  const limit = options.snapshotAfterBytes ?? DEFAULT_SNAPSHOT_AFTER_BYTES;
  let data: OpenData | undefined;
  const server = await startReqlite(host, port, {
    beforeListening: async (internals) => {
      data = await openData(dir, new ReqliteStore(internals), limit);
    },
    holdReply: (send) => data!.journal.hold(send),
  }).catch(async (err: unknown) => {
    // The port could not be bound after the data was loaded: the journal stays as it was.
    data?.store.unwatch();
    await data?.journal.close();
    throw err;
  });
  const { store, journal, snapshots, loaded } = data!;
  const lost = new Promise<never>((_, reject) => journal.onFailure((err) => {
    server.dropClientConnections();
    void server.stop();
    reject(err);
  }));
  lost.catch(() => undefined);
  return {
    host: server.host,
    port: server.port,
    loaded,
    lost,
    journalStats: () => journal.stats,
    snapshot: () => snapshots.take(),
    stop: () => stopEmbedded(server, store, journal, snapshots),
  };
}

interface OpenData {
  readonly store: ReqliteStore;
  readonly journal: Journal;
  readonly snapshots: Snapshots;
  readonly loaded: LoadedData;
}

/** Loads the data into `store`, then journals every change it makes, with a snapshot once the journal passes `limit` bytes. */
async function openData(dir: string, store: ReqliteStore, limit: number): Promise<OpenData> {
  const { data, generation } = await loadData(dir, store);
  const journal = await Journal.open(dir, generation);
  const snapshots = new Snapshots(dir, store, journal);
  store.watch((change) => {
    journal.append(change);
    if (journal.size > limit) snapshots.soon();
  });
  return { store, journal, snapshots, loaded: data };
}

async function stopEmbedded(server: RunningReqlite, store: ReqliteStore, journal: Journal, snapshots: Snapshots): Promise<void> {
  // Without this snapshot nothing is lost (the journal has it all); the next start only replays more.
  await snapshots.take().catch((err: Error) => log.error(`the snapshot at stop failed: ${err.message}`));
  await server.stop();
  store.unwatch();
  await journal.close();
  const { records, commits } = journal.stats;
  log.info(`stopped; since the start the journal took ${records} records in ${commits} fsyncs`);
}

/** The snapshot, then the journals after it; returns the generation to go on appending to. */
async function loadData(dir: string, store: ReqliteStore): Promise<{ data: LoadedData; generation: number }> {
  const started = process.hrtime.bigint();
  const snapshot = await readSnapshot(dir, (change) => store.apply(change));
  const from = snapshot?.journal ?? journalGenerations(dir)[0] ?? 1;
  // Left by a stop between writing a snapshot and removing what it covers.
  removeJournalsBefore(dir, from);
  const replayed = replayJournals(dir, from, (payload) => store.apply(payload as Change));
  const data: LoadedData = {
    documents: store.count(),
    snapshotBytes: snapshot?.bytes ?? 0,
    journalBytes: replayed.bytes,
    journalRecords: replayed.records,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
  log.info(`loaded ${data.documents} documents in ${data.seconds.toFixed(1)} s from ${dir}: snapshot ${formatBytes(data.snapshotBytes)}, ` +
    `then ${data.journalRecords} journal records (${formatBytes(data.journalBytes)})`);
  return { data, generation: journalGenerations(dir).at(-1) ?? from };
}

/** One snapshot at a time; a snapshot asked for while one is written is that one. */
class Snapshots {
  private current: Promise<void> | null = null;

  constructor(private readonly dir: string, private readonly store: ReqliteStore, private readonly journal: Journal) {}

  take(): Promise<void> {
    this.current ??= this.write().finally(() => {
      this.current = null;
    });
    return this.current;
  }

  /** A snapshot in the background; if it fails the journal still holds everything, so it is only told. */
  soon(): void {
    if (this.current === null) this.take().catch((err: Error) => log.error(`snapshot failed, the journal keeps growing: ${err.message}`));
  }

  private async write(): Promise<void> {
    const started = process.hrtime.bigint();
    // In one step: what the snapshot may miss of the changes from here on, the new journal has.
    const generation = this.journal.rotate();
    const schema = this.store.schema();
    this.store.rebase(schema);
    const size = await writeSnapshot(this.dir, { journal: generation, schema }, tablesOf(this.store, schema));
    await this.journal.durableUntilNow();
    removeJournalsBefore(this.dir, generation);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    log.info(`snapshot of ${size.documents} documents (${formatBytes(size.bytes)}) written in ${seconds.toFixed(1)} s; journal now ${generation}`);
  }
}

function* tablesOf(store: ReqliteStore, schema: Schema): Generator<TableDocuments> {
  for (const [db, tables] of Object.entries(schema)) {
    for (const [table, spec] of Object.entries(tables)) yield { db, table, documents: store.documents(db, table, spec.id) };
  }
}

/** A size for the logs and the banner: kB below a megabyte, so that a small journal does not read 0.0 MB. */
export function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
