/**
 * The 0.8 transaction (SPEC.md §4): building, signing, reading from JSON and
 * the checks that need nothing but the transaction itself and the outputs it
 * spends. Checks that need the chain (does the input exist, is it spent) live
 * in consensus/.
 */
import { randomUUID } from 'node:crypto';
import {
  conditionUri, fromDetails, fulfillmentForOwners, fulfillmentValid, parseFulfillmentUri, signFulfillment, toDetails,
  type Fulfillment,
} from './conditions';
import { AmountError, AssetIdMismatch, InvalidHash, InvalidSignature, OperationError, SchemaValidationError } from './errors';
import { sha3Hex } from './hash';
import {
  assertDistinctInputs, assertSignedByOwners, checkAssetShape, checkConditionShape, checkFulfillmentShape, validateAsset,
} from './transaction-checks';
import { keypairFromPrivate } from './keys';
import { assertTransactionSchema } from './schema';
import { serialize } from './serialize';
import type { JsonObject, PrivateKey, PublicKey, TxId } from './types';

export type Operation = 'CREATE' | 'TRANSFER' | 'GENESIS';

/** Points at output `cid` of transaction `txid`. */
export interface TransactionLink {
  readonly txid: TxId;
  readonly cid: number;
}

export interface FulfillmentDict {
  fid: number;
  owners_before: PublicKey[];
  input: TransactionLink | null;
  /** A signed `cf:` URI, or the details of a fulfillment not signed yet. */
  fulfillment: string | JsonObject;
}

export interface ConditionDict {
  cid: number;
  amount: number;
  owners_after: PublicKey[];
  condition: { details: JsonObject; uri: string };
}

/** The full asset of a CREATE/GENESIS; a TRANSFER carries only `{id}`. */
export interface AssetDict {
  id: string;
  divisible?: boolean;
  updatable?: boolean;
  refillable?: boolean;
  data?: JsonObject | null;
}

export interface MetadataDict {
  id: string;
  data: JsonObject;
}

export interface TransactionBody {
  fulfillments: FulfillmentDict[];
  conditions: ConditionDict[];
  operation: Operation;
  asset: AssetDict;
  metadata: MetadataDict | null;
}

export interface TransactionDict {
  id: TxId;
  version: number;
  transaction: TransactionBody;
}

/** An input of a transaction being built: what to fulfil, by whom, spending which output. */
export interface Input {
  readonly fulfillment: Fulfillment;
  readonly ownersBefore: PublicKey[];
  readonly link: TransactionLink | null;
}

/**
 * An output being built: `amount` of the asset, spendable by all of `owners`
 * together. Flat lists only: the 0.8 schema has no room for nested owners.
 */
export type Recipient = readonly [owners: readonly PublicKey[], amount: number];

export interface AssetOptions {
  data?: JsonObject | null;
  divisible?: boolean;
  updatable?: boolean;
  refillable?: boolean;
  /** Fixed asset id (uuid4); a random one otherwise. */
  id?: string;
}

/** An output spent by a TRANSFER, as found on the chain. */
export interface SpentOutput {
  readonly link: TransactionLink;
  readonly condition: ConditionDict;
  /** Asset id of the transaction holding the output. */
  readonly assetId: string;
}

const VERSION = 1;

export class Transaction {
  private constructor(
    readonly operation: Operation,
    readonly asset: AssetDict,
    readonly inputs: Input[],
    readonly conditions: ConditionDict[],
    readonly metadata: MetadataDict | null,
    readonly version: number = VERSION,
  ) {}

  /** A CREATE of a new asset by `ownersBefore`, paid out to `recipients` ([owners, amount] each). */
  static create(
    ownersBefore: PublicKey[],
    recipients: Recipient[],
    options: {
      metadata?: JsonObject | null;
      /** Fixed metadata id (uuid4); a random one otherwise. */
      metadataId?: string;
      asset?: AssetOptions;
      operation?: 'CREATE' | 'GENESIS';
    } = {},
  ): Transaction {
    if (ownersBefore.length === 0) throw new OperationError('a CREATE needs at least one owner before');
    const input: Input = { fulfillment: fulfillmentForOwners(ownersBefore), ownersBefore, link: null };
    const asset = options.asset ?? {};
    return new Transaction(
      options.operation ?? 'CREATE',
      {
        id: asset.id ?? randomUUID(),
        divisible: asset.divisible ?? false,
        updatable: asset.updatable ?? false,
        refillable: asset.refillable ?? false,
        data: asset.data ?? null,
      },
      [input],
      buildConditions(recipients),
      buildMetadata(options.metadata, options.metadataId),
    );
  }

  /** A TRANSFER of `inputs` (from `toInputs`) of asset `assetId` to `recipients`. */
  static transfer(inputs: Input[], recipients: Recipient[], assetId: string, metadata?: JsonObject | null): Transaction {
    if (inputs.length === 0) throw new OperationError('a TRANSFER needs at least one input');
    if (inputs.some((i) => i.link === null)) throw new OperationError('every input of a TRANSFER must link an output');
    return new Transaction('TRANSFER', { id: assetId }, inputs, buildConditions(recipients), buildMetadata(metadata));
  }

