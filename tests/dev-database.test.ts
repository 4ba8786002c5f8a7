/**
 * `bigchaindb start --dev-start-rethinkdb` as a real process: the node that
 * `npm start` runs keeps what it acknowledged and its identity through a
 * kill -9 of its whole process group, and the development database is never
 * claimed to be started over a server already there or one that died.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Database } from '../db/connection';
import { countBacklog } from '../db/queries/backlog';
import type { Term } from '../db/rethink';
import { databaseExists } from '../db/schema';
import { generateKeypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import { freePort, isolatedEnv, lastLine, runCli, spawnCli, tempDir, type RunningCli } from './helpers/cli';
import { uniqueDatabaseSettings } from './helpers/database';

const rethinkdbOnPath = spawnSync('which', ['rethinkdb']).status === 0;

/** The arguments of `npm start` (package.json), after `node dist/cli/main.js`. */
function npmStartArgs(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.split(/\s+/);
  return words.slice(words.indexOf('dist/cli/main.js') + 1);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `until` to hold, polling; fails with `what` after `limitMs` (a bound on a wait, not a speed requirement). */
async function eventually(what: () => string, until: () => Promise<boolean>, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await until())) {
    if (Date.now() > deadline) assert.fail(what());
    await sleep(250);
  }
}

function publicKeyOf(node: RunningCli): string {
  const match = /BigchainDB \S+ node (\w+)/.exec(node.stderr());
  assert.ok(match !== null, `the banner names the node's key:\n${node.stderr()}`);
  return match[1]!;
}

/** Kills the process group of `node` with SIGKILL (the API processes too) and waits for its end. */
async function killGroup(node: RunningCli): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  try {
    process.kill(-node.child.pid!, 'SIGKILL');
  } catch {
    // the group is gone already
  }
  await node.exited;
}

