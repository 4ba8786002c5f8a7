/**
 * Crypto-conditions of SPEC.md §3: the five types 0.8 knows (preimage 0,
 * threshold 2, Ed25519 4, inverted threshold 98, timeout 99), their `cf:`/`cc:`
 * URIs, their `details` JSON and their validation.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { vectorKeys } from './helpers/vectors';
import {
  conditionUri, Ed25519, fromDetails, Fulfillment, fulfillmentForOwners, fulfillmentValid, InvertedThresholdSha256,
  parseFulfillmentUri, PreimageSha256, signFulfillment, ThresholdSha256, Timeout, toDetails, type Owners,
} from '../models/conditions';
import { InvalidFulfillment, KeypairMismatch } from '../models/errors';
import { decodeBase58, generateKeypair } from '../models/keys';
import { serialize } from '../models/serialize';
import type { JsonObject, JsonValue, PrivateKey, PublicKey } from '../models/types';

const V = vectorKeys();
const alice = { publicKey: V.alice!.public_base58 as PublicKey, privateKey: V.alice!.private_base58 as PrivateKey };
const bob = { publicKey: V.bob!.public_base58 as PublicKey, privateKey: V.bob!.private_base58 as PrivateKey };
const carol = { publicKey: V.carol!.public_base58 as PublicKey, privateKey: V.carol!.private_base58 as PrivateKey };
const dave = { publicKey: V.dave!.public_base58 as PublicKey, privateKey: V.dave!.private_base58 as PrivateKey };
const ALL_KEYS = new Map<string, PrivateKey>([alice, bob, carol, dave].map((k) => [k.publicKey, k.privateKey]));

const MESSAGE = Buffer.from('the message every owner signs', 'utf8');
const OTHER_MESSAGE = Buffer.from('another message', 'utf8');
const NOW = 1485511200;

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const sha256 = (bytes: Uint8Array | string): Buffer => createHash('sha256').update(bytes).digest();
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function signed(owners: Owners, message: Uint8Array = MESSAGE): Fulfillment {
  const f = fulfillmentForOwners(owners);
  signFulfillment(f, message, ALL_KEYS);
  return f;
}

function signedEd25519(key: { publicKey: PublicKey }, message: Uint8Array = MESSAGE): Ed25519 {
  return signed([key.publicKey], message) as Ed25519;
}

function preimage(text: string): PreimageSha256 {
  const f = new PreimageSha256();
  f.setPreimage(Buffer.from(text, 'utf8'));
  return f;
}

function timeout(expireTime: string): Timeout {
  const f = new Timeout();
  f.setPreimage(Buffer.from(expireTime, 'utf8'));
  return f;
}

/** Threshold `threshold` over [fulfillment, weight] pairs, of the class given. */
function threshold(
  threshold: number,
  subs: [Fulfillment, number][],
  Cls: typeof ThresholdSha256 = ThresholdSha256,
): ThresholdSha256 {
  const f = new Cls();
  f.setThreshold(threshold);
  for (const [sub, weight] of subs) f.addSubfulfillment(sub, weight);
  return f;
}

/** The URI round trip every type must pass: parse back to the same cf: and cc: URIs and type. */
function assertUriRoundTrip(f: Fulfillment, typeId: number): Fulfillment {
  const uri = f.serializeUri();
  assert.ok(uri.startsWith(`cf:${typeId.toString(16)}:`), uri);
  const back = parseFulfillmentUri(uri);
  assert.equal(back.getTypeId(), typeId);
  assert.equal(back.serializeUri(), uri);
  assert.equal(conditionUri(back), conditionUri(f));
  return back;
}

/** toDetails → JSON → fromDetails → toDetails is the identity, and the condition is unchanged. */
function assertDetailsRoundTrip(f: Fulfillment): JsonObject {
  const details = clone(toDetails(f));
  const back = fromDetails(details);
  assert.equal(serialize(toDetails(back)), serialize(details));
  assert.equal(conditionUri(back), conditionUri(f));
  return details;
}

function rejectsDetails(details: JsonValue, why: string): void {
  assert.throws(() => fromDetails(details), InvalidFulfillment, why);
}

