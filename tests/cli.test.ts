/**
 * The `bigchaindb` command (SPEC.md §10, §11) run as a real process: output,
 * exit code, the files it writes and the database it changes. Every run has
 * a temporary HOME and only the BIGCHAINDB_* variables its test sets; the
 * database commands use the test server of tests/helpers/database.ts with a
 * database name of their own.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { defaultConfig, loadConfig, type Config } from '../config/config';
import { Database, TABLES, type DatabaseSettings } from '../db/connection';
import { getGenesisBlock } from '../db/queries/blocks';
import { databaseExists } from '../db/schema';
import type { BlockDict } from '../models/block';
import { generateKeypair, keypairFromPrivate, type Keypair } from '../models/keys';
import type { PrivateKey } from '../models/types';
import { databaseVars, freePort, isolatedEnv, keypairVars, lastLine, runCli, spawnCli, tempDir, type CliResult } from './helpers/cli';
import { uniqueDatabaseSettings } from './helpers/database';

// ---------------------------------------------------------------- fixtures

/** A new empty HOME. */
const home = () => tempDir('bdb-cli-home-');

/** Exactly the QUESTIONS of cli/commands/configure.ts, in order. */
const QUESTION_KEYS = [
  'server.bind', 'database.host', 'database.port', 'database.name', 'statsd.host', 'statsd.port', 'statsd.rate', 'backlog_reassign_delay',
  'wsserver.host', 'wsserver.port',
];

/** One answer per question: `given` for the keys it names, an empty line (the default) for the others. */
const answersFor = (given: Record<string, string>): string[] => QUESTION_KEYS.map((key) => given[key] ?? '');

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

/** Writes a config file of `config` (defaults plus `overrides`) at `path`. */
function writeConfig(path: string, overrides: Partial<Config>): Config {
  const config = { ...defaultConfig(), ...overrides };
  writeFileSync(path, JSON.stringify(config, null, 4), { mode: 0o600 });
  return config;
}

