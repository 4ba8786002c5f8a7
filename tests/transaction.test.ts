import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { consensusFreeTransfer } from './helpers/spent';
import { vectorKeys } from './helpers/vectors';
import {
  AmountError, AssetIdMismatch, DoubleSpend, InvalidFulfillment, InvalidHash, InvalidSignature, KeypairMismatch,
  NotImplementedAsset, OperationError, SchemaValidationError,
} from '../models/errors';
import { fulfillmentForOwners, signFulfillment, ThresholdSha256 } from '../models/conditions';
import { sha3Hex } from '../models/hash';
import { generateKeypair, keypairFromPrivate, type Keypair } from '../models/keys';
import { serialize } from '../models/serialize';
import { Transaction, type TransactionDict } from '../models/transaction';
import type { JsonObject, PrivateKey, PublicKey } from '../models/types';

const named = vectorKeys();
const key = (name: string): Keypair => ({
  publicKey: named[name]!.public_base58 as PublicKey,
  privateKey: named[name]!.private_base58 as PrivateKey,
});
const alice = key('alice');
const bob = key('bob');
const carol = key('carol');
const dave = key('dave');

/** A deep copy to tamper with. */
const copy = (tx: Transaction): TransactionDict => JSON.parse(JSON.stringify(tx.toDict())) as TransactionDict;
const known = (...txs: Transaction[]) => new Map(txs.map((t) => [t.id as string, t.toDict()]));

function signedCreate(owner: Keypair = alice, recipients: [PublicKey[], number][] = [[[owner.publicKey], 1]], asset = {}): Transaction {
  return Transaction.create([owner.publicKey], recipients, { asset, metadata: { note: 'test' } }).sign([owner.privateKey]);
}

describe('Transaction round trips', () => {
  test('a signed single-owner CREATE reads back with the same id and bytes and validates', () => {
    const tx = signedCreate();
    const read = Transaction.fromDict(JSON.parse(serialize(tx.toDict())));
    assert.equal(read.id, tx.id);
    assert.equal(serialize(read.toDict()), serialize(tx.toDict()));
    read.validateCreate();
  });

  test('a CREATE to a 2-of-2 threshold of bob and carol can be transferred only with both signatures', () => {
    const create = signedCreate(alice, [[[bob.publicKey, carol.publicKey], 1]]);
    assert.match(create.conditions[0]!.condition.uri, /^cc:2:29:/);
    const transfer = Transaction.transfer(create.toInputs(), [[[dave.publicKey], 1]], create.asset.id).sign([bob.privateKey, carol.privateKey]);
    consensusFreeTransfer(Transaction.fromDict(JSON.parse(serialize(transfer.toDict()))), known(create));

    const unsigned = Transaction.transfer(create.toInputs(), [[[dave.publicKey], 1]], create.asset.id);
    assert.throws(() => unsigned.sign([bob.privateKey]), KeypairMismatch);
  });

  test('a 3-owner output needs all three signatures to be spent', () => {
    const create = signedCreate(alice, [[[bob.publicKey, carol.publicKey, dave.publicKey], 1]]);
    const details = create.conditions[0]!.condition.details as { threshold: number; subfulfillments: JsonObject[] };
    assert.equal(details.threshold, 3);
    assert.equal(details.subfulfillments.length, 3);
    const transfer = Transaction.transfer(create.toInputs(), [[[alice.publicKey], 1]], create.asset.id)
      .sign([bob.privateKey, carol.privateKey, dave.privateKey]);
    consensusFreeTransfer(Transaction.fromDict(copy(transfer)), known(create));
  });

  test('nested owner lists are refused when building, as the 0.8 schema cannot carry them', () => {
    const nested = [bob.publicKey, [carol.publicKey, dave.publicKey]] as unknown as PublicKey[];
    assert.throws(() => Transaction.create([alice.publicKey], [[nested, 1]]), SchemaValidationError);
  });

  test('a divisible asset split 2+3 and merged back into 5 validates', () => {
    const create = signedCreate(alice, [[[alice.publicKey], 2], [[bob.publicKey], 3]], { divisible: true });
    create.validateCreate();
    const merge = Transaction.transfer(create.toInputs(), [[[carol.publicKey], 5]], create.asset.id).sign([alice.privateKey, bob.privateKey]);
    assert.equal(merge.inputs.length, 2);
    consensusFreeTransfer(Transaction.fromDict(copy(merge)), known(create));
  });

  test('a chain CREATE → TRANSFER → TRANSFER validates at each step', () => {
    const create = signedCreate();
    const first = Transaction.transfer(create.toInputs(), [[[bob.publicKey], 1]], create.asset.id).sign([alice.privateKey]);
    const second = Transaction.transfer(first.toInputs(), [[[carol.publicKey], 1]], create.asset.id).sign([bob.privateKey]);
    consensusFreeTransfer(second, known(create, first));
  });

  test('an unsigned transaction writes its fulfillments as details and does not validate', () => {
    const tx = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]]);
    const fulfillment = tx.toDict().transaction.fulfillments[0]!.fulfillment as JsonObject;
    assert.equal(fulfillment.type_id, 4);
    assert.equal(fulfillment.signature, null);
    assert.throws(() => Transaction.fromDict(tx.toDict()).validateCreate(), InvalidSignature);
  });

  test('an owner whose public key has 42 base58 characters (a leading zero byte, about 1 key in 65,000) can create and be paid', () => {
    // Found by searching random seeds: its public key starts with a zero byte and a small second byte.
    const short = keypairFromPrivate('6Ugctfe17qcyBPj9NjmmwC3M4bq53HzWrcvEySNbx54n' as PrivateKey);
    assert.equal(short.publicKey.length, 42);
    const create = Transaction.fromDict(copy(signedCreate(short)));
    create.validateCreate();
    const paid = Transaction.fromDict(copy(signedCreate(alice, [[[short.publicKey], 1]])));
    paid.validateCreate();
    assert.throws(() => signedCreate(alice, [[['1'.repeat(31) as PublicKey], 1]]), InvalidFulfillment, 'a key that is not 32 bytes is still refused');
  });

  test('signing does not change the id', () => {
    const tx = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]]);
    const before = tx.id;
    assert.equal(tx.sign([alice.privateKey]).id, before);
  });
});

