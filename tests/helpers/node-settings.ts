/**
 * A node's settings as the tests run it in-process: on a test database, one
 * validation thread per pool, StatsD's defaults, no fault injection.
 */
import { defaultConfig } from '../../config/config';
import type { DatabaseSettings } from '../../db/connection';
import type { Keypair } from '../../models/keys';
import type { PublicKey } from '../../models/types';
import type { NodeSettings } from '../../pipelines/node-settings';

export function testNodeSettings(database: DatabaseSettings, keypair: Keypair, keyring: readonly PublicKey[], backlogReassignDelay = 120): NodeSettings {
  return { database, keypair, keyring, backlogReassignDelay, statsd: defaultConfig().statsd, validationThreads: 1, faultyBlocks: false };
}