/** Asserts the run ended with exit code `code`; on a mismatch the message shows both streams. */
function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, `exit code ${result.code} (signal ${result.signal}), expected ${code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
}

/**
 * Asserts a failure: exit 1 and a last stderr line whose "bigchaindb: ..."
 * error holds every one of `words`. (After a prompt, which ends without a
 * newline, the error follows the prompt on the same line.)
 */
function assertFailure(result: CliResult, words: string[]): void {
  assertExit(result, 1);
  const last = lastLine(result.stderr);
  const at = last.indexOf('bigchaindb: ');
  assert.ok(at >= 0, `the last stderr line holds a "bigchaindb: " error: ${JSON.stringify(last)}`);
  const line = last.slice(at);
  for (const word of words) assert.ok(line.includes(word), `error line ${JSON.stringify(line)} names ${JSON.stringify(word)}`);
}

/** Runs `fn` with a connection of this test process to `settings`. */
async function withConnection<T>(settings: DatabaseSettings, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.connect(settings, { attempts: 3 });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const exists = (settings: DatabaseSettings) => withConnection(settings, databaseExists);

/** Makes the database with `bigchaindb init` and checks that it worked. */
async function initWithCli(settings: DatabaseSettings, keypair: Keypair): Promise<void> {
  const result = await runCli(['init'], isolatedEnv(home(), { ...databaseVars(settings), ...keypairVars(keypair) }));
  assertExit(result, 0);
  assert.equal(await exists(settings), true, 'init created the database');
}

const isRealRethinkdb = Boolean(process.env.BIGCHAINDB_TEST_DATABASE);

// ---------------------------------------------------------------- global options

describe('global options', () => {
  test('--version and -v print the version of package.json and exit 0', async () => {
    for (const flag of ['--version', '-v']) {
      const result = await runCli([flag], isolatedEnv(home()));
      assertExit(result, 0);
      assert.equal(result.stdout.trim(), JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
    }
  });

  test('--help lists every command of SPEC §11 and the global options, exit 0', async () => {
    const result = await runCli(['--help'], isolatedEnv(home()));
    assertExit(result, 0);
    for (const command of ['configure', 'show-config', 'export-my-pubkey', 'init', 'drop', 'start', 'load', 'set-shards', 'set-replicas']) {
      assert.match(result.stdout, new RegExp(`^\\s*bigchaindb ${command}\\b`, 'm'), `--help lists ${command}`);
    }
    for (const option of ['--config', '-c', '--yes', '-y', '--version', '-v', '--help', '-h', '--dev-start-rethinkdb', '--dev-allow-temp-keypair', '--dev-create-config']) {
      assert.ok(result.stdout.includes(option), `--help lists ${option}`);
    }
  });

  test('-h prints the same help as --help', async () => {
    const [long, short] = await Promise.all([runCli(['--help'], isolatedEnv(home())), runCli(['-h'], isolatedEnv(home()))]);
    assertExit(short, 0);
    assert.equal(short.stdout, long.stdout);
  });

  test('an unknown command exits 1 with one error line naming it on stderr and nothing on stdout', async () => {
    const result = await runCli(['frobnicate'], isolatedEnv(home()));
    assertFailure(result, ['frobnicate']);
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${JSON.stringify(result.stderr)}`);
    assert.equal(result.stdout, '');
  });

  test('no command at all exits 1 with one error line', async () => {
    const result = await runCli([], isolatedEnv(home()));
    assertFailure(result, []);
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${JSON.stringify(result.stderr)}`);
  });

  test('an unknown option exits 1 with one error line naming it', async () => {
    const result = await runCli(['show-config', '--frobnicate'], isolatedEnv(home()));
    assertFailure(result, ['frobnicate']);
  });
});

// ---------------------------------------------------------------- configure

describe('configure', () => {
  test('-y configure writes ~/.bigchaindb, mode 0600, valid JSON with a matching new keypair and defaults elsewhere', async () => {
    const dir = home();
    const result = await runCli(['-y', 'configure'], isolatedEnv(dir));
    assertExit(result, 0);
    const path = join(dir, '.bigchaindb');
    assert.ok(existsSync(path), 'the file exists in $HOME');
    assert.equal(statSync(path).mode & 0o777, 0o600, 'readable and writable by its owner only');
    const written = readJson(path) as Config;
    assert.equal(typeof written.keypair.private, 'string');
    assert.equal(keypairFromPrivate(written.keypair.private as PrivateKey).publicKey, written.keypair.public, 'public key of the private key');
    assert.deepEqual({ ...written, keypair: null }, { ...defaultConfig(), keypair: null }, 'every other key at its default');
    assert.equal(result.stdout, '', 'nothing on stdout');
    assert.ok(!result.stderr.includes(written.keypair.private as string), 'the private key is not echoed');
    // What configure writes, the loader reads back without a complaint.
    const loaded = loadConfig({ path, env: {} });
    assert.deepEqual(loaded.warnings, []);
    assert.deepEqual(loaded.config, written);
  });

  test('two runs of -y configure make two different keypairs, the second overwriting the first without asking', async () => {
    const dir = home();
    const path = join(dir, '.bigchaindb');
    assertExit(await runCli(['-y', 'configure'], isolatedEnv(dir)), 0);
    const first = readJson(path) as Config;
    const second = await runCli(['-y', 'configure'], isolatedEnv(dir));
    assertExit(second, 0);
    assert.doesNotMatch(second.stderr, /override/, 'no question with -y');
    assert.notEqual((readJson(path) as Config).keypair.private, first.keypair.private);
  });

  test('-c - -y configure prints the JSON config on stdout and writes no file', async () => {
    const dir = home();
    const result = await runCli(['-c', '-', '-y', 'configure'], isolatedEnv(dir));
    assertExit(result, 0);
    const printed = JSON.parse(result.stdout) as Config;
    assert.equal(keypairFromPrivate(printed.keypair.private as PrivateKey).publicKey, printed.keypair.public);
    assert.deepEqual({ ...printed, keypair: null }, { ...defaultConfig(), keypair: null });
    assert.deepEqual(readdirSync(dir), [], 'no file in $HOME (neither .bigchaindb nor "-")');
  });

  test('-c - configure with answers on stdin prints only the JSON with the answers on stdout (questions on stderr) and writes no file', async () => {
    const dir = home();
    const result = await runCli(['-c', '-', 'configure'], isolatedEnv(dir), { stdin: answersFor({ 'database.port': '28017', 'database.name': 'printed' }).join('\n') + '\n' });
    assertExit(result, 0);
    const printed = JSON.parse(result.stdout) as Config;
    assert.deepEqual(printed.database, { host: 'localhost', port: 28017, name: 'printed' });
    assert.match(result.stderr, /Database port\?/);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('-c PATH -y configure writes PATH (mode 0600) and not ~/.bigchaindb', async () => {
    const dir = home();
    const path = join(tempDir(), 'node.json');
    assertExit(await runCli(['-c', path, '-y', 'configure'], isolatedEnv(dir)), 0);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.ok((readJson(path) as Config).keypair.public);
    assert.equal(existsSync(join(dir, '.bigchaindb')), false);
  });

  test('-y configure writes the file named by $BIGCHAINDB_CONFIG_PATH', async () => {
    const dir = home();
    const path = join(tempDir(), 'from-env.json');
    assertExit(await runCli(['-y', 'configure'], isolatedEnv(dir, { BIGCHAINDB_CONFIG_PATH: path })), 0);
    assert.ok((readJson(path) as Config).keypair.public);
    assert.equal(existsSync(join(dir, '.bigchaindb')), false);
  });

  test('configure with one answer per line on stdin stores each answer with its type; an empty line keeps the default', async () => {
    assert.equal(QUESTION_KEYS.length, 10);
    const dir = home();
    const answers = ['0.0.0.0:9984', 'db.example', '28016', 'mychain', '', '9125', '0.5', '30', '0.0.0.0', '19985'];
    const result = await runCli(['configure'], isolatedEnv(dir), { stdin: answers.join('\n') + '\n' });
    assertExit(result, 0);
    for (const question of ['API Server bind', 'Database host', 'Database port', 'Database name', 'Statsd host', 'Statsd port', 'Statsd rate', 'reassignment delay', 'WebSocket Server host', 'WebSocket Server port']) {
      assert.ok(result.stderr.includes(question), `asks "${question}" on stderr`);
    }
    assert.equal(result.stdout, '', 'questions go to stderr, not stdout');
    const written = readJson(join(dir, '.bigchaindb')) as Config;
    assert.deepEqual(written.server, { ...defaultConfig().server, bind: '0.0.0.0:9984' });
    assert.deepEqual(written.wsserver, { ...defaultConfig().wsserver, host: '0.0.0.0', port: 19985 });
    assert.deepEqual(written.database, { host: 'db.example', port: 28016, name: 'mychain' });
    assert.deepEqual(written.statsd, { host: 'localhost', port: 9125, rate: 0.5 });
    assert.equal(written.backlog_reassign_delay, 30);
    assert.equal(typeof written.database.port, 'number');
    assert.equal(written.api_endpoint, defaultConfig().api_endpoint);
    assert.deepEqual(written.keyring, []);
    assert.equal(keypairFromPrivate(written.keypair.private as PrivateKey).publicKey, written.keypair.public);
  });

  test('configure with only empty answers writes the defaults', async () => {
    const dir = home();
    const result = await runCli(['configure'], isolatedEnv(dir), { stdin: '\n'.repeat(QUESTION_KEYS.length) });
    assertExit(result, 0);
    const written = readJson(join(dir, '.bigchaindb')) as Config;
    assert.deepEqual({ ...written, keypair: null }, { ...defaultConfig(), keypair: null });
  });

  test('configure starts from the environment: BIGCHAINDB_DATABASE_NAME is the offered default and is written with -y', async () => {
    const dir = home();
    const result = await runCli(['-y', 'configure'], isolatedEnv(dir, { BIGCHAINDB_DATABASE_NAME: 'env_chain', BIGCHAINDB_DATABASE_PORT: '28099' }));
    assertExit(result, 0);
    const written = readJson(join(dir, '.bigchaindb')) as Config;
    assert.deepEqual(written.database, { host: 'localhost', port: 28099, name: 'env_chain' });
  });

  test('an invalid answer (port "abc") exits 1 with a message naming the question, and writes no file', async () => {
    const dir = home();
    const result = await runCli(['configure'], isolatedEnv(dir), { stdin: '\n\nabc\n\n\n\n\n\n' });
    assertFailure(result, ['Database port', 'abc']);
    assert.match(lastLine(result.stderr), /ConfigError/);
    assert.equal(existsSync(join(dir, '.bigchaindb')), false, 'no file written');
    assert.deepEqual(readdirSync(dir), []);
  });

  test('an out-of-range answer (statsd rate 2) exits 1 and writes no file', async () => {
    const dir = home();
    const result = await runCli(['configure'], isolatedEnv(dir), { stdin: '\n\n\n\n\n\n2\n\n' });
    assertFailure(result, ['Statsd rate']);
    assert.equal(existsSync(join(dir, '.bigchaindb')), false);
  });

  test('configure whose stdin ends before every question is answered exits 1 and writes no file', async () => {
    const dir = home();
    const result = await runCli(['configure'], isolatedEnv(dir), { stdin: '0.0.0.0:9985\n' });
    assertFailure(result, ['-y']);
    assert.equal(existsSync(join(dir, '.bigchaindb')), false);
  });

  test('configure over an existing file without -y asks first; answering "n" leaves the file byte for byte unchanged', async () => {
    const dir = home();
    const path = join(dir, '.bigchaindb');
    assertExit(await runCli(['-y', 'configure'], isolatedEnv(dir)), 0);
    const before = readFileSync(path, 'utf8');
    const result = await runCli(['configure'], isolatedEnv(dir), { stdin: 'n\n' });
    assertExit(result, 0);
    assert.match(result.stderr, /exists, do you want to override it\?/);
    assert.equal(readFileSync(path, 'utf8'), before);
  });

  test('configure over an existing file with an empty answer to the question keeps the file (the default is No)', async () => {
    const dir = home();
    const path = join(dir, '.bigchaindb');
    assertExit(await runCli(['-y', 'configure'], isolatedEnv(dir)), 0);
    const before = readFileSync(path, 'utf8');
    assertExit(await runCli(['configure'], isolatedEnv(dir), { stdin: '\n' }), 0);
    assert.equal(readFileSync(path, 'utf8'), before);
  });

  test('configure over an existing file answering "y", then the answers typed at each prompt, overwrites it with a new keypair and the answers', async () => {
    const dir = home();
    const path = join(dir, '.bigchaindb');
    assertExit(await runCli(['-y', 'configure'], isolatedEnv(dir)), 0);
    const before = readJson(path) as Config;
    const running = spawnCli(['configure'], isolatedEnv(dir));
    try {
      await running.waitForStderr(/override it\?/, 10_000);
      running.write('y\n');
      await running.waitForStderr(/API Server bind\?/, 10_000);
      running.write(answersFor({ 'database.name': 'overwritten' }).join('\n') + '\n');
      running.endInput();
      const result = await running.exited;
      assertExit(result, 0);
    } finally {
      running.child.kill('SIGKILL');
    }
    const after = readJson(path) as Config;
    assert.notEqual(after.keypair.private, before.keypair.private, 'a new keypair');
    assert.equal(after.database.name, 'overwritten');
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  test('configure over an existing file with "y" and the answers piped in at once (a script) overwrites it with the answers', async () => {
    const dir = home();
    const path = join(dir, '.bigchaindb');
    assertExit(await runCli(['-y', 'configure'], isolatedEnv(dir)), 0);
    const before = readJson(path) as Config;
    const result = await runCli(['configure'], isolatedEnv(dir), { stdin: ['y', ...answersFor({ 'database.name': 'scripted' })].join('\n') + '\n' });
    assertExit(result, 0);
    const after = readJson(path) as Config;
    assert.notEqual(after.keypair.private, before.keypair.private, 'a new keypair');
    assert.equal(after.database.name, 'scripted');
  });
});

// ---------------------------------------------------------------- show-config, export-my-pubkey

describe('show-config', () => {
  test('show-config prints the file\'s configuration as JSON with the private key masked, never the real private key', async () => {
    const dir = home();
    const node = generateKeypair();
    const peer = generateKeypair();
    const config = writeConfig(join(dir, '.bigchaindb'), {
      keypair: { public: node.publicKey, private: node.privateKey },
      keyring: [peer.publicKey],
      database: { host: 'db.example', port: 28016, name: 'shown' },
    });
    const result = await runCli(['show-config'], isolatedEnv(dir));
    assertExit(result, 0);
    const shown = JSON.parse(result.stdout) as Config;
    assert.equal(shown.keypair.public, node.publicKey);
    assert.match(String(shown.keypair.private), /^x{8,}$/, 'the private key is replaced by x…');
    assert.deepEqual({ ...shown, keypair: null }, { ...config, keypair: null });
    assert.ok(!result.stdout.includes(node.privateKey) && !result.stderr.includes(node.privateKey), 'the private key appears nowhere');
  });

  test('show-config shows environment overrides, coerced, over the file', async () => {
    const dir = home();
    const node = generateKeypair();
    const [a, b] = [generateKeypair().publicKey, generateKeypair().publicKey];
    writeConfig(join(dir, '.bigchaindb'), { keypair: { public: node.publicKey, private: node.privateKey }, database: { host: 'file', port: 1, name: 'file' } });
    const result = await runCli(['show-config'], isolatedEnv(dir, {
      BIGCHAINDB_DATABASE_NAME: 'from_env', BIGCHAINDB_DATABASE_PORT: '28777', BIGCHAINDB_KEYRING: `${a}:${b}`, BIGCHAINDB_STATSD_RATE: '0.5',
      BIGCHAINDB_WSSERVER_HOST: '0.0.0.0', BIGCHAINDB_WSSERVER_PORT: '19985',
    }));
    assertExit(result, 0);
    const shown = JSON.parse(result.stdout) as Config;
    assert.deepEqual(shown.database, { host: 'file', port: 28777, name: 'from_env' });
    assert.deepEqual(shown.keyring, [a, b]);
    assert.equal(shown.statsd.rate, 0.5);
    assert.deepEqual(shown.wsserver, { ...defaultConfig().wsserver, host: '0.0.0.0', port: 19985 });
  });

  test('a private key given only by BIGCHAINDB_KEYPAIR_PRIVATE is masked too', async () => {
    const node = generateKeypair();
    const result = await runCli(['show-config'], isolatedEnv(home(), keypairVars(node)));
    assertExit(result, 0);
    const shown = JSON.parse(result.stdout) as Config;
    assert.equal(shown.keypair.public, node.publicKey);
    assert.match(String(shown.keypair.private), /^x{8,}$/);
    assert.ok(!result.stdout.includes(node.privateKey) && !result.stderr.includes(node.privateKey));
  });

  test('show-config honours -c PATH and $BIGCHAINDB_CONFIG_PATH', async () => {
    const dir = home();
    const viaFlag = join(tempDir(), 'a.json');
    const viaEnv = join(tempDir(), 'b.json');
    writeConfig(viaFlag, { database: { host: 'localhost', port: 28015, name: 'via_flag' } });
    writeConfig(viaEnv, { database: { host: 'localhost', port: 28015, name: 'via_env' } });
    const flag = await runCli(['-c', viaFlag, 'show-config'], isolatedEnv(dir, { BIGCHAINDB_CONFIG_PATH: viaEnv }));
    assertExit(flag, 0);
    assert.equal((JSON.parse(flag.stdout) as Config).database.name, 'via_flag', '-c wins over $BIGCHAINDB_CONFIG_PATH');
    const env = await runCli(['show-config'], isolatedEnv(dir, { BIGCHAINDB_CONFIG_PATH: viaEnv }));
    assertExit(env, 0);
    assert.equal((JSON.parse(env.stdout) as Config).database.name, 'via_env');
  });

  test('without a config file show-config prints the defaults (private key null) and warns on stderr naming ~/.bigchaindb', async () => {
    const dir = home();
    const result = await runCli(['show-config'], isolatedEnv(dir));
    assertExit(result, 0);
    assert.deepEqual(JSON.parse(result.stdout), defaultConfig());
    assert.ok(result.stderr.includes(join(dir, '.bigchaindb')), `stderr names the missing file: ${result.stderr}`);
  });

  test('a config file that is not JSON makes show-config exit 1 with one ConfigError line naming the file', async () => {
    const dir = home();
    const path = join(dir, '.bigchaindb');
    writeFileSync(path, '{"database": ');
    const result = await runCli(['show-config'], isolatedEnv(dir));
    assertFailure(result, ['ConfigError', path]);
    assert.equal(result.stdout, '');
  });

  test('a bad environment value (BIGCHAINDB_DATABASE_PORT=abc) makes show-config exit 1 with a ConfigError naming the variable', async () => {
    const result = await runCli(['show-config'], isolatedEnv(home(), { BIGCHAINDB_DATABASE_PORT: 'abc' }));
    assertFailure(result, ['ConfigError', 'BIGCHAINDB_DATABASE_PORT']);
    assert.equal(result.stdout, '');
  });
});

describe('export-my-pubkey', () => {
  test('export-my-pubkey prints exactly the configured public key and a newline', async () => {
    const dir = home();
    const node = generateKeypair();
    writeConfig(join(dir, '.bigchaindb'), { keypair: { public: node.publicKey, private: node.privateKey } });
    const result = await runCli(['export-my-pubkey'], isolatedEnv(dir));
    assertExit(result, 0);
    assert.equal(result.stdout, node.publicKey + '\n');
    assert.ok(!result.stderr.includes(node.privateKey));
  });

  test('export-my-pubkey prints the public key of what -y configure wrote', async () => {
    const dir = home();
    assertExit(await runCli(['-y', 'configure'], isolatedEnv(dir)), 0);
    const written = readJson(join(dir, '.bigchaindb')) as Config;
    const result = await runCli(['export-my-pubkey'], isolatedEnv(dir));
    assertExit(result, 0);
    assert.equal(result.stdout.trim(), written.keypair.public);
  });

  test('export-my-pubkey prints a public key set only by BIGCHAINDB_KEYPAIR_PUBLIC', async () => {
    const node = generateKeypair();
    const result = await runCli(['export-my-pubkey'], isolatedEnv(home(), { BIGCHAINDB_KEYPAIR_PUBLIC: node.publicKey }));
    assertExit(result, 0);
    assert.equal(result.stdout, node.publicKey + '\n');
  });

  test('export-my-pubkey with no public key configured exits 1 with a message and prints nothing on stdout', async () => {
    const result = await runCli(['export-my-pubkey'], isolatedEnv(home()));
    assertFailure(result, ['MissingPublicKey', 'configure']);
    assert.equal(result.stdout, '');
  });
});

// ---------------------------------------------------------------- init, drop

describe('init', () => {
  test('init creates the database with tables backlog, bigchain, votes and one genesis block signed by the node; exit 0', async () => {
    const settings = await uniqueDatabaseSettings();
    const node = generateKeypair();
    const result = await runCli(['init'], isolatedEnv(home(), { ...databaseVars(settings), ...keypairVars(node) }));
    assertExit(result, 0);
    assert.ok(result.stderr.includes(settings.name), 'stderr names the database');
    await withConnection(settings, async (db) => {
      assert.equal(await databaseExists(db), true);
      const tables = await db.run<string[]>(db.db().tableList());
      assert.deepEqual([...tables].sort(), [...TABLES].sort());
      const blocks = await db.run<BlockDict[]>(db.table('bigchain'));
      assert.equal(blocks.length, 1, 'exactly one block');
      const genesis = await getGenesisBlock(db);
      assert.ok(genesis !== null);
      assert.equal(genesis.id, blocks[0]!.id);
      assert.equal(genesis.block.node_pubkey, node.publicKey);
      assert.equal(genesis.block.transactions.length, 1);
      assert.equal(genesis.block.transactions[0]!.transaction.operation, 'GENESIS');
      assert.equal(await db.run<number>(db.table('backlog').count()), 0);
      assert.equal(await db.run<number>(db.table('votes').count()), 0);
    });
  });

  test('a second init says the database already exists (exit 0), and leaves the one genesis block alone', async () => {
    const settings = await uniqueDatabaseSettings();
    const node = generateKeypair();
    await initWithCli(settings, node);
    const genesisBefore = await withConnection(settings, getGenesisBlock);
    const result = await runCli(['init'], isolatedEnv(home(), { ...databaseVars(settings), ...keypairVars(generateKeypair()) }));
    assertExit(result, 0);
    assert.match(result.stderr, /already exists/);
    await withConnection(settings, async (db) => {
      assert.equal(await db.run<number>(db.table('bigchain').count()), 1);
      assert.equal((await getGenesisBlock(db))?.id, genesisBefore?.id);
    });
  });

  test('init reads the keypair and database from the config file as well as from the environment', async () => {
    const settings = await uniqueDatabaseSettings();
    const dir = home();
    const node = generateKeypair();
    writeConfig(join(dir, '.bigchaindb'), { keypair: { public: node.publicKey, private: node.privateKey }, database: { ...settings } });
    const result = await runCli(['init'], isolatedEnv(dir));
    assertExit(result, 0);
    assert.equal((await withConnection(settings, getGenesisBlock))?.block.node_pubkey, node.publicKey);
  });

  test('init without a keypair exits 1 with KeypairNotFound and creates nothing', async () => {
    const settings = await uniqueDatabaseSettings();
    const result = await runCli(['init'], isolatedEnv(home(), databaseVars(settings)));
    assertFailure(result, ['KeypairNotFound']);
    assert.equal(await exists(settings), false);
  });
});

describe('drop', () => {
  test('drop -y drops the database without asking; exit 0', async () => {
    const settings = await uniqueDatabaseSettings();
    await initWithCli(settings, generateKeypair());
    const result = await runCli(['-y', 'drop'], isolatedEnv(home(), databaseVars(settings)));
    assertExit(result, 0);
    assert.doesNotMatch(result.stderr, /\[y\/n\]/, 'no question with -y');
    assert.equal(await exists(settings), false);
  });

  test('drop without -y asks; answering "n" keeps the database and its genesis block', async () => {
    const settings = await uniqueDatabaseSettings();
    await initWithCli(settings, generateKeypair());
    const result = await runCli(['drop'], isolatedEnv(home(), databaseVars(settings)), { stdin: 'n\n' });
    assertExit(result, 0);
    assert.ok(result.stderr.includes(`drop \`${settings.name}\``), `the question names the database: ${result.stderr}`);
    assert.equal(await exists(settings), true);
    assert.notEqual(await withConnection(settings, getGenesisBlock), null);
  });

  test('drop without -y answering "y" drops the database', async () => {
    const settings = await uniqueDatabaseSettings();
    await initWithCli(settings, generateKeypair());
    const result = await runCli(['drop'], isolatedEnv(home(), databaseVars(settings)), { stdin: 'y\n' });
    assertExit(result, 0);
    assert.equal(await exists(settings), false);
  });

  test('drop without -y and no answer at all (stdin closed) does not drop', async () => {
    const settings = await uniqueDatabaseSettings();
    await initWithCli(settings, generateKeypair());
    const result = await runCli(['drop'], isolatedEnv(home(), databaseVars(settings)), { stdin: '' });
    assert.notEqual(result.code, 0, 'no answer is not a yes');
    assert.equal(await exists(settings), true);
  });

  test('drop -y of a database that does not exist exits 1 with a message naming it', async () => {
    const settings = await uniqueDatabaseSettings();
    const result = await runCli(['-y', 'drop'], isolatedEnv(home(), databaseVars(settings)));
    assertFailure(result, [settings.name, 'does not exist']);
  });
});