  /** Reads a transaction, checking its schema, its structure and its id. Throws a typed error. */
  static fromDict(value: unknown): Transaction {
    Transaction.validateStructure(value);
    const dict = value as TransactionDict;
    const body = dict.transaction;
    const tx = new Transaction(
      body.operation,
      body.asset,
      body.fulfillments.map(readInput),
      body.conditions,
      body.metadata,
      dict.version,
    );
    const expected = tx.id;
    if (dict.id !== expected) throw new InvalidHash(`transaction id ${dict.id} is not the hash of its content (${expected})`);
    tx.source = dict;
    return tx;
  }

  /**
   * Throws unless `value` matches the schema and has the exact shape that
   * `toDict` writes back, so the id a client computed is the id we store.
   */
  static validateStructure(value: unknown): void {
    assertTransactionSchema(value);
    const body = (value as TransactionDict).transaction;
    if (body.fulfillments.length === 0) throw new OperationError('a transaction needs at least one fulfillment');
    if (body.conditions.length === 0) throw new OperationError('a transaction needs at least one condition');
    body.fulfillments.forEach((f, i) => checkFulfillmentShape(f, i));
    body.conditions.forEach((c, i) => checkConditionShape(c, i));
    checkAssetShape(body.operation, body.asset);
  }

  /** The transaction's id: hash of its serialization without signatures. */
  get id(): TxId {
    return (this.cachedId ??= sha3Hex(this.idPreimage()));
  }

  /** Inputs spending outputs `indices` (all by default) of this transaction. */
  toInputs(indices?: number[]): Input[] {
    const cids = indices ?? this.conditions.map((_, i) => i);
    return cids.map((cid) => {
      const condition = this.conditions[cid];
      if (condition === undefined) throw new OperationError(`transaction ${this.id} has no output ${cid}`);
      return {
        fulfillment: fromDetails(condition.condition.details),
        ownersBefore: condition.owners_after,
        link: { txid: this.id, cid },
      };
    });
  }

  /** Signs every input with the given keys; every owner of every input must be among them. */
  sign(privateKeys: PrivateKey[]): this {
    const keys = new Map(privateKeys.map((k) => [keypairFromPrivate(k).publicKey as string, k]));
    this.source = null;
    this.inputs.forEach((input, k) => {
      signFulfillment(input.fulfillment, Buffer.from(this.signingMessage(k), 'utf8'), keys);
    });
    return this;
  }

  toDict(): TransactionDict {
    if (this.source !== null) return this.source;
    return {
      id: this.id,
      version: this.version,
      transaction: this.body(this.inputs.map((input, fid) => fulfillmentDict(input, fid, fulfillmentJson(input.fulfillment)))),
    };
  }

  /**
   * The exact text fulfillment `k` signs: the transaction reduced to that one
   * fulfillment (renumbered 0, unsigned), with that partial transaction's own
   * id (SPEC.md §4).
   */
  signingMessage(k: number): string {
    const input = this.inputs[k];
    if (input === undefined) throw new OperationError(`transaction has no fulfillment ${k}`);
    if (this.inputs.length === 1) return '{"id":"' + this.id + '",' + this.idPreimage().slice(1);
    const unsigned = this.serializeUnsigned([fulfillmentDict(input, 0, null)]);
    return '{"id":"' + sha3Hex(unsigned) + '",' + unsigned.slice(1);
  }

  /**
   * Checks every signature. For a TRANSFER, `spentUris[k]` is the condition
   * URI of the output input `k` spends and must equal its fulfillment's
   * condition; a CREATE's own conditions are not compared with anything.
   */
  fulfillmentsValid(spentUris: readonly string[] | null = null, now: number = Date.now() / 1000): boolean {
    return this.inputs.every((input, k) => {
      if (spentUris !== null && spentUris[k] !== conditionUriOrNull(input.fulfillment)) return false;
      return fulfillmentValid(input.fulfillment, Buffer.from(this.signingMessage(k), 'utf8'), now);
    });
  }

  /** The rules of a CREATE or GENESIS that need no chain (SPEC.md §4.2–3). */
  validateCreate(now?: number): void {
    if (this.operation !== 'CREATE' && this.operation !== 'GENESIS') {
      throw new OperationError(`validateCreate called on a ${this.operation}`);
    }
    if (this.inputs.some((i) => i.link !== null)) throw new OperationError('a CREATE operation has no inputs');
    this.inputs.forEach((input, k) => assertSignedByOwners(input, k));
    validateAsset(this.asset, this.totalOutput());
    if (!this.fulfillmentsValid(null, now)) throw new InvalidSignature('a fulfillment does not verify');
  }

