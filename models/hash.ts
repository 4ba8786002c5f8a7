import { createHash } from 'node:crypto';
import type { Hash } from './types';

/** SHA3-256 (FIPS-202) of the UTF-8 bytes of `text`, lowercase hex. */
export function sha3Hex(text: string | Uint8Array): Hash {
  return createHash('sha3-256').update(text).digest('hex') as Hash;
}
