/** The 0.8 block (SPEC.md §5): a signed list of transactions with the voters that must judge it. */
import { InvalidHash, InvalidSignature, OperationError, SchemaValidationError } from './errors';
import { sha3Hex } from './hash';
import { type Keypair, signText, verifyText } from './keys';
import { serialize, serializeWithItems } from './serialize';
import { timestampNow } from './timestamp';
import { Transaction, type AssetDict, type TransactionDict } from './transaction';
import type { BlockId, PrivateKey, PublicKey, SignatureB58, Timestamp, TxId } from './types';

export interface BlockBody {
  timestamp: Timestamp;
  transactions: TransactionDict[];
  node_pubkey: PublicKey;
  voters: PublicKey[];
}

export interface BlockDict {
  id: BlockId;
  block: BlockBody;
  signature: SignatureB58 | null;
}

/**
 * What an election reads of a block until it finds it invalid: its voters,
 * and the id and asset id of each transaction, in order, for the event
 * stream: some 150 kB where a block of 1000 is a megabyte.
 */
export interface BlockOutline {
  readonly id: BlockId;
  readonly voters: readonly PublicKey[];
  readonly transactions: readonly { readonly id: TxId; readonly transaction: { readonly asset: Pick<AssetDict, 'id'> } }[];
}

/** A block whose id and signature checked out, and the canonical text of each of its transactions, in order. */
export interface CheckedHeader {
  readonly dict: BlockDict;
  readonly transactionTexts: readonly string[];
}

export const GENESIS_MESSAGE = 'Hello World from the BigchainDB';

export class Block {
  private constructor(
    private parsed: Transaction[] | null,
    readonly body: BlockBody,
    readonly id: BlockId,
    private signatureValue: SignatureB58 | null,
    /** The canonical text of `body` when already at hand: a block of 1000 costs tens of ms to serialize. */
    private serializedBody: string | null = null,
  ) {}

  /**
   * An unsigned block of `transactions` by `nodePubkey`, to be judged by
   * `voters`. Transactions may be given as dicts already checked, which
   * spares parsing them again.
   */
  static create(
    transactions: readonly (Transaction | TransactionDict)[],
    nodePubkey: PublicKey,
    voters: PublicKey[],
    timestamp: Timestamp = timestampNow(),
  ): Block {
    if (transactions.length === 0) throw new OperationError('empty block creation is not allowed');
    const body: BlockBody = {
      timestamp,
      transactions: transactions.map((tx) => (tx instanceof Transaction ? tx.toDict() : tx)),
      node_pubkey: nodePubkey,
      voters,
    };
    const serialized = serialize(body);
    return new Block(null, body, sha3Hex(serialized), null, serialized);
  }

  /** The block's transactions, read from its body on first use. */
  get transactions(): Transaction[] {
    return (this.parsed ??= this.body.transactions.map((tx) => Transaction.fromDict(tx)));
  }

  /**
   * Reads a block, checking its id, its signature when it has one, and the
   * structure and id of every transaction in it.
   */
  static fromDict(value: unknown): Block {
    const dict = Block.checkHeader(value);
    const transactions = dict.block.transactions.map((tx) => Transaction.fromDict(tx));
    return new Block(transactions, dict.block, dict.id, dict.signature);
  }

  /**
   * Checks a block's shape, id and signature (when it has one) without
   * reading its transactions, which a vote can leave to other threads.
   */
  static checkHeader(value: unknown): BlockDict {
    return Block.checkHeaderWithTexts(value).dict;
  }

  /** `checkHeader`, with the canonical text of each transaction, which the serialization of the body made anyway. */
  static checkHeaderWithTexts(value: unknown): CheckedHeader {
    const dict = asBlockDict(value);
    const { text: serialized, items: transactionTexts } = serializeWithItems(dict.block as unknown as Record<string, unknown>, 'transactions');
    const id = sha3Hex(serialized);
    if (dict.id !== id) throw new InvalidHash(`block id ${String(dict.id)} is not the hash of its content (${id})`);
    if (dict.signature !== null && !verifyText(serialized, dict.signature, dict.block.node_pubkey)) {
      throw new InvalidSignature('block signature does not verify');
    }
    return { dict, transactionTexts };
  }

  get signature(): SignatureB58 | null {
    return this.signatureValue;
  }

  get nodePubkey(): PublicKey {
    return this.body.node_pubkey;
  }

  get voters(): PublicKey[] {
    return this.body.voters;
  }

  sign(privateKey: PrivateKey): this {
    this.signatureValue = signText(this.serialized(), privateKey);
    return this;
  }

  isSignatureValid(): boolean {
    return this.signatureValue !== null && verifyText(this.serialized(), this.signatureValue, this.body.node_pubkey);
  }

  private serialized(): string {
    return (this.serializedBody ??= serialize(this.body));
  }

  toDict(): BlockDict {
    return { id: this.id, block: this.body, signature: this.signatureValue };
  }
}

/** True for a genesis block: its one transaction is a GENESIS. */
export function isGenesisBlock(block: BlockDict): boolean {
  return block.block?.transactions?.[0]?.transaction?.operation === 'GENESIS';
}

/** The genesis block of a node: one GENESIS transaction from its key to itself, signed (SPEC.md §5). */
export function createGenesisBlock(
  node: Keypair,
  pinned: { timestamp?: Timestamp; assetId?: string; metadataId?: string } = {},
): Block {
  const genesis = Transaction.create([node.publicKey], [[[node.publicKey], 1]], {
    operation: 'GENESIS',
    metadata: { message: GENESIS_MESSAGE },
    metadataId: pinned.metadataId,
    asset: { id: pinned.assetId },
  }).sign([node.privateKey]);
  return Block.create([genesis], node.publicKey, [node.publicKey], pinned.timestamp).sign(node.privateKey);
}

function asBlockDict(value: unknown): BlockDict {
  const v = value as Partial<BlockDict> | null;
  const body = v?.block;
  if (
    typeof v !== 'object' || v === null || typeof v.id !== 'string' || typeof body !== 'object' || body === null ||
    !Array.isArray(body.transactions) || !Array.isArray(body.voters) || typeof body.node_pubkey !== 'string' ||
    typeof body.timestamp !== 'string' || !(v.signature === null || v.signature === undefined || typeof v.signature === 'string')
  ) {
    throw new SchemaValidationError('a block needs id, block {timestamp, transactions, node_pubkey, voters} and signature');
  }
  if (body.transactions.length === 0) throw new OperationError('empty blocks are not allowed');
  return { id: v.id, block: body, signature: v.signature ?? null };
}
