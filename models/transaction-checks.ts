/**
 * The checks of a transaction's parts that need nothing but the transaction
 * (and, for a TRANSFER, the outputs it spends): shapes that `toDict` must
 * write back unchanged, signers, assets and amounts (SPEC.md §4).
 */
import { conditionUriOfDetails, type Fulfillment } from './conditions';
import { TYPE_ED25519, TYPE_THRESHOLD, type Ed25519, type ThresholdSha256 } from './conditions/types';
import { AmountError, DoubleSpend, InvalidFulfillment, InvalidSignature, NotImplementedAsset, SchemaValidationError } from './errors';
import { encodeBase58 } from './keys';
import type { AssetDict, ConditionDict, FulfillmentDict, Input, Operation, TransactionLink } from './transaction';

/**
 * Every owner before must sign, and only they: the Ed25519 keys of a CREATE's
 * fulfillment are exactly its `owners_before`, so nobody can issue in another
 * key's name or with a condition that needs no signature at all.
 */
export function assertSignedByOwners(input: Input, k: number): void {
  const signers = ed25519Keys(input.fulfillment);
  const owners = new Set<string>(input.ownersBefore);
  if (signers === null || signers.size !== owners.size || [...signers].some((key) => !owners.has(key))) {
    throw new InvalidSignature(`fulfillment ${k} must be signed by exactly its owners_before, each with an Ed25519 key`);
  }
}

/**
 * The Ed25519 keys of a tree of Ed25519 leaves and thresholds; null when it
 * holds anything else, an unfulfilled branch included. Read from the tree
 * itself, not its details: those would encode every signature in base58 too.
 */
function ed25519Keys(fulfillment: Fulfillment): Set<string> | null {
  const keys = new Set<string>();
  const walk = (f: Fulfillment): boolean => {
    if (f.getTypeId() === TYPE_ED25519) {
      const key = (f as Ed25519).publicKey;
      return key !== undefined && key !== null && keys.add(encodeBase58(key)) !== undefined;
    }
    if (f.getTypeId() !== TYPE_THRESHOLD) return false;
    return (f as ThresholdSha256).subconditions.every((sub) => sub.type === 'fulfillment' && walk(sub.body as Fulfillment));
  };
  return walk(fulfillment) ? keys : null;
}

export function checkFulfillmentShape(f: FulfillmentDict, index: number): void {
  if (f.fid !== index) throw new SchemaValidationError(`fulfillments[${index}].fid must be ${index}`);
  if (f.input !== null && (f.input.txid === undefined || f.input.cid === undefined)) {
    throw new SchemaValidationError(`fulfillments[${index}].input needs both txid and cid`);
  }
  if (!Array.isArray(f.owners_before) || f.owners_before.length === 0) {
    throw new SchemaValidationError(`fulfillments[${index}].owners_before must list at least one key`);
  }
}

export function checkConditionShape(c: ConditionDict, index: number): void {
  if (c.cid !== index) throw new SchemaValidationError(`conditions[${index}].cid must be ${index}`);
  if (!Array.isArray(c.owners_after) || c.owners_after.length === 0) {
    throw new SchemaValidationError(`conditions[${index}].owners_after must list at least one key`);
  }
  if (c.amount < 1) throw new AmountError(`conditions[${index}].amount must be at least 1, was ${c.amount}`);
  const uri = conditionUriOfDetails(c.condition.details);
  if (uri !== c.condition.uri) {
    throw new InvalidFulfillment(`conditions[${index}].condition.uri does not match its details (expected ${uri})`);
  }
}

/** An output as `txid/cid`: how messages name it, and its key in a set of outputs. */
export function outputName(link: TransactionLink): string {
  return `${link.txid}/${link.cid}`;
}

export function assertDistinctInputs(links: TransactionLink[]): void {
  const seen = new Set<string>();
  for (const link of links) {
    const key = outputName(link);
    if (seen.has(key)) throw new DoubleSpend(`input ${key} is spent twice in one transaction`);
    seen.add(key);
  }
}

const CREATE_ASSET_FIELDS = ['data', 'divisible', 'id', 'refillable', 'updatable'];

export function checkAssetShape(operation: Operation, asset: AssetDict): void {
  const fields = Object.keys(asset).sort();
  if (operation === 'TRANSFER') {
    if (fields.length !== 1) throw new SchemaValidationError('the asset of a TRANSFER holds only its id');
    return;
  }
  if (fields.join() !== CREATE_ASSET_FIELDS.join()) {
    throw new SchemaValidationError(`the asset of a ${operation} must have exactly the fields ${CREATE_ASSET_FIELDS.join(', ')}`);
  }
}

/** 0.8's Asset.validate_asset against the total amount issued or spent. */
export function validateAsset(asset: AssetDict, amount: number): void {
  if (asset.data !== null && asset.data !== undefined && (typeof asset.data !== 'object' || Array.isArray(asset.data))) {
    throw new SchemaValidationError('asset data must be an object or null');
  }
  if (asset.updatable === true) throw new NotImplementedAsset('updatable assets are not yet implemented');
  if (asset.refillable === true) throw new NotImplementedAsset('refillable assets are not yet implemented');
  if (asset.divisible === true && amount < 2) throw new AmountError('divisible assets must have an amount of at least 2');
  if (asset.divisible !== true && amount !== 1) throw new AmountError('non-divisible assets must have an amount of exactly 1');
}
