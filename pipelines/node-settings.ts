/** What every pipeline thread needs to act as this node: plain data, so it crosses into worker threads. */
import { availableParallelism } from 'node:os';
import type { Config } from '../config/config';
import type { DatabaseSettings } from '../db/connection';
import type { Keypair } from '../models/keys';
import type { PublicKey } from '../models/types';

export interface NodeSettings {
  readonly database: DatabaseSettings;
  readonly keypair: Keypair;
  readonly keyring: readonly PublicKey[];
  /** Seconds a node may hold a backlog transaction before it is reassigned. */
  readonly backlogReassignDelay: number;
  readonly statsd: Config['statsd'];
  /** Threads of each of the node's two validation pools (block and vote). */
  readonly validationThreads: number;
  /**
   * Test-only fault injection: this node puts one invalid transaction in each
   * block it makes, so federation tests can watch a block voted invalid.
   */
  readonly faultyBlocks: boolean;
}

export function nodeSettings(config: Config, keypair: Keypair): NodeSettings {
  return {
    database: config.database,
    keypair,
    keyring: config.keyring,
    backlogReassignDelay: config.backlog_reassign_delay,
    statsd: config.statsd,
    validationThreads: validationThreadsPerPool(),
    faultyBlocks: process.env.BIGCHAINDB_TEST_FAULTY_BLOCKS === '1',
  };
}

/**
 * One per two cores, rounded up, and at least one: the block and the vote
 * pool together then have about one thread per core. With one per core each,
 * the node ran twice as many validation threads as cores beside its API,
 * pipeline and database threads, and every thread compiled its own hot code.
 */
export function validationThreadsPerPool(cores = availableParallelism()): number {
  return Math.max(1, Math.ceil(cores / 2));
}
