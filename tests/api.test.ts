/**
 * The HTTP API of SPEC.md §9, end to end: the real Express app on a real
 * loopback port, a real Bigchain on a fresh database (reqlite in process, or
 * BIGCHAINDB_TEST_DATABASE) with a genesis block, and a real StatsD client
 * aimed at a UDP port where nothing listens. Blocks are made valid, undecided
 * or invalid by writing signed votes of a 3-node federation whose keys the
 * test holds. Every bad request must be a 4xx JSON answer that says what is
 * wrong and leaves the database as it was; a property test fires thousands of
 * generated bad requests at the server to pin that.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { defaultConfig, type Config } from '../config/config';
import { Bigchain } from '../core/bigchain';
import type { Database } from '../db/connection';
import { writeGenesisBlock } from '../db/schema';
import { Block, type BlockDict } from '../models/block';
import { sha3Hex } from '../models/hash';
import { decodeBase58, encodeBase58, generateKeypair, signBytes, type Keypair } from '../models/keys';
import { serialize } from '../models/serialize';
import { Transaction, type TransactionDict } from '../models/transaction';
import type { Timestamp } from '../models/types';
import { createVote } from '../models/vote';
import { createApi } from '../server/app';
import { Metrics } from '../metrics/statsd';
import { freshDatabase } from './helpers/database';
import { VECTORS_DIR } from './helpers/vectors';

// ---------------------------------------------------------------------------
// The node under test
// ---------------------------------------------------------------------------

const [me, peer1, peer2] = [generateKeypair(), generateKeypair(), generateKeypair()];
const federation = [me, peer1, peer2];
const alice = generateKeypair();
const bob = generateKeypair();
const carol = generateKeypair();

const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
const API_ENDPOINT = 'http://api.example.test:9984/api/v1';

let db: Database;
let bigchain: Bigchain;
let genesis: BlockDict;
let metrics: Metrics;
let server: Server;
let base: string;
let config: Config;

/** A UDP port on loopback where nothing listens: bound once, then released. */
async function deadUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

