/**
 * The verified-signature memo that the validation threads of the block and
 * the vote pipeline share, in one SharedArrayBuffer: the vote on a block this
 * node made finds every signature already checked by its block pipeline.
 *
 * Each slot holds a 16-byte BLAKE2b digest of (public key, signature,
 * message), keyed with a random key of this node's, so nobody can aim for a
 * collision with a signature that did not verify. A slot is written under a
 * sequence word (a seqlock): a reader that meets a write in progress, or one
 * that overtook it, sees a miss. A newer signature overwrites an older one in
 * its slot; forgetting only costs a verification.
 */
import sodium from 'sodium-native';
import type { VerifiedSignatures } from '../../models/keys';

/** 65,536 signatures: some 40 s of full load here, well beyond the span between a block pipeline's check and the vote's. */
const SLOTS = 1 << 16;
/** A sequence word, then the digest's four words. */
const WORDS_PER_SLOT = 5;
const DIGEST_BYTES = 16;
const KEY_BYTES = sodium.crypto_generichash_KEYBYTES;

export class SignatureMemo implements VerifiedSignatures {
  private readonly key: Buffer;
  private readonly slots: Int32Array;
  /** The digest being looked up or added, and the same bytes as words. */
  private readonly digestWords = new Int32Array(DIGEST_BYTES / 4);
  private readonly digest = Buffer.from(this.digestWords.buffer);

  private constructor(readonly memory: SharedArrayBuffer) {
    this.key = Buffer.from(memory, 0, KEY_BYTES);
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

  has(publicKey: Buffer, signature: Buffer, message: Buffer): boolean {
    const base = this.slotOf(publicKey, signature, message);
    const sequence = Atomics.load(this.slots, base);
    if ((sequence & 1) !== 0) return false;
    for (let i = 0; i < this.digestWords.length; i++) {
      if (Atomics.load(this.slots, base + 1 + i) !== this.digestWords[i]) return false;
    }
    return Atomics.load(this.slots, base) === sequence;
  }

  add(publicKey: Buffer, signature: Buffer, message: Buffer): void {
    const base = this.slotOf(publicKey, signature, message);
    const sequence = Atomics.load(this.slots, base);
    // Another thread is writing this slot: let it, this signature is simply not remembered.
    if ((sequence & 1) !== 0 || Atomics.compareExchange(this.slots, base, sequence, sequence + 1) !== sequence) return;
    for (let i = 0; i < this.digestWords.length; i++) Atomics.store(this.slots, base + 1 + i, this.digestWords[i]!);
    Atomics.store(this.slots, base, sequence + 2);
  }

  /** Digests the signature into `digestWords` and returns the index of its slot's sequence word. */
  private slotOf(publicKey: Buffer, signature: Buffer, message: Buffer): number {
    // Public key and signature have fixed lengths (checked before), so the concatenation is unambiguous.
    sodium.crypto_generichash_batch(this.digest, [publicKey, signature, message], this.key);
    return ((this.digestWords[0]! >>> 0) % SLOTS) * WORDS_PER_SLOT;
  }
}
