/**
 * Conformance with the 0.8.2 vectors: walks every JSON file of the vectors
 * folder, recognises each object by its shape (transaction, block, vote,
 * signing messages, condition, fulfillment details, serialization case, key)
 * and reproduces what 0.8.2 produced. Files added later are picked up as they
 * are; a file with no recognisable object fails.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { consensusFreeTransfer } from './helpers/spent';
import { loadVectorFiles, VECTORS_DIR } from './helpers/vectors';
import { Block, createGenesisBlock, type BlockDict } from '../models/block';
import { conditionUri, fromDetails, fulfillmentForOwners, toDetails, type Owners } from '../models/conditions';
import { SerializationError } from '../models/errors';
import { sha3Hex } from '../models/hash';
import { keypairFromPrivate, verifyText } from '../models/keys';
import { TRANSACTION_SCHEMA_PATH } from '../models/schema';
import { parseJson, serialize } from '../models/serialize';
import { Transaction, type TransactionDict } from '../models/transaction';
import type { JsonObject, PrivateKey, PublicKey, Timestamp } from '../models/types';
import { createVote, verifyVote, type VoteDict } from '../models/vote';

type Obj = Record<string, unknown>;
type Check = { readonly name: string; readonly run: () => void };


function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(value: unknown, visit: (o: Obj, key: string) => void, key = ''): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, visit, `${key}[${i}]`));
  else if (isObj(value)) {
    visit(value, key);
    for (const [k, v] of Object.entries(value)) walk(v, visit, k);
  }
}

const isTxVector = (o: Obj): boolean => isObj(o.tx) && typeof o.expected_id === 'string';
const isBlockVector = (o: Obj): boolean => isObj(o.block) && isObj((o.block as Obj).block) && typeof o.expected_id === 'string';
const isVote = (o: Obj): boolean => isObj(o.vote) && typeof o.node_pubkey === 'string' && typeof o.signature === 'string';
const isMessageSet = (o: Obj): boolean => Array.isArray(o.messages) && Array.isArray(o.signatures);
const isCondition = (o: Obj): boolean => isObj(o.condition) && isObj((o.condition as Obj).details) && Array.isArray(o.owners_after);
const isDetails = (o: Obj): boolean => o.type === 'fulfillment' && typeof o.type_id === 'number' && !('weight' in o);
const isSerializationCase = (o: Obj): boolean => typeof o.posted_json_text === 'string' && typeof o.serialize_0_8_2 === 'string';
const isKey = (o: Obj): boolean => typeof o.private_base58 === 'string' && typeof o.public_base58 === 'string';

const files = loadVectorFiles();
const txById = new Map<string, TransactionDict>();
for (const file of files) walk(file.content, (o) => { if (isTxVector(o)) txById.set(o.expected_id as string, o.tx as TransactionDict); });

/** Private key of `pub` among the `keys` maps found anywhere in the vectors. */
function privateKeyOf(pub: string): PrivateKey | undefined {
  let found: PrivateKey | undefined;
  for (const file of files) walk(file.content, (o) => { if (isKey(o) && o.public_base58 === pub) found = o.private_base58 as PrivateKey; });
  return found;
}

function txChecks(o: Obj): Check[] {
  const raw = o.tx as TransactionDict;
  const checks: Check[] = [
    { name: 'id', run: () => assert.equal(Transaction.fromDict(raw).id, o.expected_id) },
    { name: 're-serializes byte for byte', run: () => assert.equal(serialize(Transaction.fromDict(raw).toDict()), serialize(raw)) },
  ];
  if (typeof o.id_preimage === 'string') {
    checks.push({ name: 'id preimage', run: () => assert.equal(Transaction.fromDict(raw).idPreimage(), o.id_preimage) });
    checks.push({ name: 'id rule', run: () => assert.equal(sha3Hex(o.id_preimage as string), o.expected_id) });
  }
  if (typeof o.serialized_with_signatures === 'string') {
    checks.push({ name: 'serialized with signatures', run: () => assert.equal(serialize(raw), o.serialized_with_signatures) });
  }
  for (const m of (o.signing_messages as Obj[] | undefined) ?? []) {
    checks.push({ name: `signing message ${m.fid}`, run: () => assert.equal(Transaction.fromDict(raw).signingMessage(m.fid as number), m.message) });
  }
  for (const s of (o.signature_check as Obj[] | undefined) ?? []) {
    checks.push({
      name: `signature of fulfillment ${s.fid} by ${s.public_key}`,
      run: () => assert.equal(verifyText(Transaction.fromDict(raw).signingMessage(s.fid as number), s.signature_base58 as string, s.public_key as string), s.verifies),
    });
  }
  if (typeof o.expected_valid === 'boolean') {
    checks.push({ name: `verdict ${o.expected_valid ? 'valid' : 'invalid'}`, run: () => assert.equal(verdict(raw), o.expected_valid) });
  }
  const signers = raw.transaction.fulfillments.flatMap((f) => (f.owners_before as string[]).map(privateKeyOf));
  if (signers.every((k) => k !== undefined)) {
    checks.push({
      name: 're-signing with the owners\' keys gives the same fulfillments',
      run: () => assert.equal(serialize(Transaction.fromDict(raw).sign(signers as PrivateKey[]).toDict()), serialize(raw)),
    });
  }
  const http = o.http as Obj | undefined;
  if (typeof http?.post_body === 'string') {
    checks.push({ name: 'posted body parses to the same transaction', run: () => assert.equal(Transaction.fromDict(parseJson(http.post_body as string)).id, o.expected_id) });
  }
  return checks;
}