describe('Transaction.fromDict rejects', () => {
  test('a changed body under the old id with InvalidHash', () => {
    const d = copy(signedCreate());
    (d.transaction.metadata!.data as JsonObject).note = 'changed';
    assert.throws(() => Transaction.fromDict(d), InvalidHash);
  });

  test('a missing id, an unknown field or a wrong version with SchemaValidationError', () => {
    const d = copy(signedCreate()) as unknown as Record<string, unknown>;
    assert.throws(() => Transaction.fromDict({ ...d, id: undefined }), SchemaValidationError);
    assert.throws(() => Transaction.fromDict({ ...d, extra: 1 }), SchemaValidationError);
    assert.throws(() => Transaction.fromDict({ ...d, version: 2 }), SchemaValidationError);
    assert.throws(() => Transaction.fromDict([]), SchemaValidationError);
    assert.throws(() => Transaction.fromDict('x'), SchemaValidationError);
  });

  test('renumbered fid or cid, whose id would drift once stored', () => {
    const d = copy(signedCreate());
    d.transaction.fulfillments[0]!.fid = 1;
    assert.throws(() => Transaction.fromDict(d), /fid must be 0/);
    const e = copy(signedCreate());
    e.transaction.conditions[0]!.cid = 3;
    assert.throws(() => Transaction.fromDict(e), /cid must be 0/);
  });

  test('a condition URI that does not match its details', () => {
    const d = copy(signedCreate());
    d.transaction.conditions[0]!.condition.uri = signedCreate(bob).conditions[0]!.condition.uri;
    assert.throws(() => Transaction.fromDict(d), InvalidFulfillment);
  });

  test('details with an extra field', () => {
    const d = copy(signedCreate());
    (d.transaction.conditions[0]!.condition.details as JsonObject).extra = true;
    assert.throws(() => Transaction.fromDict(d), InvalidFulfillment);
  });

  test('a fulfillment URI that does not parse', () => {
    const d = copy(signedCreate());
    d.transaction.fulfillments[0]!.fulfillment = 'cf:4:AAAA';
    assert.throws(() => Transaction.fromDict(d), InvalidFulfillment);
  });

  test('a zero or negative amount with AmountError', () => {
    for (const amount of [0, -1]) {
      const d = copy(signedCreate());
      d.transaction.conditions[0]!.amount = amount;
      assert.throws(() => Transaction.fromDict(d), AmountError);
    }
  });

  test('a CREATE asset missing a flag, and a TRANSFER asset carrying more than its id', () => {
    const d = copy(signedCreate());
    delete d.transaction.asset.divisible;
    assert.throws(() => Transaction.fromDict(d), SchemaValidationError);
    const create = signedCreate();
    const t = copy(Transaction.transfer(create.toInputs(), [[[bob.publicKey], 1]], create.asset.id).sign([alice.privateKey]));
    t.transaction.asset.data = null;
    assert.throws(() => Transaction.fromDict(t), SchemaValidationError);
  });

  test('an unknown operation', () => {
    const d = copy(signedCreate()) as unknown as { transaction: { operation: string } };
    d.transaction.operation = 'DESTROY';
    assert.throws(() => Transaction.fromDict(d), SchemaValidationError);
  });
});