before(async () => {
  db = await freshDatabase();
  genesis = await writeGenesisBlock(db, me);
  bigchain = new Bigchain(db, { keypair: me, keyring: [peer1.publicKey, peer2.publicKey] });
  config = defaultConfig();
  config.api_endpoint = API_ENDPOINT;
  // Rate 1: every POST sends a packet to a port nobody listens on.
  config.statsd = { host: '127.0.0.1', port: await deadUdpPort(), rate: 1 };
  metrics = Metrics.create(config.statsd);
  const api = createApi({ bigchain, config, metrics, version: VERSION });
  server = await new Promise<Server>((resolve, reject) => {
    const s = createServer(api).listen(0, '127.0.0.1', () => resolve(s)).once('error', reject);
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await metrics.close();
});

// ---------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body, or undefined when it is not JSON. */
  readonly json: unknown;
}

const STACK_LINE = /(^|\n|\\n)\s*at \S.*(:\d+:\d+|\(native\)|<anonymous>)/;

async function call(method: string, path: string, options: { body?: string | Uint8Array; contentType?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
  const response = await fetch(base + path, { method, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  assert.ok(!text.includes('    at ') && !STACK_LINE.test(text), `response to ${method} ${path} holds a stack trace: ${text.slice(0, 500)}`);
  return { status: response.status, headers: response.headers, text, json };
}

const get = (path: string) => call('GET', path);

/** POSTs a body (an object is sent as JSON) to the transactions endpoint. */
function post(body: unknown, options: { contentType?: string; path?: string } = {}): Promise<Answer> {
  return call('POST', options.path ?? '/api/v1/transactions/', {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    contentType: options.contentType ?? 'application/json',
  });
}

/** Asserts a JSON error answer `{status, message}` with the given status and a message matching every pattern. */
function assertError(answer: Answer, status: number, ...patterns: RegExp[]): string {
  assert.equal(answer.status, status, `expected ${status}, got ${answer.status}: ${answer.text.slice(0, 500)}`);
  assert.match(answer.headers.get('content-type') ?? '', /^application\/json\b/);
  const body = answer.json as { status?: unknown; message?: unknown };
  assert.ok(body !== null && typeof body === 'object', `error body is not a JSON object: ${answer.text.slice(0, 200)}`);
  assert.deepEqual(Object.keys(body).sort(), ['message', 'status']);
  assert.equal(body.status, status);
  assert.equal(typeof body.message, 'string');
  for (const pattern of patterns) assert.match(body.message as string, pattern);
  return body.message as string;
}

const NOT_FOUND = { status: 404, message: 'Not found' };

function assertNotFound(answer: Answer): void {
  assert.equal(answer.status, 404, answer.text.slice(0, 300));
  assert.match(answer.headers.get('content-type') ?? '', /^application\/json\b/);
  assert.deepEqual(answer.json, NOT_FOUND);
}

// ---------------------------------------------------------------------------
// Chain helpers
// ---------------------------------------------------------------------------

interface Snapshot {
  readonly backlog: string[];
  readonly bigchain: string[];
  readonly votes: string[];
}

async function ids(table: 'backlog' | 'bigchain' | 'votes'): Promise<string[]> {
  return (await db.run<{ id: string }[]>(db.table(table))).map((row) => row.id).sort();
}

async function snapshot(): Promise<Snapshot> {
  return { backlog: await ids('backlog'), bigchain: await ids('bigchain'), votes: await ids('votes') };
}

/** Runs `fn` and asserts that the backlog, bigchain and votes tables hold exactly what they held before. */
async function unchanged(fn: () => Promise<void>): Promise<void> {
  const before = await snapshot();
  await fn();
  assert.deepEqual(await snapshot(), before, 'the database changed');
}

async function backlogRowsOf(id: string): Promise<Record<string, unknown>[]> {
  return (await db.run<Record<string, unknown>[]>(db.table('backlog'))).filter((row) => row.id === id);
}

const createFor = (owner: Keypair, metadata: Record<string, unknown> = { n: Math.random().toString() }): Transaction =>
  Transaction.create([owner.publicKey], [[[owner.publicKey], 1]], { metadata: metadata as never }).sign([owner.privateKey]);

const transferOf = (input: Transaction, from: Keypair[], to: Keypair): Transaction =>
  Transaction.transfer(input.toInputs(), [[[to.publicKey], 1]], input.asset.id).sign(from.map((k) => k.privateKey));

let clock = Math.floor(Date.now() / 1000);

/** Writes a block of `txs` by me and the votes `decisions[i]` of federation node i (null: no vote). */
async function blockWithVotes(txs: Transaction[], decisions: readonly (boolean | null)[]): Promise<Block> {
  const block = Block.create(txs, me.publicKey, federation.map((k) => k.publicKey), String(++clock) as Timestamp).sign(me.privateKey);
  await bigchain.writeBlock(block);
  for (const [i, decision] of decisions.entries()) {
    if (decision !== null) await bigchain.writeVote(createVote(federation[i]!, block.id, genesis.id, decision));
  }
  return block;
}

const VALID = [true, true, null];
const INVALID = [false, false, null];
const UNDECIDED = [true, null, null];

/** A deep copy of a transaction's JSON, for tampering. */
const dictOf = (tx: Transaction): TransactionDict => structuredClone(tx.toDict());

/** The id rule of SPEC.md §4 applied to a (tampered) dict, so that a test gets past the id check to the fault it aims at. */
function idOf(dict: unknown): string {
  const copy = structuredClone(dict) as Record<string, unknown>;
  delete copy.id;
  const body = copy.transaction as { fulfillments?: unknown } | undefined;
  if (Array.isArray(body?.fulfillments)) {
    for (const f of body.fulfillments) if (f !== null && typeof f === 'object' && !Array.isArray(f)) (f as Record<string, unknown>).fulfillment = null;
  }
  return sha3Hex(serialize(copy));
}

function rehashed<T extends object>(dict: T): T {
  (dict as { id?: string }).id = idOf(dict);
  return dict;
}

/**
 * A single-fulfillment transaction dict with fields changed by `edit`, then
 * given its right id and an Ed25519 fulfillment signed by `signer` over the
 * message of SPEC.md §4 (for one fulfillment: the unsigned transaction with
 * its id). Signed by hand, so that it works on dicts the model refuses to
 * build: what a client that means it sends.
 */
function resigned(tx: Transaction, edit: (d: TransactionDict) => void, signer: Keypair): TransactionDict {
  const dict = dictOf(tx);
  edit(dict);
  assert.equal(dict.transaction.fulfillments.length, 1);
  dict.id = idOf(dict) as TransactionDict['id'];
  const unsigned = structuredClone(dict) as unknown as { transaction: { fulfillments: { fulfillment: unknown }[] } };
  unsigned.transaction.fulfillments[0]!.fulfillment = null;
  const signature = signBytes(Buffer.from(serialize(unsigned), 'utf8'), signer.privateKey);
  const payload = Buffer.concat([decodeBase58(signer.publicKey)!, signature]);
  dict.transaction.fulfillments[0]!.fulfillment = `cf:4:${payload.toString('base64url')}`;
  return dict;
}

// ---------------------------------------------------------------------------
// GET /
// ---------------------------------------------------------------------------

describe('GET /', () => {
  test('names the software, its version, my public key, the keyring without me and the configured api_endpoint', async () => {
    const answer = await get('/');
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json\b/);
    assert.deepEqual(answer.json, {
      software: 'BigchainDB',
      version: VERSION,
      public_key: me.publicKey,
      keyring: [peer1.publicKey, peer2.publicKey],
      api_endpoint: API_ENDPOINT,
    });
    assert.match(VERSION, /^\d+\.\d+\.\d+/);
  });
});

// ---------------------------------------------------------------------------
// POST /api/v1/transactions
// ---------------------------------------------------------------------------

describe('POST /api/v1/transactions', () => {
  test('a signed CREATE is answered 201 with the transaction JSON, with and without the trailing slash', async () => {
    for (const path of ['/api/v1/transactions', '/api/v1/transactions/']) {
      const tx = createFor(alice);
      const answer = await post(tx.toDict(), { path });
      assert.equal(answer.status, 201, `${path}: ${answer.text}`);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json\b/);
      assert.deepEqual(answer.json, tx.toDict());
    }
  });

  test('an accepted CREATE lands in the backlog, assigned to a keyring node, and its status is "backlog"', async () => {
    const tx = createFor(alice);
    assert.equal((await post(tx.toDict())).status, 201);
    const rows = await backlogRowsOf(tx.id);
    assert.equal(rows.length, 1);
    assert.ok([peer1.publicKey, peer2.publicKey].includes(rows[0]!.assignee as never), `assignee ${String(rows[0]!.assignee)}`);
    assert.equal(typeof rows[0]!.assignment_timestamp, 'number');
    const status = await get(`/api/v1/transactions/${tx.id}/status`);
    assert.equal(status.status, 200);
    assert.deepEqual(status.json, { status: 'backlog' });
  });

  test('posting the same transaction again is answered 200 with the transaction and keeps one backlog row', async () => {
    const tx = createFor(alice);
    assert.equal((await post(tx.toDict())).status, 201);
    const again = await post(tx.toDict());
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json, tx.toDict());
    assert.equal((await backlogRowsOf(tx.id)).length, 1);
  });

  test('the same transaction posted many times at once is answered 201 exactly once, 200 for the others, and written once', async () => {
    const tx = createFor(alice);
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(tx.toDict())));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
    assert.equal((await backlogRowsOf(tx.id)).length, 1);
  });

  test('a plain JSON POST (the direct path) and one with a quoted charset (through Express) get the same status, content type and body', () => unchanged(async () => {
    const tampered = createFor(alice).toDict();
    tampered.transaction.metadata = { id: tampered.transaction.metadata?.id ?? '', data: { changed: true } };
    const badField = '\ufeff' + JSON.stringify(createFor(alice).toDict()).replace('"asset"', '"asset2"');
    const bodies: [string, string][] = [['{"id":', 'malformed'], ['[]', 'not an object'], ['', 'empty'], [' ', 'blank'],
      [JSON.stringify(tampered), 'tampered'], [badField, 'a BOM, then a bad field']];
    for (const [body, note] of bodies) {
      const direct = await post(body, { contentType: 'application/json' });
      const express = await post(body, { contentType: 'application/json; charset="utf-8"' });
      assertError(direct, 400);
      assert.equal(direct.headers.get('content-type'), express.headers.get('content-type'), note);
      assert.deepEqual([direct.status, direct.json], [express.status, express.json], note);
    }
  }));

  test('a transaction accepted through Express is answered 200 with the same body on the direct path; a leading BOM is dropped on both', async () => {
    const tx = createFor(alice);
    const first = await post('\ufeff' + JSON.stringify(tx.toDict()), { contentType: 'application/json; charset="utf-8"' });
    const again = await post('\ufeff' + JSON.stringify(tx.toDict()));
    assert.deepEqual([first.status, again.status], [201, 200], again.text);
    assert.deepEqual(again.json, tx.toDict());
    assert.deepEqual(first.json, tx.toDict());
    assert.equal(again.headers.get('content-type'), first.headers.get('content-type'));
  });

  test('the body of vector a (written by a 0.8.2 client) is accepted with the vector\'s id', async () => {
    const vector = JSON.parse(readFileSync(join(VECTORS_DIR, 'a_create_single_owner.json'), 'utf8')) as {
      expected_id: string;
      http: { post_body: string };
      tx: TransactionDict;
    };
    const answer = await post(vector.http.post_body);
    assert.equal(answer.status, 201, answer.text);
    assert.equal((answer.json as TransactionDict).id, vector.expected_id);
    assert.deepEqual(answer.json, vector.tx);
    assert.equal((await backlogRowsOf(vector.expected_id)).length, 1);
    assert.deepEqual((await get(`/api/v1/transactions/${vector.expected_id}/status`)).json, { status: 'backlog' });
  });

  test('a StatsD server that is down neither slows nor breaks POST: 20 CREATEs in a row, each answered 201 within 2 s', async () => {
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const answer = await post(createFor(alice).toDict());
      const elapsed = performance.now() - started;
      assert.equal(answer.status, 201, answer.text);
      assert.ok(elapsed < 2000, `POST ${i} took ${elapsed.toFixed(0)} ms`);
    }
  });
});

// ---------------------------------------------------------------------------
// GET /api/v1/transactions/{id} and /status
// ---------------------------------------------------------------------------

