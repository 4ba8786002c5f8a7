/**
 * The StatsD metrics of a real node: a `bigchaindb start` process sends to a
 * UDP port this test listens on, while the test drives every path that
 * counts something (API accepts and rejects, blocks, votes, an invalid block
 * and its election, a stale transaction, a changefeed cut).
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { insertBacklogRows } from '../db/queries/backlog';
import { METRICS, type MetricName } from '../metrics/names';
import { metricPrefix, Metrics } from '../metrics/statsd';
import { generateKeypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import { testServer } from './helpers/database';
import { startFederation, waitFor, type Federation } from './helpers/federation';

interface Received {
  readonly name: string;
  readonly type: string;
  readonly value: number;
}

/** `<hostname>.<name>:<value>|<type>[|@rate]`, one per line. */
function parsePackets(lines: readonly string[]): Received[] {
  return lines.flatMap((line) => {
    const match = /^(.+):(-?[\d.]+)\|(c|ms|g|h)(\|@[\d.]+)?$/.exec(line);
    assert.ok(match, `a StatsD line: ${line}`);
    const [, fullName, value, type] = match;
    assert.ok(fullName!.startsWith(metricPrefix()), `prefixed with the hostname: ${line}`);
    return [{ name: fullName!.slice(metricPrefix().length), type: type!, value: Number(value) }];
  });
}

const alice = generateKeypair();
const create = (n: number) => Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { n } }).sign([alice.privateKey]);
/** Well-formed and signed, but against a rule: a divisible asset of amount 1. */
const invalidCreate = () => Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { asset: { divisible: true } }).sign([alice.privateKey]);

describe('StatsD metrics of a running node', () => {
  const lines: string[] = [];
  let socket: Socket;
  let federation: Federation;
  let api: string;

  before(async () => {
    socket = createSocket('udp4');
    socket.on('message', (message) => lines.push(...message.toString('utf8').split('\n').filter((l) => l !== '')));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  });

  /** One node sending to this test's socket; started inside the test, so that it lives as long as the test. */
  async function startNode(): Promise<void> {
    const statsd = { host: '127.0.0.1', port: (socket.address() as AddressInfo).port, rate: 1 };
    federation = await startFederation({ size: 1, reassignDelay: 2, configOf: () => ({ statsd }) });
    const root = `http://${federation.nodes[0]!.config.server.bind}`;
    api = `${root}/api/v1`;
    await waitFor('the API to answer', async () => (await fetch(root).catch(() => null))?.ok === true);
  }

  after(() => socket.close());

  const post = (tx: Transaction) => fetch(`${api}/transactions/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tx.toDict()) });
  const isValid = async (tx: Transaction) => (await federation.bigchain.getStatus(tx.id)) === 'valid';
  const seen = (name: MetricName) => parsePackets(lines).some((m) => m.name === name);

  test('a short run emits every metric of the catalog, each with its StatsD type and nothing else', async () => {
    await startNode();
    const node = federation.nodes[0]!.keypair.publicKey;
    const accepted = create(1);
    assert.equal((await post(accepted)).status, 201);
    assert.equal((await post(invalidCreate())).status, 400);
    await waitFor('the accepted transaction in a valid block', () => isValid(accepted));

    const requeued = create(2);
    await federation.bigchain.writeBlock(federation.bigchain.createBlock([requeued.toDict(), invalidCreate().toDict()]));
    await waitFor('the good transaction of the invalid block requeued and then valid', () => isValid(requeued));

    const rejectedFromBacklog = invalidCreate().toDict();
    await insertBacklogRows(federation.db, [{ ...rejectedFromBacklog, assignee: node, assignment_timestamp: Date.now() / 1000 }]);
    const stale = create(3);
    await insertBacklogRows(federation.db, [{ ...stale.toDict(), assignee: generateKeypair().publicKey, assignment_timestamp: 0 }]);
    await waitFor('the stale transaction reassigned and then valid', () => isValid(stale));

    const server = await testServer();
    const expected = (Object.keys(METRICS) as MetricName[]).filter((name) => name !== 'changefeed.reconnects' || server.dropClientConnections !== undefined);
    if (server.dropClientConnections !== undefined) {
      server.dropClientConnections();
      await waitFor('a changefeed reconnect counted', async () => seen('changefeed.reconnects'), 30_000);
    }
    await waitFor(`all of ${expected.join(', ')}`, async () => expected.every(seen), 30_000);

    const received = parsePackets(lines);
    for (const m of received) {
      assert.ok(m.name in METRICS, `emitted metric ${m.name} is in the catalog`);
      assert.equal(m.type, METRICS[m.name as MetricName], `${m.name} has type ${METRICS[m.name as MetricName]}`);
    }
    const sizes = received.filter((m) => m.name === 'block.size').map((m) => m.value);
    assert.ok(sizes.every((n) => n >= 1 && n <= 1000), `block sizes within 1..1000: ${sizes.join(',')}`);
    assert.ok(received.some((m) => m.name === 'vote.cast.invalid'), 'the invalid block got an invalid vote');
  });

});

describe('metric sampling', () => {
  test('per-transaction events are sampled at statsd.rate and marked @rate; per-event ones are always sent', async () => {
    const socket = createSocket('udp4');
    const lines: string[] = [];
    socket.on('message', (message) => lines.push(...message.toString('utf8').split('\n').filter((l) => l !== '')));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const metrics = Metrics.create({ host: '127.0.0.1', port: (socket.address() as AddressInfo).port, rate: 0.25 });
    try {
      for (let i = 0; i < 400; i++) {
        metrics.increment('api.transactions.accepted', 'per-transaction');
        metrics.increment('block.written', 'per-event');
      }
      await waitFor('every per-event line', async () => parsePackets(lines).filter((m) => m.name === 'block.written').length === 400, 10_000);
    } finally {
      await metrics.close();
      socket.close();
    }
    const sampled = lines.filter((l) => l.includes('api.transactions.accepted'));
    assert.ok(sampled.every((l) => l.endsWith('|c|@0.25')), 'sampled lines carry their rate, so StatsD scales them back');
    assert.ok(sampled.length > 40 && sampled.length < 200, `about a quarter of 400 sent: ${sampled.length}`);
    assert.ok(lines.filter((l) => l.includes('block.written')).every((l) => l.endsWith('|c')), 'per-event lines are unsampled');
  });
});

describe('metric names', () => {
  test('the prefix is the host name with its dots made underscores, so a full domain name stays one segment', () => {
    assert.equal(metricPrefix('bdb1'), 'bdb1.');
    assert.equal(metricPrefix('node-2.eu-west-1.compute.internal'), 'node-2_eu-west-1_compute_internal.');
  });
});
