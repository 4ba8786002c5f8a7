/**
 * Ed25519 keys and signatures in 0.8's base58 encodings (SPEC.md §2), on
 * libsodium (sodium-native): what 0.8.2 verified with through PyNaCl, so its
 * acceptance rules are the original's, and about 4× faster than node:crypto,
 * which must build an OpenSSL key object for every public key it meets.
 */
import sodium from 'sodium-native';
import bs58 from 'bs58';
import { KeypairMismatch } from './errors';
import type { PrivateKey, PublicKey, SignatureB58 } from './types';

const KEY_CACHE_LIMIT = 10_000;

export interface Keypair {
  readonly publicKey: PublicKey;
  readonly privateKey: PrivateKey;
}

/** Decodes base58, or returns null for text that is not base58. */
export function decodeBase58(text: string): Buffer | null {
  const bytes = bs58.decodeUnsafe(text);
  return bytes === undefined ? null : Buffer.from(bytes);
}

export function encodeBase58(bytes: Uint8Array): string {
  return bs58.encode(bytes);
}

/** A fresh random keypair. */
export function generateKeypair(): Keypair {
  const seed = Buffer.alloc(sodium.crypto_sign_SEEDBYTES);
  sodium.randombytes_buf(seed);
  return keypairFromPrivate(encodeBase58(seed) as PrivateKey);
}

/** The keypair of a base58 private key (the 32-byte seed). */
export function keypairFromPrivate(privateKey: PrivateKey): Keypair {
  return { privateKey, publicKey: expanded(privateKey).publicKey };
}

interface ExpandedKey {
  readonly publicKey: PublicKey;
  /** libsodium's 64-byte signing key: the seed, then the public key. */
  readonly secretKey: Buffer;
}

const expandedKeys = new Map<string, ExpandedKey>();

/** Cached: deriving the public key costs as much as a signature, and a node signs with one key. */
function expanded(privateKey: PrivateKey): ExpandedKey {
  let key = expandedKeys.get(privateKey);
  if (key === undefined) {
    const seed = decodeBase58(privateKey);
    if (seed === null || seed.length !== sodium.crypto_sign_SEEDBYTES) {
      throw new KeypairMismatch('a private key must be the base58 of a 32-byte Ed25519 seed');
    }
    const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
    const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
    sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed);
    key = { publicKey: encodeBase58(publicKey) as PublicKey, secretKey };
    if (expandedKeys.size >= KEY_CACHE_LIMIT) expandedKeys.clear();
    expandedKeys.set(privateKey, key);
  }
  return key;
}

/** Raw 64-byte Ed25519 signature of `message`. */
export function signBytes(message: Uint8Array, privateKey: PrivateKey): Buffer {
  const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
  sodium.crypto_sign_detached(signature, asBuffer(message), expanded(privateKey).secretKey);
  return signature;
}

/** base58 Ed25519 signature of the UTF-8 bytes of `message`, as blocks and votes carry it. */
export function signText(message: string, privateKey: PrivateKey): SignatureB58 {
  return encodeBase58(signBytes(Buffer.from(message, 'utf8'), privateKey)) as SignatureB58;
}

/**
 * Signatures that verified, remembered by the exact bytes of public key,
 * signature and message: a node checks each transaction in its API, its
 * block pipeline and its vote pipeline, and verification is the dearest of
 * those checks. Only successes are remembered, so a memo can only spare work.
 */
export interface VerifiedSignatures {
  has(publicKey: Buffer, signature: Buffer, message: Buffer): boolean;
  add(publicKey: Buffer, signature: Buffer, message: Buffer): void;
}

let verified: VerifiedSignatures | null = null;

/** Makes `verifyBytes` consult and fill `memo` in this thread (null: verify every time). */
export function rememberVerifiedSignatures(memo: VerifiedSignatures | null): void {
  verified = memo;
}

/** Verifies a raw signature over raw bytes with a raw public key; never throws. */
export function verifyBytes(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (publicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES || signature.length !== sodium.crypto_sign_BYTES) return false;
  const [m, s, k] = [asBuffer(message), asBuffer(signature), asBuffer(publicKey)];
  if (verified?.has(k, s, m) === true) return true;
  const ok = sodium.crypto_sign_verify_detached(s, m, k);
  if (ok) verified?.add(k, s, m);
  return ok;
}

/** A Buffer view of the same bytes, no copy: sodium-native's types ask for Buffers. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Verifies a base58 signature over the UTF-8 bytes of `message`; malformed input is simply false. */
export function verifyText(message: string, signature: string, publicKey: string): boolean {
  const sig = typeof signature === 'string' ? decodeBase58(signature) : null;
  const key = typeof publicKey === 'string' ? decodeBase58(publicKey) : null;
  if (sig === null || key === null) return false;
  return verifyBytes(Buffer.from(message, 'utf8'), sig, key);
}

/** True for the base58 encoding of 32 bytes. */
export function isPublicKey(text: unknown): text is PublicKey {
  if (typeof text !== 'string') return false;
  const bytes = decodeBase58(text);
  return bytes !== null && bytes.length === 32;
}
