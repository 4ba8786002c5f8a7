/** The verified-signature memo the validation threads share: what it remembers, and that it never turns a bad signature good. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { decodeBase58, generateKeypair, rememberVerifiedSignatures, signBytes, verifyBytes } from '../models/keys';
import { SignatureMemo } from '../models/signature-memo';

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
    const memo = SignatureMemo.create();
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
    const memo = SignatureMemo.create();
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
    const memo = SignatureMemo.create();
    const { message, signature } = signed('seen by the block pipeline');
    const worker = new Worker(`
      const { workerData, parentPort } = require('node:worker_threads');
      const { SignatureMemo } = require(${JSON.stringify(join(__dirname, '../models/signature-memo.js'))});
      const memo = SignatureMemo.attach(workerData.memory);
      const [key, signature, message] = workerData.parts.map((p) => Buffer.from(p));
      memo.add(key, signature, message);
      parentPort.postMessage('added');
    `, { eval: true, workerData: { memory: memo.memory, parts: [aliceKey, signature, message] } });
    await new Promise<void>((resolve, reject) => worker.once('message', () => resolve()).once('error', reject));
    await worker.terminate();
    assert.equal(memo.has(aliceKey, signature, message), true);
    assert.equal(SignatureMemo.attach(memo.memory).has(aliceKey, signature, message), true);
    assert.equal(SignatureMemo.create().has(aliceKey, signature, message), false);
  });
});
