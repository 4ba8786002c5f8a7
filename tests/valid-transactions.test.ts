/**
 * What one validating thread finds in a valid block, the node's other
 * threads find without asking the database (core/valid-transactions.ts):
 * only valid finds are passed on, and only to lookups in the same database.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { baseConsensusRules } from '../consensus/rules';
import { Bigchain } from '../core/bigchain';
import { ValidTransactionsChannel } from '../core/valid-transactions';
import type { Database } from '../db/connection';
import { writeGenesisBlock } from '../db/schema';
import { generateKeypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import type { BlockId } from '../models/types';
import { freshDatabase } from './helpers/database';
import { waitFor } from './helpers/federation';
import { votedBlock } from './helpers/voted-blocks';

const [me, peer] = [generateKeypair(), generateKeypair()];
const node = { keypair: me, keyring: [peer.publicKey] };
const owner = generateKeypair();

describe('transactions found in valid blocks, shared between threads', () => {
  let db: Database;
  let genesisId: BlockId;
  const threadOn = (name: string) => new Bigchain(db, node, baseConsensusRules, new ValidTransactionsChannel({ ...db.settings, name }));

  before(async () => {
    db = await freshDatabase();
    genesisId = (await writeGenesisBlock(db, me)).id;
  });

  /**
   * A CREATE in a block of its own, voted valid by both nodes or by none
   * (undecided); then the block leaves the database once `find` has looked,
   * as validation does or, `byGet`, as the API's status query does.
   */
  async function foundThenGone(find: Bigchain, valid: boolean, byGet = false): Promise<Transaction> {
    const tx = Transaction.create([owner.publicKey], [[[owner.publicKey], 1]], { metadata: { n: Math.random().toString() } }).sign([owner.privateKey]);
    const block = await votedBlock(find, [me, peer], [tx], valid ? [true, true] : [], genesisId);
    const status = byGet ? await find.getStatus(tx.id) : (await find.readerFor().getTransaction(tx.id, { withStatus: true }))?.status;
    assert.equal(status, valid ? 'valid' : 'undecided');
    await db.run(db.table('bigchain').get(block.id).delete());
    return tx;
  }

  test('a lookup finds as valid what another thread found valid, with the block no longer there to read', async () => {
    const [finder, other, elsewhere] = [threadOn(db.settings.name), threadOn(db.settings.name), threadOn(`${db.settings.name}_other`)];
    const tx = await foundThenGone(finder, true);
    await waitFor('the find to reach the other thread', async () => (await other.getTransaction(tx.id)) !== null, 5_000);
    const found = await other.getTransaction(tx.id, { withStatus: true });
    assert.equal(found?.status, 'valid');
    assert.deepEqual(found?.transaction.toDict(), tx.toDict());
    assert.equal(await elsewhere.getTransaction(tx.id), null, 'a thread on another database learns nothing');
    assert.equal(await new Bigchain(db, node).getTransaction(tx.id), null, 'a Bigchain without the channel asks the database');
  });

  test("an undecided find is not passed on, nor a valid one of a status query's", async () => {
    const [finder, other] = [threadOn(db.settings.name), threadOn(db.settings.name)];
    const undecided = await foundThenGone(finder, false);
    const asked = await foundThenGone(finder, true, true);
    // Finds travel in order: once a later valid one has arrived, the earlier ones would have too.
    const valid = await foundThenGone(finder, true);
    await waitFor('the valid find to reach the other thread', async () => (await other.getTransaction(valid.id)) !== null, 5_000);
    assert.equal(await other.getTransaction(undecided.id), null);
    assert.equal(await other.getTransaction(asked.id), null);
  });
});
