/**
 * Validates a TRANSFER against a set of known transactions taken as valid
 * and unspent: the chain-free part of SPEC.md §4.4, for tests of the model.
 */
import { Transaction, type SpentOutput, type TransactionDict } from '../../models/transaction';

export function consensusFreeTransfer(tx: Transaction, known: ReadonlyMap<string, TransactionDict>): void {
  const spent: SpentOutput[] = tx.spentLinks().map((link) => {
    const input = known.get(link.txid);
    const condition = input?.transaction.conditions[link.cid];
    if (input === undefined || condition === undefined) throw new Error(`input ${link.txid}/${link.cid} is not known`);
    return { link, condition, assetId: input.transaction.asset.id };
  });
  const assetId = spent[0]?.assetId;
  const creation = [...known.values()].find((t) => t.transaction.operation !== 'TRANSFER' && t.transaction.asset.id === assetId);
  if (creation === undefined) throw new Error(`asset ${String(assetId)} has no CREATE among the known transactions`);
  tx.validateTransfer(spent, creation.transaction.asset);
}
