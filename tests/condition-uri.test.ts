/**
 * The condition URI of an output's details (models/conditions): the short
 * way for one unsigned Ed25519 key answers exactly what building the
 * fulfillment does, and anything else, well formed or not, gets the same
 * answer or the same error as before.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { conditionUri, conditionUriOfDetails, fromDetails } from '../models/conditions';
import { decodeBase58, encodeBase58, generateKeypair } from '../models/keys';
import type { JsonObject } from '../models/types';

/** The answer, or the error's class and message. */
function outcome(run: () => string): string {
  try {
    return run();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

const sameAsBuilt = (details: JsonObject) =>
  assert.equal(outcome(() => conditionUriOfDetails(details)), outcome(() => conditionUri(fromDetails(details))), JSON.stringify(details));

const ed25519 = (publicKey: string): JsonObject => ({ type: 'fulfillment', type_id: 4, bitmask: 32, public_key: publicKey, signature: null });

describe('the condition URI of an output\'s details', () => {
  test('one unsigned Ed25519 key: the URI of the built fulfillment, for 200 keys and for keys with leading zero bytes', () => {
    for (let i = 0; i < 200; i++) sameAsBuilt(ed25519(generateKeypair().publicKey));
    for (const zeros of [1, 2]) sameAsBuilt(ed25519(encodeBase58(Buffer.concat([Buffer.alloc(zeros), Buffer.alloc(32 - zeros, 7)]))));
  });

  test('base58 has one spelling per byte string, which the short way relies on: random texts of its alphabet decode and write back unchanged', () => {
    const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    for (let i = 0; i < 2000; i++) {
      const leadingOnes = '1'.repeat(i % 4);
      const text = leadingOnes + Array.from({ length: 1 + (i % 50) }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
      assert.equal(encodeBase58(decodeBase58(text)!), text);
    }
  });

  test('details the short way does not take get the same answer or error as before', () => {
    const key = generateKeypair().publicKey;
    const signed = { ...ed25519(key), signature: encodeBase58(Buffer.alloc(64, 1)) };
    const cases: JsonObject[] = [
      signed,
      { ...ed25519(key), extra: 1 },
      { ...ed25519(key), bitmask: 33 },
      { ...ed25519(key), type_id: 0 },
      { ...ed25519(key), type: 'condition' },
      ed25519(encodeBase58(Buffer.alloc(31, 9))),
      ed25519(`${key.slice(0, -1)}0`),
      ed25519(`1${key}`),
      { type: 'fulfillment', type_id: 4, bitmask: 32, public_key: key },
    ];
    for (const details of cases) sameAsBuilt(details);
  });
});
