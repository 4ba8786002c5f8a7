/**
 * What an API process tells the primary of what it learnt validating POSTs:
 * the keyed digests of the signatures it verified and of the CREATEs it found
 * wholly valid, for the node's memo (models/verdict-memo.ts), and the transactions
 * it found in valid blocks, for the validation threads
 * (core/valid-transactions.ts). Being a process of its own, it reaches
 * neither the memo's SharedArrayBuffer nor the threads' BroadcastChannel;
 * it reports every few milliseconds, and the primary passes both on
 * (server/cluster.ts). The block pipeline then neither validates a POSTed
 * CREATE again nor verifies a TRANSFER's signatures or looks up the outputs
 * it spends.
 */
import type { ValidTransactions } from '../core/valid-transactions';
import type { VerifiedSignatures } from '../models/keys';
import { CreateDigests, MEMO_DIGEST_BYTES, SignatureDigests, timelessCreateText } from '../models/verdict-memo';
import type { Transaction, TransactionDict } from '../models/transaction';

export interface ApiReport {
  /** Digests for the memo, of signatures and CREATEs, MEMO_DIGEST_BYTES each, concatenated, in base64. */
  readonly digests: string;
  readonly validTransactions: readonly TransactionDict[];
}

export function isApiReport(message: unknown): message is ApiReport {
  const report = message as Partial<ApiReport> | null;
  return typeof report?.digests === 'string' && Array.isArray(report.validTransactions);
}

/** Milliseconds between an API process's reports, at most. */
const REPORT_EVERY_MS = 10;

/** Remembers nothing itself (an API process meets each signature and input once, at its POST): it reports. */
export class ApiReporter {
  readonly signatures: VerifiedSignatures;
  readonly validTransactions: ValidTransactions;
  private readonly createDigests: CreateDigests;
  private digests: Buffer[] = [];
  private found: TransactionDict[] = [];
  private scheduled = false;

  constructor(digestKey: Buffer, private readonly send: (report: ApiReport) => void, private readonly everyMs = REPORT_EVERY_MS) {
    const digests = new SignatureDigests(digestKey);
    this.createDigests = new CreateDigests(digestKey);
    this.signatures = {
      has: () => false,
      add: (publicKey, signature, message) => this.report((digest) => digests.digest(publicKey, signature, message, digest)),
    };
    this.validTransactions = {
      get: () => undefined,
      add: (tx) => {
        this.found.push(tx);
        this.schedule();
      },
    };
  }

  /** Reports a POSTed transaction that passed every check, when the memo may remember it (`timelessCreateText`). */
  validated(tx: Transaction): void {
    const text = timelessCreateText(tx);
    if (text !== null) this.report((digest) => this.createDigests.digest(text, digest));
  }

  private report(write: (digest: Buffer) => void): void {
    const digest = Buffer.allocUnsafe(MEMO_DIGEST_BYTES);
    write(digest);
    this.digests.push(digest);
    this.schedule();
  }

  /**
   * One message for what the POSTs of the next few milliseconds learnt: with
   * few clients a turn holds one or two POSTs, and a message each cost the
   * process a pipe write, some 0.1 ms. The block pipeline waits longer than
   * that to fill a batch; a report it has not yet had only costs it a check.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => this.flush(), this.everyMs).unref();
  }

  private flush(): void {
    const report = { digests: Buffer.concat(this.digests).toString('base64'), validTransactions: this.found };
    this.digests = [];
    this.found = [];
    this.scheduled = false;
    this.send(report);
  }
}
