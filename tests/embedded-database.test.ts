/**
 * The embedded database's journal and snapshots (db/embedded/), through the
 * RethinkDB driver over TCP. A crash is the data folder copied while the
 * server runs with every reply received: what a kill -9 would leave on disk.
 * (tests/dev-database.test.ts kills a whole node with -9.)
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { Database } from '../db/connection';
import { encodeRecord, Journal, journalFile, journalGenerations, JournalError, readRecords, replayJournals } from '../db/embedded/journal';
import { startEmbeddedDatabase, type EmbeddedDatabase, type EmbeddedDatabaseOptions } from '../db/embedded/embedded-database';
import { SNAPSHOT_FILE } from '../db/embedded/snapshot';
import { r, type Term } from '../db/rethink';
import { tempDir } from './helpers/cli';

/** Starts a server on `dir` and connects to it; both are closed when test `t` ends, before its folders go. */
async function start(t: TestContext, dir: string, options: EmbeddedDatabaseOptions = {}): Promise<{ server: EmbeddedDatabase; db: Database }> {
  const server = await startEmbeddedDatabase('127.0.0.1', 0, dir, options);
  const db = await Database.connect({ host: server.host, port: server.port, name: 'shop' }, { attempts: 3 });
  t.after(async () => {
    await db.close();
    await server.stop();
  });
  return { server, db };
}

/** What a crash at this moment would leave: the data folder as it is on disk. */
function crashCopy(dir: string): string {
  const copy = tempDir('bdb-embedded-crash-');
  cpSync(dir, copy, { recursive: true });
  return copy;
}

const run = <T>(db: Database, term: Term) => db.run<T>(term);

/** Everything a client can see: databases, tables, primary keys, indexes (and what they find), rows. */
async function dump(db: Database): Promise<unknown> {
  const state: Record<string, unknown> = {};
  for (const name of (await run<string[]>(db, r.dbList())).filter((n) => n !== 'rethinkdb').sort()) {
    const tables: Record<string, unknown> = {};
    for (const table of (await run<string[]>(db, r.db(name).tableList())).sort()) {
      const t = r.db(name).table(table);
      const indexes = (await run<string[]>(db, t.indexList())).sort();
      const rows = await run<Record<string, unknown>[]>(db, t.coerceTo('array'));
      // The primary key of both tables of writeEverything.
      rows.sort((a, b) => String(a.id ?? a.name).localeCompare(String(b.id ?? b.name)));
      const byIndex: Record<string, number> = {};
      for (const index of indexes) byIndex[index] = (await run<unknown[]>(db, t.getAll('red', { index }).coerceTo('array'))).length;
      tables[table] = { indexes, byIndex, rows };
    }
    state[name] = tables;
  }
  // The driver's arrays have a prototype of each connection's own.
  return JSON.parse(JSON.stringify(state));
}

/** Writes of every kind: databases, tables (one with its own primary key), indexes, inserts, updates, replaces, deletes. */
async function writeEverything(db: Database, tag: string): Promise<void> {
  const dbs = await run<string[]>(db, r.dbList());
  if (!dbs.includes('shop')) await run(db, r.dbCreate('shop'));
  if (!dbs.includes('scratch')) await run(db, r.dbCreate('scratch'));
  const tables = await run<string[]>(db, r.db('shop').tableList());
  if (!tables.includes('items')) {
    await run(db, r.db('shop').tableCreate('items'));
    await run(db, r.db('shop').table('items').indexCreate('colour'));
    await run(db, r.db('shop').table('items').indexCreate('tags', (item: Term) => item('tags'), { multi: true }));
    await run(db, r.db('shop').tableCreate('people', { primaryKey: 'name' }));
    await run(db, r.db('shop').table('people').indexCreate('colour'));
  }
  const items = r.db('shop').table('items');
  await run(db, items.insert([1, 2, 3, 4].map((n) => ({ id: `${tag}-${n}`, colour: n % 2 === 0 ? 'red' : 'blue', tags: ['red', tag], n }))));
  await run(db, items.get(`${tag}-1`).update({ colour: 'red', nested: { list: [1, { deep: true }] } }));
  await run(db, items.get(`${tag}-2`).replace({ id: `${tag}-2`, colour: 'green', tags: [] }));
  await run(db, items.get(`${tag}-3`).delete());
  await run(db, items.get(`${tag}-4`).update((item: Term) => ({ n: item('n').add(10) })));
  await run(db, r.db('shop').table('people').insert({ name: `ann-${tag}`, colour: 'red' }));
  await run(db, r.db('scratch').tableCreate(`t_${tag}`));
  await run(db, r.db('scratch').table(`t_${tag}`).insert({ id: 1 }));
  await run(db, r.db('scratch').tableDrop(`t_${tag}`));
}