describe('preimage-SHA-256 (type 0)', () => {
  const f = preimage('hello');

  test('fulfillment URI is cf:0:<base64url preimage> and parses back to the same URIs', () => {
    assert.equal(f.serializeUri(), 'cf:0:' + b64url(Buffer.from('hello')));
    const back = assertUriRoundTrip(f, 0);
    assert.ok(back instanceof PreimageSha256);
    assert.equal((back as PreimageSha256).preimage.toString('utf8'), 'hello');
  });

  test('condition URI is cc:0:3:<sha256 of preimage>:<preimage length>', () => {
    assert.equal(conditionUri(f), `cc:0:3:${b64url(sha256('hello'))}:5`);
  });

  test('details are {bitmask 3, preimage, type, type_id 0} and round trip exactly', () => {
    const details = assertDetailsRoundTrip(f);
    assert.equal(serialize(details), '{"bitmask":3,"preimage":"hello","type":"fulfillment","type_id":0}');
  });

  test('a preimage fulfillment is valid for any message', () => {
    assert.equal(fulfillmentValid(f, MESSAGE, NOW), true);
    assert.equal(fulfillmentValid(parseFulfillmentUri(f.serializeUri()), OTHER_MESSAGE, NOW), true);
  });
});

describe('Ed25519 (type 4)', () => {
  test('condition of one owner matches the 0.8.2 vector cc:4:20:…:96 and its fingerprint is the public key', () => {
    const f = fulfillmentForOwners([alice.publicKey]);
    assert.equal(f.getTypeId(), 4);
    assert.equal(conditionUri(f), 'cc:4:20:aYnbA2c-2Z7PypLcEcok1oDRree6JIUXyPmrFZtBQ_Y:96');
    assert.equal(conditionUri(f), `cc:4:20:${b64url(decodeBase58(alice.publicKey)!)}:96`);
  });

  test('unsigned details match the 0.8.2 vector field for field', () => {
    const details = toDetails(fulfillmentForOwners([alice.publicKey]));
    assert.equal(
      serialize(details),
      '{"bitmask":32,"public_key":"86yjFHuEFDNQhwDcTVANVBrBnUtHeKK3ALnU7wyNgwGH","signature":null,"type":"fulfillment","type_id":4}',
    );
    assertDetailsRoundTrip(fulfillmentForOwners([alice.publicKey]));
  });

  test('signed fulfillment URI is cf:4:<base64url public key ‖ signature> and parses back to the same URIs', () => {
    const f = signedEd25519(alice);
    const payload = Buffer.concat([decodeBase58(alice.publicKey)!, f.signature!]);
    assert.equal(f.signature!.length, 64);
    assert.equal(f.serializeUri(), 'cf:4:' + b64url(payload));
    const back = assertUriRoundTrip(f, 4) as Ed25519;
    assert.ok(back instanceof Ed25519);
    assert.deepEqual(back.signature, f.signature);
    assert.equal(fulfillmentValid(back, MESSAGE, NOW), true);
  });

  test('signed details round trip exactly, including the 0.8.2 signed vector', () => {
    const details = assertDetailsRoundTrip(signedEd25519(alice));
    assert.equal(typeof details.signature, 'string');
    const vector = {
      bitmask: 32,
      public_key: '86yjFHuEFDNQhwDcTVANVBrBnUtHeKK3ALnU7wyNgwGH',
      signature: 'mZWMVHCK5kk9Apr8NCzBaecHsESJcY3YaAAYcnYfB287UsS2hKpSSouXqK6f6DHseGDMdHAyTaXeayWEZqaGRk2',
      type: 'fulfillment',
      type_id: 4,
    };
    assert.equal(serialize(toDetails(fromDetails(vector))), serialize(vector));
  });

  test('valid for the signed message, invalid for another message', () => {
    const f = signedEd25519(alice);
    assert.equal(fulfillmentValid(f, MESSAGE, NOW), true);
    assert.equal(fulfillmentValid(f, OTHER_MESSAGE, NOW), false);
  });

  test('an unsigned Ed25519 fulfillment is invalid', () => {
    assert.equal(fulfillmentValid(fulfillmentForOwners([alice.publicKey]), MESSAGE, NOW), false);
  });

  test('a signature by another key under this public key is invalid', () => {
    const f = fulfillmentForOwners([alice.publicKey]) as Ed25519;
    f.setSignature(signedEd25519(bob).signature!);
    assert.equal(fulfillmentValid(f, MESSAGE, NOW), false);
  });

  test('a generated keypair signs a fulfillment that verifies', () => {
    const k = generateKeypair();
    const f = fulfillmentForOwners([k.publicKey]);
    signFulfillment(f, MESSAGE, new Map([[k.publicKey, k.privateKey]]));
    assert.equal(fulfillmentValid(parseFulfillmentUri(f.serializeUri()), MESSAGE, NOW), true);
  });
});