describe('CREATE rules', () => {
  test('a tampered signature is InvalidSignature', () => {
    const d = copy(signedCreate());
    const other = copy(signedCreate(bob));
    d.transaction.fulfillments[0]!.fulfillment = other.transaction.fulfillments[0]!.fulfillment;
    assert.throws(() => Transaction.fromDict(d).validateCreate(), InvalidSignature);
  });

  test('a CREATE\'s fulfillment holds Ed25519 signatures of its owners before and nothing else: a 1-of-2 threshold that verifies with the owner\'s key beside a bare condition is InvalidSignature', () => {
    const tx = signedCreate(alice);
    const signedByAlice = fulfillmentForOwners([alice.publicKey]);
    signFulfillment(signedByAlice, Buffer.from(tx.signingMessage(0), 'utf8'), new Map([[alice.publicKey as string, alice.privateKey]]));
    const oneOfTwo = new ThresholdSha256();
    oneOfTwo.setThreshold(1);
    oneOfTwo.addSubfulfillment(signedByAlice, 1);
    oneOfTwo.addSubcondition(fulfillmentForOwners([bob.publicKey]).getCondition(), 1);
    const d = copy(tx);
    d.transaction.fulfillments[0]!.fulfillment = oneOfTwo.serializeUri();
    const read = Transaction.fromDict(d);
    assert.equal(read.fulfillmentsValid(), true, 'control: the 1-of-2 fulfillment verifies');
    assert.throws(() => read.validateCreate(), (err: Error) => err instanceof InvalidSignature && /exactly its owners_before/.test(err.message));
  });

  test('a CREATE of two owners validates with both signatures in its 2-of-2 threshold', () => {
    const tx = Transaction.create([alice.publicKey, bob.publicKey], [[[alice.publicKey], 1]]).sign([alice.privateKey, bob.privateKey]);
    Transaction.fromDict(copy(tx)).validateCreate();
  });

  test('a CREATE signed by someone other than its owners before is refused when signing', () => {
    const tx = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]]);
    assert.throws(() => tx.sign([bob.privateKey]), KeypairMismatch);
  });

  test('a non-divisible asset must total exactly 1, a divisible one at least 2', () => {
    assert.throws(() => signedCreate(alice, [[[alice.publicKey], 2]]).validateCreate(), AmountError);
    assert.throws(() => signedCreate(alice, [[[alice.publicKey], 1]], { divisible: true }).validateCreate(), AmountError);
    signedCreate(alice, [[[alice.publicKey], 2]], { divisible: true }).validateCreate();
  });

  test('updatable and refillable assets are not implemented', () => {
    assert.throws(() => signedCreate(alice, undefined, { updatable: true }).validateCreate(), NotImplementedAsset);
    assert.throws(() => signedCreate(alice, undefined, { refillable: true }).validateCreate(), NotImplementedAsset);
  });

  test('a CREATE whose fulfillment links an input is an OperationError', () => {
    const create = signedCreate();
    const d = copy(signedCreate());
    d.transaction.fulfillments[0]!.input = { txid: create.id, cid: 0 };
    assert.throws(() => Transaction.fromDict(withRecomputedId(d)).validateCreate(), OperationError);
  });

  test('building with an amount below 1 or no outputs is refused', () => {
    assert.throws(() => Transaction.create([alice.publicKey], [[[alice.publicKey], 0]]), AmountError);
    assert.throws(() => Transaction.create([alice.publicKey], []), OperationError);
    assert.throws(() => Transaction.create([], [[[alice.publicKey], 1]]), OperationError);
  });
});

