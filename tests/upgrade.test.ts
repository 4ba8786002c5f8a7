/**
 * A node of ours on a database that 0.8.2's `bigchaindb init` made, as an
 * operator does when replacing a 0.8.2 node: `init` and `start` add the
 * indexes 0.8.2 lacked, and the node carries on the chain and its vote chain.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Bigchain } from '../core/bigchain';
import { Database, TABLES } from '../db/connection';
import { getGenesisBlock } from '../db/queries/blocks';
import { r } from '../db/rethink';
import { INDEXES, writeGenesisBlock } from '../db/schema';
import type { Keypair } from '../models/keys';
import { generateKeypair } from '../models/keys';
import { databaseVars, isolatedEnv, keypairVars, runCli, tempDir } from './helpers/cli';
import { uniqueDatabaseSettings } from './helpers/database';
import { startFederation, waitFor } from './helpers/federation';
import { allValid, assertVoteChain, create, writeAssigned } from './helpers/federation-checks';

/** The indexes `bigchaindb init` of 0.8.2 made, and nothing else. */
const INDEXES_0_8_2: Record<(typeof TABLES)[number], readonly string[]> = {
  backlog: ['assignee__transaction_timestamp'],
  bigchain: ['block_timestamp', 'transaction_id', 'metadata_id', 'asset_id'],
  votes: ['block_and_voter'],
};

const ADDED = ['backlog.assignment_timestamp', 'bigchain.inputs', 'bigchain.owners_after', 'votes.voter_and_timestamp'];

/** The database, tables and indexes of 0.8.2, and its genesis block by `node`. */
async function layout082(db: Database, node: Keypair): Promise<void> {
  await db.run(r.dbCreate(db.name));
  for (const table of TABLES) {
    await db.run(db.db().tableCreate(table));
    for (const index of INDEXES[table].filter((i) => INDEXES_0_8_2[table].includes(i.name))) {
      await db.run(db.table(table).indexCreate(index.name, index.fn, { multi: index.multi === true }));
    }
    await db.run(db.table(table).indexWait());
  }
  await writeGenesisBlock(db, node);
}

async function indexNames(db: Database, table: (typeof TABLES)[number]): Promise<string[]> {
  return [...(await db.run<string[]>(db.table(table).indexList()))].sort();
}

describe('a database made by 0.8.2', () => {
  test('the 0.8.2 layout of this test lacks exactly the indexes 0.8.2 did not have', () => {
    const missing = TABLES.flatMap((t) => INDEXES[t].filter((i) => !INDEXES_0_8_2[t].includes(i.name)).map((i) => `${t}.${i.name}`));
    assert.deepEqual(missing.sort(), [...ADDED].sort());
  });

  test('init says it already exists, names the indexes it added, and leaves every index of ours in place', async () => {
    const settings = await uniqueDatabaseSettings();
    const db = await Database.connect(settings);
    const node = generateKeypair();
    await layout082(db, node);
    const result = await runCli(['init'], isolatedEnv(tempDir(), { ...databaseVars(settings), ...keypairVars(node) }));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /already exists/);
    assert.match(result.stderr, new RegExp(`Added what it lacked: ${ADDED.join(', ')}\\.`));
    for (const table of TABLES) assert.deepEqual(await indexNames(db, table), INDEXES[table].map((i) => i.name).sort());
    const again = await runCli(['init'], isolatedEnv(tempDir(), { ...databaseVars(settings), ...keypairVars(node) }));
    assert.doesNotMatch(again.stderr, /Added/, 'a second init has nothing to add');
    await db.close();
  });

  test('a node started on it adds the missing indexes, keeps its 0.8.2 vote chain and makes new transactions valid', async () => {
    let before!: { blockId: string; genesisId: string };
    const f = await startFederation({
      size: 1,
      layout: async (db, node) => {
        await layout082(db, node);
        // History written as 0.8.2 would: a block and this node's vote on it, chained to the genesis block.
        const chain = new Bigchain(db, { keypair: node, keyring: [] });
        const genesis = (await getGenesisBlock(db))!;
        const block = chain.createBlock([create('before-the-upgrade')]);
        await chain.writeBlock(block);
        await chain.writeVote(chain.vote(block.id, genesis.id, true));
        before = { blockId: block.id, genesisId: genesis.id };
      },
    });
    const node = f.nodes[0]!;
    const tx = create('after-the-upgrade');
    await writeAssigned(f, [tx], [node.keypair.publicKey]);
    await waitFor('the new transaction valid', () => allValid(f, [tx]), 60_000);
    assert.match(node.log(), /lacked index votes\.voter_and_timestamp: created it/);
    const chain = await assertVoteChain(f, node.keypair, before.genesisId);
    assert.equal(chain[0], before.blockId, 'the vote chain goes on from the vote 0.8.2 cast');
    assert.equal(chain.length, 2);
  });
});