describe('threshold-SHA-256 (type 2)', () => {
  test('two owners make a 2-of-2 threshold whose condition matches the 0.8.2 vector cc:2:29:…:206', () => {
    const f = fulfillmentForOwners([bob.publicKey, carol.publicKey]) as ThresholdSha256;
    assert.equal(f.getTypeId(), 2);
    assert.equal(f.threshold, 2);
    assert.deepEqual(f.subconditions.map((s) => s.weight), [1, 1]);
    assert.equal(conditionUri(f), 'cc:2:29:btpQ9b01T3Da6KjCUSii7HGBM_XM9d4t2C0j3ULBx1U:206');
  });

  test('2-of-2 details match the 0.8.2 vector and round trip exactly', () => {
    const f = fulfillmentForOwners([bob.publicKey, carol.publicKey]);
    const sub = (pub: string): string =>
      `{"bitmask":32,"public_key":"${pub}","signature":null,"type":"fulfillment","type_id":4,"weight":1}`;
    assert.equal(
      serialize(toDetails(f)),
      `{"bitmask":41,"subfulfillments":[${sub(bob.publicKey)},${sub(carol.publicKey)}],"threshold":2,"type":"fulfillment","type_id":2}`,
    );
    assertDetailsRoundTrip(f);
    assertDetailsRoundTrip(signed([bob.publicKey, carol.publicKey]));
  });

  test('signed 2-of-2 fulfillment URI parses back to the same URIs and stays valid', () => {
    const f = signed([bob.publicKey, carol.publicKey]);
    const back = assertUriRoundTrip(f, 2);
    assert.ok(back instanceof ThresholdSha256);
    assert.equal(fulfillmentValid(back, MESSAGE, NOW), true);
  });

  test('a nested owner list makes a threshold inside a threshold, with the exact details shape', () => {
    const f = fulfillmentForOwners([alice.publicKey, [bob.publicKey, carol.publicKey]]) as ThresholdSha256;
    assert.equal(f.threshold, 2);
    assert.equal(f.getBitmask(), 0x29);
    const d = toDetails(f) as { subfulfillments: JsonObject[] } & JsonObject;
    assert.equal(d.type_id, 2);
    assert.equal(d.threshold, 2);
    assert.deepEqual(d.subfulfillments.map((s) => [s.type_id, s.weight]), [[4, 1], [2, 1]]);
    const inner = d.subfulfillments[1] as { subfulfillments: JsonObject[] } & JsonObject;
    assert.equal(inner.threshold, 2);
    assert.equal(inner.bitmask, 41);
    assert.deepEqual(inner.subfulfillments.map((s) => s.public_key), [bob.publicKey, carol.publicKey]);
    assertDetailsRoundTrip(f);
  });

  test('a signed nested threshold round trips through URI and details and is valid', () => {
    const f = signed([alice.publicKey, [bob.publicKey, carol.publicKey]]);
    const back = assertUriRoundTrip(f, 2);
    assertDetailsRoundTrip(f);
    assert.equal(fulfillmentValid(f, MESSAGE, NOW), true);
    assert.equal(fulfillmentValid(back, MESSAGE, NOW), true);
    assert.equal(fulfillmentValid(signed([alice.publicKey, [bob.publicKey, carol.publicKey]], OTHER_MESSAGE), MESSAGE, NOW), false);
  });

  test('2-of-3 with one weight-2 child: details keep the weights and round trip; the URI keeps the condition', () => {
    const f = threshold(2, [[signedEd25519(alice), 2], [signedEd25519(bob), 1], [signedEd25519(carol), 1]]);
    const details = assertDetailsRoundTrip(f) as { subfulfillments: JsonObject[] } & JsonObject;
    assert.deepEqual(details.subfulfillments.map((s) => s.weight), [2, 1, 1]);
    assert.equal(details.threshold, 2);
    const back = assertUriRoundTrip(f, 2);
    assert.equal(fulfillmentValid(back, MESSAGE, NOW), true);
  });

  test('the weight-2 child alone meets a threshold of 2; one weight-1 child alone does not', () => {
    const a = fulfillmentForOwners([alice.publicKey]);
    const b = fulfillmentForOwners([bob.publicKey]);
    const c = fulfillmentForOwners([carol.publicKey]);
    const heavyOnly = new ThresholdSha256();
    heavyOnly.setThreshold(2);
    heavyOnly.addSubfulfillment(signedEd25519(alice), 2);
    heavyOnly.addSubcondition(b.getCondition(), 1);
    heavyOnly.addSubcondition(c.getCondition(), 1);
    assert.equal(fulfillmentValid(heavyOnly, MESSAGE, NOW), true);
    assert.equal(conditionUri(heavyOnly), conditionUri(threshold(2, [[a, 2], [b, 1], [c, 1]])));
    assertUriRoundTrip(heavyOnly, 2);
    assertDetailsRoundTrip(heavyOnly);

    const lightOnly = new ThresholdSha256();
    lightOnly.setThreshold(2);
    lightOnly.addSubcondition(a.getCondition(), 2);
    lightOnly.addSubfulfillment(signedEd25519(bob), 1);
    lightOnly.addSubcondition(c.getCondition(), 1);
    assert.equal(fulfillmentValid(lightOnly, MESSAGE, NOW), false);
  });

  test('threshold met: 2-of-2 with both signatures valid; not met when one signature is over another message', () => {
    assert.equal(fulfillmentValid(threshold(2, [[signedEd25519(bob), 1], [signedEd25519(carol), 1]]), MESSAGE, NOW), true);
    assert.equal(fulfillmentValid(threshold(2, [[signedEd25519(bob), 1], [signedEd25519(carol, OTHER_MESSAGE), 1]]), MESSAGE, NOW), false);
  });

  test('threshold not met: 2-of-2 with only one subfulfillment and one bare subcondition', () => {
    const f = new ThresholdSha256();
    f.setThreshold(2);
    f.addSubfulfillment(signedEd25519(bob), 1);
    f.addSubcondition(fulfillmentForOwners([carol.publicKey]).getCondition(), 1);
    assert.equal(fulfillmentValid(f, MESSAGE, NOW), false);
  });

  test('threshold not met: 2-of-2 where one owner has not signed', () => {
    const f = fulfillmentForOwners([bob.publicKey, carol.publicKey]) as ThresholdSha256;
    signFulfillment(f.subconditions[0]!.body as Fulfillment, MESSAGE, ALL_KEYS);
    assert.equal(fulfillmentValid(f, MESSAGE, NOW), false);
  });

  test('signFulfillment throws KeypairMismatch when an owner of the threshold has no key', () => {
    const f = fulfillmentForOwners([alice.publicKey, bob.publicKey]);
    assert.throws(
      () => signFulfillment(f, MESSAGE, new Map([[alice.publicKey, alice.privateKey]])),
      KeypairMismatch,
    );
    assert.throws(
      () => signFulfillment(fulfillmentForOwners([carol.publicKey]), MESSAGE, new Map([[alice.publicKey, alice.privateKey]])),
      KeypairMismatch,
    );
  });

  test('fulfillmentForOwners refuses no owners and a malformed owner key with InvalidFulfillment', () => {
    assert.throws(() => fulfillmentForOwners([]), InvalidFulfillment);
    assert.throws(() => fulfillmentForOwners(['not-base58-0OIl' as PublicKey]), InvalidFulfillment);
    assert.throws(() => fulfillmentForOwners(['1111' as PublicKey, alice.publicKey]), InvalidFulfillment);
  });
});

