/**
 * What an API process tells the primary of what it learnt validating POSTs:
 * the keyed digests of the signatures it verified, for the node's
 * verified-signature memo (models/signature-memo.ts), and the transactions
 * it found in valid blocks, for the validation threads
 * (core/valid-transactions.ts). Being a process of its own, it reaches
 * neither the memo's SharedArrayBuffer nor the threads' BroadcastChannel;
 * the primary passes both on (server/cluster.ts). The block pipeline then
 * neither verifies a POSTed transaction's signatures again nor looks up the
 * outputs it spends.
 */
import type { ValidTransactions } from '../core/valid-transactions';
import type { VerifiedSignatures } from '../models/keys';
import { SIGNATURE_DIGEST_BYTES, SignatureDigests } from '../models/signature-memo';
import type { TransactionDict } from '../models/transaction';

export interface ApiReport {
  /** Digests of SIGNATURE_DIGEST_BYTES each, concatenated, in base64. */
  readonly verifiedSignatures: string;
  readonly validTransactions: readonly TransactionDict[];
}

export function isApiReport(message: unknown): message is ApiReport {
  const report = message as Partial<ApiReport> | null;
  return typeof report?.verifiedSignatures === 'string' && Array.isArray(report.validTransactions);
}

/** Remembers nothing itself (an API process meets each signature and input once, at its POST): it reports, once a turn. */
export class ApiReporter {
  readonly signatures: VerifiedSignatures;
  readonly validTransactions: ValidTransactions;
  private digests: Buffer[] = [];
  private found: TransactionDict[] = [];
  private scheduled = false;

  constructor(digestKey: Buffer, private readonly send: (report: ApiReport) => void) {
    const digests = new SignatureDigests(digestKey);
    this.signatures = {
      has: () => false,
      add: (publicKey, signature, message) => {
        const digest = Buffer.allocUnsafe(SIGNATURE_DIGEST_BYTES);
        digests.digest(publicKey, signature, message, digest);
        this.digests.push(digest);
        this.schedule();
      },
    };
    this.validTransactions = {
      get: () => undefined,
      add: (tx) => {
        this.found.push(tx);
        this.schedule();
      },
    };
  }

  /** One message for what every POST validated in this turn learnt. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    const report = { verifiedSignatures: Buffer.concat(this.digests).toString('base64'), validTransactions: this.found };
    this.digests = [];
    this.found = [];
    this.scheduled = false;
    this.send(report);
  }
}
