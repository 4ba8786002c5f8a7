/**
 * Crypto-conditions as 0.8 uses them: building the condition for a list of
 * owners, parsing and writing `cf:`/`cc:` URIs, signing and validating.
 */
import { InvalidFulfillment, KeypairMismatch } from '../errors';
import { decodeBase58, encodeBase58, signBytes } from '../keys';
import type { JsonValue, PrivateKey, PublicKey } from '../types';
import { fromDetails } from './details';
import { Ed25519, Fulfillment, ThresholdSha256, TYPE_ED25519 } from './types';

export { fromDetails, toDetails } from './details';
export { fulfillmentValid } from './validate';
export { Condition, Ed25519, Fulfillment, InvertedThresholdSha256, PreimageSha256, ThresholdSha256, Timeout } from './types';

/** Owners of an output: a key, or a list that becomes a threshold of all its members (nesting allowed). */
export type Owners = (PublicKey | Owners)[];

/**
 * The unsigned fulfillment for `owners`: one key → Ed25519; several → a
 * threshold needing every one of them, each with weight 1; a nested list →
 * a nested threshold.
 */
export function fulfillmentForOwners(owners: Owners): Fulfillment {
  if (owners.length === 0) throw new InvalidFulfillment('a condition needs at least one owner');
  if (owners.length === 1 && typeof owners[0] === 'string') return ed25519For(owners[0]);
  const threshold = new ThresholdSha256();
  threshold.setThreshold(owners.length);
  for (const owner of owners) {
    threshold.addSubfulfillment(typeof owner === 'string' ? ed25519For(owner) : fulfillmentForOwners(owner), 1);
  }
  return threshold;
}

function ed25519For(publicKey: PublicKey): Ed25519 {
  const raw = decodeBase58(publicKey);
  if (raw === null || raw.length !== 32) {
    throw new InvalidFulfillment(`owner ${JSON.stringify(publicKey)} is not the base58 of a 32-byte public key`);
  }
  const f = new Ed25519();
  f.setPublicKey(raw);
  return f;
}

/**
 * Parses a `cf:` URI; throws `InvalidFulfillment` with the parser's reason.
 * The parser ignores bytes after the fulfillment, so the URI must also be the
 * one the fulfillment writes back: otherwise one transaction id could be
 * stored under many fulfillment texts.
 */
export function parseFulfillmentUri(uri: string): Fulfillment {
  let fulfillment: Fulfillment;
  try {
    fulfillment = Fulfillment.fromUri(uri);
  } catch (err) {
    throw new InvalidFulfillment(`fulfillment URI does not parse: ${(err as Error).message}`);
  }
  if (fulfillment.serializeUri() !== uri) throw new InvalidFulfillment('fulfillment URI is not canonical: it has bytes beyond the fulfillment, or another encoding of it');
  return fulfillment;
}

/**
 * `conditionUri(fromDetails(details))`, with the same answer and the same
 * errors. The details of one unsigned Ed25519 key, every output's but a
 * threshold's, take a short way: that condition's hash is the key itself,
 * and building the fulfillment and writing its details back to compare
 * them had cost twice the rest of a CREATE's structure check.
 */
export function conditionUriOfDetails(details: JsonValue): string {
  return unsignedEd25519ConditionUri(details) ?? conditionUri(fromDetails(details));
}

/** The URI when `details` are exactly what `toDetails` writes for an unsigned Ed25519 key; null otherwise. */
function unsignedEd25519ConditionUri(details: JsonValue): string | null {
  if (details === null || typeof details !== 'object' || Array.isArray(details) || Object.keys(details).length !== 5) return null;
  const { type, type_id: typeId, bitmask, public_key: publicKey, signature } = details;
  if (type !== 'fulfillment' || typeId !== TYPE_ED25519 || bitmask !== Ed25519.FEATURE_BITMASK || signature !== null || typeof publicKey !== 'string') return null;
  // Base58 has one spelling per byte string (a leading '1' per leading zero byte, then digits without
  // leading zeros), so a key that decodes writes back as it came, as toDetails would write it.
  const key = decodeBase58(publicKey);
  if (key === null || key.length !== 32) return null;
  return `cc:${TYPE_ED25519.toString(16)}:${bitmask.toString(16)}:${key.toString('base64url')}:${ED25519_MAX_FULFILLMENT_LENGTH}`;
}

/** An Ed25519 fulfillment's bytes at most: public key and signature, as five-bells-condition counts them. */
const ED25519_MAX_FULFILLMENT_LENGTH = 96;

/** The `cc:` URI of a fulfillment's condition; throws `InvalidFulfillment` for an incomplete tree. */
export function conditionUri(fulfillment: Fulfillment): string {
  try {
    return fulfillment.getConditionUri();
  } catch (err) {
    throw new InvalidFulfillment(`condition cannot be derived: ${(err as Error).message}`);
  }
}

/**
 * Signs every Ed25519 leaf whose key is in `keys` (public key → private key).
 * Throws `KeypairMismatch` when a leaf's key is missing, as every owner of a
 * 0.8 threshold must sign.
 */
export function signFulfillment(fulfillment: Fulfillment, message: Uint8Array, keys: ReadonlyMap<string, PrivateKey>): void {
  if (fulfillment.getTypeId() === TYPE_ED25519) {
    const leaf = fulfillment as Ed25519;
    const publicKey = leaf.publicKey ? encodeBase58(leaf.publicKey) : '';
    const privateKey = keys.get(publicKey);
    if (privateKey === undefined) throw new KeypairMismatch(`no private key given for owner ${publicKey}`);
    leaf.setSignature(signBytes(message, privateKey));
    return;
  }
  if (fulfillment instanceof ThresholdSha256) {
    for (const sub of fulfillment.subconditions) {
      if (sub.type === 'fulfillment') signFulfillment(sub.body as Fulfillment, message, keys);
    }
  }
}