describe('inverted threshold (type 98)', () => {
  const build = (sub: Fulfillment, t = 1, weight = 1): ThresholdSha256 =>
    threshold(t, [[sub, weight]], InvertedThresholdSha256);

  test('fulfillment URI is cf:62:… and parses back to an InvertedThresholdSha256 with the same URIs', () => {
    const f = build(signedEd25519(alice));
    const back = assertUriRoundTrip(f, 98);
    assert.ok(back instanceof InvertedThresholdSha256);
    assert.match(conditionUri(f), /^cc:62:29:[A-Za-z0-9_-]{43}:\d+$/);
  });

  test('the condition carries type hex 62 where the plain threshold over the same child carries 2, with the same bitmask', () => {
    const inv = conditionUri(build(signedEd25519(alice)));
    const plain = conditionUri(threshold(1, [[signedEd25519(alice), 1]]));
    assert.equal(inv.split(':')[1], '62');
    assert.equal(plain.split(':')[1], '2');
    assert.equal(inv.split(':')[2], plain.split(':')[2]);
  });

  test('details carry type_id 98 and round trip exactly', () => {
    const details = assertDetailsRoundTrip(build(signedEd25519(alice)));
    assert.equal(details.type_id, 98);
    assert.equal(details.bitmask, 41);
    assert.equal(details.threshold, 1);
    assertDetailsRoundTrip(threshold(2, [[fulfillmentForOwners([bob.publicKey]), 1], [fulfillmentForOwners([carol.publicKey]), 1]], InvertedThresholdSha256));
  });

  test('valid when enough weight is present and a subfulfillment fails', () => {
    assert.equal(fulfillmentValid(build(signedEd25519(alice, OTHER_MESSAGE)), MESSAGE, NOW), true);
    const twoOfTwo = threshold(2, [[signedEd25519(bob), 1], [signedEd25519(carol, OTHER_MESSAGE), 1]], InvertedThresholdSha256);
    assert.equal(fulfillmentValid(twoOfTwo, MESSAGE, NOW), true);
  });

  test('invalid when every subfulfillment holds', () => {
    assert.equal(fulfillmentValid(build(signedEd25519(alice)), MESSAGE, NOW), false);
    const twoOfTwo = threshold(2, [[signedEd25519(bob), 1], [signedEd25519(carol), 1]], InvertedThresholdSha256);
    assert.equal(fulfillmentValid(twoOfTwo, MESSAGE, NOW), false);
  });

  test('invalid when the fulfilled weight is below the threshold, even if a subfulfillment fails', () => {
    const f = new InvertedThresholdSha256();
    f.setThreshold(2);
    f.addSubfulfillment(signedEd25519(bob, OTHER_MESSAGE), 1);
    f.addSubcondition(fulfillmentForOwners([carol.publicKey]).getCondition(), 1);
    assert.equal(fulfillmentValid(f, MESSAGE, NOW), false);
  });

  test('validity survives the URI round trip', () => {
    const f = build(signedEd25519(alice, OTHER_MESSAGE));
    assert.equal(fulfillmentValid(parseFulfillmentUri(f.serializeUri()), MESSAGE, NOW), true);
    assert.equal(fulfillmentValid(parseFulfillmentUri(f.serializeUri()), OTHER_MESSAGE, NOW), false);
  });
});

