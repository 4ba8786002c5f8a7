/**
 * Blocks and votes (SPEC.md §5): ids, signatures, reading back, and the
 * checks that refuse tampered ones.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { vectorKeys } from './helpers/vectors';
import { Block, type BlockDict } from '../models/block';
import { CyclicBlockchainError, InvalidHash, InvalidSignature, OperationError } from '../models/errors';
import { sha3Hex } from '../models/hash';
import { generateKeypair, type Keypair, signText, verifyText } from '../models/keys';
import { serialize } from '../models/serialize';
import { Transaction } from '../models/transaction';
import type { BlockId, PrivateKey, PublicKey, Timestamp } from '../models/types';
import { createVote, verifyVote, type VoteDict } from '../models/vote';

const TS = '1485511200' as Timestamp;
const V = vectorKeys();
const nodeKey: Keypair = { publicKey: V.node!.public_base58 as PublicKey, privateKey: V.node!.private_base58 as PrivateKey };

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function makeTx(owner: Keypair = generateKeypair()): Transaction {
  return Transaction.create([owner.publicKey], [[[owner.publicKey], 1]]).sign([owner.privateKey]);
}

function signedBlock(node: Keypair, voters: PublicKey[] = [node.publicKey], txs = [makeTx(), makeTx()]): Block {
  return Block.create(txs, node.publicKey, voters, TS).sign(node.privateKey);
}

describe('Block', () => {
  test('create: id is the SHA3-256 of the serialized inner block, which holds the transactions as dicts', () => {
    const node = generateKeypair();
    const other = generateKeypair();
    const txs = [makeTx(), makeTx()];
    const block = Block.create(txs, node.publicKey, [node.publicKey, other.publicKey], TS);
    const body = block.toDict().block;
    assert.equal(body.timestamp, TS);
    assert.equal(body.node_pubkey, node.publicKey);
    assert.deepEqual(body.voters, [node.publicKey, other.publicKey]);
    assert.deepEqual(body.transactions.map((t) => t.id), txs.map((t) => t.id));
    assert.equal(block.id, sha3Hex(serialize(body)));
    assert.match(block.id, /^[0-9a-f]{64}$/);
  });

  test('an unsigned block has signature null and isSignatureValid() false', () => {
    const node = generateKeypair();
    const block = Block.create([makeTx()], node.publicKey, [node.publicKey], TS);
    assert.equal(block.signature, null);
    assert.equal(block.toDict().signature, null);
    assert.equal(block.isSignatureValid(), false);
  });

  test('sign: the signature is the node key over serialize(block body) and isSignatureValid() is true', () => {
    const node = generateKeypair();
    const block = signedBlock(node);
    assert.equal(typeof block.signature, 'string');
    assert.equal(block.isSignatureValid(), true);
    assert.equal(verifyText(serialize(block.toDict().block), block.signature!, node.publicKey), true);
    assert.equal(block.signature, signText(serialize(block.toDict().block), node.privateKey));
  });

  test('signing does not change the block id', () => {
    const node = generateKeypair();
    const block = Block.create([makeTx()], node.publicKey, [node.publicKey], TS);
    const before = block.id;
    block.sign(node.privateKey);
    assert.equal(block.id, before);
  });

  test('a block signed by a key other than node_pubkey has an invalid signature', () => {
    const node = generateKeypair();
    const intruder = generateKeypair();
    const block = Block.create([makeTx()], node.publicKey, [node.publicKey], TS).sign(intruder.privateKey);
    assert.equal(block.isSignatureValid(), false);
    assert.throws(() => Block.fromDict(clone(block.toDict())), InvalidSignature);
  });

  test('create + sign + fromDict round trip keeps id, signature, transactions and bytes', () => {
    const node = generateKeypair();
    const original = signedBlock(node, [node.publicKey, generateKeypair().publicKey]);
    const dict = clone(original.toDict());
    const back = Block.fromDict(dict);
    assert.equal(back.id, original.id);
    assert.equal(back.signature, original.signature);
    assert.equal(back.nodePubkey, node.publicKey);
    assert.deepEqual(back.voters, original.voters);
    assert.deepEqual(back.transactions.map((t) => t.id), original.transactions.map((t) => t.id));
    assert.equal(back.isSignatureValid(), true);
    assert.equal(serialize(back.toDict()), serialize(original.toDict()));
  });

  test('the same content and key give the same id and signature (Ed25519 is deterministic)', () => {
    const txs = [makeTx(nodeKey)];
    const a = Block.create(txs, nodeKey.publicKey, [nodeKey.publicKey], TS).sign(nodeKey.privateKey);
    const b = Block.create(txs, nodeKey.publicKey, [nodeKey.publicKey], TS).sign(nodeKey.privateKey);
    assert.equal(a.id, b.id);
    assert.equal(a.signature, b.signature);
  });

  test('fromDict throws InvalidHash for a tampered id', () => {
    const dict = clone(signedBlock(generateKeypair()).toDict());
    dict.id = ('0'.repeat(63) + '1') as BlockId;
    assert.throws(() => Block.fromDict(dict), InvalidHash);
    const flipped = clone(signedBlock(generateKeypair()).toDict());
    flipped.id = (flipped.id.slice(0, -1) + (flipped.id.endsWith('0') ? '1' : '0')) as BlockId;
    assert.throws(() => Block.fromDict(flipped), InvalidHash);
  });

  test('fromDict throws InvalidHash for a tampered body (timestamp, voters, node key, a transaction)', () => {
    const node = generateKeypair();
    const original = signedBlock(node);
    const tamperings: ((d: BlockDict) => void)[] = [
      (d) => { d.block.timestamp = '1485511201' as Timestamp; },
      (d) => { d.block.voters.push(generateKeypair().publicKey); },
      (d) => { d.block.node_pubkey = generateKeypair().publicKey; },
      (d) => { d.block.transactions.pop(); },
      (d) => { d.block.transactions[0]!.transaction.asset.data = { tampered: true }; },
    ];
    for (const tamper of tamperings) {
      const dict = clone(original.toDict());
      tamper(dict);
      assert.throws(() => Block.fromDict(dict), InvalidHash, tamper.toString());
    }
  });

  test('fromDict throws InvalidSignature for a tampered signature', () => {
    const node = generateKeypair();
    const block = signedBlock(node);
    const otherMessage = clone(block.toDict());
    otherMessage.signature = signText('another message', node.privateKey);
    assert.throws(() => Block.fromDict(otherMessage), InvalidSignature);

    const otherBlock = clone(block.toDict());
    otherBlock.signature = signedBlock(node).signature;
    assert.throws(() => Block.fromDict(otherBlock), InvalidSignature);

    const garbage = clone(block.toDict());
    garbage.signature = 'not-a-signature' as never;
    assert.throws(() => Block.fromDict(garbage), InvalidSignature);
  });

  test('an unsigned block read back with fromDict still reports isSignatureValid() false', () => {
    const node = generateKeypair();
    const unsigned = Block.create([makeTx()], node.publicKey, [node.publicKey], TS);
    const back = Block.fromDict(clone(unsigned.toDict()));
    assert.equal(back.id, unsigned.id);
    assert.equal(back.isSignatureValid(), false);
  });

  test('creating an empty block throws OperationError', () => {
    const node = generateKeypair();
    assert.throws(() => Block.create([], node.publicKey, [node.publicKey], TS), OperationError);
  });

  test('reading an empty block throws OperationError', () => {
    const node = generateKeypair();
    const dict = clone(signedBlock(node).toDict());
    dict.block.transactions = [];
    dict.id = sha3Hex(serialize(dict.block)) as BlockId;
    dict.signature = signText(serialize(dict.block), node.privateKey);
    assert.throws(() => Block.fromDict(dict), OperationError);
  });
});

describe('Vote', () => {
  const BLOCK = 'd9ee14a95c938e46ca161f88b60ddb0a5e516e0035909f01db11c0140cdaee0f' as BlockId;
  const PREVIOUS = '02a763cb69ef5d6b1f3724bf33fab914323c37bac5d5a9eaabd28b504534e7ea' as BlockId;

  test('createVote reproduces the 0.8.2 vote signatures of vector i (valid and invalid vote)', () => {
    const valid = createVote(nodeKey, BLOCK, PREVIOUS, true, TS);
    assert.equal(valid.signature, '21p97eSYyctpmz8TJsihn1Yn1Pm5TxFpDoL4Nm1bR6PQNeAGnhwZMMRcspj7qMRxTTdy6XCDm7YZ44R9AkQessUd');
    const invalid = createVote(nodeKey, BLOCK, PREVIOUS, false, TS);
    assert.equal(invalid.signature, '1PtgRiLE3F3RgsrqAdT8su1eHdB988RFtMw6xeFqhtx5T1Hkcbn9SxHRmNB12qwHfje9Y4n55kkqeYRVRgXEFX1');
  });

  test('createVote writes the vote body with exactly the five 0.8 fields', () => {
    const node = generateKeypair();
    const vote = createVote(node, BLOCK, PREVIOUS, false, TS);
    assert.equal(vote.node_pubkey, node.publicKey);
    assert.equal(
      serialize(vote.vote),
      `{"invalid_reason":null,"is_block_valid":false,"previous_block":"${PREVIOUS}","timestamp":"1485511200","voting_for_block":"${BLOCK}"}`,
    );
    assert.deepEqual(Object.keys(vote).sort(), ['node_pubkey', 'signature', 'vote']);
  });

  test('verifyVote accepts a correctly signed vote from a listed voter', () => {
    const node = generateKeypair();
    const vote = createVote(node, BLOCK, PREVIOUS, true, TS);
    assert.equal(verifyVote([generateKeypair().publicKey, node.publicKey], vote), true);
    assert.equal(verifyText(serialize(vote.vote), vote.signature, node.publicKey), true);
  });

  test('verifyVote accepts a vote that went through JSON and got a RethinkDB id', () => {
    const node = generateKeypair();
    const vote: VoteDict = { ...clone(createVote(node, BLOCK, PREVIOUS, true, TS)), id: 'some-rethinkdb-uuid' };
    assert.equal(verifyVote([node.publicKey], vote), true);
  });

  test('verifyVote rejects a correctly signed vote whose node is not among the voters', () => {
    const node = generateKeypair();
    const vote = createVote(node, BLOCK, PREVIOUS, true, TS);
    assert.equal(verifyVote([generateKeypair().publicKey], vote), false);
    assert.equal(verifyVote([], vote), false);
  });

  test('verifyVote rejects a vote whose body was changed after signing', () => {
    const node = generateKeypair();
    const original = createVote(node, BLOCK, PREVIOUS, true, TS);
    const tamperings: ((v: VoteDict) => void)[] = [
      (v) => { v.vote.is_block_valid = false; },
      (v) => { v.vote.previous_block = 'f'.repeat(64) as BlockId; },
      (v) => { v.vote.voting_for_block = 'e'.repeat(64) as BlockId; },
      (v) => { v.vote.timestamp = '1485511201' as Timestamp; },
    ];
    for (const tamper of tamperings) {
      const vote = clone(original);
      tamper(vote);
      assert.equal(verifyVote([node.publicKey], vote), false, tamper.toString());
    }
  });

  test('verifyVote rejects a vote signed by one voter but claiming to be from another', () => {
    const honest = generateKeypair();
    const forger = generateKeypair();
    const forged = { ...createVote(forger, BLOCK, PREVIOUS, false, TS), node_pubkey: honest.publicKey };
    assert.equal(verifyVote([honest.publicKey, forger.publicKey], forged), false);
  });

  test('verifyVote returns false instead of throwing for a malformed signature or key', () => {
    const node = generateKeypair();
    const vote = createVote(node, BLOCK, PREVIOUS, true, TS);
    assert.equal(verifyVote([node.publicKey], { ...vote, signature: '0OIl' as never }), false);
    assert.equal(verifyVote([node.publicKey], { ...vote, signature: '' as never }), false);
    assert.equal(verifyVote(['xyz'], { ...vote, node_pubkey: 'xyz' as PublicKey }), false);
  });

  test('a block voting for itself as previous block throws CyclicBlockchainError', () => {
    assert.throws(() => createVote(generateKeypair(), BLOCK, BLOCK, true, TS), CyclicBlockchainError);
    assert.throws(() => createVote(generateKeypair(), BLOCK, BLOCK, false, TS), CyclicBlockchainError);
  });

  test('a vote on a real block verifies against that block\'s voters', () => {
    const node = generateKeypair();
    const peer = generateKeypair();
    const block = signedBlock(node, [node.publicKey, peer.publicKey]);
    const vote = createVote(peer, block.id, PREVIOUS, true);
    assert.equal(verifyVote(block.voters, vote), true);
    assert.match(vote.vote.timestamp, /^\d{10}$/);
  });
});