/** Clients POST CREATEs, each signed by an owner of its own, until `stop()`; returns the ids answered 201. */
function postUntilStopped(apiPort: number, clients: number): { acknowledged: string[]; stop(): Promise<void> } {
  const acknowledged: string[] = [];
  let stopping = false;
  const loops = Array.from({ length: clients }, async () => {
    while (!stopping) {
      const owner = generateKeypair();
      const tx = Transaction.create([owner.publicKey], [[[owner.publicKey], 1]]).sign([owner.privateKey]);
      try {
        const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/transactions/`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tx.toDict()),
        });
        await res.arrayBuffer();
        if (res.status === 201) acknowledged.push(tx.id);
      } catch {
        return; // the node is gone: this answer never came
      }
    }
  });
  return { acknowledged, stop: async () => { stopping = true; await Promise.all(loops); } };
}

describe('npm start with the embedded database, killed with -9', { skip: rethinkdbOnPath ? 'rethinkdb is on PATH: npm start would use it' : false }, () => {
  test('every transaction answered 201 before a kill -9 of the whole process group is there after a restart, in exactly one block, valid; the node keeps its public key', { timeout: 300_000 }, async () => {
    const home = tempDir('bdb-dev-home-');
    const port = await freePort();
    const apiPort = await freePort();
    const env = isolatedEnv(home, { BIGCHAINDB_DATABASE_PORT: String(port), BIGCHAINDB_SERVER_BIND: `127.0.0.1:${apiPort}`, BIGCHAINDB_SERVER_WORKERS: '1' });
    const first = spawnCli(npmStartArgs(), env, { detached: true });
    let firstKey: string;
    let acknowledged: string[];
    try {
      await first.waitForStderr(/Stop with Ctrl-C/, 90_000);
      firstKey = publicKeyOf(first);
      const clients = postUntilStopped(apiPort, 8);
      await eventually(() => `only ${clients.acknowledged.length} POSTs answered 201`, async () => clients.acknowledged.length >= 150, 120_000);
      await killGroup(first);
      await clients.stop();
      acknowledged = [...clients.acknowledged];
    } finally {
      await killGroup(first);
    }
    const config = join(home, '.bigchaindb');
    assert.ok(existsSync(config), 'the first start wrote ~/.bigchaindb');
    assert.equal(statSync(config).mode & 0o777, 0o600);
    assert.ok(first.stderr().includes(`key:      ${config} (written now, mode 0600)`), 'the banner says where the key is');
    assert.ok(first.stderr().includes(`data:     ${join(home, '.bigchaindb-dev', 'embedded')} (embedded: `), 'the banner says where the data is');

    const second = spawnCli(npmStartArgs(), env, { detached: true });
    let db: Database | null = null;
    try {
      await second.waitForStderr(/Stop with Ctrl-C/, 90_000);
      db = await Database.connect({ host: '127.0.0.1', port, name: 'bigchain' }, { attempts: 3 });
      assert.equal(publicKeyOf(second), firstKey, 'the same node after the restart');
      assert.ok(second.stderr().includes(`key:      ${config}\n`), 'the key of the file written at the first start');
      const statusUrl = (id: string) => `http://127.0.0.1:${apiPort}/api/v1/transactions/${id}/status`;
      const status = async (id: string) => ((await (await fetch(statusUrl(id))).json()) as { status?: unknown }).status;
      const code = async (id: string) => {
        const res = await fetch(statusUrl(id));
        await res.arrayBuffer();
        return res.status;
      };
      const unknown = (await Promise.all(acknowledged.map(async (id) => ({ id, code: await code(id) })))).filter((s) => s.code === 404);
      assert.equal(unknown.length, 0, `${unknown.length} of ${acknowledged.length} acknowledged transactions unknown after the restart, e.g. ${unknown[0]?.id}`);
      let pending = acknowledged;
      await eventually(() => `${pending.length} of ${acknowledged.length} acknowledged transactions not valid, e.g. ${pending[0]}`, async () => {
        const statuses = await Promise.all(pending.map(status));
        pending = pending.filter((_, i) => statuses[i] !== 'valid');
        return pending.length === 0;
      }, 180_000);
      await eventually(() => 'the backlog did not empty', async () => (await countBacklog(db!)) === 0, 60_000);
      const inBlocks = await db.run<string[]>(db.table('bigchain').concatMap((block: Term) => block('block')('transactions')('id')));
      const times = new Map<string, number>();
      for (const id of inBlocks) times.set(id, (times.get(id) ?? 0) + 1);
      const notOnce = acknowledged.filter((id) => times.get(id) !== 1);
      assert.deepEqual(notOnce.map((id) => `${id}: in ${times.get(id) ?? 0} blocks`), [], 'each acknowledged transaction is in exactly one block');
      second.child.kill('SIGINT');
      const result = await second.exited;
      assert.equal(result.code, 0, `the restarted node stops cleanly:\n${result.stderr}`);
    } finally {
      await db?.close();
      await killGroup(second);
    }
  });
});

/** A `rethinkdb` for PATH that writes `marker` when run, prints `lines` and exits 1. */
function fakeRethinkdb(lines: string[]): { dir: string; marker: string } {
  const dir = tempDir('bdb-fake-rethinkdb-');
  const marker = join(dir, 'was-run');
  const script = join(dir, 'rethinkdb');
  writeFileSync(script, ['#!/bin/sh', `touch '${marker}'`, ...lines.map((line) => `echo '${line}' >&2`), 'exit 1', ''].join('\n'));
  chmodSync(script, 0o755);
  return { dir, marker };
}

/**
 * A `rethinkdb` for PATH that serves the RethinkDB protocol (reqlite) on its
 * `--bind` and `--driver-port` only after `delayMs`, and then writes
 * `listening`; it runs until killed.
 */
function slowRethinkdb(delayMs: number): { dir: string; listening: string } {
  const dir = tempDir('bdb-slow-rethinkdb-');
  const listening = join(dir, 'listening');
  const compat = join(__dirname, '..', 'db', 'reqlite-compat.js');
  const script = join(dir, 'rethinkdb');
  writeFileSync(script, [
    `#!${process.execPath}`,
    'const args = process.argv.slice(2);',
    "const arg = (name) => args[args.indexOf(name) + 1];",
    `setTimeout(async () => {`,
    `  await require(${JSON.stringify(compat)}).startReqlite(arg('--bind'), Number(arg('--driver-port')));`,
    `  require('node:fs').writeFileSync(${JSON.stringify(listening)}, '');`,
    `}, ${delayMs});`,
    '',
  ].join('\n'));
  chmodSync(script, 0o755);
  return { dir, listening };
}

describe('start --dev-start-rethinkdb says what really happened', () => {
  const startArgs = ['--dev-start-rethinkdb', '--dev-allow-temp-keypair', 'start'];

  for (const withRethinkdb of [false, true]) {
    const which = withRethinkdb ? 'a rethinkdb on PATH' : 'no rethinkdb on PATH (the embedded database)';
    test(`with ${which}, a port already served makes start fail before starting anything, naming the port and the setting that changes it, and leaves that server's databases alone`,
      { skip: !withRethinkdb && rethinkdbOnPath ? 'rethinkdb is on PATH' : false }, async () => {
        const served = await uniqueDatabaseSettings();
        const fake = fakeRethinkdb(['must not be run']);
        const home = tempDir('bdb-dev-home-');
        const result = await runCli(startArgs, isolatedEnv(home, {
          PATH: withRethinkdb ? `${fake.dir}:${process.env.PATH ?? ''}` : process.env.PATH ?? '',
          BIGCHAINDB_DATABASE_HOST: served.host, BIGCHAINDB_DATABASE_PORT: String(served.port), BIGCHAINDB_DATABASE_NAME: served.name,
        }), { timeoutMs: 30_000 });
        assert.equal(result.code, 1, result.stderr);
        const line = lastLine(result.stderr);
        for (const word of ['DevelopmentDatabaseError', `${served.host}:${served.port}`, 'already serves', 'database.port', 'BIGCHAINDB_DATABASE_PORT']) {
          assert.ok(line.includes(word), `${JSON.stringify(line)} names ${word}`);
        }
        assert.doesNotMatch(result.stderr, /started/i, 'nothing claims to have started');
        assert.equal(existsSync(fake.marker), false, 'no rethinkdb was spawned');
        const db = await Database.connect(served, { attempts: 3 });
        try {
          assert.equal(await databaseExists(db), false, `no ${served.name} made in the server that was there`);
        } finally {
          await db.close();
        }
      });
  }

  test('a rethinkdb that answers only after a while is waited for: start says it started once it answers, serves on it, and stops it on SIGINT', { timeout: 120_000 }, async () => {
    const slow = slowRethinkdb(2000);
    const home = tempDir('bdb-dev-home-');
    const apiPort = await freePort();
    const node = spawnCli(startArgs, isolatedEnv(home, {
      PATH: `${slow.dir}:${process.env.PATH ?? ''}`, BIGCHAINDB_DATABASE_HOST: '127.0.0.1', BIGCHAINDB_DATABASE_PORT: String(await freePort()),
      BIGCHAINDB_SERVER_BIND: `127.0.0.1:${apiPort}`, BIGCHAINDB_SERVER_WORKERS: '1',
    }), { detached: true });
    try {
      await node.waitForStderr(/started \S*rethinkdb \(pid \d+\)/, 60_000);
      assert.ok(existsSync(slow.listening), `"started" was said before the server answered:\n${node.stderr()}`);
      await node.waitForStderr(/Stop with Ctrl-C/, 60_000);
      assert.match(node.stderr(), /data: +\S+rethinkdb_data \(rethinkdb, pid \d+\)/, 'the banner says where the data is');
      const root = (await (await fetch(`http://127.0.0.1:${apiPort}/`)).json()) as { software?: string };
      assert.equal(root.software, 'BigchainDB');
      node.child.kill('SIGINT');
      const result = await node.exited;
      assert.equal(result.code, 0, result.stderr);
    } finally {
      await killGroup(node);
    }
  });

  test('a rethinkdb that exits at once makes start fail with the last error line of its output, and no claim that it started', async () => {
    const fake = fakeRethinkdb(['Running rethinkdb 2.4.4', 'error: Could not bind to driver port: Address already in use', 'Exiting.']);
    const home = tempDir('bdb-dev-home-');
    const port = await freePort();
    const result = await runCli(startArgs, isolatedEnv(home, {
      PATH: `${fake.dir}:${process.env.PATH ?? ''}`, BIGCHAINDB_DATABASE_HOST: '127.0.0.1', BIGCHAINDB_DATABASE_PORT: String(port),
    }), { timeoutMs: 30_000 });
    assert.equal(result.code, 1, result.stderr);
    assert.ok(existsSync(fake.marker), 'the rethinkdb on PATH was run');
    const line = lastLine(result.stderr);
    for (const word of ['DevelopmentDatabaseError', 'exited with code 1', `127.0.0.1:${port}`, 'error: Could not bind to driver port: Address already in use']) {
      assert.ok(line.includes(word), `${JSON.stringify(line)} names ${word}`);
    }
    assert.doesNotMatch(result.stderr, /started/i, 'nothing claims to have started');
  });
});
