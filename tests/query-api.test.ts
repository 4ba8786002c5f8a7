/**
 * The query API of SPEC.md §13 against a real node (`bigchaindb start` in a
 * process of its own): transactions by asset, outputs spent and unspent,
 * statuses of transactions and blocks, blocks by id and by transaction with
 * the status filter, votes, and the /api/v1/ index. The chain is laid out by
 * writing blocks judged by a jury of keys the test holds (helpers/jury.ts),
 * so each block has the status the test gives it; every bad or missing
 * parameter is a 400 naming it.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Database } from '../db/connection';
import { getVotesByBlockId } from '../db/queries/votes';
import type { BlockDict } from '../models/block';
import { sha3Hex } from '../models/hash';
import { generateKeypair, type Keypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import { startFederation, waitFor, type NodeProcess } from './helpers/federation';
import { INVALID, Jury, UNDECIDED, VALID } from './helpers/jury';

const alice = generateKeypair();
const bob = generateKeypair();
const UNKNOWN_ID = sha3Hex('nothing has this id');

const createFor = (owner: Keypair) => Transaction.create([owner.publicKey], [[[owner.publicKey], 1]], { metadata: { r: Math.random() } }).sign([owner.privateKey]);
const transferOf = (input: Transaction, from: Keypair, to: Keypair) =>
  Transaction.transfer(input.toInputs(), [[[to.publicKey], 1]], input.asset.id).sign([from.privateKey]);

let node: NodeProcess;
let db: Database;
/** c1 and c2 are spent by t1 (valid) and t2 (undecided); c3 is unspent and also in an invalid and an undecided block. */
const c1 = createFor(alice), c2 = createFor(alice), c3 = createFor(alice), onlyUndecided = createFor(alice);
const t1 = transferOf(c1, alice, bob), t2 = transferOf(c2, alice, bob);
let blocks: Record<'created' | 'transferred' | 'undecided' | 'invalid' | 'undecidedToo', BlockDict>;

interface Answer {
  readonly status: number;
  readonly json: unknown;
}

async function get(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`http://${node.config.server.bind}${path}`, init);
  return { status: response.status, json: JSON.parse(await response.text()) as unknown };
}

/** GET `path`, asserting a 200 with a JSON list; the list sorted. */
async function list(path: string): Promise<string[]> {
  const answer = await get(path);
  assert.equal(answer.status, 200, `${path}: ${JSON.stringify(answer.json)}`);
  assert.ok(Array.isArray(answer.json), `${path} answers a list`);
  return (answer.json as unknown[]).map((x) => (typeof x === 'string' ? x : (x as { id: string }).id)).sort();
}

const link = (tx: Transaction) => `../transactions/${tx.id}/conditions/0`;
const sorted = (items: string[]) => [...items].sort();

before(async () => {
  const f = await startFederation({ size: 1 });
  node = f.nodes[0]!;
  db = f.db;
  const jury = new Jury(db);
  blocks = {
    created: await jury.block([c1, c2, c3], VALID),
    transferred: await jury.block([t1], VALID),
    undecided: await jury.block([t2, onlyUndecided], UNDECIDED),
    // c3 is valid in `created`: the node's election leaves it where it is.
    invalid: await jury.block([c3], INVALID),
    undecidedToo: await jury.block([c3], UNDECIDED),
  };
  await node.waitUntilServing();
});

describe('GET /api/v1/', () => {
  test('links to every endpoint and gives the WebSocket URL of the stream of valid transactions', async () => {
    const answer = await get('/api/v1/');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, {
      transactions: '/api/v1/transactions/', outputs: '/api/v1/outputs/', unspents: '/api/v1/unspents/', statuses: '/api/v1/statuses/',
      blocks: '/api/v1/blocks/', votes: '/api/v1/votes/', streams: `ws://127.0.0.1:${node.config.wsserver.port}/api/v1/streams/valid_transactions`,
    });
    assert.deepEqual((await get('/api/v1')).json, answer.json, 'with or without the trailing slash');
  });
});

