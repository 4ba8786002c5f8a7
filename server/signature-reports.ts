/**
 * An API process's part in the node's verified-signature memo
 * (models/signature-memo.ts). Being a process of its own, it cannot reach
 * the pipelines' SharedArrayBuffer; it sends the primary the keyed digests of
 * the signatures it verified, and the primary adds them (server/cluster.ts).
 * The block pipeline then finds a POSTed transaction's signatures checked,
 * and the node verifies each of them once, not twice.
 */
import type { VerifiedSignatures } from '../models/keys';
import { SIGNATURE_DIGEST_BYTES, SignatureDigests } from '../models/signature-memo';

/** The message an API process sends: digests of SIGNATURE_DIGEST_BYTES each, concatenated, in base64. */
export interface SignatureReport {
  readonly verifiedSignatures: string;
}

export function isSignatureReport(message: unknown): message is SignatureReport {
  return typeof (message as Partial<SignatureReport> | null)?.verifiedSignatures === 'string';
}

/** Remembers nothing itself (an API process checks a signature once, at its POST): it reports, once a turn. */
export class SignatureReporter implements VerifiedSignatures {
  private readonly digests: SignatureDigests;
  private pending: Buffer[] = [];

  constructor(digestKey: Buffer, private readonly send: (report: SignatureReport) => void) {
    this.digests = new SignatureDigests(digestKey);
  }

  has(): boolean {
    return false;
  }

  add(publicKey: Buffer, signature: Buffer, message: Buffer): void {
    const digest = Buffer.allocUnsafe(SIGNATURE_DIGEST_BYTES);
    this.digests.digest(publicKey, signature, message, digest);
    // One message for the signatures of every POST validated in this turn.
    if (this.pending.push(digest) === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const report = { verifiedSignatures: Buffer.concat(this.pending).toString('base64') };
    this.pending = [];
    this.send(report);
  }
}
