/**
 * Rows of sequence answers after the driver mends (db/driver-patches.ts):
 * a row whose answer names no pseudotype comes back as parsed, and a time
 * in a row is still converted to a Date, in a sequence and in a changefeed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { r } from '../db/rethink';
import { freshDatabase } from './helpers/database';

describe('rows of sequence answers', () => {
  test('plain rows come back as written; a time beside them is a Date, in a sequence and in a changefeed', async () => {
    const db = await freshDatabase();
    const plain = { id: 'plain', nested: { list: [1, 'two', { three: null }] }, text: 'reql type, but no pseudotype' };
    await db.run(db.table('votes').insert([plain, { id: 'timed', at: r.epochTime(1_500_000_000) }]));
    const rows = await db.run<{ id: string; at?: unknown }[]>(db.table('votes').orderBy({ index: 'id' }));
    assert.deepEqual(rows.find((row) => row.id === 'plain'), plain);
    const timed = rows.find((row) => row.id === 'timed')!;
    assert.ok(timed.at instanceof Date, `a time is converted, not ${JSON.stringify(timed.at)}`);
    assert.equal((timed.at as Date).getTime(), 1_500_000_000_000);

    const feed = await db.feed(db.table('votes').changes());
    await db.run(db.table('votes').insert({ id: 'late', at: r.epochTime(1_600_000_000) }));
    const change = (await feed.next()) as { new_val: { id: string; at: unknown } };
    assert.equal(change.new_val.id, 'late');
    await feed.close();
    assert.ok(change.new_val.at instanceof Date);
  });
});