// ---------------------------------------------------------------- set-shards, set-replicas

describe('set-shards and set-replicas', () => {
  test(isRealRethinkdb
    ? 'set-shards 2 reshards the three tables on a real RethinkDB (exit 0)'
    : 'set-shards 2 against reqlite exits 1 with NeedsRealRethinkdb', async () => {
    const settings = await uniqueDatabaseSettings();
    await initWithCli(settings, generateKeypair());
    const result = await runCli(['set-shards', '2'], isolatedEnv(home(), databaseVars(settings)));
    if (isRealRethinkdb) {
      assertExit(result, 0);
      await withConnection(settings, async (db) => {
        for (const table of TABLES) {
          const config = await db.run<{ shards: unknown[] }>(db.table(table).config());
          assert.equal(config.shards.length, 2, `${table} has 2 shards`);
        }
      });
    } else {
      assertFailure(result, ['NeedsRealRethinkdb', 'set-shards']);
    }
  });

  // On a one-server RethinkDB two replicas cannot be placed, so the real-server case asks for one.
  test(isRealRethinkdb
    ? 'set-replicas 1 reconfigures the three tables on a real RethinkDB (exit 0)'
    : 'set-replicas 2 against reqlite exits 1 with NeedsRealRethinkdb', async () => {
    const settings = await uniqueDatabaseSettings();
    await initWithCli(settings, generateKeypair());
    const result = await runCli(['set-replicas', isRealRethinkdb ? '1' : '2'], isolatedEnv(home(), databaseVars(settings)));
    if (isRealRethinkdb) assertExit(result, 0);
    else assertFailure(result, ['NeedsRealRethinkdb', 'set-replicas']);
  });

  test('set-shards 0, set-replicas 0, set-shards abc and set-shards with no number each exit 1 before touching the database', async () => {
    // A closed port: if the argument were accepted, the error would be DatabaseUnreachable instead.
    const port = await freePort();
    const env = isolatedEnv(home(), { BIGCHAINDB_DATABASE_HOST: '127.0.0.1', BIGCHAINDB_DATABASE_PORT: String(port) });
    for (const args of [['set-shards', '0'], ['set-replicas', '0'], ['set-shards', 'abc'], ['set-shards', '1.5'], ['set-shards']]) {
      const result = await runCli(args, env);
      assertFailure(result, []);
      assert.doesNotMatch(result.stderr, /DatabaseUnreachable/, `${args.join(' ')} is refused before connecting`);
    }
  });
});

