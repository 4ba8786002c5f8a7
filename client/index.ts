/**
 * `bigchaindb/client`: a TypeScript client of a node's HTTP API and event
 * stream, with light-client proofs, building and signing through this
 * package's own models.
 */
export { Connection, type ApiIndex, type NodeInfo, type PollOptions, type TransactionStatus } from './connection';
export { PollTimeout, ProofError, RequestError, type ProofFailure } from './errors';
export { checkTransactionProof, type TransactionProof } from './proof';
export type { StreamClosed, ValidTransactionEvent, ValidTransactionStream } from './stream';
export { Transaction, type TransactionDict } from '../models/transaction';
export { generateKeypair, type Keypair } from '../models/keys';
export type { BlockDict } from '../models/block';
export type { VoteDict } from '../models/vote';
export type { BlockStatus } from '../consensus/election';
export type { BlockId, PublicKey, PrivateKey, TxId } from '../models/types';
