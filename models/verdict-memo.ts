/**
 * What this node has already checked, shared by the validation threads of
 * the block and the vote pipeline and by the vote pipeline itself, in one
 * SharedArrayBuffer:
 * - signatures that verified: the block pipeline finds every signature its
 *   API processes checked (they report digests, see server/api-reports.ts),
 *   and the vote on a block this node made finds every signature already
 *   checked;
 * - CREATEs found wholly valid, by their canonical text: such a CREATE's
 *   validity needs neither the chain nor the clock (`isTimelessCreate`), so
 *   the vote on a block this node made need not validate them again.
 *
 * Each slot holds a 16-byte BLAKE2b digest, keyed with a random key of this
 * node's, so nobody can aim for a collision with something that did not
 * check out; a CREATE's digest is keyed with a key derived from it, so no
 * signature's digest can stand for a CREATE. A slot is written under a
 * sequence word (a seqlock): a reader that meets a write in progress, or one
 * that overtook it, sees a miss. A newer entry overwrites an older one in its
 * slot; forgetting only costs a check.
 */
import sodium from 'sodium-native';
import type { VerifiedSignatures } from './keys';
import { TYPE_ED25519 } from './conditions/types';
import type { Transaction } from './transaction';

/** 65,536 entries, two a CREATE: some 20 s of full load here, well beyond the span between a block pipeline's check and the vote's. */
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

/** Where the digests of CREATEs are keyed apart from those of signatures. */
const CREATE_KEY_CONTEXT = Buffer.from('bigchaindb: a CREATE found valid');

/**
 * True for a CREATE whose every fulfillment is a plain Ed25519 signature:
 * its validity is fixed by its text alone. A timeout inside a threshold
 * would make it depend on the clock, so nothing else is remembered.
 */
export function isTimelessCreate(tx: Transaction): boolean {
  return tx.operation === 'CREATE' && tx.inputs.every((input) => input.fulfillment.getTypeId() === TYPE_ED25519);
}

export class VerdictMemo implements VerifiedSignatures {
  private readonly key: Buffer;
  private readonly createKey = Buffer.alloc(KEY_BYTES);
  private readonly digests: SignatureDigests;
  private readonly slots: Int32Array;
  /** The digest being looked up or added, and the same bytes as words. */
  private readonly digestWords = new Int32Array(SIGNATURE_DIGEST_BYTES / 4);
  private readonly digest = Buffer.from(this.digestWords.buffer);

  private constructor(readonly memory: SharedArrayBuffer) {
    this.key = Buffer.from(memory, 0, KEY_BYTES);
    this.digests = new SignatureDigests(this.key);
    this.slots = new Int32Array(memory, KEY_BYTES, SLOTS * WORDS_PER_SLOT);
    this.deriveCreateKey();
  }

  /** A new, empty memo with a fresh key; its `memory` goes to the threads that share it. */
  static create(): VerdictMemo {
    const memo = new VerdictMemo(new SharedArrayBuffer(KEY_BYTES + SLOTS * WORDS_PER_SLOT * 4));
    sodium.randombytes_buf(memo.key);
    memo.deriveCreateKey();
    return memo;
  }

  /** The memo whose `memory` another thread created. */
  static attach(memory: SharedArrayBuffer): VerdictMemo {
    return new VerdictMemo(memory);
  }

  /** A copy of the digest key, for the processes that report verified signatures to this memo. */
  digestKey(): Buffer {
    return Buffer.from(this.key);
  }

  has(publicKey: Buffer, signature: Buffer, message: Buffer): boolean {
    this.digests.digest(publicKey, signature, message, this.digest);
    return this.found();
  }

  add(publicKey: Buffer, signature: Buffer, message: Buffer): void {
    this.digests.digest(publicKey, signature, message, this.digest);
    this.store();
  }

  /** True when `canonicalText` (`serialize` of a transaction) was added as a valid CREATE. */
  hasValidCreate(canonicalText: string): boolean {
    this.digestCreate(canonicalText);
    return this.found();
  }

  /** Remembers a CREATE that passed every check, by its canonical text; only for one `isTimelessCreate` holds. */
  addValidCreate(canonicalText: string): void {
    this.digestCreate(canonicalText);
    this.store();
  }

  private digestCreate(canonicalText: string): void {
    sodium.crypto_generichash(this.digest, Buffer.from(canonicalText, 'utf8'), this.createKey);
  }

  private deriveCreateKey(): void {
    sodium.crypto_generichash(this.createKey, CREATE_KEY_CONTEXT, this.key);
  }

  /** Whether the digest in `digestWords` is in its slot. */
  private found(): boolean {
    const base = this.slotOfDigest();
    const sequence = Atomics.load(this.slots, base);
    if ((sequence & 1) !== 0) return false;
    for (let i = 0; i < this.digestWords.length; i++) {
      if (Atomics.load(this.slots, base + 1 + i) !== this.digestWords[i]) return false;
    }
    return Atomics.load(this.slots, base) === sequence;
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