describe('GET /api/v1/transactions?asset_id', () => {
  test('lists the transactions of the asset in valid blocks, CREATE and TRANSFER, and the operation filter keeps one of them', async () => {
    assert.deepEqual(await list(`/api/v1/transactions?asset_id=${c1.asset.id}`), sorted([c1.id, t1.id]));
    assert.deepEqual(await list(`/api/v1/transactions?asset_id=${c1.asset.id}&operation=CREATE`), [c1.id]);
    assert.deepEqual(await list(`/api/v1/transactions?asset_id=${c1.asset.id}&operation=TRANSFER`), [t1.id]);
  });

  test('a transaction in an undecided block is not listed, and an unknown asset has none', async () => {
    assert.deepEqual(await list(`/api/v1/transactions?asset_id=${c2.asset.id}`), [c2.id]);
    assert.deepEqual(await list(`/api/v1/transactions?asset_id=${onlyUndecided.asset.id}`), []);
    assert.deepEqual(await list('/api/v1/transactions?asset_id=6f8b1b9e-1c0a-4c7e-9f1e-000000000000'), []);
  });

  test('the transactions are served as stored in their block', async () => {
    const answer = await get(`/api/v1/transactions?asset_id=${c1.asset.id}&operation=TRANSFER`);
    assert.deepEqual(answer.json, [t1.toDict()]);
  });
});

describe('GET /api/v1/outputs?public_key', () => {
  test('spent=false lists the outputs no valid or undecided transaction spends, as /unspents does', async () => {
    assert.deepEqual(await list(`/api/v1/outputs?public_key=${alice.publicKey}&spent=false`), [link(c3)]);
    assert.deepEqual(await list(`/api/v1/unspents?owner_after=${alice.publicKey}`), [link(c3)]);
    assert.deepEqual(await list(`/api/v1/outputs?public_key=${bob.publicKey}&spent=false`), [link(t1)], 'the TRANSFER in an undecided block gives bob nothing yet');
  });

  test('spent=true lists the outputs a valid transaction spent, not one spent by an undecided one', async () => {
    assert.deepEqual(await list(`/api/v1/outputs?public_key=${alice.publicKey}&spent=true`), [link(c1)]);
    assert.deepEqual(await list(`/api/v1/outputs?public_key=${bob.publicKey}&spent=true`), []);
  });

  test('without spent it lists every output of the key in valid blocks', async () => {
    assert.deepEqual(await list(`/api/v1/outputs?public_key=${alice.publicKey}`), sorted([link(c1), link(c2), link(c3)]));
    assert.deepEqual(await list(`/api/v1/outputs?public_key=${generateKeypair().publicKey}`), []);
  });
});

describe('GET /api/v1/statuses', () => {
  test('transaction_id gives the status of a transaction; an unknown one is 404', async () => {
    assert.deepEqual((await get(`/api/v1/statuses?transaction_id=${c3.id}`)).json, { status: 'valid' });
    assert.deepEqual((await get(`/api/v1/statuses?transaction_id=${t2.id}`)).json, { status: 'undecided' });
    assert.deepEqual(await get(`/api/v1/statuses?transaction_id=${UNKNOWN_ID}`), { status: 404, json: { status: 404, message: 'Not found' } });
  });

  test('block_id gives the election status of a block: valid, invalid or undecided; an unknown block is 404', async () => {
    assert.deepEqual((await get(`/api/v1/statuses?block_id=${blocks.created.id}`)).json, { status: 'valid' });
    assert.deepEqual((await get(`/api/v1/statuses?block_id=${blocks.invalid.id}`)).json, { status: 'invalid' });
    assert.deepEqual((await get(`/api/v1/statuses?block_id=${blocks.undecided.id}`)).json, { status: 'undecided' });
    assert.deepEqual(await get(`/api/v1/statuses?block_id=${UNKNOWN_ID}`), { status: 404, json: { status: 404, message: 'Not found' } });
  });
});

