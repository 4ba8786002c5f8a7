/**
 * The tests' RethinkDB-protocol server: reqlite on a free loopback port, or
 * the server named by BIGCHAINDB_TEST_DATABASE=host:port (a real RethinkDB).
 * Each caller gets its own database name, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { Database, type DatabaseSettings } from '../../db/connection';
import { startReqlite } from '../../db/reqlite-compat';
import { r } from '../../db/rethink';
import { createDatabase, dropDatabase, databaseExists } from '../../db/schema';

export interface TestServer {
  readonly host: string;
  readonly port: number;
  /** Cuts every client connection; absent on a real RethinkDB, which the tests cannot reach into. */
  readonly dropClientConnections?: () => void;
}

let server: Promise<TestServer> | null = null;

/** Host and port of the test server, started once per test file. */
export function testServer(): Promise<TestServer> {
  if (server === null) {
    const given = process.env.BIGCHAINDB_TEST_DATABASE;
    if (given) {
      const [host, port] = given.split(':');
      server = Promise.resolve({ host: host || 'localhost', port: Number(port || 28015) });
    } else {
      // Unreferenced: it lives as long as the test file's process, whatever suite started it.
      server = startReqlite('127.0.0.1', 0, { unref: true });
    }
  }
  return server;
}

const handedOut: DatabaseSettings[] = [];
const opened: Database[] = [];
const beforeDropping: (() => Promise<void>)[] = [];

/** Settings of a database name no other test uses; whatever makes it, it is dropped after the file's tests. */
export async function uniqueDatabaseSettings(): Promise<DatabaseSettings> {
  const { host, port } = await testServer();
  const settings = { host, port, name: `bigchain_test_${randomBytes(4).toString('hex')}` };
  handedOut.push(settings);
  return settings;
}

/** Runs `fn` after the file's tests, before their databases are dropped: to stop the processes using them. */
export function beforeDroppingDatabases(fn: () => Promise<void>): void {
  beforeDropping.push(fn);
}

// Registered when the test file imports this module, so it runs once, after all of the file's tests:
// a real RethinkDB keeps every database a test, or a node it spawned, made.
after(async () => {
  for (const fn of beforeDropping) await fn();
  for (const db of opened) await db.close();
  if (handedOut.length === 0) return;
  const db = await Database.connect(handedOut[0]!, { attempts: 3 });
  try {
    const existing = new Set(await db.run<string[]>(r.dbList()));
    for (const { name } of handedOut) if (existing.has(name)) await db.run(r.dbDrop(name));
  } finally {
    await db.close();
  }
});

/** A connected, freshly created database (tables and indexes, no genesis), dropped after the file's tests. */
export async function freshDatabase(): Promise<Database> {
  const db = await Database.connect(await uniqueDatabaseSettings());
  await createDatabase(db);
  opened.push(db);
  return db;
}

/** Drops the database of `settings` if it exists: one a process under test made. */
export async function dropIfExists(settings: DatabaseSettings): Promise<void> {
  const db = await Database.connect(settings, { attempts: 3 });
  try {
    if (await databaseExists(db)) await dropDatabase(db);
  } finally {
    await db.close();
  }
}
