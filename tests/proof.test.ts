/**
 * Light-client proofs (client/proof.ts) through the client against a real
 * node, on blocks judged by a jury of test keys (helpers/jury.ts) that is
 * the federation the client trusts. The node serves whatever the database
 * holds: the proof must refuse a forged vote, a block signed outside the
 * federation, a block only a minority voted valid and a block whose id does
 * not match its content, whatever status the node gives them.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Connection, ProofError, Transaction, generateKeypair, type ProofFailure } from 'bigchaindb/client';
import { startFederation } from './helpers/federation';
import { Jury, VALID } from './helpers/jury';

const alice = generateKeypair();
const createFor = () => Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { r: Math.random() } }).sign([alice.privateKey]);

let conn: Connection;
let jury: Jury;

before(async () => {
  const f = await startFederation({ size: 1 });
  await f.nodes[0]!.waitUntilServing();
  conn = new Connection(f.nodes[0]!.apiUrl);
  jury = new Jury(f.db);
});

/** Asserts that the proof of `tx` is refused for `reason`. */
async function refused(tx: Transaction, reason: ProofFailure): Promise<void> {
  await assert.rejects(conn.verifyTransactionProof(tx.id, jury.keys), (err: unknown) => {
    assert.ok(err instanceof ProofError, `a ProofError, not ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    return true;
  });
}

describe('verifyTransactionProof', () => {
  test('accepts a transaction in a block signed by a federation key that a majority of it voted valid, and returns block, transaction and votes', async () => {
    const tx = createFor();
    const block = await jury.block([tx], VALID);
    const proof = await conn.verifyTransactionProof(tx.id, jury.keys);
    assert.deepEqual(proof.transaction, tx.toDict());
    assert.equal(proof.block.id, block.id);
    assert.deepEqual(proof.votes.map((v) => v.node_pubkey).sort(), jury.keys.slice(0, 2).sort(), 'the votes of the jury, not the node\'s own');
  });

  test('refuses a block with a forged vote: a voter\'s vote signed by another key', async () => {
    const tx = createFor();
    const block = await jury.block([tx], [true, null, null]);
    const [, impersonated, forger] = jury.members;
    const vote = await jury.vote(impersonated!, block.id, true);
    await jury.writeVote({ ...vote, signature: (await jury.vote(forger!, block.id, true)).signature });
    await refused(tx, 'vote-signature');
  });

  test('refuses a block signed by a key outside the federation, though the federation voted it valid', async () => {
    const tx = createFor();
    await jury.block([tx], VALID, generateKeypair());
    await refused(tx, 'signer-not-in-federation');
  });

  test('refuses a block only a minority of its voters voted valid', async () => {
    const tx = createFor();
    await jury.block([tx], [true, false, null]);
    await refused(tx, 'no-majority');
  });

  test('refuses a block whose content no longer hashes to its id', async () => {
    const tx = createFor();
    const block = await jury.block([tx], VALID);
    await jury.db.run(jury.db.table('bigchain').get(block.id).update({ block: { timestamp: '1' } }));
    await refused(tx, 'block-id');
  });

  test('refuses a transaction no block holds', async () => {
    await refused(createFor(), 'not-in-block');
  });

  test('refuses when the federation given is not the block\'s voters', async () => {
    const tx = createFor();
    await jury.block([tx], VALID);
    await assert.rejects(conn.verifyTransactionProof(tx.id, jury.keys.slice(0, 2)), (err: unknown) => err instanceof ProofError && err.reason === 'voters-not-federation');
  });
});