  /**
   * The rules of a TRANSFER given the outputs it spends (found on the chain,
   * in input order) and the asset as its CREATE defined it (SPEC.md §4.4).
   */
  validateTransfer(spent: readonly SpentOutput[], createdAsset: AssetDict, now?: number): void {
    if (this.operation !== 'TRANSFER') throw new OperationError(`validateTransfer called on a ${this.operation}`);
    if (spent.length !== this.inputs.length) throw new OperationError('one spent output is needed per input');
    assertDistinctInputs(this.spentLinks());
    const assetIds = new Set(spent.map((s) => s.assetId));
    if (assetIds.size !== 1) throw new AssetIdMismatch('all inputs must belong to the same asset');
    const [inputAssetId] = assetIds;
    if (inputAssetId !== this.asset.id) {
      throw new AssetIdMismatch(`inputs are of asset ${inputAssetId}, the transaction names asset ${this.asset.id}`);
    }
    if (createdAsset.id !== inputAssetId) throw new AssetIdMismatch('the asset definition given is of another asset');
    let inputTotal = 0;
    for (const s of spent) {
      if (s.condition.amount < 1) throw new AmountError('an input amount must be at least 1');
      inputTotal += s.condition.amount;
    }
    validateAsset(createdAsset, inputTotal);
    const outputTotal = this.totalOutput();
    if (outputTotal !== inputTotal) {
      throw new AmountError(`outputs total ${outputTotal} but inputs total ${inputTotal}`);
    }
    if (!this.fulfillmentsValid(spent.map((s) => s.condition.condition.uri), now)) {
      throw new InvalidSignature('a fulfillment does not verify or does not match the condition it spends');
    }
  }

  /** Links of the outputs this transaction spends, in input order (empty for a CREATE). */
  spentLinks(): TransactionLink[] {
    return this.inputs.flatMap((i) => (i.link ? [i.link] : []));
  }

  private cachedId: TxId | undefined;
  private cachedPreimage: string | undefined;
  /** The dict this transaction was read from, returned as is by `toDict` until it is signed anew. */
  private source: TransactionDict | null = null;

  /** The exact text hashed for the id: the transaction without id, every fulfillment null. */
  idPreimage(): string {
    return (this.cachedPreimage ??= this.serializeUnsigned(this.fulfillmentsWithoutSignatures()));
  }

  private totalOutput(): number {
    return this.conditions.reduce((total, c) => total + c.amount, 0);
  }

  private fulfillmentsWithoutSignatures(): FulfillmentDict[] {
    return this.inputs.map((input, fid) => fulfillmentDict(input, fid, null));
  }

  private body(fulfillments: FulfillmentDict[]): TransactionBody {
    return {
      fulfillments,
      conditions: this.conditions,
      operation: this.operation,
      asset: this.asset,
      metadata: this.metadata,
    };
  }

  /** Serialization of the transaction without its id: the id's preimage. */
  private serializeUnsigned(fulfillments: FulfillmentDict[]): string {
    return serialize({ transaction: this.body(fulfillments), version: this.version });
  }
}

function buildConditions(recipients: Recipient[]): ConditionDict[] {
  if (recipients.length === 0) throw new OperationError('a transaction needs at least one output');
  return recipients.map(([owners, amount], cid) => {
    if (!Number.isSafeInteger(amount) || amount < 1) throw new AmountError(`output amount must be an integer ≥ 1, was ${amount}`);
    if (owners.some((o) => typeof o !== 'string')) {
      throw new SchemaValidationError('owners must be a flat list of public keys: the 0.8 schema does not carry nested lists');
    }
    const fulfillment = fulfillmentForOwners([...owners]);
    return { cid, amount, owners_after: [...owners], condition: { details: toDetails(fulfillment), uri: conditionUri(fulfillment) } };
  });
}

function buildMetadata(data: JsonObject | null | undefined, id?: string): MetadataDict | null {
  return data === null || data === undefined ? null : { id: id ?? randomUUID(), data };
}

/** The dict of an input; `fulfillment` null gives the form that ids and signing messages hash. */
function fulfillmentDict(input: Input, fid: number, fulfillment: string | JsonObject | null): FulfillmentDict {
  return {
    fid,
    owners_before: input.ownersBefore,
    input: input.link,
    fulfillment: fulfillment as string | JsonObject,
  };
}

/** The signed URI once signed, else the details of the unsigned fulfillment (as 0.8's to_dict). */
function fulfillmentJson(fulfillment: Fulfillment): string | JsonObject {
  try {
    return fulfillment.serializeUri();
  } catch {
    return toDetails(fulfillment);
  }
}

function conditionUriOrNull(fulfillment: Fulfillment): string | null {
  try {
    return conditionUri(fulfillment);
  } catch {
    return null;
  }
}

function readInput(f: FulfillmentDict): Input {
  const fulfillment = typeof f.fulfillment === 'string' ? parseFulfillmentUri(f.fulfillment) : fromDetails(f.fulfillment);
  return { fulfillment, ownersBefore: f.owners_before, link: f.input };
}
