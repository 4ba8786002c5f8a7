import type { TransactionDict } from '../../models/transaction';

/**
 * Why a transaction is checked: `backlog` (may it go into my next block? a
 * transaction already in a valid or undecided block may not) or `block` (is
 * it valid inside the block I am voting on?).
 */
export type Purpose = 'backlog' | 'block';

export interface ValidationJob {
  readonly purpose: Purpose;
  readonly txs: readonly unknown[];
}

export type Verdict =
  | { readonly ok: true; readonly tx: TransactionDict }
  | { readonly ok: false; readonly id: string; readonly reason: string; readonly duplicate: boolean };
