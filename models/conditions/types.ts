/**
 * The five crypto-condition types 0.8 knows: five-bells-condition's
 * preimage (0), threshold (2) and Ed25519 (4), plus the two BigchainDB types
 * registered here so that URIs holding them parse anywhere in a tree.
 */
import { Ed25519, Fulfillment, PreimageSha256, ThresholdSha256, TypeRegistry } from 'five-bells-condition';

export const TYPE_PREIMAGE = 0;
export const TYPE_THRESHOLD = 2;
export const TYPE_ED25519 = 4;
export const TYPE_INVERTED_THRESHOLD = 98;
export const TYPE_TIMEOUT = 99;

/** Valid iff the threshold it wraps is not (SPEC.md §3). */
export class InvertedThresholdSha256 extends ThresholdSha256 {
  static override TYPE_ID = TYPE_INVERTED_THRESHOLD;
}

/** A preimage whose preimage is the expiry time; valid until then (SPEC.md §3). */
export class Timeout extends PreimageSha256 {
  static override TYPE_ID = TYPE_TIMEOUT;
  static override FEATURE_BITMASK = 0x09;
}

/** The expiry format 0.8's timeout condition accepts. */
export const EXPIRE_TIME_PATTERN = /^\d{10}(\.\d+)?$/;

TypeRegistry.registerType(InvertedThresholdSha256);
TypeRegistry.registerType(Timeout);

export { Ed25519, Fulfillment, PreimageSha256, ThresholdSha256 };
export { Condition } from 'five-bells-condition';
