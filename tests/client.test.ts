/**
 * The TypeScript client (`bigchaindb/client`, imported by the package's own
 * name) end to end against a real node: CREATE → TRANSFER with every call
 * of the client, its errors, its event stream, a proof of what it wrote;
 * and examples/create-transfer.ts run as it stands, the code the README
 * shows.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import {
  Connection, PollTimeout, RequestError, Transaction, generateKeypair, type TransactionDict, type ValidTransactionEvent,
} from 'bigchaindb/client';
import { readRepoFile } from './helpers/compose';
import { runCommand } from './helpers/cli';
import { startFederation, waitFor, type NodeProcess } from './helpers/federation';

const EXAMPLE = join(__dirname, '..', 'examples', 'create-transfer.js');

let node: NodeProcess;
let conn: Connection;

before(async () => {
  const f = await startFederation({ size: 1 });
  node = f.nodes[0]!;
  await node.waitUntilServing();
  conn = new Connection(`${node.apiUrl}/`);
});

describe('the client against a node', () => {
  test('CREATE then TRANSFER: posted, polled until valid, listed by asset, outputs and blocks, seen on the stream, proved', { timeout: 120_000 }, async () => {
    const alice = generateKeypair();
    const bob = generateKeypair();
    const events: ValidTransactionEvent[] = [];
    const stream = await conn.streamValidTransactions((event) => events.push(event));

    const create = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { asset: { data: { kind: 'bicycle' } } }).sign([alice.privateKey]);
    assert.deepEqual(await conn.postTransaction(create), create.toDict(), 'resolves with the server\'s JSON');
    assert.deepEqual(await conn.pollStatusAndFetchTransaction(create.id, { timeoutMs: 60_000 }), create.toDict());
    assert.deepEqual(await conn.getStatus(create.id), { status: 'valid' });

    const transfer = Transaction.transfer(create.toInputs(), [[[bob.publicKey], 1]], create.asset.id).sign([alice.privateKey]);
    // A plain dict is posted as it is.
    await conn.postTransaction(transfer.toDict() as TransactionDict);
    await conn.pollStatusAndFetchTransaction(transfer.id, { timeoutMs: 60_000 });
    assert.deepEqual(await conn.getTransaction(transfer.id), transfer.toDict());

    assert.deepEqual((await conn.listTransactions({ asset_id: create.asset.id })).map((t) => t.id).sort(), [create.id, transfer.id].sort());
    assert.deepEqual((await conn.listTransactions({ asset_id: create.asset.id, operation: 'TRANSFER' })).map((t) => t.id), [transfer.id]);
    assert.deepEqual(await conn.listOutputs({ public_key: alice.publicKey, spent: true }), [`../transactions/${create.id}/conditions/0`]);
    assert.deepEqual(await conn.listOutputs({ public_key: alice.publicKey, spent: false }), []);
    assert.deepEqual(await conn.listOutputs({ public_key: bob.publicKey }), [`../transactions/${transfer.id}/conditions/0`]);

    const [blockId, ...others] = await conn.listBlocks({ transaction_id: transfer.id, status: 'valid' });
    assert.ok(blockId !== undefined && others.length === 0, 'one valid block');
    assert.ok((await conn.getBlock(blockId)).block.transactions.some((t) => t.id === transfer.id));
    assert.deepEqual(await conn.getBlockStatus(blockId), { status: 'valid' });
    assert.deepEqual((await conn.listVotes(blockId)).map((v) => v.node_pubkey), [node.keypair.publicKey]);

    const proof = await conn.verifyTransactionProof(transfer.id, [node.keypair.publicKey]);
    assert.equal(proof.block.id, blockId);

    await waitFor('the two events', async () => events.length >= 2);
    assert.deepEqual(events.map((e) => e.transaction_id), [create.id, transfer.id]);
    assert.deepEqual(events[1], { transaction_id: transfer.id, asset_id: create.asset.id, block_id: blockId });
    assert.equal((await stream.close()).code, 1000, 'the server echoes the close');
  });

  test('a rejected transaction rejects with a RequestError carrying the status and the server\'s message', async () => {
    const alice = generateKeypair();
    const tx = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]]).sign([alice.privateKey]).toDict();
    const tampered = { ...tx, transaction: { ...tx.transaction, metadata: { id: '7a9b3e1c-5d2f-4e8a-9b6c-1d2e3f4a5b6c', data: { forged: true } } } };
    await assert.rejects(conn.postTransaction(tampered), (err: unknown) =>
      err instanceof RequestError && err.status === 400 && /^Invalid transaction: InvalidHash/.test(err.message));
    await assert.rejects(conn.getTransaction(tx.id), (err: unknown) => err instanceof RequestError && err.status === 404 && err.message === 'Not found');
    await assert.rejects(conn.listOutputs({ public_key: 'not-a-key' as never }), (err: unknown) =>
      err instanceof RequestError && err.status === 400 && err.message.includes('public_key'));
  });

  test('pollStatusAndFetchTransaction rejects with a PollTimeout when the transaction is not valid in time', async () => {
    const alice = generateKeypair();
    const never = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]]).sign([alice.privateKey]);
    await assert.rejects(conn.pollStatusAndFetchTransaction(never.id, { timeoutMs: 300, intervalMs: 50 }), (err: unknown) =>
      err instanceof PollTimeout && err.transactionId === never.id && err.lastStatus === null);
  });
});

describe('examples/create-transfer.ts', () => {
  test('runs as it stands against a node and proves the transfer', { timeout: 120_000 }, async () => {
    const result = await runCommand({ file: process.execPath, args: [EXAMPLE], label: 'node examples/create-transfer.js' },
      { PATH: process.env.PATH ?? '', BIGCHAINDB_API_URL: node.apiUrl }, { timeoutMs: 110_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /the asset went through CREATE, TRANSFER/);
    assert.match(result.stdout, /the transfer is in block [0-9a-f]{64}, voted valid by 1 of 1/);
  });

  test('the README shows exactly the code of the example', () => {
    assert.ok(readRepoFile('README.md').includes(readRepoFile('examples/create-transfer.ts')), 'README.md holds examples/create-transfer.ts verbatim');
  });
});