/** The verdict on a fresh chain holding the other vectors' transactions as valid and unspent. */
function verdict(raw: TransactionDict): boolean {
  try {
    const tx = Transaction.fromDict(raw);
    if (tx.operation === 'TRANSFER') consensusFreeTransfer(tx, txById);
    else tx.validateCreate();
    return true;
  } catch {
    return false;
  }
}

function blockChecks(o: Obj): Check[] {
  const dict = o.block as BlockDict;
  const checks: Check[] = [
    { name: 'id and signature', run: () => assert.equal(Block.fromDict(dict).id, o.expected_id) },
    { name: 're-serializes byte for byte', run: () => assert.equal(serialize(Block.fromDict(dict).toDict()), serialize(dict)) },
  ];
  if (typeof o.expected_signature === 'string') checks.push({ name: 'signature', run: () => assert.equal(dict.signature, o.expected_signature) });
  if (typeof o.signed_message === 'string') checks.push({ name: 'signed message', run: () => assert.equal(serialize(dict.block), o.signed_message) });
  if (typeof o.serialized_full_block === 'string') checks.push({ name: 'full serialization', run: () => assert.equal(serialize(dict), o.serialized_full_block) });
  if (typeof o.is_signature_valid === 'boolean') checks.push({ name: 'signature verdict', run: () => assert.equal(Block.fromDict(dict).isSignatureValid(), o.is_signature_valid) });
  const nodeKey = privateKeyOf(dict.block.node_pubkey);
  if (nodeKey !== undefined) {
    checks.push({ name: 're-signing gives the same signature', run: () => assert.equal(Block.fromDict(dict).sign(nodeKey).signature, dict.signature) });
    const [genesis] = dict.block.transactions;
    if (dict.block.transactions.length === 1 && genesis?.transaction.operation === 'GENESIS') {
      checks.push({
        name: 'genesis block rebuilt from the node key',
        run: () => {
          const rebuilt = createGenesisBlock(keypairFromPrivate(nodeKey), {
            timestamp: dict.block.timestamp,
            assetId: genesis.transaction.asset.id,
            metadataId: genesis.transaction.metadata?.id,
          });
          assert.equal(serialize(rebuilt.toDict()), serialize(dict));
        },
      });
    }
  }
  return checks;
}

function voteChecks(o: Obj, key: string, parent: Obj | undefined): Check[] {
  const vote = o as unknown as VoteDict;
  const checks: Check[] = [];
  const expected = parent?.[`${key}_verifies`];
  checks.push({ name: 'signature verdict', run: () => assert.equal(verifyVote([vote.node_pubkey], vote), typeof expected === 'boolean' ? expected : true) });
  const message = parent?.[`${key}_signed_message`];
  if (typeof message === 'string') checks.push({ name: 'signed message', run: () => assert.equal(serialize(vote.vote), message) });
  const nodeKey = privateKeyOf(vote.node_pubkey);
  if (nodeKey !== undefined) {
    checks.push({
      name: 'rebuilt from the node key',
      run: () => {
        const v = vote.vote;
        const rebuilt = createVote(keypairFromPrivate(nodeKey), v.voting_for_block, v.previous_block, v.is_block_valid, v.timestamp as Timestamp);
        assert.equal(serialize(rebuilt), serialize(vote));
      },
    });
  }
  return checks;
}

function messageSetChecks(o: Obj): Check[] {
  const messages = o.messages as { fid: number; message: string }[];
  const checks: Check[] = messages.map((m) => ({
    name: `message ${m.fid} carries its own partial id`,
    run: () => {
      const { id, ...rest } = JSON.parse(m.message) as Obj;
      assert.equal(sha3Hex(serialize(rest)), id);
    },
  }));
  for (const s of o.signatures as Obj[]) {
    const message = messages.find((m) => m.fid === s.fid)?.message ?? '';
    checks.push({ name: `signature ${s.fid}`, run: () => assert.equal(verifyText(message, s.signature_base58 as string, s.public_key as string), s.verifies) });
  }
  const tx = typeof o.tx_id === 'string' ? txById.get(o.tx_id) : undefined;
  if (tx !== undefined) {
    for (const m of messages) {
      checks.push({ name: `message ${m.fid} rebuilt from transaction ${o.tx_id}`, run: () => assert.equal(Transaction.fromDict(tx).signingMessage(m.fid), m.message) });
    }
  }
  return checks;
}