describe('the embedded database journal', () => {
  test('after a crash the journal gives back every acknowledged write: databases, tables, indexes, inserts, updates, replaces and deletes', async (t) => {
    const dir = tempDir('bdb-embedded-');
    const { db } = await start(t, dir);
    await writeEverything(db, 'a');
    await writeEverything(db, 'b');
    await run(db, r.dbDrop('scratch'));
    const before = await dump(db);
    const { db: after } = await start(t, crashCopy(dir));
    assert.deepEqual(await dump(after), before);
  });

  test('a table dropped and made again under its name comes back empty, with only what was written after', async (t) => {
    const dir = tempDir('bdb-embedded-');
    const { db } = await start(t, dir);
    await writeEverything(db, 'a');
    await run(db, r.db('shop').tableDrop('items'));
    await run(db, r.db('shop').tableCreate('items'));
    await run(db, r.db('shop').table('items').insert({ id: 'late', colour: 'red' }));
    const { db: after } = await start(t, crashCopy(dir));
    assert.deepEqual([...await run<unknown[]>(after, r.db('shop').table('items').coerceTo('array'))], [{ id: 'late', colour: 'red' }]);
    assert.deepEqual(await dump(after), await dump(db));
  });

  test('a journal cut short in its last record: the records before it are replayed, the torn one is dropped and cut off the file', async (t) => {
    const dir = tempDir('bdb-embedded-');
    const { db } = await start(t, dir);
    await run(db, r.dbCreate('shop'));
    await run(db, r.db('shop').tableCreate('items'));
    for (const id of ['first', 'second', 'torn']) await run(db, r.db('shop').table('items').insert({ id }));
    const copy = crashCopy(dir);
    const file = journalFile(copy, journalGenerations(copy).at(-1)!);
    const lastRecordBytes = encodeRecord({ op: 'put', db: 'shop', table: 'items', doc: { id: 'torn' } }).length;
    const whole = statSync(file).size - lastRecordBytes;
    truncateSync(file, statSync(file).size - 3);
    const { db: after } = await start(t, copy);
    const ids = (await run<{ id: string }[]>(after, r.db('shop').table('items').coerceTo('array'))).map((row) => row.id).sort();
    assert.deepEqual(ids, ['first', 'second']);
    assert.equal(statSync(file).size, whole, 'the torn bytes are cut off, so later records follow whole ones');
    await run(after, r.db('shop').table('items').insert({ id: 'after' }));
    const { db: again } = await start(t, crashCopy(copy));
    const idsAgain = (await run<{ id: string }[]>(again, r.db('shop').table('items').coerceTo('array'))).map((row) => row.id).sort();
    assert.deepEqual(idsAgain, ['after', 'first', 'second']);
  });

  test('a last journal record whose checksum fails is dropped and the records before it are replayed', async (t) => {
    const dir = tempDir('bdb-embedded-');
    const { db } = await start(t, dir);
    await run(db, r.dbCreate('shop'));
    await run(db, r.db('shop').tableCreate('items'));
    for (const id of ['first', 'flipped']) await run(db, r.db('shop').table('items').insert({ id }));
    const copy = crashCopy(dir);
    const file = journalFile(copy, journalGenerations(copy).at(-1)!);
    const bytes = readFileSync(file);
    // The last record ends with `"flipped"}}`: change a letter of it.
    bytes[bytes.length - 5] ^= 0x01;
    writeFileSync(file, bytes);
    const { db: after } = await start(t, copy);
    assert.deepEqual([...await run<{ id: string }[]>(after, r.db('shop').table('items').coerceTo('array'))].map((row) => row.id), ['first']);
  });

  test('a bad record in a journal that a newer one follows stops the replay with a JournalError naming the file', () => {
    const dir = tempDir('bdb-embedded-');
    writeFileSync(journalFile(dir, 1), Buffer.concat([encodeRecord({ op: 'schema', schema: {} }), Buffer.from([1, 2, 3])]));
    writeFileSync(journalFile(dir, 2), encodeRecord({ op: 'schema', schema: {} }));
    assert.throws(() => replayJournals(dir, 1, () => undefined), (err: unknown) =>
      err instanceof JournalError && err.file === journalFile(dir, 1) && /a newer journal follows/.test(err.reason));
  });

  test('a reply held behind a change goes out only once that change is in the journal file, and one held behind nothing goes at once', async () => {
    const dir = tempDir('bdb-embedded-');
    const journal = await Journal.open(dir, 1);
    try {
      const inFile = () => {
        const payloads: unknown[] = [];
        readRecords(journalFile(dir, 1), (payload) => payloads.push(payload));
        return payloads;
      };
      let sentBeforeAnyChange = false;
      journal.hold(() => { sentBeforeAnyChange = true; });
      assert.equal(sentBeforeAnyChange, true);
      const change = { op: 'put', db: 'shop', table: 'items', doc: { id: 'x' } };
      journal.append(change);
      let seenBySend: unknown[] | null = null;
      journal.hold(() => { seenBySend = inFile(); });
      assert.equal(seenBySend, null, 'not sent while the change is not durable');
      await journal.durableUntilNow();
      assert.deepEqual(seenBySend, [change]);
    } finally {
      await journal.close();
    }
  });

  test('writes that arrive together share one fsync (group commit): 100 rows inserted by one query take one', async (t) => {
    const dir = tempDir('bdb-embedded-');
    const { server, db } = await start(t, dir);
    await run(db, r.dbCreate('shop'));
    await run(db, r.db('shop').tableCreate('items'));
    const before = server.journalStats();
    await run(db, r.db('shop').table('items').insert(Array.from({ length: 100 }, (_, id) => ({ id }))));
    const afterInsert = server.journalStats();
    assert.equal(afterInsert.records - before.records, 100);
    assert.equal(afterInsert.commits - before.commits, 1);
  });
});

