import type { Metrics } from '../../metrics/statsd';
import type { BlockId } from '../../models/types';
import type { NodeSettings } from '../node-settings';

export interface ValidationThreadData {
  readonly settings: NodeSettings;
  readonly verdictMemory: SharedArrayBuffer;
}

/**
 * Why a transaction is checked: `backlog` (may it go into my next block? a
 * transaction already in a valid or undecided block may not) or `block` (is
 * it valid inside the block I am voting on?).
 */
export type Purpose = 'backlog' | 'block';

export interface ValidationJob {
  readonly purpose: Purpose;
  readonly txs: readonly unknown[];
  /** With purpose `block`: the block being voted on, whose transactions these are. */
  readonly blockId?: BlockId;
}

/** A valid transaction's verdict carries nothing back: the caller has the transaction, and sending it back costs a copy. */
export type Verdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly id: string; readonly reason: string; readonly duplicate: boolean };

export type Rejection = Extract<Verdict, { ok: false }>;

export const VALID: Verdict = { ok: true };

/** The verdict on a backlog transaction that `holder`, a valid or undecided block, already holds. */
export function alreadyInBlock(id: string, holder: string): Rejection {
  return { ok: false, id, reason: `already in block ${holder}, valid or undecided`, duplicate: true };
}

/**
 * Verdicts in the order of the transactions they judge: the `known` ones
 * from `ofKnown`, the others taken in turn from `others`, which judged them.
 */
export function inOrder(known: readonly boolean[], ofKnown: (i: number) => Verdict, others: readonly Verdict[]): Verdict[] {
  let next = 0;
  return known.map((isKnown, i) => (isKnown ? ofKnown(i) : others[next++]!));
}

/** The rejections among `verdicts`, both counts sent as `<pipeline>.transactions.validated` / `.rejected`. */
export function countVerdicts(verdicts: readonly Verdict[], metrics: Metrics, pipeline: 'block' | 'vote'): Rejection[] {
  const rejected = verdicts.filter((v): v is Rejection => !v.ok);
  metrics.increment(`${pipeline}.transactions.validated`, 'per-transaction', verdicts.length - rejected.length);
  metrics.increment(`${pipeline}.transactions.rejected`, 'per-transaction', rejected.length);
  return rejected;
}