describe('GET /api/v1/blocks', () => {
  test('/blocks/<id> is the block as stored; an unknown or malformed id is 404', async () => {
    const stored = await db.run<BlockDict>(db.table('bigchain').get(blocks.transferred.id));
    assert.deepEqual(await get(`/api/v1/blocks/${blocks.transferred.id}`), { status: 200, json: stored });
    for (const id of [UNKNOWN_ID, 'not-an-id', UNKNOWN_ID.toUpperCase()]) {
      assert.deepEqual(await get(`/api/v1/blocks/${id}`), { status: 404, json: { status: 404, message: 'Not found' } }, id);
    }
  });

  test('?transaction_id lists the blocks holding it; status= keeps those of that status', async () => {
    assert.deepEqual(await list(`/api/v1/blocks?transaction_id=${c3.id}`), sorted([blocks.created.id, blocks.invalid.id, blocks.undecidedToo.id]));
    assert.deepEqual(await list(`/api/v1/blocks?transaction_id=${c3.id}&status=valid`), [blocks.created.id]);
    assert.deepEqual(await list(`/api/v1/blocks?transaction_id=${c3.id}&status=invalid`), [blocks.invalid.id]);
    assert.deepEqual(await list(`/api/v1/blocks?transaction_id=${c3.id}&status=undecided`), [blocks.undecidedToo.id]);
    assert.deepEqual(await list(`/api/v1/blocks?transaction_id=${UNKNOWN_ID}`), []);
  });
});

describe('GET /api/v1/votes?block_id', () => {
  test('lists the votes on the block as stored, the node\'s own included; an unknown block has none', async () => {
    const blockId = blocks.created.id;
    // The jury's two votes and the node's: it votes on every block, though its vote is not counted here.
    await waitFor('the node to vote on the block', async () => (await getVotesByBlockId(db, blockId)).length === 3);
    const answer = await get(`/api/v1/votes?block_id=${blockId}`);
    const byId = (votes: { id?: string }[]) => [...votes].sort((a, b) => String(a.id).localeCompare(String(b.id)));
    assert.deepEqual(byId(answer.json as { id?: string }[]), byId(await getVotesByBlockId(db, blockId)));
    assert.ok((answer.json as { node_pubkey: string }[]).some((v) => v.node_pubkey === node.keypair.publicKey));
    assert.deepEqual(await list(`/api/v1/votes?block_id=${UNKNOWN_ID}`), []);
  });
});

describe('bad or missing parameters: 400 naming the parameter', () => {
  test('each endpoint names its missing parameter, and a bad value of every parameter', async () => {
    const id = c3.id;
    for (const [path, name] of [
      ['/api/v1/transactions', 'asset_id'], ['/api/v1/transactions?asset_id=x', 'asset_id'],
      [`/api/v1/transactions?asset_id=${c1.asset.id}&operation=GENESIS`, 'operation'], [`/api/v1/transactions?asset_id=${c1.asset.id}&operation=create`, 'operation'],
      ['/api/v1/outputs', 'public_key'], ['/api/v1/outputs?public_key=0abc', 'public_key'], [`/api/v1/outputs?public_key=${alice.publicKey}&spent=yes`, 'spent'],
      [`/api/v1/outputs?public_key=${alice.publicKey}&spent=`, 'spent'], [`/api/v1/outputs?public_key=${alice.publicKey}&public_key=${bob.publicKey}`, 'public_key'],
      ['/api/v1/statuses', 'transaction_id, block_id'], [`/api/v1/statuses?transaction_id=${id}&block_id=${id}`, 'transaction_id, block_id'],
      ['/api/v1/statuses?transaction_id=abc', 'transaction_id'], [`/api/v1/statuses?block_id=${id.toUpperCase()}`, 'block_id'],
      ['/api/v1/blocks', 'transaction_id'], ['/api/v1/blocks?transaction_id=%00', 'transaction_id'], [`/api/v1/blocks?transaction_id=${id}&status=backlog`, 'status'],
      ['/api/v1/votes', 'block_id'], [`/api/v1/votes?block_id[$gt]=${id}`, 'block_id'], [`/api/v1/votes?block_id=${id}0`, 'block_id'],
    ] as const) {
      const answer = await get(path);
      assert.equal(answer.status, 400, `${path}: ${JSON.stringify(answer.json)}`);
      const body = answer.json as { status: number; message: string };
      assert.equal(body.status, 400);
      assert.ok(body.message.includes(name), `${path}: ${JSON.stringify(body.message)} names ${name}`);
    }
  });
});
