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
  /** Threads of each validation pool. */
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
    validationThreads: Math.max(1, availableParallelism()),
    faultyBlocks: process.env.BIGCHAINDB_TEST_FAULTY_BLOCKS === '1',
  };
}