describe('GET /api/v1/transactions/{id} and /status', () => {
  test('a backlog transaction is returned without its backlog fields, with status "backlog"', async () => {
    const tx = createFor(alice);
    assert.equal((await post(tx.toDict())).status, 201);
    const answer = await get(`/api/v1/transactions/${tx.id}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, tx.toDict());
    assert.deepEqual(Object.keys(answer.json as object).sort(), ['id', 'transaction', 'version']);
    assert.deepEqual((await get(`/api/v1/transactions/${tx.id}/status`)).json, { status: 'backlog' });
  });

  test('a transaction in an undecided block is returned, with status "undecided", even while still in the backlog', async () => {
    const tx = createFor(alice);
    assert.equal((await post(tx.toDict())).status, 201);
    await blockWithVotes([tx], UNDECIDED);
    const answer = await get(`/api/v1/transactions/${tx.id}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, tx.toDict());
    assert.deepEqual((await get(`/api/v1/transactions/${tx.id}/status`)).json, { status: 'undecided' });
  });

  test('a transaction in a valid block is returned without backlog fields, with status "valid"', async () => {
    const tx = createFor(alice);
    assert.equal((await post(tx.toDict())).status, 201);
    await blockWithVotes([tx], VALID);
    const answer = await get(`/api/v1/transactions/${tx.id}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, tx.toDict());
    assert.ok(!('assignee' in (answer.json as object)) && !('assignment_timestamp' in (answer.json as object)));
    const status = await get(`/api/v1/transactions/${tx.id}/status`);
    assert.equal(status.status, 200);
    assert.deepEqual(status.json, { status: 'valid' });
  });

  test('an unknown id is 404 {"status":404,"message":"Not found"} on both endpoints', async () => {
    const unknown = sha3Hex('no such transaction');
    assertNotFound(await get(`/api/v1/transactions/${unknown}`));
    assertNotFound(await get(`/api/v1/transactions/${unknown}/status`));
  });

  test('malformed ids are 404 JSON on both endpoints', async () => {
    const known = createFor(alice);
    assert.equal((await post(known.toDict())).status, 201);
    for (const id of [
      'abc', known.id.toUpperCase(), `${known.id}0`, known.id.slice(1), `${known.id.slice(0, 63)}g`, '%00', '%20' + known.id,
      'null', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(5000), '%F0%9F%98%80', '[]',
    ]) {
      assertNotFound(await get(`/api/v1/transactions/${id}`));
      assertNotFound(await get(`/api/v1/transactions/${id}/status`));
    }
  });

  test('a transaction found only in an invalid block is 404 on both endpoints', async () => {
    const tx = createFor(alice);
    await blockWithVotes([tx], INVALID);
    assertNotFound(await get(`/api/v1/transactions/${tx.id}`));
    assertNotFound(await get(`/api/v1/transactions/${tx.id}/status`));
  });

  test('a transaction in an invalid block that is back in the backlog has status "backlog"', async () => {
    const tx = createFor(alice);
    await blockWithVotes([tx], INVALID);
    assert.equal((await post(tx.toDict())).status, 201);
    assert.deepEqual((await get(`/api/v1/transactions/${tx.id}/status`)).json, { status: 'backlog' });
  });
});

// ---------------------------------------------------------------------------
// GET /api/v1/unspents and the condition links
// ---------------------------------------------------------------------------

describe('GET /api/v1/unspents', () => {
  const unspents = async (owner: Keypair): Promise<string[]> => {
    // Trailing slash: the links are relative to it (RFC 3986), so they resolve to /api/v1/transactions/….
    const answer = await get(`/api/v1/unspents/?owner_after=${owner.publicKey}`);
    assert.equal(answer.status, 200, answer.text);
    assert.ok(Array.isArray(answer.json), answer.text);
    return (answer.json as string[]).slice().sort();
  };
  const link = (txid: string, cid: number) => `../transactions/${txid}/conditions/${cid}`;

  test('without owner_after it is 400 JSON naming the parameter', async () => {
    assertError(await get('/api/v1/unspents'), 400, /owner_after/);
    assertError(await get('/api/v1/unspents/'), 400, /owner_after/);
    assertError(await get('/api/v1/unspents?owner=abc'), 400, /owner_after/);
  });

  test('a bad owner_after key is 400 JSON saying it must be a base58 public key', async () => {
    for (const bad of [
      '', 'abc', '0OIl'.repeat(11), encodeBase58(Buffer.alloc(31, 7)), encodeBase58(Buffer.alloc(33, 7)), `${alice.publicKey}0`,
      `${alice.publicKey}&owner_after=${bob.publicKey}`, '%00', 'x'.repeat(10_000),
    ]) {
      assertError(await get(`/api/v1/unspents?owner_after=${bad}`), 400, /owner_after/, /base58/);
    }
    assertError(await get(`/api/v1/unspents?owner_after[a]=${alice.publicKey}`), 400, /owner_after/);
  });

  test('lists the outputs the key owns in valid blocks only: not undecided, invalid or backlog ones', async () => {
    const owner = generateKeypair();
    const valid = createFor(owner);
    const undecided = createFor(owner);
    const invalid = createFor(owner);
    const backlog = createFor(owner);
    const divisible = Transaction.create([owner.publicKey], [[[owner.publicKey], 2], [[bob.publicKey], 3], [[owner.publicKey], 4]], {
      asset: { divisible: true },
    }).sign([owner.privateKey]);
    const shared = Transaction.create([owner.publicKey], [[[owner.publicKey, carol.publicKey], 1]]).sign([owner.privateKey]);
    await blockWithVotes([valid, divisible, shared], VALID);
    await blockWithVotes([undecided], UNDECIDED);
    await blockWithVotes([invalid], INVALID);
    assert.equal((await post(backlog.toDict())).status, 201);
    assert.deepEqual(await unspents(owner), [link(valid.id, 0), link(divisible.id, 0), link(divisible.id, 2), link(shared.id, 0)].sort());
    assert.deepEqual(await unspents(carol).then((l) => l.filter((x) => x.includes(shared.id))), [link(shared.id, 0)]);
  });

  test('an output disappears once its spending TRANSFER is in a valid block, and the recipient then lists it', async () => {
    const owner = generateKeypair();
    const receiver = generateKeypair();
    const create = createFor(owner);
    await blockWithVotes([create], VALID);
    assert.deepEqual(await unspents(owner), [link(create.id, 0)]);
    const transfer = transferOf(create, [owner], receiver);
    assert.equal((await post(transfer.toDict())).status, 201);
    assert.deepEqual(await unspents(owner), [link(create.id, 0)], 'a spend in the backlog does not count');
    await blockWithVotes([transfer], VALID);
    assert.deepEqual(await unspents(owner), []);
    assert.deepEqual(await unspents(receiver), [link(transfer.id, 0)]);
  });

  test('an output disappears once its spending TRANSFER is in an undecided block; the recipient does not list it yet', async () => {
    const owner = generateKeypair();
    const receiver = generateKeypair();
    const create = createFor(owner);
    await blockWithVotes([create], VALID);
    await blockWithVotes([transferOf(create, [owner], receiver)], UNDECIDED);
    assert.deepEqual(await unspents(owner), []);
    assert.deepEqual(await unspents(receiver), []);
  });

  test('a spend in an invalid block does not count: the output is still listed', async () => {
    const owner = generateKeypair();
    const create = createFor(owner);
    await blockWithVotes([create], VALID);
    await blockWithVotes([transferOf(create, [owner], bob)], INVALID);
    assert.deepEqual(await unspents(owner), [link(create.id, 0)]);
  });

  test('every link resolves to GET /api/v1/transactions/<txid>/conditions/<cid>, which returns that condition', async () => {
    const owner = generateKeypair();
    const divisible = Transaction.create([owner.publicKey], [[[owner.publicKey], 2], [[owner.publicKey], 5]], { asset: { divisible: true } })
      .sign([owner.privateKey]);
    await blockWithVotes([divisible], VALID);
    const links = await unspents(owner);
    assert.equal(links.length, 2);
    for (const relative of links) {
      const url = new URL(relative, `${base}/api/v1/unspents/`);
      assert.match(url.pathname, /^\/api\/v1\/transactions\/[0-9a-f]{64}\/conditions\/\d+$/);
      const answer = await get(url.pathname);
      assert.equal(answer.status, 200, answer.text);
      const cid = Number(url.pathname.split('/').pop());
      assert.deepEqual(answer.json, divisible.toDict().transaction.conditions[cid]);
    }
  });

  test('a condition of a backlog transaction is served too, and a wrong cid or unknown transaction is 404 JSON', async () => {
    const tx = createFor(alice);
    assert.equal((await post(tx.toDict())).status, 201);
    const answer = await get(`/api/v1/transactions/${tx.id}/conditions/0`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, tx.conditions[0]);
    for (const cid of ['1', '-1', 'x', '0x0', '1e0', '00000000001', '99999999999999999999', '%00']) {
      assertNotFound(await get(`/api/v1/transactions/${tx.id}/conditions/${cid}`));
    }
    assertNotFound(await get(`/api/v1/transactions/${sha3Hex('nothing')}/conditions/0`));
    assertNotFound(await get('/api/v1/transactions/abc/conditions/0'));
  });
});

// ---------------------------------------------------------------------------
// Routing errors
// ---------------------------------------------------------------------------

describe('routing errors', () => {
  const someId = sha3Hex('some id');

  test('a wrong method on a known path is 405 JSON with an Allow header', async () => {
    for (const [method, path, allowed] of [
      ['POST', '/', 'GET'], ['DELETE', '/', 'GET'],
      ['PUT', '/api/v1/transactions/', 'GET, POST'], ['DELETE', '/api/v1/transactions', 'GET, POST'],
      ['PATCH', '/api/v1/transactions', 'GET, POST'],
      ['POST', `/api/v1/transactions/${someId}`, 'GET'], ['DELETE', `/api/v1/transactions/${someId}`, 'GET'],
      ['PUT', `/api/v1/transactions/${someId}/status`, 'GET'], ['POST', `/api/v1/transactions/${someId}/conditions/0`, 'GET'],
      ['POST', '/api/v1/unspents', 'GET'], ['OPTIONS', '/api/v1/unspents?owner_after=x', 'GET'],
      ['POST', '/api/v1/', 'GET'], ['POST', '/api/v1/outputs', 'GET'], ['DELETE', '/api/v1/statuses', 'GET'], ['POST', '/api/v1/blocks', 'GET'],
      ['PUT', `/api/v1/blocks/${someId}`, 'GET'], ['PATCH', '/api/v1/votes', 'GET'],
    ] as const) {
      const answer = await call(method, path, method === 'DELETE' ? {} : { body: '{}', contentType: 'application/json' });
      assertError(answer, 405, new RegExp(method));
      assert.equal(answer.headers.get('allow'), allowed, `${method} ${path}`);
    }
  });

  test('an unknown route is 404 {"status":404,"message":"Not found"} whatever the method', async () => {
    for (const [method, path] of [
      ['GET', '/api/v2/transactions'], ['GET', '/api/v1/foo'], ['GET', '/favicon.ico'],
      ['GET', `/api/v1/transactions/${someId}/foo`], ['GET', `/api/v1/transactions/${someId}/conditions`],
      ['POST', '/api/v1/transaction'], ['DELETE', '/nothing/here'], ['GET', '/%2e%2e/%2e%2e/etc/passwd'],
    ] as const) {
      assertNotFound(await call(method, path, method === 'POST' ? { body: '{}', contentType: 'application/json' } : {}));
    }
  });

  test('a path with broken percent-encoding is a 4xx JSON answer, not a 500', async () => {
    for (const path of ['/api/v1/transactions/%E0%A4%A', '/api/v1/transactions/%zz/status', '/api/v1/transactions/%/conditions/0']) {
      const answer = await get(path);
      assert.ok(answer.status >= 400 && answer.status < 500, `${path}: ${answer.status} ${answer.text}`);
      assertError(answer, answer.status);
    }
  });
});

// ---------------------------------------------------------------------------
// Hostile input to POST /api/v1/transactions
// ---------------------------------------------------------------------------

describe('hostile input to POST /api/v1/transactions: a 4xx JSON saying what is wrong, the database unchanged', () => {
  test('malformed JSON is 400 saying the JSON is malformed', () => unchanged(async () => {
    for (const body of ['{"version": 1,', '{', '{"a" 1}', "{'a': 1}", '{"a":1}}', 'NaN', '\u0000']) {
      assertError(await post(body), 400, /malformed JSON/i);
    }
  }));

  test('an empty or blank body is 400 saying the body is empty', () => unchanged(async () => {
    for (const body of ['', ' ', '\n\t\r ']) assertError(await post(body), 400, /empty/i);
  }));

  test('a JSON value that is not an object ([], "x", null, 42, true) is 400 "Invalid transaction" saying it must be an object', () => unchanged(async () => {
    for (const body of ['[]', '"x"', 'null', '42', 'true', '[{"id":"x"}]']) {
      assertError(await post(body), 400, /^Invalid transaction/, /JSON object/);
    }
  }));

  test('a wrong or missing content type is 415 naming application/json', () => unchanged(async () => {
    const body = JSON.stringify(createFor(alice).toDict());
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'text/json']) {
      assertError(await post(body, { contentType }), 415, /application\/json/);
    }
    assertError(await call('POST', '/api/v1/transactions', { body }), 415, /application\/json/);
  }));

  test('an integral number written as a float (1.0 in metadata, 1e0 as amount) is 400 about the float', () => unchanged(async () => {
    const tx = createFor(alice, { n: 1 });
    const text = JSON.stringify(tx.toDict());
    assert.ok(text.includes('"n":1}'));
    for (const [from, to, shown] of [['"n":1}', '"n":1.0}', '1.0'], ['"n":1}', '"n":1E0}', '1E0'], ['"amount":1', '"amount":1.0', '1.0'], ['"amount":1', '"amount":1e0', '1e0']]) {
      const message = assertError(await post(text.replace(from!, to!)), 400, /^Invalid transaction/, /float/);
      assert.ok(message.includes(shown!), message);
      assert.doesNotMatch(message, /InvalidHash/);
    }
  }));

  test('an integer beyond 2^53 is 400 about 2^53', () => unchanged(async () => {
    const text = JSON.stringify(createFor(alice, { n: 1 }).toDict());
    for (const big of ['9007199254740993', '-9007199254740993', '123456789012345678901234567890']) {
      const message = assertError(await post(text.replace('"n":1}', `"n":${big}}`)), 400, /^Invalid transaction/, /2\^53/);
      assert.ok(message.includes(big), message);
    }
    assertError(await post(text.replace('"n":1}', '"n":1e400}')), 400, /^Invalid transaction/, /range/);
  }));

  test('a wrong id is 400 InvalidHash; an id that is not a hash is 400 naming the id', () => unchanged(async () => {
    const dict = dictOf(createFor(alice));
    assertError(await post({ ...dict, id: sha3Hex('another') }), 400, /^Invalid transaction: InvalidHash/);
    assertError(await post({ ...dict, id: 'xyz' }), 400, /^Invalid transaction/, /\bid\b/);
    const { id: _id, ...withoutId } = dict;
    assertError(await post(withoutId), 400, /^Invalid transaction/, /\bid\b/);
  }));

  test('a tampered signature is 400 InvalidSignature', () => unchanged(async () => {
    const dict = dictOf(createFor(alice));
    const uri = dict.transaction.fulfillments[0]!.fulfillment as string;
    // cf:4:<base64url of 32-byte key + 64-byte signature>: change one signature character.
    const at = uri.length - 20;
    const flipped = uri.slice(0, at) + (uri[at] === 'A' ? 'B' : 'A') + uri.slice(at + 1);
    dict.transaction.fulfillments[0]!.fulfillment = flipped;
    assertError(await post(dict), 400, /^Invalid transaction: InvalidSignature/);
    // A genuine signature of another transaction by the same key.
    const other = dictOf(createFor(alice));
    other.transaction.fulfillments[0]!.fulfillment = createFor(alice).toDict().transaction.fulfillments[0]!.fulfillment;
    assertError(await post(other), 400, /^Invalid transaction: InvalidSignature/);
    // Signed by somebody else than the owner.
    const mallory = dictOf(createFor(alice));
    mallory.transaction.fulfillments[0]!.fulfillment = createFor(bob).toDict().transaction.fulfillments[0]!.fulfillment;
    assertError(await post(mallory), 400, /^Invalid transaction: InvalidSignature/);
  }));

  test('a fulfillment URI that does not parse is 400 naming the fulfillment', () => unchanged(async () => {
    // Ed25519 payloads too short for a key and a signature, unknown types, truncated thresholds, no URI at all.
    for (const uri of ['cf:4:AAAA', 'cf:4:', 'cf:4:' + 'B'.repeat(100), 'cf:1:YWJj', 'cf:ffff:AAAA', 'cf:2:AQID', 'cf:2:', 'cf:63:AAAA', 'not a uri', 'cc:4:20:AAAA:96', 'cf:4:AAAA=']) {
      const dict = dictOf(createFor(alice));
      dict.transaction.fulfillments[0]!.fulfillment = uri;
      assertError(await post(dict), 400, /^Invalid transaction/, /fulfillment/i);
    }
  }));

  const NOT_KEYS = ['0OIl'.repeat(11), 'O'.repeat(44), '1'.repeat(44), encodeBase58(Buffer.alloc(33, 9))];

  test('an owner_after that is not a base58 public key (in owners_after and its condition) is 400', () => unchanged(async () => {
    for (const key of NOT_KEYS) {
      const out = dictOf(createFor(alice));
      out.transaction.conditions[0]!.owners_after = [key as never];
      (out.transaction.conditions[0]!.condition.details as Record<string, unknown>).public_key = key;
      assertError(await post(rehashed(out)), 400, /^Invalid transaction/);
    }
  }));

  test('an owner_before that is not a base58 public key is 400, even in a transaction its real signer signed', () => unchanged(async () => {
    for (const key of NOT_KEYS) {
      const unsigned = dictOf(createFor(alice));
      unsigned.transaction.fulfillments[0]!.owners_before = [key as never];
      assertError(await post(rehashed(unsigned)), 400, /^Invalid transaction/);
      // A key that is not a key cannot have signed: "every owners_before must sign" (SPEC §4.3).
      const signed = resigned(createFor(alice), (d) => { d.transaction.fulfillments[0]!.owners_before = [key as never]; }, alice);
      assertError(await post(signed), 400, /^Invalid transaction/);
    }
  }));

  test('an owner_before who did not sign (another valid key) is 400, though the fulfillment verifies', () => unchanged(async () => {
    const signed = resigned(createFor(alice), (d) => { d.transaction.fulfillments[0]!.owners_before = [bob.publicKey]; }, alice);
    assertError(await post(signed), 400, /^Invalid transaction/);
  }));

  test('the hand-signing helper of these tests makes transactions the server accepts (control for the tests around it)', async () => {
    const signed = resigned(createFor(alice), (d) => { (d.transaction.metadata!.data as Record<string, unknown>).resigned = true; }, alice);
    const answer = await post(signed);
    assert.equal(answer.status, 201, answer.text);
    assert.equal((answer.json as TransactionDict).id, signed.id);
  });

  test('a CREATE with no fulfillment at all is 400 (SPEC §4.2: at least one fulfillment)', () => unchanged(async () => {
    const dict = dictOf(createFor(alice));
    dict.transaction.fulfillments = [];
    assertError(await post(rehashed(dict)), 400, /^Invalid transaction/, /fulfillment/i);
  }));

  test('a CREATE whose fulfillment is an empty preimage (cf:0:), not a signature of its owner before, is 400', () => unchanged(async () => {
    const dict = dictOf(createFor(alice));
    dict.transaction.fulfillments[0]!.fulfillment = 'cf:0:';
    assertError(await post(dict), 400, /^Invalid transaction/);
  }));

  test('a CREATE "signed" with the all-zero (small-order) Ed25519 key and an all-zero signature is 400, on each of 40 transactions', () => unchanged(async () => {
    // Cofactorless verification accepts this forgery for about 1 message in 4: 40 tries catch it all but surely.
    const forged = `cf:4:${Buffer.alloc(96).toString('base64url')}`;
    const accepted: string[] = [];
    for (let i = 0; i < 40; i++) {
      const dict = dictOf(createFor(alice));
      dict.transaction.fulfillments[0]!.fulfillment = forged;
      const answer = await post(dict);
      if (answer.status !== 400) accepted.push(`${answer.status} ${dict.id}`);
      else assertError(answer, 400, /^Invalid transaction/);
    }
    assert.deepEqual(accepted, [], `forged CREATEs in alice's name not refused: ${accepted.length} of 40`);
  }));

  test('a zero or negative amount is 400 naming the amount', () => unchanged(async () => {
    for (const amount of [0, -1, -9007199254740991]) {
      const dict = dictOf(createFor(alice));
      dict.transaction.conditions[0]!.amount = amount;
      assertError(await post(rehashed(dict)), 400, /^Invalid transaction/, /amount/);
      const signed = resigned(createFor(alice), (d) => { d.transaction.conditions[0]!.amount = amount; }, alice);
      assertError(await post(signed), 400, /^Invalid transaction/, /amount/);
    }
  }));

  test('metadata nested thousands of levels deep is 400 about the nesting', () => unchanged(async () => {
    const text = JSON.stringify(createFor(alice, { n: 'DEEP' }).toDict());
    for (const [open, close, levels] of [['{"a":', '}', 5_000], ['[', ']', 5_000], ['[', ']', 300_000], ['{"a":', '}', 150_000]] as const) {
      const deep = open.repeat(levels) + '1' + close.repeat(levels);
      assertError(await post(text.replace('"DEEP"', deep)), 400, /^Invalid transaction/, /nest|deep/i);
    }
  }));

  test('a 2 MB body is 413 with the default 1 MB limit', () => unchanged(async () => {
    assert.equal(config.server.body_limit, 1_048_576);
    const dict = dictOf(createFor(alice));
    (dict.transaction.metadata!.data as Record<string, unknown>).blob = 'x'.repeat(2 * 1024 * 1024);
    assertError(await post(dict), 413, /too large/i);
    assertError(await post('['.repeat(2 * 1024 * 1024)), 413, /too large/i);
  }));

  test('very long strings within the limit (900 kB owner, operation, fulfillment, id, key) are 400', () => unchanged(async () => {
    const long = 'A'.repeat(900_000);
    const owner = dictOf(createFor(alice));
    owner.transaction.fulfillments[0]!.owners_before = [long as never];
    assertError(await post(rehashed(owner)), 400, /^Invalid transaction/);
    const operation = dictOf(createFor(alice));
    (operation.transaction as { operation: string }).operation = long;
    assertError(await post(rehashed(operation)), 400, /^Invalid transaction/, /operation/);
    const fulfillment = dictOf(createFor(alice));
    fulfillment.transaction.fulfillments[0]!.fulfillment = `cf:4:${long}`;
    assertError(await post(fulfillment), 400, /^Invalid transaction/, /fulfillment/i);
    assertError(await post({ ...dictOf(createFor(alice)), id: long }), 400, /^Invalid transaction/, /\bid\b/);
    const key = dictOf(createFor(alice));
    (key.transaction.metadata!.data as Record<string, unknown>)[long] = 1;
    assertError(await post(key), 400, /^Invalid transaction: InvalidHash/);
  }));

  test('an unknown operation is 400 naming the operation', () => unchanged(async () => {
    for (const op of ['DESTROY', 'create', '', 'TRANSFER ']) {
      const dict = dictOf(createFor(alice));
      (dict.transaction as { operation: string }).operation = op;
      assertError(await post(rehashed(dict)), 400, /^Invalid transaction/, /operation/);
    }
  }));

  test('a TRANSFER that lists one input twice is 400 DoubleSpend', async () => {
    const create = Transaction.create([alice.publicKey], [[[alice.publicKey], 2]], { asset: { divisible: true } }).sign([alice.privateKey]);
    await blockWithVotes([create], VALID);
    const twice = Transaction.transfer([...create.toInputs(), ...create.toInputs()], [[[bob.publicKey], 4]], create.asset.id).sign([alice.privateKey]);
    await unchanged(async () => {
      assertError(await post(twice.toDict()), 400, /^Invalid transaction: DoubleSpend/, /twice/);
    });
  });

  test('spending an output already spent in a valid block is 400 DoubleSpend naming the input', async () => {
    const create = createFor(alice);
    await blockWithVotes([create], VALID);
    const first = transferOf(create, [alice], bob);
    await blockWithVotes([first], VALID);
    await unchanged(async () => {
      const message = assertError(await post(transferOf(create, [alice], carol).toDict()), 400, /^Invalid transaction: DoubleSpend/);
      assert.ok(message.includes(`${create.id}/0`), message);
    });
  });

  test('spending an output already spent in an undecided block is 400 DoubleSpend', async () => {
    const create = createFor(alice);
    await blockWithVotes([create], VALID);
    await blockWithVotes([transferOf(create, [alice], bob)], UNDECIDED);
    await unchanged(async () => {
      assertError(await post(transferOf(create, [alice], carol).toDict()), 400, /^Invalid transaction: DoubleSpend/);
    });
  });

  test('a TRANSFER whose input is only in an undecided block is 400 FulfillmentNotInValidBlock', async () => {
    const create = createFor(alice);
    await blockWithVotes([create], UNDECIDED);
    await unchanged(async () => {
      const message = assertError(await post(transferOf(create, [alice], bob).toDict()), 400, /^Invalid transaction: FulfillmentNotInValidBlock/);
      assert.ok(message.includes(create.id), message);
    });
  });

  test('a TRANSFER whose input is only in an invalid block is 400 TransactionDoesNotExist', async () => {
    const create = createFor(alice);
    await blockWithVotes([create], INVALID);
    await unchanged(async () => {
      assertError(await post(transferOf(create, [alice], bob).toDict()), 400, /^Invalid transaction: TransactionDoesNotExist/);
    });
  });

  test('a TRANSFER whose input is only in the backlog is 400 FulfillmentNotInValidBlock', async () => {
    const create = createFor(alice);
    assert.equal((await post(create.toDict())).status, 201);
    await unchanged(async () => {
      assertError(await post(transferOf(create, [alice], bob).toDict()), 400, /^Invalid transaction: FulfillmentNotInValidBlock/);
    });
  });

  test('a TRANSFER of a valid output signed by a key that does not own it is 400 InvalidSignature', async () => {
    const create = createFor(alice);
    await blockWithVotes([create], VALID);
    const dict = transferOf(create, [alice], bob).toDict();
    const forged = structuredClone(dict);
    // bob signs a copy of the same transfer in which bob is the owner before: its fulfillment is bob's.
    const bobs = Transaction.transfer(
      [{ ...create.toInputs()[0]!, fulfillment: Transaction.create([bob.publicKey], [[[bob.publicKey], 1]]).toInputs()[0]!.fulfillment }],
      [[[bob.publicKey], 1]], create.asset.id,
    ).sign([bob.privateKey]);
    forged.transaction.fulfillments[0]!.fulfillment = bobs.toDict().transaction.fulfillments[0]!.fulfillment;
    await unchanged(async () => {
      assertError(await post(forged), 400, /^Invalid transaction: InvalidSignature/);
    });
  });
});

