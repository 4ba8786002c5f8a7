/**
 * Whether a fulfillment tree satisfies its condition for a message. Walks the
 * tree itself so that Ed25519 leaves verify through libsodium (keys.ts) rather than
 * five-bells-condition's tweetnacl.
 */
import { verifyBytes } from '../keys';
import {
  type Ed25519, EXPIRE_TIME_PATTERN, type Fulfillment, type ThresholdSha256, type Timeout,
  TYPE_ED25519, TYPE_INVERTED_THRESHOLD, TYPE_PREIMAGE, TYPE_THRESHOLD, TYPE_TIMEOUT,
} from './types';

/**
 * `now` is Unix seconds, used by timeout conditions only.
 *
 * Threshold rule as 0.8's library had it: the fulfilled subconditions must
 * carry at least `threshold` weight (otherwise both the threshold and its
 * inverse fail), and then the threshold holds iff every given
 * subfulfillment holds, the inverted threshold iff one of them does not.
 */
export function fulfillmentValid(fulfillment: Fulfillment, message: Uint8Array, now: number): boolean {
  switch (fulfillment.getTypeId()) {
    case TYPE_ED25519: {
      const f = fulfillment as Ed25519;
      return f.publicKey !== null && f.signature !== null && verifyBytes(message, f.signature, f.publicKey);
    }
    case TYPE_THRESHOLD:
      return thresholdMet(fulfillment as ThresholdSha256) && allSubfulfillmentsValid(fulfillment as ThresholdSha256, message, now);
    case TYPE_INVERTED_THRESHOLD:
      return thresholdMet(fulfillment as ThresholdSha256) && !allSubfulfillmentsValid(fulfillment as ThresholdSha256, message, now);
    case TYPE_PREIMAGE:
      return true;
    case TYPE_TIMEOUT: {
      const expireTime = (fulfillment as Timeout).preimage.toString('utf8');
      return EXPIRE_TIME_PATTERN.test(expireTime) && now <= Number(expireTime);
    }
    default:
      return false;
  }
}

function fulfilled(f: ThresholdSha256): { weight: number; body: Fulfillment }[] {
  return f.subconditions.filter((s) => s.type === 'fulfillment') as { weight: number; body: Fulfillment }[];
}

function thresholdMet(f: ThresholdSha256): boolean {
  return fulfilled(f).reduce((total, s) => total + s.weight, 0) >= f.threshold;
}

function allSubfulfillmentsValid(f: ThresholdSha256, message: Uint8Array, now: number): boolean {
  return fulfilled(f).every((s) => fulfillmentValid(s.body, message, now));
}
