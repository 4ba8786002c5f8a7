/**
 * The verified-signature memo that the validation threads of the block and
 * the vote pipeline share, in one SharedArrayBuffer: the block pipeline
 * finds every signature its API processes checked (they report digests, see
 * server/api-reports.ts), and the vote on a block this node made finds
 * every signature already checked.
 *
 * Each slot holds a 16-byte BLAKE2b digest of (public key, signature,
 * message), keyed with a random key of this node's, so nobody can aim for a
 * collision with a signature that did not verify. A slot is written under a
 * sequence word (a seqlock): a reader that meets a write in progress, or one
 * that overtook it, sees a miss. A newer signature overwrites an older one in
 * its slot; forgetting only costs a verification.
 */
import sodium from 'sodium-native';
import type { VerifiedSignatures } from './keys';

/** 65,536 signatures: some 40 s of full load here, well beyond the span between a block pipeline's check and the vote's. */
const SLOTS = 1 << 16;
/** A sequence word, then the digest's four words. */
const WORDS_PER_SLOT = 5;
export const SIGNATURE_DIGEST_BYTES = 16;
const KEY_BYTES = sodium.crypto_generichash_KEYBYTES;

/** Keyed digests of (public key, signature, message): whoever holds the key can name a verified signature to the memo. */
export class SignatureDigests {
  constructor(private readonly key: Buffer) {}

  /** Writes the digest into `out` (SIGNATURE_DIGEST_BYTES long). */
  digest(publicKey: Buffer, signature: Buffer, message: Buffer, out: Buffer): void {
    // Public key and signature have fixed lengths (checked before), so the concatenation is unambiguous.
    sodium.crypto_generichash_batch(out, [publicKey, signature, message], this.key);
  }
}

export class SignatureMemo implements VerifiedSignatures {
  private readonly key: Buffer;
  private readonly digests: SignatureDigests;
  private readonly slots: Int32Array;
  /** The digest being looked up or added, and the same bytes as words. */
  private readonly digestWords = new Int32Array(SIGNATURE_DIGEST_BYTES / 4);
  private readonly digest = Buffer.from(this.digestWords.buffer);

  private constructor(readonly memory: SharedArrayBuffer) {
    this.key = Buffer.from(memory, 0, KEY_BYTES);
    this.digests = new SignatureDigests(this.key);
    this.slots = new Int32Array(memory, KEY_BYTES, SLOTS * WORDS_PER_SLOT);
  }

  /** A new, empty memo with a fresh key; its `memory` goes to the threads that share it. */
  static create(): SignatureMemo {
    const memo = new SignatureMemo(new SharedArrayBuffer(KEY_BYTES + SLOTS * WORDS_PER_SLOT * 4));
    sodium.randombytes_buf(memo.key);
    return memo;
  }

  /** The memo whose `memory` another thread created. */
  static attach(memory: SharedArrayBuffer): SignatureMemo {
    return new SignatureMemo(memory);
  }

  /** A copy of the digest key, for the processes that report verified signatures to this memo. */
  digestKey(): Buffer {
    return Buffer.from(this.key);
  }

  has(publicKey: Buffer, signature: Buffer, message: Buffer): boolean {
    this.digests.digest(publicKey, signature, message, this.digest);
    const base = this.slotOfDigest();
    const sequence = Atomics.load(this.slots, base);
    if ((sequence & 1) !== 0) return false;
    for (let i = 0; i < this.digestWords.length; i++) {
      if (Atomics.load(this.slots, base + 1 + i) !== this.digestWords[i]) return false;
    }
    return Atomics.load(this.slots, base) === sequence;
  }

  add(publicKey: Buffer, signature: Buffer, message: Buffer): void {
    this.digests.digest(publicKey, signature, message, this.digest);
    this.store();
  }

  /** Adds the digests, SIGNATURE_DIGEST_BYTES each, that a holder of the key made of verified signatures. */
  addDigests(digests: Buffer): void {
    for (let at = 0; at + SIGNATURE_DIGEST_BYTES <= digests.length; at += SIGNATURE_DIGEST_BYTES) {
      digests.copy(this.digest, 0, at, at + SIGNATURE_DIGEST_BYTES);
      this.store();
    }
  }

  /** Stores the digest in `digestWords` in its slot. */
  private store(): void {
    const base = this.slotOfDigest();
    const sequence = Atomics.load(this.slots, base);
    // Another thread is writing this slot: let it, this signature is simply not remembered.
    if ((sequence & 1) !== 0 || Atomics.compareExchange(this.slots, base, sequence, sequence + 1) !== sequence) return;
    for (let i = 0; i < this.digestWords.length; i++) Atomics.store(this.slots, base + 1 + i, this.digestWords[i]!);
    Atomics.store(this.slots, base, sequence + 2);
  }

  /** The index of the sequence word of the slot of the digest in `digestWords`. */
  private slotOfDigest(): number {
    return ((this.digestWords[0]! >>> 0) % SLOTS) * WORDS_PER_SLOT;
  }
}