describe('timeout (type 99)', () => {
  const f = timeout('1485511200');

  test('fulfillment URI is cf:63:<base64url expire time> and parses back to a Timeout with the same URIs', () => {
    assert.equal(f.serializeUri(), 'cf:63:' + b64url(Buffer.from('1485511200')));
    const back = assertUriRoundTrip(f, 99);
    assert.ok(back instanceof Timeout);
  });

  test('condition URI is cc:63:9:<sha256 of the expire time>:10', () => {
    assert.equal(conditionUri(f), `cc:63:9:${b64url(sha256('1485511200'))}:10`);
  });

  test('details are {bitmask 9, expire_time, type, type_id 99} and round trip exactly', () => {
    assert.equal(serialize(assertDetailsRoundTrip(f)), '{"bitmask":9,"expire_time":"1485511200","type":"fulfillment","type_id":99}');
    assert.equal(assertDetailsRoundTrip(timeout('1485511200.25')).expire_time, '1485511200.25');
  });

  test('valid iff now ≤ expiry', () => {
    assert.equal(fulfillmentValid(f, MESSAGE, 1485511199), true);
    assert.equal(fulfillmentValid(f, MESSAGE, 1485511200), true);
    assert.equal(fulfillmentValid(f, MESSAGE, 1485511200.001), false);
    assert.equal(fulfillmentValid(f, MESSAGE, 1485511201), false);
  });

  test('a fractional expiry is honoured to the fraction', () => {
    const g = timeout('1485511200.5');
    assert.equal(fulfillmentValid(g, MESSAGE, 1485511200.5), true);
    assert.equal(fulfillmentValid(g, MESSAGE, 1485511200.6), false);
  });

  test('a timeout parsed from a URI whose expiry is not Unix seconds is never valid', () => {
    for (const text of [' 1485511200 ', 'Infinity', '1e10', '148551120']) {
      const parsed = parseFulfillmentUri(timeout(text).serializeUri());
      assert.equal(fulfillmentValid(parsed, MESSAGE, 0), false, JSON.stringify(text));
    }
  });

  test('a timeout inside a threshold validates with the given now', () => {
    const t = threshold(2, [[signedEd25519(alice), 1], [timeout('1485511200'), 1]]);
    assert.equal(fulfillmentValid(t, MESSAGE, 1485511200), true);
    assert.equal(fulfillmentValid(t, MESSAGE, 1485511300), false);
    assert.equal(fulfillmentValid(parseFulfillmentUri(t.serializeUri()), MESSAGE, 1485511100), true);
  });
});

