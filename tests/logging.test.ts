/**
 * Logging: levels by subsystem, the log files and their rotation, and what
 * must never reach a log (the private key; transaction bodies at info), in
 * this process and in a running node, whose threads and API processes
 * write through the main thread.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { configureLogging, getLogger, registerSecret, type LogSettings } from '../logging/logger';
import { generateKeypair } from '../models/keys';
import { Transaction } from '../models/transaction';
import { isolatedEnv, lastLine, runCli, tempDir } from './helpers/cli';
import { startFederation, waitFor } from './helpers/federation';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** File logging into a fresh folder; the console only for errors, to keep the test output readable. */
function logInto(dir: string, settings: Partial<LogSettings> = {}): LogSettings {
  const full: LogSettings = {
    levelConsole: 'error', levelLogfile: 'info', file: join(dir, 'bdb.log'), errorFile: join(dir, 'bdb-errors.log'),
    granularLevels: {}, rotateBytes: 10_000_000, rotateFiles: 5, ...settings,
  };
  configureLogging(full);
  return full;
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

describe('log files in one process', () => {
  test('log.file takes lines at level_logfile and above; log.error_file only errors', async () => {
    const dir = tempDir();
    logInto(dir, { levelLogfile: 'info' });
    const log = getLogger('unit');
    log.debug('a debug line');
    log.info('an info line');
    log.error('an error line');
    await sleep(200);
    const all = read(join(dir, 'bdb.log'));
    assert.match(all, /\[INFO\] \(unit\) an info line/);
    assert.match(all, /\[ERROR\] \(unit\) an error line/);
    assert.doesNotMatch(all, /a debug line/);
    assert.equal(read(join(dir, 'bdb-errors.log')).trim().split('\n').length, 1);
    assert.match(read(join(dir, 'bdb-errors.log')), /an error line/);
  });

  test('granular_levels by subsystem prefix override the file level, the longest prefix winning', async () => {
    const dir = tempDir();
    logInto(dir, { levelLogfile: 'warn', granularLevels: { pipeline: 'debug', 'pipeline:vote': 'error' } });
    getLogger('pipeline:block').debug('block debug');
    getLogger('pipeline:vote').warn('vote warning');
    getLogger('api').info('api info');
    getLogger('api').warn('api warning');
    await sleep(200);
    const all = read(join(dir, 'bdb.log'));
    assert.match(all, /block debug/);
    assert.doesNotMatch(all, /vote warning/);
    assert.doesNotMatch(all, /api info/);
    assert.match(all, /api warning/);
  });

  test('a file reaching rotate_bytes is rotated, keeping rotate_files older files and no more', async () => {
    const dir = tempDir();
    logInto(dir, { rotateBytes: 2000, rotateFiles: 2 });
    const log = getLogger('rotation');
    for (let i = 0; i < 200; i++) {
      log.info(`line ${i} ${'x'.repeat(80)}`);
      await sleep(1);
    }
    await sleep(300);
    const files = readdirSync(dir).filter((f) => f.startsWith('bdb') && !f.includes('errors')).sort();
    assert.deepEqual(files, ['bdb.log', 'bdb1.log', 'bdb2.log']);
    for (const f of files) assert.ok(statSync(join(dir, f)).size <= 2100, `${f} is about rotate_bytes at most`);
    assert.match(read(join(dir, 'bdb.log')), /line 199 /, 'the newest lines are in the file named log.file');
  });

  test('a registered secret is replaced in every line written', async () => {
    const dir = tempDir();
    logInto(dir);
    const { privateKey } = generateKeypair();
    registerSecret(privateKey);
    getLogger('unit').error(`failed with key ${privateKey} in the message`);
    await sleep(200);
    const all = read(join(dir, 'bdb.log'));
    assert.match(all, /failed with key \[redacted\] in the message/);
    assert.ok(!all.includes(privateKey));
  });
});

describe('log settings on the command line', () => {
  test('an unwritable log.file stops the node before it starts, naming the key', async () => {
    const home = tempDir();
    const result = await runCli(['start'], isolatedEnv(home, { BIGCHAINDB_LOG_FILE: '/nonexistent-dir/bdb.log' }), { timeoutMs: 20_000 });
    assert.equal(result.code, 1);
    assert.match(lastLine(result.stderr), /LogSettingsError: log\.file: cannot write \/nonexistent-dir\/bdb\.log/);
  });

  test('--log-level with an unknown level is a usage error', async () => {
    const result = await runCli(['--log-level', 'loud', 'show-config'], isolatedEnv(tempDir()), { timeoutMs: 20_000 });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--log-level must be one of/);
  });

  test('--log-level debug applies from the start: even a config file that cannot be read is told at debug (its stack)', async () => {
    const home = tempDir();
    const bad = join(home, 'bad.json');
    writeFileSync(bad, '{ not json');
    const quiet = await runCli(['-c', bad, 'show-config'], isolatedEnv(home), { timeoutMs: 20_000 });
    const loud = await runCli(['--log-level', 'debug', '-c', bad, 'show-config'], isolatedEnv(home), { timeoutMs: 20_000 });
    assert.equal(loud.code, 1);
    assert.doesNotMatch(quiet.stderr, /\[DEBUG\]/);
    assert.match(loud.stderr, /\[DEBUG\] \(cli\) ConfigError/);
  });
});

describe('logs of a running node', () => {
  test('threads and API processes write into the one log file; the private key never appears, at debug or any level', async () => {
    const federation = await startFederation({ size: 1, envOf: () => ({ BIGCHAINDB_LOG_LEVEL: 'debug' }) });
    const node = federation.nodes[0]!;
    const alice = generateKeypair();
    const tx = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { secret: 'payload-marker' } }).sign([alice.privateKey]);
    const root = `http://${node.config.server.bind}`;
    await waitFor('the API', async () => (await fetch(root).catch(() => null))?.ok === true);
    const posted = await fetch(`${root}/api/v1/transactions/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tx.toDict()) });
    assert.equal(posted.status, 201);
    await waitFor('the transaction valid', async () => (await federation.bigchain.getStatus(tx.id)) === 'valid');
    await waitFor('the vote logged', async () => read(node.config.log.file!).includes('voted valid'));
    await node.stop('SIGINT');
    const file = read(node.config.log.file!);
    for (const subsystem of ['(pipeline:block)', '(pipeline:vote)', '(start)']) assert.ok(file.includes(subsystem), `the file has lines of ${subsystem}`);
    assert.match(file, /\(api\) API process \d+ serving on/, 'an API process forwards its lines to the node\'s file');
    for (const text of [file, node.log()]) assert.ok(!text.includes(node.keypair.privateKey), 'no private key in any log');
    const atInfo = file.split('\n').filter((l) => /\] \[(INFO|WARN|ERROR)\] /.test(l));
    assert.ok(atInfo.length > 0);
    assert.ok(atInfo.every((l) => !l.includes('payload-marker') && !l.includes('"fulfillments"')), 'no transaction body at info level or above');
  });
});
