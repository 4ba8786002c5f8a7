/** The node's memo of what it checked, shared by its threads: what it remembers, and that it never turns a bad signature or CREATE good. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { decodeBase58, generateKeypair, rememberVerifiedSignatures, signBytes, verifyBytes } from '../models/keys';
import { mayBeTimelessCreate, timelessCreateText, VerdictMemo } from '../models/verdict-memo';
import { serialize } from '../models/serialize';
import { Transaction, type TransactionDict } from '../models/transaction';
import { ValidationPool } from '../pipelines/validation/pool';
import { testNodeSettings } from './helpers/node-settings';
import { freshDatabase } from './helpers/database';

const alice = generateKeypair();
const aliceKey = decodeBase58(alice.publicKey)!;
const bobKey = decodeBase58(generateKeypair().publicKey)!;

function signed(text: string): { message: Buffer; signature: Buffer } {
  const message = Buffer.from(text);
  return { message, signature: signBytes(message, alice.privateKey) };
}

function flipped(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 1;
  return copy;
}

describe('the verified-signature memo', () => {
  after(() => rememberVerifiedSignatures(null));

  test('remembers the exact key, signature and message it was given; one byte changed in any of them is not found', () => {
    const memo = VerdictMemo.create();
    const { message, signature } = signed('a transaction');
    assert.equal(memo.has(aliceKey, signature, message), false);
    memo.add(aliceKey, signature, message);
    assert.equal(memo.has(aliceKey, signature, message), true);
    assert.equal(memo.has(bobKey, signature, message), false);
    assert.equal(memo.has(aliceKey, flipped(signature, 10), message), false);
    assert.equal(memo.has(aliceKey, signature, flipped(message, 0)), false);
    assert.equal(memo.has(aliceKey, signature, Buffer.concat([message, Buffer.from(' ')])), false);
  });

  test('verifyBytes with a memo remembers a good signature only, and still refuses a bad one next to it', () => {
    const memo = VerdictMemo.create();
    rememberVerifiedSignatures(memo);
    const { message, signature } = signed('another transaction');
    const forged = flipped(signature, 3);
    assert.equal(verifyBytes(message, forged, aliceKey), false);
    assert.equal(memo.has(aliceKey, forged, message), false, 'a failed verification is remembered');
    assert.equal(verifyBytes(message, signature, aliceKey), true);
    assert.equal(memo.has(aliceKey, signature, message), true, 'a verified signature is not remembered');
    assert.equal(verifyBytes(message, forged, aliceKey), false);
    assert.equal(verifyBytes(flipped(message, 1), signature, aliceKey), false);
    assert.equal(verifyBytes(message, signature, bobKey), false);
    rememberVerifiedSignatures(null);
  });

  test('a signature remembered in one thread is found by another thread on the same memory, and not by a memo with another key', async () => {
    const memo = VerdictMemo.create();
    const { message, signature } = signed('seen by the block pipeline');
    const worker = new Worker(`
      const { workerData, parentPort } = require('node:worker_threads');
      const { VerdictMemo } = require(${JSON.stringify(join(__dirname, '../models/verdict-memo.js'))});
      const memo = VerdictMemo.attach(workerData.memory);
      const [key, signature, message] = workerData.parts.map((p) => Buffer.from(p));
      memo.add(key, signature, message);
      parentPort.postMessage('added');
    `, { eval: true, workerData: { memory: memo.memory, parts: [aliceKey, signature, message] } });
    await new Promise<void>((resolve, reject) => worker.once('message', () => resolve()).once('error', reject));
    await worker.terminate();
    assert.equal(memo.has(aliceKey, signature, message), true);
    assert.equal(VerdictMemo.attach(memo.memory).has(aliceKey, signature, message), true);
    assert.equal(VerdictMemo.create().has(aliceKey, signature, message), false);
  });
});

const bob = generateKeypair();
const createBy = (owners: typeof alice[], tag: string, asset = {}) =>
  Transaction.create(owners.map((o) => o.publicKey), [[owners.map((o) => o.publicKey), 1]], { metadata: { tag }, asset }).sign(owners.map((o) => o.privateKey));

describe('CREATEs in the memo', () => {
  test('a CREATE remembered by its canonical text is found by that text only, and a memo with another key finds nothing', () => {
    const memo = VerdictMemo.create();
    const text = serialize(createBy([alice], 'remembered').toDict());
    assert.equal(memo.hasValidCreate(text), false);
    memo.addValidCreate(text);
    assert.equal(memo.hasValidCreate(text), true);
    assert.equal(VerdictMemo.attach(memo.memory).hasValidCreate(text), true);
    assert.equal(memo.hasValidCreate(text.replace('"remembered"', '"remembereD"')), false);
    assert.equal(memo.hasValidCreate(text + ' '), false);
    assert.equal(VerdictMemo.create().hasValidCreate(text), false);
  });

  test("a signature's entry never answers for a CREATE, even one over the CREATE's very text", () => {
    const memo = VerdictMemo.create();
    const text = serialize(createBy([alice], 'signed text').toDict());
    const { message, signature } = signed(text);
    memo.add(aliceKey, signature, message);
    assert.equal(memo.has(aliceKey, signature, message), true);
    assert.equal(memo.hasValidCreate(text), false);
  });

  test('only a CREATE signed by plain Ed25519 keys is remembered, by its canonical text: not a threshold, a GENESIS or a TRANSFER', () => {
    const single = createBy([alice], 'single');
    assert.equal(timelessCreateText(single), serialize(single.toDict()));
    assert.equal(mayBeTimelessCreate(single.toDict()), true);
    const twoOwners = createBy([alice, bob], 'two owners');
    assert.equal(timelessCreateText(twoOwners), null);
    assert.equal(mayBeTimelessCreate(twoOwners.toDict()), false);
    const genesis = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { operation: 'GENESIS' }).sign([alice.privateKey]);
    assert.equal(timelessCreateText(genesis), null);
    const transfer = Transaction.transfer(single.toInputs(), [[[bob.publicKey], 1]], single.asset.id).sign([alice.privateKey]);
    assert.equal(timelessCreateText(transfer), null);
    assert.equal(mayBeTimelessCreate(transfer.toDict()), false);
    assert.equal(mayBeTimelessCreate({ transaction: { operation: 'CREATE', fulfillments: [null] } } as unknown as TransactionDict), false);
  });
});

describe('the validation pool and the memo', () => {
  let pool: ValidationPool;
  let memo: VerdictMemo;

  before(async () => {
    const db = await freshDatabase();
    memo = VerdictMemo.create();
    pool = new ValidationPool(testNodeSettings(db.settings, generateKeypair(), []), memo.memory);
  });

  after(() => pool.destroy());

  test('remembers the timeless CREATEs it finds valid, by canonical text; not an invalid one, nor a valid threshold CREATE', async () => {
    const valid = createBy([alice], 'valid');
    const broken = createBy([alice], 'divisible asset of amount 1', { divisible: true });
    const threshold = createBy([alice, bob], 'threshold');
    const verdicts = await pool.validate([valid, broken, threshold].map((tx) => tx.toDict()), 'backlog');
    assert.deepEqual(verdicts.map((v) => v.ok), [true, false, true]);
    assert.equal(memo.hasValidCreate(serialize(valid.toDict())), true);
    assert.equal(memo.hasValidCreate(serialize(broken.toDict())), false);
    assert.equal(memo.hasValidCreate(serialize(threshold.toDict())), false);
  });
});