// ---------------------------------------------------------------------------
// Property test: thousands of generated bad requests
// ---------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

interface RequestSpec {
  readonly method: string;
  readonly path: string;
  readonly contentType?: string;
  readonly body?: Uint8Array;
  /** What the generator did, for the counterexample report. */
  readonly note: string;
}

type GeneratedRequest = RequestSpec & { [fc.toStringMethod]: () => string };

/** Every path to a value inside `value` (the root excluded). */
function pathsOf(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) value.forEach((v, i) => { out.push([...prefix, i]); pathsOf(v, [...prefix, i], out); });
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) { out.push([...prefix, k]); pathsOf(v, [...prefix, k], out); }
  }
  return out;
}

function getAt(value: Json, path: Path): Json {
  return path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k]!, value);
}

function setAt(root: Json, path: Path, value: Json | undefined): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Record<string, Json>)[key];
  } else {
    (parent as Record<string | number, Json>)[key] = value;
  }
}

/** The id rule applied when it can be (a structure too broken for it keeps its old id). */
function tryRehash(dict: Json): void {
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) return;
  try {
    dict.id = idOf(dict);
  } catch {
    // Not serializable canonically (lone surrogate, …): leave the id as it is.
  }
}

const TX_PATHS = ['/api/v1/transactions', '/api/v1/transactions/'];

