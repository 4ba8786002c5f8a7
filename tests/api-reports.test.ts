/**
 * What the API processes report to the primary: the signatures they verify
 * reach the memo the validation threads read, and the inputs they find in
 * valid blocks reach the threads' lookups, so the block pipeline neither
 * verifies a POSTed transaction's signatures again nor looks up its inputs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultConfig, type Config } from '../config/config';
import { ValidTransactionsChannel } from '../core/valid-transactions';
import type { Database } from '../db/connection';
import { writeGenesisBlock } from '../db/schema';
import { Block } from '../models/block';
import { parseFulfillmentUri } from '../models/conditions';
import type { Ed25519 } from '../models/conditions/types';
import { generateKeypair } from '../models/keys';
import { VerdictMemo } from '../models/verdict-memo';
import { serialize } from '../models/serialize';
import { Transaction } from '../models/transaction';
import type { BlockId } from '../models/types';
import { createVote } from '../models/vote';
import { startApi, type RunningApi } from '../server/cluster';
import { ApiReporter, type ApiReport } from '../server/api-reports';
import { freePort } from './helpers/cli';
import { freshDatabase } from './helpers/database';

const me = generateKeypair();
const alice = generateKeypair();
const create = () => Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { r: Math.random() } }).sign([alice.privateKey]);

/** The public key, signature and message of a one-input transaction's Ed25519 fulfillment, as the validation threads check them. */
function signatureOf(tx: Transaction): [Buffer, Buffer, Buffer] {
  const f = parseFulfillmentUri(tx.toDict().transaction.fulfillments[0]!.fulfillment as string) as Ed25519;
  return [Buffer.from(f.publicKey!), Buffer.from(f.signature!), Buffer.from(tx.signingMessage(0), 'utf8')];
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
}

describe('reports of the API processes', () => {
  test('a reporter sends what several turns learnt in one message: digests that its memo finds and a memo with another key does not, and the valid finds', async () => {
    const memo = VerdictMemo.create();
    const reports: ApiReport[] = [];
    const everyMs = 500;
    const reporter = new ApiReporter(memo.digestKey(), (report) => reports.push(report), everyMs);
    const [first, second] = [signatureOf(create()), signatureOf(create())];
    reporter.signatures.add(...first);
    const found = create().toDict();
    reporter.validTransactions.add(found);
    assert.equal(reporter.signatures.has(...first), false);
    assert.equal(reporter.validTransactions.get(found.id), undefined);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reports.length, 0, 'nothing is sent at the end of the turn');
    reporter.signatures.add(...second);
    assert.equal(await until(() => reports.length > 0, 5000), true);
    await new Promise((resolve) => setTimeout(resolve, everyMs * 2));
    assert.equal(reports.length, 1);
    assert.deepEqual(reports[0]!.validTransactions, [found]);
    const other = VerdictMemo.create();
    for (const m of [memo, other]) m.addDigests(Buffer.from(reports[0]!.digests, 'base64'));
    assert.equal(memo.has(...first), true);
    assert.equal(memo.has(...second), true);
    assert.equal(other.has(...first), false);
  });

  describe('from a running API', () => {
    let api: RunningApi;
    let base: string;
    let db: Database;
    let genesisId: BlockId;
    const memo = VerdictMemo.create();
    const post = (body: unknown) => fetch(`${base}/transactions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

    before(async () => {
      db = await freshDatabase();
      genesisId = (await writeGenesisBlock(db, me)).id;
      const port = await freePort();
      const defaults = defaultConfig();
      const config: Config = { ...defaults, database: { ...defaults.database, ...db.settings }, server: { ...defaults.server, bind: `127.0.0.1:${port}`, workers: 1 } };
      api = await startApi({ config, keypair: me, version: '0.8.2' }, memo);
      base = `http://127.0.0.1:${port}/api/v1`;
    });

    after(() => api?.stop());

    test('the signature of a POSTed CREATE reaches the memo; that of a CREATE it refused does not', async () => {
      const accepted = create();
      assert.equal((await post(accepted.toDict())).status, 201);
      assert.equal(await until(() => memo.has(...signatureOf(accepted)), 5000), true);

      // A's body with the fulfillment of B, which the same key signed over B's body: refused for its signature.
      const [a, b] = [create(), create()];
      const refused = a.toDict();
      refused.transaction.fulfillments[0]!.fulfillment = b.toDict().transaction.fulfillments[0]!.fulfillment;
      assert.equal((await post(refused)).status, 400);
      const late = create();
      assert.equal((await post(late.toDict())).status, 201);
      assert.equal(await until(() => memo.has(...signatureOf(late)), 5000), true);
      const [key, signature] = signatureOf(b);
      assert.equal(memo.has(key, signature, Buffer.from(a.signingMessage(0), 'utf8')), false);
      assert.equal(memo.has(...signatureOf(b)), false, 'B itself was never verified by the API');
    });

    test('a POSTed CREATE signed by one key reaches the memo as valid, by its canonical text; a refused one and a threshold CREATE do not', async () => {
      const accepted = create();
      const refused = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { asset: { divisible: true } }).sign([alice.privateKey]);
      const bob = generateKeypair();
      const threshold = Transaction.create([alice.publicKey, bob.publicKey], [[[alice.publicKey], 1]]).sign([alice.privateKey, bob.privateKey]);
      assert.equal((await post(refused.toDict())).status, 400);
      assert.equal((await post(threshold.toDict())).status, 201);
      assert.equal((await post(accepted.toDict())).status, 201);
      assert.equal(await until(() => memo.hasValidCreate(serialize(accepted.toDict())), 5000), true);
      assert.equal(memo.hasValidCreate(serialize(refused.toDict())), false);
      assert.equal(memo.hasValidCreate(serialize(threshold.toDict())), false);
    });

    test('the input of a POSTed TRANSFER, found in a valid block, reaches the validation threads of the same database', async () => {
      const threads = new ValidTransactionsChannel(db.settings);
      const input = create();
      const block = Block.create([input], me.publicKey, [me.publicKey]).sign(me.privateKey);
      await db.run(db.table('bigchain').insert(block.toDict()));
      await db.run(db.table('votes').insert(createVote(me, block.id, genesisId, true)));
      const transfer = Transaction.transfer(input.toInputs(), [[[me.publicKey], 1]], input.asset.id).sign([alice.privateKey]);
      assert.equal((await post(transfer.toDict())).status, 201);
      assert.equal(await until(() => threads.get(input.id) !== undefined, 5000), true);
      assert.deepEqual(threads.get(input.id), input.toDict());
      assert.equal(threads.get(transfer.id), undefined, 'the TRANSFER itself is in no block yet');
    });
  });
});
