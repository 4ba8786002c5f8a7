/**
 * Spenders looked up for many outputs at once (db/queries/spent.ts
 * `getSpenderIds`), by a validation job or by the concurrent validations of
 * an API process: each output gets its own spenders, the block being voted
 * on is left out, and every verdict is the one its transaction would get
 * alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Bigchain } from '../core/bigchain';
import type { Database } from '../db/connection';
import { getSpenderIds } from '../db/queries/spent';
import { writeGenesisBlock } from '../db/schema';
import { generateKeypair } from '../models/keys';
import { VerdictMemo } from '../models/verdict-memo';
import { Transaction } from '../models/transaction';
import type { BlockId } from '../models/types';
import { ValidationPool } from '../pipelines/validation/pool';
import { testNodeSettings } from './helpers/node-settings';
import { freshDatabase } from './helpers/database';
import { votedBlock } from './helpers/voted-blocks';

const [me, peer] = [generateKeypair(), generateKeypair()];
const [alice, bob] = [generateKeypair(), generateKeypair()];
const create = () => Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { n: Math.random().toString() } }).sign([alice.privateKey]);
const transferOf = (input: Transaction, to = bob) => Transaction.transfer(input.toInputs(), [[[to.publicKey], 1]], input.asset.id).sign([alice.privateKey]);

describe('spenders of a validation job, looked up at once', () => {
  let db: Database;
  let bigchain: Bigchain;
  let genesisId: BlockId;
  let pool: ValidationPool;

  before(async () => {
    db = await freshDatabase();
    bigchain = new Bigchain(db, { keypair: me, keyring: [peer.publicKey] });
    genesisId = (await writeGenesisBlock(db, me)).id;
    pool = new ValidationPool(testNodeSettings(db.settings, me, [peer.publicKey]), VerdictMemo.create().memory);
  });

  after(() => pool.destroy());

  test('each output gets the spenders in its blocks, an unspent one none, and the block excepted is left out', async () => {
    const [spentTwice, spentOnce, unspent] = [create(), create(), create()];
    await votedBlock(bigchain, [me, peer], [spentTwice, spentOnce, unspent], [true, true], genesisId);
    const [first, second, only] = [transferOf(spentTwice), transferOf(spentTwice, alice), transferOf(spentOnce)];
    const one = await votedBlock(bigchain, [me, peer], [first, only], [true, null], genesisId);
    await votedBlock(bigchain, [me, peer], [second], [false, false], genesisId);
    const links = [spentTwice, spentOnce, unspent].map((tx) => ({ txid: tx.id, cid: 0 }));
    const ids = await getSpenderIds(db, links);
    assert.deepEqual([...ids.keys()], links.map((l) => `${l.txid}/0`));
    assert.deepEqual(ids.get(`${spentTwice.id}/0`)!.sort(), [first.id, second.id].sort(), 'invalid blocks count here: the caller judges them');
    assert.deepEqual(ids.get(`${spentOnce.id}/0`), [only.id]);
    assert.deepEqual(ids.get(`${unspent.id}/0`), []);
    const outside = await getSpenderIds(db, links, one.id);
    assert.deepEqual(outside.get(`${spentTwice.id}/0`), [second.id]);
    assert.deepEqual(outside.get(`${spentOnce.id}/0`), []);
  });

  test('concurrent spender lookups of one node, which go together in a query, each get their own answer', async () => {
    const inputs = Array.from({ length: 6 }, create);
    await votedBlock(bigchain, [me, peer], inputs, [true, true], genesisId);
    const spends = inputs.filter((_, i) => i % 2 === 0).map((tx) => transferOf(tx));
    await votedBlock(bigchain, [me, peer], spends, [true, true], genesisId);
    const answers = await Promise.all(inputs.map((tx) => bigchain.getSpent({ txid: tx.id, cid: 0 })));
    assert.deepEqual(answers.map((a) => a?.id ?? null), inputs.map((_, i) => (i % 2 === 0 ? spends[i / 2]!.id : null)));
  });

  test('in one job of the block pipeline, each TRANSFER gets the verdict it would get alone', async () => {
    const [taken, free, freeToo] = [create(), create(), create()];
    await votedBlock(bigchain, [me, peer], [taken, free, freeToo], [true, true], genesisId);
    await votedBlock(bigchain, [me, peer], [transferOf(taken)], [true, null], genesisId);
    const job = [transferOf(taken, alice), transferOf(free), transferOf(freeToo), create()];
    const verdicts = await pool.validate(job.map((tx) => tx.toDict()), 'backlog');
    assert.deepEqual(verdicts.map((v) => v.ok), [false, true, true, true]);
    assert.match(verdicts[0]!.ok ? '' : verdicts[0]!.reason, /^DoubleSpend: input .* already spent by /);
    for (const [i, tx] of job.entries()) assert.equal(await bigchain.isValidTransaction(tx) !== false, verdicts[i]!.ok, `transaction ${i} alone`);
  });
});