function conditionChecks(o: Obj): Check[] {
  const condition = o.condition as { details: JsonObject; uri: string };
  const owners = o.owners_after as Owners;
  return [
    { name: 'uri from details', run: () => assert.equal(conditionUri(fromDetails(condition.details)), condition.uri) },
    { name: 'details rebuilt from the owners', run: () => assert.equal(serialize(toDetails(fulfillmentForOwners(owners))), serialize(condition.details)) },
  ];
}

const fulfillmentUris = new Set<string>();
for (const tx of txById.values()) for (const f of tx.transaction.fulfillments) if (typeof f.fulfillment === 'string') fulfillmentUris.add(f.fulfillment);

function detailsChecks(o: Obj): Check[] {
  const checks: Check[] = [{ name: 'details round trip', run: () => assert.equal(serialize(toDetails(fromDetails(o as JsonObject))), serialize(o)) }];
  const text = serialize(o);
  const fullySigned = text.includes('"signature":"') && !text.includes('"signature":null');
  if (fullySigned) {
    checks.push({ name: 'signed details give a fulfillment URI of the vectors', run: () => assert.ok(fulfillmentUris.has(fromDetails(o as JsonObject).serializeUri())) });
  }
  return checks;
}

/** Python's view of the posted numbers decides whether JavaScript could keep them. */
function refusedByPython(repr: string): boolean {
  const numbers = repr.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, '').match(/-?\d[\d.e+-]*/g) ?? [];
  return numbers.some((n) => (/[.e]/.test(n) ? Number.isInteger(Number(n)) : !Number.isSafeInteger(Number(n))));
}

function serializationChecks(o: Obj): Check[] {
  const text = o.posted_json_text as string;
  if (refusedByPython(o.python_parsed_repr as string)) {
    return [{ name: `${o.case}: refused`, run: () => assert.throws(() => parseJson(text), SerializationError) }];
  }
  return [
    { name: `${o.case}: bytes`, run: () => assert.equal(serialize(parseJson(text)), o.serialize_0_8_2) },
    { name: `${o.case}: utf-8 hex`, run: () => assert.equal(Buffer.from(serialize(parseJson(text)), 'utf8').toString('hex'), o.serialize_utf8_hex) },
    { name: `${o.case}: sha3`, run: () => assert.equal(sha3Hex(serialize(parseJson(text))), o.sha3_256) },
  ];
}

function keyChecks(o: Obj): Check[] {
  return [{ name: `public key of ${o.public_base58}`, run: () => assert.equal(keypairFromPrivate(o.private_base58 as PrivateKey).publicKey, o.public_base58 as PublicKey) }];
}

function checksOf(content: unknown): Check[] {
  const checks: Check[] = [];
  const parents = new Map<Obj, Obj>();
  walk(content, (o) => { for (const v of Object.values(o)) if (isObj(v)) parents.set(v, o); });
  walk(content, (o, key) => {
    const prefix = (list: Check[]) => list.map((c) => ({ name: `${key || 'root'}: ${c.name}`, run: c.run }));
    if (isTxVector(o)) checks.push(...prefix(txChecks(o)));
    if (isBlockVector(o)) checks.push(...prefix(blockChecks(o)));
    if (isVote(o)) checks.push(...prefix(voteChecks(o, key, parents.get(o))));
    if (isMessageSet(o)) checks.push(...prefix(messageSetChecks(o)));
    if (isCondition(o)) checks.push(...prefix(conditionChecks(o)));
    if (isDetails(o)) checks.push(...prefix(detailsChecks(o)));
    if (isSerializationCase(o)) checks.push(...prefix(serializationChecks(o)));
    if (isKey(o)) checks.push(...prefix(keyChecks(o)));
  });
  return checks;
}

describe('0.8.2 conformance vectors', () => {
  test('the vectors folder holds files', () => assert.ok(files.length > 0, `no vectors in ${VECTORS_DIR}`));

  for (const file of files) {
    describe(file.name, () => {
      const checks = checksOf(file.content);
      test('holds at least one recognised vector', () => assert.ok(checks.length > 0));
      for (const check of checks) test(check.name, check.run);
    });
  }

  test('the shipped transaction schema is the 0.8.2 schema', () => {
    assert.equal(readFileSync(TRANSACTION_SCHEMA_PATH, 'utf8'), readFileSync(join(VECTORS_DIR, 'transaction.schema.yaml'), 'utf8'));
  });
});