/** The generated requests, printed short in counterexamples. */
function withDescription(request: RequestSpec): GeneratedRequest {
  return Object.assign(request, {
    [fc.toStringMethod]: () => {
      const text = request.body === undefined ? '' : Buffer.from(request.body).toString('utf8');
      const shown = text.length > 400 ? `${JSON.stringify(text.slice(0, 400))}…(${text.length} chars)` : JSON.stringify(text);
      return `${request.method} ${request.path} content-type=${JSON.stringify(request.contentType)} [${request.note}] body=${shown}`;
    },
  });
}

/**
 * Bad requests: structural and textual mutations of signed transactions,
 * random bodies and content types, wrong methods, unknown ids and routes.
 */
function badRequests(bases: readonly TransactionDict[]): fc.Arbitrary<GeneratedRequest> {
  const baseTexts = bases.map((b) => JSON.stringify(b));
  const utf8 = (s: string) => Buffer.from(s, 'utf8');
  const scalarFor = fc.record({
    s: fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('', 'CREATE', 'TRANSFER', 'GENESIS', 'cf:4:', 'cc:4:20::96', alice.publicKey, '0'.repeat(64))),
    n: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1, 2, 2 ** 53, 2 ** 53 + 2, -(2 ** 60), 1e21, 0.5, 1e-7)),
    flipAt: fc.nat(),
    json: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  });

  // 1. Structural mutations of a signed transaction, re-hashed or not.
  const mutation = fc.record({
    kind: fc.constantFrom('delete', 'add', 'retype', 'change'),
    at: fc.nat(),
    key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('id', 'version', 'transaction', 'fid', 'cid', 'input', 'amount', '__proto__', 'constructor')),
    value: scalarFor,
  });
  const mutated = fc.record({
    base: fc.nat({ max: bases.length - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
    rehash: fc.boolean(),
    path: fc.constantFrom(...TX_PATHS),
    contentType: fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 8 },
      { arbitrary: fc.constantFrom('application/json; charset=utf-8', 'Application/JSON', 'text/plain', 'application/x-www-form-urlencoded'), weight: 1 },
    ),
  }).map(({ base: b, mutations, rehash, path, contentType }): RequestSpec => {
    const dict = structuredClone(bases[b]!) as unknown as Json;
    const notes: string[] = [];
    for (const m of mutations) {
      const paths = pathsOf(dict);
      if (paths.length === 0) break;
      const at = paths[m.at % paths.length]!;
      const current = getAt(dict, at);
      if (m.kind === 'delete') {
        setAt(dict, at, undefined);
      } else if (m.kind === 'add') {
        const objects = [[] as Path, ...paths.filter((p) => { const v = getAt(dict, p); return v !== null && typeof v === 'object'; })];
        const target = objects[m.at % objects.length]!;
        const container = getAt(dict, target);
        if (Array.isArray(container)) container.push(m.value.json);
        else Object.defineProperty(container, m.key, { value: m.value.json, enumerable: true, configurable: true, writable: true });
        notes.push(`add ${JSON.stringify(m.key)} at ${target.join('.')}`);
        continue;
      } else if (m.kind === 'retype') {
        setAt(dict, at, m.value.json);
      } else if (typeof current === 'string') {
        const flip = current.length > 0 && m.value.flipAt % 2 === 0;
        const i = m.value.flipAt % Math.max(1, current.length);
        setAt(dict, at, flip ? current.slice(0, i) + (current[i] === 'a' ? 'b' : 'a') + current.slice(i + 1) : m.value.s);
      } else if (typeof current === 'number') {
        setAt(dict, at, m.value.n);
      } else if (typeof current === 'boolean') {
        setAt(dict, at, !current);
      } else {
        setAt(dict, at, m.value.json);
      }
      notes.push(`${m.kind} ${at.join('.')}`);
    }
    if (rehash) tryRehash(dict);
    return { method: 'POST', path, contentType, body: utf8(JSON.stringify(dict)), note: `mutate base ${b}: ${notes.join('; ')}${rehash ? ' (rehashed)' : ''}` };
  });

  // 2. Mutations of the text: truncation, insertion, deletion, replacement.
  const textual = fc.record({
    base: fc.nat({ max: bases.length - 1 }),
    op: fc.constantFrom('truncate', 'insert', 'delete', 'replace'),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
    text: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), fc.constantFrom('.0', 'e0', ',', '{', '}', '[', ']', '"', '\\', ':', 'null', '1.0', '99999999999999999999')),
  }).map(({ base: b, op, at, length, text }): RequestSpec => {
    const source = baseTexts[b]!;
    const i = at % source.length;
    const body = op === 'truncate' ? source.slice(0, i)
      : op === 'insert' ? source.slice(0, i) + text + source.slice(i)
        : op === 'delete' ? source.slice(0, i) + source.slice(i + length)
          : source.slice(0, i) + text + source.slice(i + text.length);
    return { method: 'POST', path: TX_PATHS[at % 2]!, contentType: 'application/json', body: utf8(body), note: `${op} at ${i} of base ${b}` };
  });

  // 3. Random strings, bytes and JSON values, with random content types.
  const contentType = fc.oneof(
    { arbitrary: fc.constant('application/json'), weight: 5 },
    {
      arbitrary: fc.constantFrom(
        'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; charset=nope',
        'application/json; charset', 'application/json;;', 'text/plain', 'text/html', 'application/xml', 'application/octet-stream',
        'multipart/form-data; boundary=zz', 'application/x-www-form-urlencoded', '*/*', 'application/*', 'json', '', ';',
      ),
      weight: 4,
    },
    { arbitrary: fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,40}$/), weight: 2 },
  );
  const rawBody = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }).map(utf8),
    fc.string({ maxLength: 300 }).map(utf8),
    fc.uint8Array({ maxLength: 600 }),
    fc.json({ maxDepth: 4 }).map(utf8),
    fc.constantFrom('', ' ', '{}', '[]', 'null', '0', '""', '{"id":', '{"transaction":{}}', '{"version":1}', '\u0000', '\ufeff{}').map(utf8),
  );
  const random = fc.record({ path: fc.constantFrom(...TX_PATHS), contentType, body: rawBody, mutatedType: fc.boolean(), base: fc.nat({ max: bases.length - 1 }) })
    .map(({ path, contentType: type, body, mutatedType, base: b }): RequestSpec => (
      mutatedType && type !== 'application/json'
        ? { method: 'POST', path, contentType: type, body: utf8(baseTexts[b]!), note: `base ${b} as ${JSON.stringify(type)}` }
        : { method: 'POST', path, contentType: type, body, note: `random body as ${JSON.stringify(type)}` }));

  // 4. Other methods and paths: wrong methods on the known paths, unknown ids, bad owners, broken paths.
  // No dot segments ('.', '..', '%2e%2e'): the URL parser removes them, which would turn a bad path into GET /.
  const segment = fc.oneof(
    fc.string({ maxLength: 70 }).map(encodeURIComponent),
    fc.stringMatching(/^[0-9a-fA-F%.~_-]{0,80}$/),
    fc.constantFrom('%', '%zz', '%E0%A4%A', '%2F', '%00', sha3Hex('unknown'), `${'0'.repeat(64)}`),
  ).filter((s) => !/^(\.|%2e){1,2}$/i.test(s));
  const wrongMethod = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
    kind: fc.nat({ max: 14 }),
    segment,
    base: fc.nat({ max: bases.length - 1 }),
    body: rawBody,
    contentType,
  }).map(({ method, kind, segment: s, base: b, body, contentType: type }): RequestSpec => {
    const id = bases[b]!.id;
    const otherMethod = (allowed: string) => (method === allowed ? 'PUT' : method);
    const withBody = (m: string) => (m === 'GET' ? {} : { body, contentType: type });
    switch (kind) {
      case 0: { const m = otherMethod('GET'); return { method: m, path: '/', ...withBody(m), note: 'wrong method on /' }; }
      case 1: { const m = otherMethod('POST'); return { method: m, path: TX_PATHS[b % 2]!, ...withBody(m), note: 'wrong method on transactions' }; }
      case 2: { const m = otherMethod('GET'); return { method: m, path: `/api/v1/transactions/${id}`, ...withBody(m), note: 'wrong method on a transaction' }; }
      case 3: { const m = otherMethod('GET'); return { method: m, path: `/api/v1/transactions/${id}/status`, ...withBody(m), note: 'wrong method on a status' }; }
      case 4: { const m = otherMethod('GET'); return { method: m, path: `/api/v1/unspents?owner_after=${alice.publicKey}`, ...withBody(m), note: 'wrong method on unspents' }; }
      case 5: return { method: 'GET', path: `/api/v1/unspents?owner_after=0${s}`, note: 'bad owner_after' };
      case 6: return { method: 'GET', path: `/api/v1/transactions/${s}${['', '/status', '/conditions/0', '/conditions/' + s][b % 4]}`, note: 'unknown or bad id' };
      // The query API (SPEC.md §13): a value no parameter can take ('~', 'g' and '0' are in no id, key or enum), or a parameter missing.
      case 7: return { method: 'GET', path: [`/api/v1/transactions?asset_id=~${s}`, `/api/v1/transactions?asset_id=${bases[b]!.transaction.asset.id}&operation=~${s}`][b % 2]!, note: 'bad asset_id or operation' };
      case 8: return { method: 'GET', path: [`/api/v1/outputs?public_key=0${s}`, `/api/v1/outputs?public_key=${alice.publicKey}&spent=~${s}`][b % 2]!, note: 'bad public_key or spent' };
      case 9: return { method: 'GET', path: [`/api/v1/statuses?transaction_id=g${s}`, `/api/v1/statuses?block_id=g${s}`, `/api/v1/statuses?block_id=${id}&transaction_id=${id}`, `/api/v1/statuses?x=${s}`][b % 4]!, note: 'bad statuses query' };
      case 10: return { method: 'GET', path: [`/api/v1/blocks?transaction_id=g${s}`, `/api/v1/blocks?transaction_id=${id}&status=~${s}`, `/api/v1/blocks?status=valid`][b % 3]!, note: 'bad blocks query' };
      case 11: return { method: 'GET', path: `/api/v1/blocks/${s}${['', '/', '/votes'][b % 3]}`, note: 'unknown or bad block id' };
      case 12: return { method: 'GET', path: [`/api/v1/votes?block_id=g${s}`, `/api/v1/votes?block_id[${s}]=1`][b % 2]!, note: 'bad block_id' };
      case 13: { const m = otherMethod('GET'); return { method: m, path: ['/api/v1/', '/api/v1/outputs', '/api/v1/statuses', '/api/v1/blocks', `/api/v1/blocks/${id}`, '/api/v1/votes'][b % 6]!, ...withBody(m), note: 'wrong method on the query API' }; }
      default: return { method, path: `/api/v1/${s}/${s}`, ...withBody(method), note: 'unknown route' };
    }
  });

  const request = fc.oneof(
    { arbitrary: mutated, weight: 5 },
    { arbitrary: textual, weight: 2 },
    { arbitrary: random, weight: 2 },
    { arbitrary: wrongMethod, weight: 2 },
  );
  return request.map(withDescription);
}