// ---------------------------------------------------------------- unreachable database

describe('unreachable database', () => {
  for (const args of [['init'], ['-y', 'drop'], ['set-shards', '2']]) {
    test(`${args.join(' ')} with BIGCHAINDB_DATABASE_PORT on a closed port exits 1 quickly with DatabaseUnreachable naming host:port`, async () => {
      const port = await freePort();
      const startedAt = Date.now();
      const result = await runCli(args, isolatedEnv(home(), {
        BIGCHAINDB_DATABASE_HOST: '127.0.0.1', BIGCHAINDB_DATABASE_PORT: String(port), BIGCHAINDB_DATABASE_NAME: 'bigchain_unreachable',
        ...keypairVars(generateKeypair()),
      }), { timeoutMs: 15_000 });
      assertFailure(result, ['DatabaseUnreachable', `127.0.0.1:${port}`]);
      assert.ok(Date.now() - startedAt < 10_000, `gave up within 10 s (took ${Date.now() - startedAt} ms)`);
    });
  }
});

// ---------------------------------------------------------------- start with the development database

const rethinkdbOnPath = spawnSync('which', ['rethinkdb']).status === 0;

/** The ids of the blocks in the embedded database's snapshot (one `[db, table, document]` a line after the header). */
function snapshotBlockIds(dir: string, database: string): unknown[] {
  return readFileSync(join(dir, 'snapshot.ndjson'), 'utf8').split('\n').slice(1).filter(Boolean).map((line) => JSON.parse(line) as unknown)
    .filter((row): row is [string, string, { id: string }] => Array.isArray(row) && row[0] === database && row[1] === 'bigchain')
    .map(([, , block]) => block.id);
}

