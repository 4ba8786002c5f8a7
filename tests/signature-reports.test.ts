/**
 * The API processes' part in the node's verified-signature memo: what they
 * verify reaches the memo the validation threads read, so the block pipeline
 * does not verify a POSTed transaction's signatures again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultConfig, type Config } from '../config/config';
import { writeGenesisBlock } from '../db/schema';
import { parseFulfillmentUri } from '../models/conditions';
import type { Ed25519 } from '../models/conditions/types';
import { generateKeypair } from '../models/keys';
import { SignatureMemo } from '../models/signature-memo';
import { Transaction } from '../models/transaction';
import { startApi, type RunningApi } from '../server/cluster';
import { SignatureReporter, type SignatureReport } from '../server/signature-reports';
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

describe('signature reports of the API processes', () => {
  test('a reporter sends, in one message a turn, digests that its memo finds and a memo with another key does not', async () => {
    const memo = SignatureMemo.create();
    const reports: SignatureReport[] = [];
    const reporter = new SignatureReporter(memo.digestKey(), (report) => reports.push(report));
    const [first, second] = [signatureOf(create()), signatureOf(create())];
    reporter.add(...first);
    reporter.add(...second);
    assert.equal(reporter.has(), false);
    assert.equal(reports.length, 0, 'nothing is sent before the turn ends');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reports.length, 1);
    const other = SignatureMemo.create();
    for (const m of [memo, other]) m.addDigests(Buffer.from(reports[0]!.verifiedSignatures, 'base64'));
    assert.equal(memo.has(...first), true);
    assert.equal(memo.has(...second), true);
    assert.equal(other.has(...first), false);
  });

  describe('from a running API', () => {
    let api: RunningApi;
    let base: string;
    const memo = SignatureMemo.create();

    before(async () => {
      const db = await freshDatabase();
      await writeGenesisBlock(db, me);
      const port = await freePort();
      const defaults = defaultConfig();
      const config: Config = { ...defaults, database: { ...defaults.database, ...db.settings }, server: { ...defaults.server, bind: `127.0.0.1:${port}`, workers: 1 } };
      api = await startApi({ config, keypair: me, version: '0.8.2' }, memo);
      base = `http://127.0.0.1:${port}/api/v1`;
    });

    after(() => api?.stop());

    test('the signature of a POSTed CREATE reaches the memo; that of a CREATE it refused does not', async () => {
      const accepted = create();
      const post = (body: unknown) => fetch(`${base}/transactions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
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
  });
});