describe('the embedded database snapshots', () => {
  test('a snapshot plus the journal after it gives exactly the state before, writes made while the snapshot was written included', async (t) => {
    const dir = tempDir('bdb-embedded-');
    const { server, db } = await start(t, dir);
    await writeEverything(db, 'a');
    const items = r.db('shop').table('items');
    // 6 MB: the snapshot is written in several pieces, with the writes below between them.
    await run(db, items.insert(Array.from({ length: 3000 }, (_, n) => ({ id: `bulk-${n}`, colour: 'red', n, padding: 'x'.repeat(2000) }))));
    const generation = journalGenerations(dir).at(-1)!;
    await Promise.all([
      server.snapshot(),
      (async () => {
        for (let n = 0; n < 3000; n += 100) {
          await run(db, items.getAll(...Array.from({ length: 50 }, (_, k) => `bulk-${n + k}`)).delete());
          await run(db, items.getAll(...Array.from({ length: 50 }, (_, k) => `bulk-${n + 50 + k}`)).update({ colour: 'blue' }));
        }
      })(),
      writeEverything(db, 'b'),
    ]);
    await writeEverything(db, 'c');
    assert.deepEqual(journalGenerations(dir), [generation + 1], 'the snapshot replaced the journals before it');
    const before = await dump(db);
    const { db: after } = await start(t, crashCopy(dir));
    assert.deepEqual(await dump(after), before);
  });

  test('once the journal passes its size a snapshot is written by itself and the older journal removed', async (t) => {
    const dir = tempDir('bdb-embedded-');
    const { server, db } = await start(t, dir, { snapshotAfterBytes: 20_000 });
    await run(db, r.dbCreate('shop'));
    await run(db, r.db('shop').tableCreate('items'));
    for (let n = 0; n < 20; n++) await run(db, r.db('shop').table('items').insert({ id: n, padding: 'x'.repeat(2000) }));
    await server.snapshot();
    assert.ok(journalGenerations(dir)[0]! > 2, `journals now: ${journalGenerations(dir).join(', ')}`);
    const { db: after } = await start(t, crashCopy(dir));
    assert.equal(await run<number>(after, r.db('shop').table('items').count()), 20);
  });

  test('a clean stop writes a snapshot and leaves an empty journal, and the next start loads it', async (t) => {
    const dir = tempDir('bdb-embedded-');
    const server = await startEmbeddedDatabase('127.0.0.1', 0, dir);
    const db = await Database.connect({ host: server.host, port: server.port, name: 'shop' }, { attempts: 3 });
    await writeEverything(db, 'a');
    const before = await dump(db);
    await db.close();
    await server.stop();
    const journals = journalGenerations(dir);
    assert.equal(journals.length, 1);
    assert.equal(statSync(journalFile(dir, journals[0]!)).size, 0, 'the journal is empty');
    assert.match(readFileSync(join(dir, SNAPSHOT_FILE), 'utf8').split('\n')[0]!, /"format":"bigchaindb-embedded-snapshot"/);
    const { server: again, db: after } = await start(t, dir);
    assert.equal(again.loaded.journalRecords, 0);
    assert.deepEqual(await dump(after), before);
  });
});
