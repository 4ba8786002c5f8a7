/**
 * What this node has already checked, shared by the block and the vote
 * pipeline and their validation threads, in one SharedArrayBuffer:
 * - signatures that verified: the block pipeline finds every signature its
 *   API processes checked (they report digests, see server/api-reports.ts),
 *   and the vote on a block this node made finds every signature already
 *   checked;
 * - CREATEs found wholly valid, by their canonical text, the API processes'
 *   included: such a CREATE's validity needs neither the chain nor the clock
 *   (`timelessCreateText`), so neither the block pipeline nor the vote on a
 *   block this node made validates it again.
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
import type { Transaction, TransactionDict } from './transaction';
import { serialize } from './serialize';

/** 65,536 entries, two a POSTed CREATE: some 13 s at 2,500 a second, well beyond the second or two between an API's check and the vote's. */
const SLOTS = 1 << 16;
/** A sequence word, then the digest's four words. */
const WORDS_PER_SLOT = 5;
/** Every digest the memo holds, of a signature or of a CREATE. */
export const MEMO_DIGEST_BYTES = 16;
const KEY_BYTES = sodium.crypto_generichash_KEYBYTES;

/** Keyed digests of (public key, signature, message): whoever holds the memo's key can name a verified signature to it. */
export class SignatureDigests {
  constructor(private readonly key: Buffer) {}

  /** Writes the digest into `out` (MEMO_DIGEST_BYTES long). */
  digest(publicKey: Buffer, signature: Buffer, message: Buffer, out: Buffer): void {
    // Public key and signature have fixed lengths (checked before), so the concatenation is unambiguous.
    sodium.crypto_generichash_batch(out, [publicKey, signature, message], this.key);
  }
}

/** How the URI of every Ed25519 fulfillment begins (type 4). */
const ED25519_FULFILLMENT_PREFIX = `cf:${TYPE_ED25519}:`;

/** Where the digests of CREATEs are keyed apart from those of signatures. */
const CREATE_KEY_CONTEXT = Buffer.from('bigchaindb: a CREATE found valid');

/** Keyed digests of the canonical texts of CREATEs, with a key derived from the memo's: no signature's digest can stand for one. */
export class CreateDigests {
  private readonly key = Buffer.alloc(KEY_BYTES);

  constructor(memoKey: Buffer) {
    sodium.crypto_generichash(this.key, CREATE_KEY_CONTEXT, memoKey);
  }

  /** Writes the digest into `out` (MEMO_DIGEST_BYTES long). */
  digest(canonicalText: string, out: Buffer): void {
    sodium.crypto_generichash(out, Buffer.from(canonicalText, 'utf8'), this.key);
  }
}

/**
 * The text by which a transaction found valid is remembered: the canonical
 * text of a CREATE whose every fulfillment is a plain Ed25519 signature,
 * whose validity its text alone fixes. Null for any other: a TRANSFER's
 * depends on the chain, a timeout inside a threshold on the clock.
 */
export function timelessCreateText(tx: Transaction): string | null {
  const timeless = tx.operation === 'CREATE' && tx.inputs.every((input) => input.fulfillment.getTypeId() === TYPE_ED25519);
  return timeless ? serialize(tx.toDict()) : null;
}

/** False for a transaction dict that `timelessCreateText` never gives a text for: a look, to spare serializing it. */
export function mayBeTimelessCreate(dict: TransactionDict): boolean {
  const body = dict.transaction as Partial<TransactionDict['transaction']> | undefined;
  return body?.operation === 'CREATE' && Array.isArray(body.fulfillments) &&
    body.fulfillments.every((f) => typeof f?.fulfillment === 'string' && f.fulfillment.startsWith(ED25519_FULFILLMENT_PREFIX));
}

export class VerdictMemo implements VerifiedSignatures {
  private readonly key: Buffer;
  private readonly digests: SignatureDigests;
  private readonly createDigests: CreateDigests;
  private readonly slots: Int32Array;
  /** The digest being looked up or added, and the same bytes as words. */
  private readonly digestWords = new Int32Array(MEMO_DIGEST_BYTES / 4);
  private readonly digest = Buffer.from(this.digestWords.buffer);

  private constructor(readonly memory: SharedArrayBuffer) {
    this.key = Buffer.from(memory, 0, KEY_BYTES);
    this.digests = new SignatureDigests(this.key);
    this.createDigests = new CreateDigests(this.key);
    this.slots = new Int32Array(memory, KEY_BYTES, SLOTS * WORDS_PER_SLOT);
  }

  /** A new, empty memo with a fresh key; its `memory` goes to the threads that share it. */
  static create(): VerdictMemo {
    const memory = new SharedArrayBuffer(KEY_BYTES + SLOTS * WORDS_PER_SLOT * 4);
    sodium.randombytes_buf(Buffer.from(memory, 0, KEY_BYTES));
    return new VerdictMemo(memory);
  }

  /** The memo whose `memory` another thread created. */
  static attach(memory: SharedArrayBuffer): VerdictMemo {
    return new VerdictMemo(memory);
  }

  /** A copy of the memo's key, for the processes that report what they checked to this memo. */
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
    this.createDigests.digest(canonicalText, this.digest);
    return this.found();
  }

  /** Remembers a CREATE that passed every check, by its `timelessCreateText`. */
  addValidCreate(canonicalText: string): void {
    this.createDigests.digest(canonicalText, this.digest);
    this.store();
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

  /** Adds the digests, MEMO_DIGEST_BYTES each, that a holder of the key made of verified signatures and valid CREATEs. */
  addDigests(digests: Buffer): void {
    for (let at = 0; at + MEMO_DIGEST_BYTES <= digests.length; at += MEMO_DIGEST_BYTES) {
      digests.copy(this.digest, 0, at, at + MEMO_DIGEST_BYTES);
      this.store();
    }
  }

  /** Stores the digest in `digestWords` in its slot. */
  private store(): void {
    const base = this.slotOfDigest();
    const sequence = Atomics.load(this.slots, base);
    // Another thread is writing this slot: let it, this entry is simply not remembered.
    if ((sequence & 1) !== 0 || Atomics.compareExchange(this.slots, base, sequence, sequence + 1) !== sequence) return;
    for (let i = 0; i < this.digestWords.length; i++) Atomics.store(this.slots, base + 1 + i, this.digestWords[i]!);
    Atomics.store(this.slots, base, sequence + 2);
  }

  /** The index of the sequence word of the slot of the digest in `digestWords`. */
  private slotOfDigest(): number {
    return ((this.digestWords[0]! >>> 0) % SLOTS) * WORDS_PER_SLOT;
  }
}