describe('property: generated bad requests', () => {
  let bases: TransactionDict[];
  let baseIds: Set<string>;
  let beforeFuzz: Snapshot;
  /** Ids of the transactions the server accepted (2xx): excluded from the unchanged-database check. */
  const accepted = new Set<string>();

  before(async () => {
    // Signed, valid transactions to mutate, none of them in the database.
    const spendable = createFor(alice);
    const split = Transaction.create([alice.publicKey], [[[alice.publicKey], 2], [[alice.publicKey], 3]], { asset: { divisible: true } })
      .sign([alice.privateKey]);
    await blockWithVotes([spendable, split], VALID);
    bases = [
      createFor(alice, { n: 1, s: 'text', list: [1, 'two', null, true], nested: { deeper: { x: -3 } } }).toDict(),
      transferOf(spendable, [alice], bob).toDict(),
      Transaction.create([alice.publicKey], [[[bob.publicKey, carol.publicKey], 2], [[alice.publicKey], 3]], {
        asset: { divisible: true, data: { name: 'thing' } },
      }).sign([alice.privateKey]).toDict(),
      // Two fulfillments: each signs its own partial transaction.
      Transaction.transfer(split.toInputs(), [[[bob.publicKey], 5]], split.asset.id).sign([alice.privateKey]).toDict(),
    ];
    baseIds = new Set(bases.map((b) => b.id));
    for (const id of baseIds) assert.equal((await get(`/api/v1/transactions/${id}/status`)).status, 404);
    beforeFuzz = await snapshot();
  });

  test('10,000 generated bad requests each get a 4xx JSON {status = HTTP status, message}; only an unchanged signed transaction may be accepted', async (t) => {
    const statuses = new Map<number, number>();
    let fired = 0;

    /** What is wrong with the answer to a generated request, or null. */
    async function fire(req: GeneratedRequest): Promise<void> {
      const answer = await call(req.method, req.path, { body: req.body, contentType: req.contentType });
      fired++;
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const where = String(req[fc.toStringMethod]()).slice(0, 700);
      if (req.method === 'POST' && TX_PATHS.includes(req.path) && (answer.status === 201 || answer.status === 200)) {
        const id = (answer.json as { id?: unknown } | undefined)?.id;
        if (typeof id === 'string') accepted.add(id);
        // Every change to a signed transaction breaks its id or its signature: only the bases themselves may pass.
        assert.ok(typeof id === 'string' && baseIds.has(id), `accepted (${answer.status}) a transaction that is not one of the signed bases: ${where}\n→ ${answer.text.slice(0, 400)}`);
        return;
      }
      assert.ok(answer.status >= 400 && answer.status < 500, `status ${answer.status} for ${where}\n→ ${answer.text.slice(0, 400)}`);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json\b/, `not JSON: ${where}`);
      const body = answer.json as { status?: unknown; message?: unknown } | undefined;
      assert.ok(body !== null && typeof body === 'object', `body is not a JSON object: ${where}\n→ ${answer.text.slice(0, 300)}`);
      assert.equal(body.status, answer.status, `body status ${String(body.status)} ≠ HTTP ${answer.status}: ${where}`);
      assert.ok(typeof body.message === 'string' && body.message.length > 0, `no message: ${where}`);
    }

    const BATCH = 16;
    const RUNS = 640; // 640 batches of 16 concurrent requests = 10,240 requests
    const seed = process.env.API_FUZZ_SEED ? Number(process.env.API_FUZZ_SEED) : Date.now() ^ Math.floor(Math.random() * 0x7fffffff);
    const started = performance.now();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(badRequests(bases), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          await Promise.all(batch.map(fire));
        }),
        { numRuns: RUNS, seed },
      );
    } finally {
      const seconds = (performance.now() - started) / 1000;
      t.diagnostic(`seed ${seed} (rerun with API_FUZZ_SEED=${seed}): ${fired} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; accepted ${accepted.size}`);
    }
    const seconds = (performance.now() - started) / 1000;
    assert.ok(fired >= BATCH * RUNS, `only ${fired} requests fired`);
    assert.ok(seconds < 120, `the generated requests took ${seconds.toFixed(1)} s`);
  });

  test('after the generated requests the server still answers GET /, and the tables hold what they held before plus the accepted transactions', async () => {
    const home = await get('/');
    assert.equal(home.status, 200);
    assert.equal((home.json as { public_key?: string }).public_key, me.publicKey);
    assert.deepEqual(await snapshot(), { ...beforeFuzz, backlog: [...new Set([...beforeFuzz.backlog, ...accepted])].sort() });
    for (const id of accepted) assert.equal((await backlogRowsOf(id)).length, 1, `transaction ${id} has several backlog rows`);
  });
});
