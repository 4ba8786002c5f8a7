/**
 * The tests' RethinkDB-protocol server: reqlite on a free loopback port, or
 * the server named by BIGCHAINDB_TEST_DATABASE=host:port (a real RethinkDB).
 * Each caller gets its own database name, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { Database, type DatabaseSettings } from '../../db/connection';
import { startReqlite } from '../../db/reqlite-compat';
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

/** Settings of a database name no other test uses. */
export async function uniqueDatabaseSettings(): Promise<DatabaseSettings> {
  const { host, port } = await testServer();
  return { host, port, name: `bigchain_test_${randomBytes(4).toString('hex')}` };
}

const opened: Database[] = [];

// Registered when the test file imports this module, so it runs once, after all of the file's tests.
after(async () => {
  for (const db of opened) {
    if (db.isOpen && (await databaseExists(db))) await dropDatabase(db);
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
