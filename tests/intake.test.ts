/**
 * How a batch of POSTed transactions is written (Bigchain.writeNewTransactions,
 * db/queries/intake.ts): those the node knows already, in a valid or
 * undecided block or in the backlog, are not written again; the others are
 * written once each, in one round trip when the batch holds nothing known.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Bigchain } from '../core/bigchain';
import type { Database } from '../db/connection';
import { countBacklog, getBacklogRow } from '../db/queries/backlog';
import { writeUnlessKnown } from '../db/queries/intake';
import { writeGenesisBlock } from '../db/schema';
import { generateKeypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import type { BlockId } from '../models/types';
import { freshDatabase } from './helpers/database';
import { votedBlock } from './helpers/voted-blocks';

const [me, peer] = [generateKeypair(), generateKeypair()];
const owner = generateKeypair();
const create = () => Transaction.create([owner.publicKey], [[[owner.publicKey], 1]], { metadata: { n: Math.random().toString() } }).sign([owner.privateKey]);

describe('writing a batch of new transactions', () => {
  let db: Database;
  let bigchain: Bigchain;
  let genesisId: BlockId;

  before(async () => {
    db = await freshDatabase();
    bigchain = new Bigchain(db, { keypair: me, keyring: [peer.publicKey] });
    genesisId = (await writeGenesisBlock(db, me)).id;
  });

  const inBacklog = async (tx: Transaction) => (await getBacklogRow(db, tx.id)) !== null;

  test('a batch of unknown transactions is written whole, a repeated one once: the first copy is the one written', async () => {
    const [a, b] = [create(), create()];
    const copy = Transaction.fromDict(a.toDict());
    assert.deepEqual(await bigchain.writeNewTransactions([a, b, copy]), [true, true, false]);
    assert.equal(await inBacklog(a), true);
    assert.equal(await inBacklog(b), true);
  });

  test('of a batch, those in the backlog or in a valid or undecided block are not written; one only in an invalid block and the unknown are', async () => {
    const [queued, valid, undecided, invalid, unknown] = [create(), create(), create(), create(), create()];
    await bigchain.writeTransaction(queued);
    await votedBlock(bigchain, [me, peer], [valid], [true, true], genesisId);
    await votedBlock(bigchain, [me, peer], [undecided], [true, null], genesisId);
    await votedBlock(bigchain, [me, peer], [invalid], [false, false], genesisId);
    const before = await countBacklog(db);
    assert.deepEqual(await bigchain.writeNewTransactions([queued, valid, undecided, invalid, unknown]), [false, false, false, true, true]);
    assert.equal(await countBacklog(db), before + 2);
    assert.equal(await inBacklog(invalid), true);
    assert.equal(await inBacklog(unknown), true);
    assert.equal(await inBacklog(valid), false);
    assert.equal(await inBacklog(undecided), false);
  });

  test('the one-query write leaves everything unwritten when any of the batch is held by a block or the backlog, and says where', async () => {
    const [queued, held, unknown] = [create(), create(), create()];
    await bigchain.writeTransaction(queued);
    const block = await votedBlock(bigchain, [me, peer], [held], [false, false], genesisId);
    const row = (tx: Transaction) => ({ ...tx.toDict(), assignee: me.publicKey, assignment_timestamp: Date.now() / 1000 });
    assert.deepEqual(await writeUnlessKnown(db, [held, unknown].map(row)), {
      held: new Map([[held.id, [{ id: block.id, voters: [me.publicKey, peer.publicKey] }]]]), known: new Set(), written: false,
    });
    assert.deepEqual(await writeUnlessKnown(db, [queued, unknown].map(row)), { held: new Map(), known: new Set([queued.id]), written: false });
    assert.equal(await inBacklog(unknown), false);
    assert.equal(await inBacklog(held), false);
    assert.deepEqual(await writeUnlessKnown(db, [row(unknown)]), { held: new Map(), known: new Set(), written: true });
    assert.equal(await inBacklog(unknown), true);
  });
});
