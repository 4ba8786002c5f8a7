/**
 * Typed errors of the data model. Every rejection carries a reason a client
 * can act on; `name` is the 0.8 exception name so API messages read
 * "Invalid transaction: DoubleSpend: …" as SPEC.md §9 shows.
 */
export class BigchainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The JSON text cannot be stored without changing its bytes (SPEC.md §1). */
export class SerializationError extends BigchainError {}
/** The object does not match the 0.8 transaction JSON schema. */
export class SchemaValidationError extends BigchainError {}
/** A declared id does not equal the hash of the content. */
export class InvalidHash extends BigchainError {}
/** A signature, or a fulfillment, does not verify. */
export class InvalidSignature extends BigchainError {}
/** A fulfillment or condition URI or `details` object cannot be parsed. */
export class InvalidFulfillment extends BigchainError {}
/** A private key given to sign does not belong to any owner, or is malformed. */
export class KeypairMismatch extends BigchainError {}
/** Amounts that are not positive integers, or that do not add up. */
export class AmountError extends BigchainError {}
/** Inputs of different assets, or an asset id different from the inputs'. */
export class AssetIdMismatch extends BigchainError {}
/** Asset flags that 0.8 does not implement (updatable, refillable). */
export class NotImplementedAsset extends BigchainError {}
/** An input already spent by another transaction in a valid or undecided block. */
export class DoubleSpend extends BigchainError {}
/** A transaction already in another valid or undecided block: a block holding it may not be valid too. */
export class DuplicateTransaction extends BigchainError {}
/** An input transaction that does not exist. */
export class TransactionDoesNotExist extends BigchainError {}
/** An input transaction that exists, but not in a valid block. */
export class FulfillmentNotInValidBlock extends BigchainError {}
/** Wrong operation for what is asked (inputs on a CREATE, none on a TRANSFER, empty block, …). */
export class OperationError extends BigchainError {}
/** A node voted twice for one block. */
export class MultipleVotesError extends BigchainError {}
/** A vote whose previous block is the block it votes for. */
export class CyclicBlockchainError extends BigchainError {}