describe('TRANSFER rules', () => {
  const create = signedCreate(alice, [[[alice.publicKey], 2], [[bob.publicKey], 3]], { divisible: true });

  test('outputs that do not add up to the inputs are an AmountError', () => {
    const t = Transaction.transfer(create.toInputs([0]), [[[carol.publicKey], 3]], create.asset.id).sign([alice.privateKey]);
    assert.throws(() => consensusFreeTransfer(t, known(create)), AmountError);
  });

  test('a transaction naming another asset id is an AssetIdMismatch', () => {
    const t = Transaction.transfer(create.toInputs([0]), [[[carol.publicKey], 2]], signedCreate().asset.id).sign([alice.privateKey]);
    assert.throws(() => consensusFreeTransfer(t, known(create)), AssetIdMismatch);
  });

  test('inputs of two different assets are an AssetIdMismatch', () => {
    const other = signedCreate();
    const inputs = [...create.toInputs([0]), ...other.toInputs()];
    const t = Transaction.transfer(inputs, [[[carol.publicKey], 3]], create.asset.id).sign([alice.privateKey]);
    assert.throws(() => consensusFreeTransfer(t, known(create, other)), AssetIdMismatch);
  });

  test('the same input twice in one transaction is a DoubleSpend', () => {
    const inputs = [...create.toInputs([0]), ...create.toInputs([0])];
    const t = Transaction.transfer(inputs, [[[carol.publicKey], 4]], create.asset.id).sign([alice.privateKey]);
    assert.throws(() => consensusFreeTransfer(t, known(create)), DoubleSpend);
  });

  test('a fulfillment signed by the wrong owner does not match the condition it spends', () => {
    const victim = signedCreate(bob);
    const theft = Transaction.transfer(victim.toInputs(), [[[carol.publicKey], 1]], victim.asset.id);
    const forged = Transaction.transfer(signedCreate(carol).toInputs(), [[[carol.publicKey], 1]], victim.asset.id).sign([carol.privateKey]);
    const d = copy(theft);
    d.transaction.fulfillments[0]!.fulfillment = forged.toDict().transaction.fulfillments[0]!.fulfillment;
    assert.throws(() => consensusFreeTransfer(Transaction.fromDict(d), known(victim)), InvalidSignature);
  });

  test('a signature over another transaction does not verify', () => {
    const a = Transaction.transfer(create.toInputs([0]), [[[carol.publicKey], 2]], create.asset.id).sign([alice.privateKey]);
    const b = Transaction.transfer(create.toInputs([0]), [[[dave.publicKey], 2]], create.asset.id);
    const d = copy(b);
    d.transaction.fulfillments[0]!.fulfillment = a.toDict().transaction.fulfillments[0]!.fulfillment;
    assert.throws(() => consensusFreeTransfer(Transaction.fromDict(d), known(create)), InvalidSignature);
  });

  test('a TRANSFER with an input left null cannot be built', () => {
    const inputs = create.toInputs([0]).map((i) => ({ ...i, link: null }));
    assert.throws(() => Transaction.transfer(inputs, [[[carol.publicKey], 2]], create.asset.id), OperationError);
  });

  test('random keys sign and verify like the vector keys', () => {
    const k = generateKeypair();
    const own = signedCreate(k);
    own.validateCreate();
  });
});

/** The dict with its id recomputed by the SPEC.md §4 rule, to test rules beyond the id check. */
function withRecomputedId(d: TransactionDict): TransactionDict {
  const body = d.transaction;
  const unsigned = { transaction: { ...body, fulfillments: body.fulfillments.map((f) => ({ ...f, fulfillment: null })) }, version: d.version };
  return { ...d, id: sha3Hex(serialize(unsigned)) as TransactionDict['id'] };
}
