/**
 * Conversion between a fulfillment object and the 0.8 `details` JSON, field
 * for field as the original Python library wrote it. `details` enters the
 * transaction id, so `fromDetails` accepts only objects that `toDetails`
 * would write back byte for byte.
 */
import { InvalidFulfillment } from '../errors';
import { decodeBase58, encodeBase58 } from '../keys';
import { serialize } from '../serialize';
import type { JsonObject, JsonValue } from '../types';
import {
  Condition, Ed25519, EXPIRE_TIME_PATTERN, Fulfillment, InvertedThresholdSha256, PreimageSha256,
  ThresholdSha256, Timeout, TYPE_ED25519, TYPE_INVERTED_THRESHOLD, TYPE_PREIMAGE, TYPE_THRESHOLD, TYPE_TIMEOUT,
} from './types';

/** The details JSON of a fulfillment (signed or not). */
export function toDetails(fulfillment: Fulfillment): JsonObject {
  const head = { type: 'fulfillment', type_id: fulfillment.getTypeId(), bitmask: fulfillment.getBitmask() };
  switch (fulfillment.getTypeId()) {
    case TYPE_ED25519: {
      const f = fulfillment as Ed25519;
      return {
        ...head,
        public_key: f.publicKey ? encodeBase58(f.publicKey) : null,
        signature: f.signature ? encodeBase58(f.signature) : null,
      };
    }
    case TYPE_THRESHOLD:
    case TYPE_INVERTED_THRESHOLD: {
      const f = fulfillment as ThresholdSha256;
      const subfulfillments = f.subconditions.map((sub) => ({
        ...(sub.type === 'fulfillment' ? toDetails(sub.body as Fulfillment) : conditionDetails(sub.body as Condition)),
        weight: sub.weight,
      }));
      return { ...head, threshold: f.threshold, subfulfillments };
    }
    case TYPE_PREIMAGE:
      return { ...head, preimage: (fulfillment as PreimageSha256).preimage.toString('utf8') };
    case TYPE_TIMEOUT:
      return { ...head, expire_time: (fulfillment as Timeout).preimage.toString('utf8') };
    default:
      throw new InvalidFulfillment(`fulfillment type ${fulfillment.getTypeId()} is not supported`);
  }
}

function conditionDetails(condition: Condition): JsonObject {
  return {
    type: 'condition',
    type_id: condition.getTypeId(),
    bitmask: condition.getBitmask(),
    hash: encodeBase58(condition.getHash()),
    max_fulfillment_length: condition.getMaxFulfillmentLength(),
  };
}

/**
 * The fulfillment a details object describes. Throws `InvalidFulfillment` when
 * a field is missing, extra, of the wrong type, or inconsistent (a bitmask that
 * does not match the tree, say).
 */
export function fromDetails(details: JsonValue): Fulfillment {
  const expected = serialize(details);
  const fulfillment = parseFulfillmentDetails(details, 'details');
  if (serialize(toDetails(fulfillment)) !== expected) {
    throw new InvalidFulfillment('details carry fields or values that 0.8 would not write for this fulfillment');
  }
  return fulfillment;
}

function parseFulfillmentDetails(details: JsonValue, path: string): Fulfillment {
  const d = asObject(details, path);
  if (d.type !== 'fulfillment') throw new InvalidFulfillment(`${path}.type must be "fulfillment"`);
  switch (d.type_id) {
    case TYPE_ED25519:
      return ed25519FromDetails(d, path);
    case TYPE_THRESHOLD:
      return thresholdFromDetails(new ThresholdSha256(), d, path);
    case TYPE_INVERTED_THRESHOLD:
      return thresholdFromDetails(new InvertedThresholdSha256(), d, path);
    case TYPE_PREIMAGE: {
      const f = new PreimageSha256();
      f.setPreimage(Buffer.from(stringField(d, 'preimage', path), 'utf8'));
      return f;
    }
    case TYPE_TIMEOUT: {
      const expireTime = stringField(d, 'expire_time', path);
      if (!EXPIRE_TIME_PATTERN.test(expireTime)) {
        throw new InvalidFulfillment(`${path}.expire_time must be Unix seconds like "1485511200", was "${expireTime}"`);
      }
      const f = new Timeout();
      f.setPreimage(Buffer.from(expireTime, 'utf8'));
      return f;
    }
    default:
      throw new InvalidFulfillment(`${path}.type_id ${JSON.stringify(d.type_id)} is not a supported condition type`);
  }
}

function ed25519FromDetails(d: JsonObject, path: string): Ed25519 {
  const f = new Ed25519();
  f.setPublicKey(bytesField(d, 'public_key', 32, path));
  if (d.signature !== null) f.setSignature(bytesField(d, 'signature', 64, path));
  return f;
}

function thresholdFromDetails(f: ThresholdSha256, d: JsonObject, path: string): ThresholdSha256 {
  f.setThreshold(positiveInteger(d.threshold, `${path}.threshold`));
  const subs = d.subfulfillments;
  if (!Array.isArray(subs) || subs.length === 0) {
    throw new InvalidFulfillment(`${path}.subfulfillments must be a non-empty list`);
  }
  subs.forEach((sub, i) => {
    const subPath = `${path}.subfulfillments[${i}]`;
    const s = asObject(sub, subPath);
    const weight = positiveInteger(s.weight, `${subPath}.weight`);
    if (s.type === 'condition') f.addSubcondition(conditionFromDetails(s, subPath), weight);
    else f.addSubfulfillment(parseFulfillmentDetails(withoutWeight(s), subPath), weight);
  });
  return f;
}

function conditionFromDetails(d: JsonObject, path: string): Condition {
  const c = new Condition();
  c.setTypeId(positiveInteger(d.type_id, `${path}.type_id`, 0));
  c.setBitmask(positiveInteger(d.bitmask, `${path}.bitmask`));
  c.setHash(bytesField(d, 'hash', 32, path));
  c.setMaxFulfillmentLength(positiveInteger(d.max_fulfillment_length, `${path}.max_fulfillment_length`, 0));
  return c;
}

function withoutWeight(d: JsonObject): JsonObject {
  const { weight: _weight, ...rest } = d;
  return rest;
}

function asObject(value: JsonValue | undefined, path: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidFulfillment(`${path} must be an object`);
  }
  return value;
}

function stringField(d: JsonObject, key: string, path: string): string {
  const value = d[key];
  if (typeof value !== 'string') throw new InvalidFulfillment(`${path}.${key} must be a string`);
  return value;
}

function bytesField(d: JsonObject, key: string, length: number, path: string): Buffer {
  const bytes = decodeBase58(stringField(d, key, path));
  if (bytes === null || bytes.length !== length) {
    throw new InvalidFulfillment(`${path}.${key} must be the base58 of ${length} bytes`);
  }
  return bytes;
}

function positiveInteger(value: JsonValue | undefined, path: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidFulfillment(`${path} must be an integer ≥ ${min}`);
  }
  return value;
}
