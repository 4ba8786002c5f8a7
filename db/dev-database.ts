/**
 * The development database of `--dev-start-rethinkdb`: `rethinkdb` from PATH
 * when there is one, else the embedded database (reqlite in this process,
 * with a journal and snapshots: db/embedded/). Both serve the same driver,
 * queries and changefeeds. Neither is started over a server already there:
 * the node would use that one's data while saying it started its own.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { getLogger } from '../logging/logger';
import { Database, TABLES, type DatabaseSettings, type TableName } from './connection';
import { formatBytes, startEmbeddedDatabase } from './embedded/embedded-database';
import { createTables, databaseExists } from './schema';
import { r } from './rethink';

const log = getLogger('dev-database');
/** Where the embedded database kept its data before it had a journal: loaded once, then renamed. */
const LEGACY_SNAPSHOT_FILE = 'reqlite-snapshot.json';
const RETHINKDB_READY_TIMEOUT_MS = 60_000;

/** The development database could not be started; the message says why and what to do. */
export class DevelopmentDatabaseError extends Error {
  override name = 'DevelopmentDatabaseError';
}

export interface DevelopmentDatabase {
  readonly kind: 'rethinkdb' | 'embedded';
  /** Where its data is, and how much there was, for the banner. */
  readonly data: string;
  /** Rejects if the database stops serving while the node runs. */
  readonly lost: Promise<never>;
  stop(): Promise<void>;
}

/** Where `rethinkdb` is on PATH, or null. */
export function findRethinkdb(path: string = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'rethinkdb');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export async function startDevelopmentDatabase(settings: DatabaseSettings, dataDir: string): Promise<DevelopmentDatabase> {
  mkdirSync(dataDir, { recursive: true });
  if (await isServed(settings.host, settings.port)) throw portTaken(settings);
  const binary = findRethinkdb();
  return binary !== null ? startRethinkdb(binary, settings, dataDir) : startEmbedded(settings, dataDir);
}

function portTaken(settings: DatabaseSettings): DevelopmentDatabaseError {
  return new DevelopmentDatabaseError(`something already serves ${settings.host}:${settings.port}, so --dev-start-rethinkdb would not be the database the node uses. ` +
    'Leave out --dev-start-rethinkdb to use that server, stop it, or choose another port with database.port (BIGCHAINDB_DATABASE_PORT).');
}

/** True when a TCP connection to `host:port` is accepted. */
function isServed(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000);
    const done = (served: boolean) => {
      socket.destroy();
      resolve(served);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function startRethinkdb(binary: string, settings: DatabaseSettings, dataDir: string): Promise<DevelopmentDatabase> {
  const directory = join(dataDir, 'rethinkdb_data');
  const child = spawn(binary, ['--directory', directory, '--bind', bindAddress(settings.host), '--driver-port', String(settings.port), '--no-http-admin'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = new LastLines();
  child.stdout!.on('data', (chunk: Buffer) => output.add(chunk));
  child.stderr!.on('data', (chunk: Buffer) => output.add(chunk));
  let exitedWith: string | null = null;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(exitedWith = `could not be run (${err.message})`));
    child.once('exit', (code, signal) => resolve(exitedWith = signal === null ? `exited with code ${code}` : `was killed by ${signal}`));
  });
  const answered = await untilAnswering(settings, () => exitedWith !== null);
  const where = `${settings.host}:${settings.port}`;
  if (!answered) {
    if (exitedWith === null) child.kill('SIGTERM');
    const how = exitedWith ?? `did not answer on ${where} within ${RETHINKDB_READY_TIMEOUT_MS / 1000} s and was stopped`;
    throw new DevelopmentDatabaseError(`${binary} ${how} before it served ${where}: ${output.lastError()}`);
  }
  log.info(`started ${binary} (pid ${child.pid}) on ${where}, data in ${directory}`);
  let stopping = false;
  const lost = exited.then((how) => {
    if (!stopping) log.error(`${binary} ${how}: ${output.lastError()}`);
    throw new DevelopmentDatabaseError(`${binary} ${how} while the node ran: ${output.lastError()}`);
  });
  lost.catch(() => undefined);
  return {
    kind: 'rethinkdb',
    data: `${directory} (rethinkdb, pid ${child.pid})`,
    lost,
    stop: async () => {
      stopping = true;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Tries to connect until it works (true), the server has exited or the time is up (false). */
async function untilAnswering(settings: DatabaseSettings, exited: () => boolean): Promise<boolean> {
  const deadline = Date.now() + RETHINKDB_READY_TIMEOUT_MS;
  while (!exited() && Date.now() < deadline) {
    try {
      await (await Database.connect(settings, { attempts: 1 })).close();
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return false;
}

/** The end of a program's output, for the line that says why it stopped. */
class LastLines {
  private lines: string[] = [];
  private partial = '';

  add(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop()!;
    this.lines = [...this.lines, ...parts.filter((line) => line.trim() !== '')].slice(-50);
  }

  /** The last line that says "error", else the last line. */
  lastError(): string {
    const lines = this.partial.trim() === '' ? this.lines : [...this.lines, this.partial];
    return [...lines].reverse().find((line) => /error/i.test(line))?.trim() ?? lines.at(-1)?.trim() ?? '(it printed nothing)';
  }
}

/** Where in `--dev-data-dir` the embedded database keeps its snapshot and journal. */
export function embeddedDataDir(dataDir: string): string {
  return join(dataDir, 'embedded');
}

async function startEmbedded(settings: DatabaseSettings, dataDir: string): Promise<DevelopmentDatabase> {
  const dir = embeddedDataDir(dataDir);
  let database;
  try {
    database = await startEmbeddedDatabase(bindAddress(settings.host), settings.port, dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portTaken(settings);
    throw err;
  }
  log.warn(`no rethinkdb on PATH: started the embedded development database (reqlite) on ${settings.host}:${settings.port}, data in ${dir}. ` +
    'It is for development only: one process, everything in memory.');
  const legacy = join(dataDir, LEGACY_SNAPSHOT_FILE);
  if (existsSync(legacy)) await importLegacySnapshot(settings, legacy);
  const { documents, snapshotBytes, journalBytes, seconds } = database.loaded;
  return {
    kind: 'embedded',
    data: `${dir} (embedded: ${documents} documents loaded in ${seconds.toFixed(1)} s; snapshot ${formatBytes(snapshotBytes)}, journal ${formatBytes(journalBytes)})`,
    lost: database.lost,
    stop: () => database.stop(),
  };
}

type LegacySnapshot = { database: string; tables: Record<TableName, unknown[]> };

/** Writes the tables of the old snapshot through the server, which journals them, and renames the file so that it is read once. */
async function importLegacySnapshot(settings: DatabaseSettings, file: string): Promise<void> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as LegacySnapshot;
  const db = await Database.connect({ ...settings, name: snapshot.database }, { attempts: 1 });
  try {
    if (!(await databaseExists(db))) await db.run(r.dbCreate(db.name));
    await createTables(db);
    for (const table of TABLES) {
      const rows = snapshot.tables[table] ?? [];
      if (rows.length > 0) await db.run(db.table(table).insert(rows, { conflict: 'replace' }));
    }
  } finally {
    await db.close();
  }
  renameSync(file, `${file}.imported`);
  log.info(`imported ${file} (the snapshot of an earlier version) into the embedded database; it is now ${file}.imported`);
}

/** `localhost` means the loopback address: never all interfaces. */
function bindAddress(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}
