/** What the event stream sends (SPEC.md §13), and how it travels from the election thread to the stream server. */
import type { BlockOutline } from '../models/block';
import type { BlockId, TxId } from '../models/types';

/** One message of the stream: a transaction whose block this node's election found valid. */
export interface ValidTransactionEvent {
  readonly transaction_id: TxId;
  readonly asset_id: string;
  readonly block_id: BlockId;
}

/** What the events of a block are made of: a whole block has it, and so has the outline an election reads. */
export type TransactionsOfBlock = Pick<BlockOutline, 'id' | 'transactions'>;

/** The events of a valid block, in the order of its transactions. */
export function eventsOf(block: TransactionsOfBlock): ValidTransactionEvent[] {
  return block.transactions.map((tx) => ({ transaction_id: tx.id, asset_id: tx.transaction.asset.id, block_id: block.id }));
}

/** What the election thread posts to the main thread for a block it found valid. */
export interface ValidBlockMessage {
  readonly kind: 'valid-block';
  readonly events: readonly ValidTransactionEvent[];
}

export function validBlockMessage(block: TransactionsOfBlock): ValidBlockMessage {
  return { kind: 'valid-block', events: eventsOf(block) };
}

export function isValidBlockMessage(message: unknown): message is ValidBlockMessage {
  return (message as Partial<ValidBlockMessage> | null)?.kind === 'valid-block';
}