describe('fromDetails rejects what 0.8 would not write', () => {
  const ed = (): JsonObject => clone(toDetails(fulfillmentForOwners([alice.publicKey])));
  const th = (): JsonObject => clone(toDetails(fulfillmentForOwners([bob.publicKey, carol.publicKey])));
  const to = (): JsonObject => clone(toDetails(timeout('1485511200')));
  const subs = (d: JsonObject): JsonObject[] => d.subfulfillments as JsonObject[];

  test('accepts the unmodified details it is given below (control)', () => {
    for (const d of [ed(), th(), to(), clone(toDetails(preimage('x')))]) assert.doesNotThrow(() => fromDetails(d));
  });

  test('an extra field, at the top or in a subfulfillment', () => {
    rejectsDetails({ ...ed(), extra: 1 }, 'extra top-level field');
    rejectsDetails({ ...th(), uri: 'cc:2:29:x:206' }, 'extra threshold field');
    const d = th();
    subs(d)[0]!.extra = null;
    rejectsDetails(d, 'extra subfulfillment field');
    rejectsDetails({ ...to(), preimage: '1485511200' }, 'preimage next to expire_time');
  });

  test('a missing field', () => {
    for (const key of ['signature', 'public_key', 'bitmask', 'type', 'type_id']) {
      const d = ed();
      delete d[key];
      rejectsDetails(d, `Ed25519 without ${key}`);
    }
    for (const key of ['threshold', 'subfulfillments', 'bitmask']) {
      const d = th();
      delete d[key];
      rejectsDetails(d, `threshold without ${key}`);
    }
    const noWeight = th();
    delete subs(noWeight)[1]!.weight;
    rejectsDetails(noWeight, 'subfulfillment without weight');
    const noExpiry = to();
    delete noExpiry.expire_time;
    rejectsDetails(noExpiry, 'timeout without expire_time');
  });

  test('a wrong bitmask', () => {
    rejectsDetails({ ...ed(), bitmask: 33 }, 'Ed25519 bitmask 33');
    rejectsDetails({ ...th(), bitmask: 9 }, 'threshold bitmask 9');
    rejectsDetails({ ...to(), bitmask: 3 }, 'timeout bitmask 3');
    const d = th();
    subs(d)[0]!.bitmask = 41;
    rejectsDetails(d, 'subfulfillment bitmask 41');
  });

  test('a public key that is not base58, or not 32 bytes', () => {
    rejectsDetails({ ...ed(), public_key: '0OIl' + alice.publicKey.slice(4) }, 'characters outside base58');
    rejectsDetails({ ...ed(), public_key: alice.publicKey.slice(0, 20) }, 'too short');
    rejectsDetails({ ...ed(), public_key: 42 }, 'a number');
    const d = th();
    subs(d)[1]!.public_key = 'not a key!';
    rejectsDetails(d, 'bad key in a subfulfillment');
  });

  test('a signature that is not base58 of 64 bytes', () => {
    rejectsDetails({ ...ed(), signature: 'abc' }, 'short signature');
    rejectsDetails({ ...ed(), signature: '' }, 'empty signature');
  });

  test('a threshold that is not a positive integer', () => {
    for (const t of [0, -1, 1.5, '2', null]) rejectsDetails({ ...th(), threshold: t }, `threshold ${String(t)}`);
  });

  test('a weight that is not a positive integer', () => {
    for (const w of [0, -2, 0.5, '1', null]) {
      const d = th();
      subs(d)[0]!.weight = w;
      rejectsDetails(d, `weight ${String(w)}`);
    }
  });

  test('an empty subfulfillments list', () => {
    rejectsDetails({ ...th(), subfulfillments: [] }, 'no subfulfillments');
  });

  test('a timeout expire_time not matching ^\\d{10}(\\.\\d+)?$', () => {
    for (const t of ['148551120', '14855112000', '1485511200.', '.5', 'abcdefghij', ' 1485511200', '1485511200 ', '1485511200.5x', '-148551120', '1e9']) {
      rejectsDetails({ ...to(), expire_time: t }, `expire_time ${JSON.stringify(t)}`);
    }
    rejectsDetails({ ...to(), expire_time: 1485511200 }, 'expire_time as a number');
    assert.equal(toDetails(fromDetails({ ...to(), expire_time: '1485511200.123' })).expire_time, '1485511200.123');
  });

  test('an unknown type_id, a condition at the top, or a value that is not an object', () => {
    rejectsDetails({ ...ed(), type_id: 1 }, 'type_id 1');
    rejectsDetails({ ...ed(), type_id: 3 }, 'type_id 3');
    rejectsDetails({ ...ed(), type: 'condition' }, 'type condition');
    rejectsDetails(null, 'null');
    rejectsDetails([ed()], 'an array');
    rejectsDetails('cc:4:20:x:96', 'a string');
  });
});