describe('start --dev-start-rethinkdb (embedded database)', { skip: rethinkdbOnPath ? 'rethinkdb is on PATH: start would use it, not the embedded database' : false }, () => {
  const dataDir = tempDir('bdb-cli-dev-data-');
  const startHome = home();
  let port = 0;
  let apiPort = 0;
  let wsPort = 0;
  let settings: DatabaseSettings;
  let firstGenesisId: string | null = null;
  let firstStop: { result: CliResult; stopMs: number } | null = null;

  /**
   * Starts the node, waits for its banner, runs `check`, then sends SIGINT
   * and waits (up to 90 s, beyond the supervisor's 60 s fallback) for the
   * exit; returns the result and how long the stop took.
   */
  async function runNode(check: () => Promise<void>): Promise<{ result: CliResult; stopMs: number }> {
    const running = spawnCli(['--dev-start-rethinkdb', '--dev-allow-temp-keypair', '--dev-data-dir', dataDir, 'start'], isolatedEnv(startHome, {
      BIGCHAINDB_DATABASE_HOST: '127.0.0.1', BIGCHAINDB_DATABASE_PORT: String(port), BIGCHAINDB_DATABASE_NAME: settings.name,
      // The API and the stream on free ports of their own, one API process: never the shared defaults 9984 and 9985.
      BIGCHAINDB_SERVER_BIND: `127.0.0.1:${apiPort}`, BIGCHAINDB_SERVER_WORKERS: '1',
      BIGCHAINDB_WSSERVER_HOST: '127.0.0.1', BIGCHAINDB_WSSERVER_PORT: String(wsPort),
    }));
    try {
      // The banner of cli/commands/start.ts, written once the pipelines and the API run.
      await running.waitForStderr(/Stop with Ctrl-C/, 60_000);
      await check();
      const signalledAt = Date.now();
      running.child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        running.exited,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`start did not exit within 90 s of SIGINT; stderr:\n${running.stderr()}`)), 90_000);
        }),
      ]);
      clearTimeout(timer);
      return { result, stopMs: Date.now() - signalledAt };
    } finally {
      if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
    }
  }

  test('start serves a fresh embedded database with a genesis block and the API, and on SIGINT exits 0 leaving a snapshot and an empty journal in the data folder', { timeout: 180_000 }, async () => {
    port = await freePort();
    apiPort = await freePort();
    wsPort = await freePort();
    settings = { host: '127.0.0.1', port, name: `bigchain_start_${Date.now().toString(36)}` };
    let nodeKey: unknown;
    firstStop = await runNode(async () => {
      const genesis = await withConnection(settings, getGenesisBlock);
      assert.ok(genesis !== null, 'a genesis block exists while the node runs');
      assert.equal(genesis.block.transactions[0]!.transaction.operation, 'GENESIS');
      firstGenesisId = genesis.id;
      const root = await (await fetch(`http://127.0.0.1:${apiPort}/`)).json() as { software?: string; public_key?: string };
      assert.equal(root.software, 'BigchainDB', 'the API answers on server.bind');
      nodeKey = root.public_key;
      assert.equal(genesis.block.node_pubkey, nodeKey, 'the genesis block is signed by the (temporary) node key');
    });
    const { result } = firstStop;
    assert.equal(result.signal, null, `exited by itself, not killed by ${result.signal}`);
    assertExit(result, 0);
    assert.ok(result.stderr.includes(`127.0.0.1:${port}/${settings.name}`), 'the banner names the database');
    const embeddedDir = join(dataDir, 'embedded');
    assert.ok(existsSync(join(embeddedDir, 'snapshot.ndjson')), `a snapshot in ${embeddedDir}: ${readdirSync(embeddedDir).join(', ')}`);
    assert.deepEqual(snapshotBlockIds(embeddedDir, settings.name), [firstGenesisId]);
    const journals = readdirSync(embeddedDir).filter((name) => name.startsWith('journal-'));
    assert.equal(journals.length, 1, `one journal: ${journals.join(', ')}`);
    assert.equal(statSync(join(embeddedDir, journals[0]!)).size, 0, 'the snapshot at stop holds everything: the journal is empty');
    assert.ok(result.stderr.includes(`data:     ${embeddedDir} (embedded: `), 'the banner says where the data is');
    assert.match(result.stderr, /key: +temporary/, 'the banner says the key is temporary');
    assert.equal(existsSync(join(startHome, '.bigchaindb')), false, 'start --dev-allow-temp-keypair writes no config file');
  });

  test('on SIGINT start stops within 10 s: the pipeline threads end by themselves, none is terminated after the 60 s fallback', () => {
    assert.ok(firstStop !== null, 'the first start ran');
    assert.doesNotMatch(firstStop.result.stderr, /did not stop in time/, 'no pipeline thread had to be terminated');
    assert.ok(firstStop.stopMs < 10_000, `exited ${firstStop.stopMs} ms after SIGINT`);
  });

  test('start again on the same data folder keeps the data: the same genesis block, "already exists", exit 0', { timeout: 180_000 }, async () => {
    assert.ok(firstGenesisId !== null, 'the first start ran');
    const { result } = await runNode(async () => {
      await withConnection(settings, async (db) => {
        const genesis = await getGenesisBlock(db);
        assert.equal(genesis?.id, firstGenesisId, 'the genesis block of the first run');
        assert.equal(await db.run<number>(db.table('bigchain').count()), 1, 'no second genesis block');
      });
    });
    assertExit(result, 0);
    assert.match(result.stderr, /already exists/);
    assert.deepEqual(snapshotBlockIds(join(dataDir, 'embedded'), settings.name), [firstGenesisId]);
  });
});
