/**
 * The development database of `--dev-start-rethinkdb`: `rethinkdb` from PATH
 * when there is one, else reqlite inside this process, which keeps its data
 * across restarts by saving the node's tables on a clean stop and loading
 * them on start. Both serve the same driver, queries and changefeeds.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { getLogger } from '../logging/logger';
import { Database, TABLES, type DatabaseSettings, type TableName } from './connection';
import { startReqlite } from './reqlite-compat';
import { createTables, databaseExists } from './schema';
import { r } from './rethink';

const log = getLogger('dev-database');
const SNAPSHOT_FILE = 'reqlite-snapshot.json';

export interface DevelopmentDatabase {
  readonly kind: 'rethinkdb' | 'embedded';
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
  const binary = findRethinkdb();
  return binary !== null ? startRethinkdb(binary, settings, dataDir) : startEmbedded(settings, dataDir);
}

async function startRethinkdb(binary: string, settings: DatabaseSettings, dataDir: string): Promise<DevelopmentDatabase> {
  const child = spawn(binary, ['--directory', join(dataDir, 'rethinkdb_data'), '--bind', bindAddress(settings.host), '--driver-port', String(settings.port), '--no-http-admin'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  log.info(`started ${binary} (pid ${child.pid}) on ${settings.host}:${settings.port}, data in ${dataDir}`);
  const db = await Database.connect(settings, { attempts: 20, firstDelayMs: 250 });
  await db.close();
  return {
    kind: 'rethinkdb',
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startEmbedded(settings: DatabaseSettings, dataDir: string): Promise<DevelopmentDatabase> {
  let server;
  try {
    server = await startReqlite(bindAddress(settings.host), settings.port);
  } catch (err) {
    throw new Error(`cannot start the embedded development database on ${settings.host}:${settings.port} (${(err as Error).message}): ` +
      'is a database already running there? Then leave out --dev-start-rethinkdb.');
  }
  log.warn(`no rethinkdb on PATH: started the embedded development database (reqlite) on ${settings.host}:${settings.port}. ` +
    'It is for development only: one process, memory-bound, saved to disk only on a clean stop.');
  const snapshot = join(dataDir, SNAPSHOT_FILE);
  if (existsSync(snapshot)) await loadSnapshot(settings, snapshot);
  return {
    kind: 'embedded',
    stop: async () => {
      await saveSnapshot(settings, snapshot);
      await server.stop();
    },
  };
}

type Snapshot = { database: string; tables: Record<TableName, unknown[]> };

async function saveSnapshot(settings: DatabaseSettings, file: string): Promise<void> {
  const db = await Database.connect(settings, { attempts: 1 });
  try {
    if (!(await databaseExists(db))) return;
    const tables = {} as Record<TableName, unknown[]>;
    for (const table of TABLES) tables[table] = await db.run<unknown[]>(db.table(table));
    writeFileSync(`${file}.tmp`, JSON.stringify({ database: settings.name, tables } satisfies Snapshot));
    renameSync(`${file}.tmp`, file);
    log.info(`saved the development database to ${file}`);
  } finally {
    await db.close();
  }
}

async function loadSnapshot(settings: DatabaseSettings, file: string): Promise<void> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const db = await Database.connect({ ...settings, name: snapshot.database }, { attempts: 1 });
  try {
    if (!(await databaseExists(db))) await db.run(r.dbCreate(db.name));
    await createTables(db);
    for (const table of TABLES) {
      const rows = snapshot.tables[table] ?? [];
      if (rows.length > 0) await db.run(db.table(table).insert(rows, { conflict: 'replace' }));
    }
    log.info(`loaded the development database from ${file}`);
  } finally {
    await db.close();
  }
}

/** `localhost` means the loopback address: never all interfaces. */
function bindAddress(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}