describe('parseFulfillmentUri rejects what does not parse', () => {
  test('garbage and condition URIs', () => {
    for (const uri of ['', 'garbage', 'cf:', 'cf:4', 'cc:4:20:aYnbA2c-2Z7PypLcEcok1oDRree6JIUXyPmrFZtBQ_Y:96', 'CF:0:aGVsbG8']) {
      assert.throws(() => parseFulfillmentUri(uri), InvalidFulfillment, JSON.stringify(uri));
    }
  });

  test('unknown type ids (1, 3, 7, 64, ff)', () => {
    for (const type of ['1', '3', '7', '64', 'ff']) {
      assert.throws(() => parseFulfillmentUri(`cf:${type}:AAAA`), InvalidFulfillment, type);
    }
  });

  test('truncated Ed25519 and threshold payloads', () => {
    const ed = signedEd25519(alice).serializeUri();
    assert.throws(() => parseFulfillmentUri(ed.slice(0, -10)), InvalidFulfillment);
    assert.throws(() => parseFulfillmentUri('cf:4:AAAA'), InvalidFulfillment);
    assert.throws(() => parseFulfillmentUri('cf:4:'), InvalidFulfillment);
    const th = signed([bob.publicKey, carol.publicKey]).serializeUri();
    assert.throws(() => parseFulfillmentUri(th.slice(0, -10)), InvalidFulfillment);
    assert.throws(() => parseFulfillmentUri('cf:2:'), InvalidFulfillment);
    const inv = threshold(1, [[signedEd25519(alice), 1]], InvertedThresholdSha256).serializeUri();
    assert.throws(() => parseFulfillmentUri(inv.slice(0, -10)), InvalidFulfillment);
    assert.throws(() => parseFulfillmentUri('cf:62:'), InvalidFulfillment);
  });

  test('a fulfillment with bytes after it, or in another spelling, is refused: one fulfillment, one text', () => {
    const ed = signedEd25519(alice).serializeUri();
    const [, type, payload] = ed.split(':');
    const withTrailing = `cf:${type}:${Buffer.concat([Buffer.from(payload!, 'base64url'), Buffer.from([0, 1, 2])]).toString('base64url')}`;
    assert.equal(parseFulfillmentUri(ed).serializeUri(), ed, 'the canonical text parses');
    assert.throws(() => parseFulfillmentUri(withTrailing), /not canonical/);
    assert.throws(() => parseFulfillmentUri(`cf:${type}:${payload}=`), InvalidFulfillment, 'base64 padding');
    assert.throws(() => parseFulfillmentUri(`cf:0${type}:${payload}`), InvalidFulfillment, 'a type id with a leading zero');
  });
});
