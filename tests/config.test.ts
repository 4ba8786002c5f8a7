/**
 * The configuration loader (SPEC.md §10): defaults, then the JSON file, then
 * BIGCHAINDB_* environment variables, each value checked and coerced, every
 * problem a one-line ConfigError naming the key. `env` and `path` are always
 * passed explicitly: these tests never read the real HOME.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  CONFIG_KEYS, ConfigError, defaultConfig, defaultConfigPath, envName, getKey, loadConfig, parseText, type Config,
} from '../config/config';
import { generateKeypair } from '../models/keys';

const dir = mkdtempSync(join(tmpdir(), 'bdb-config-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCounter = 0;

/** Writes `content` (an object as JSON, or raw text) to a new file and returns its path. */
function configFile(content: unknown): string {
  const path = join(dir, `config-${++fileCounter}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const missingPath = () => join(dir, `missing-${++fileCounter}.json`);

/** Asserts that `fn` throws a ConfigError whose message is one line containing every one of `words`. */
function assertConfigError(fn: () => unknown, words: string[]): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${caught === undefined ? 'no error' : String(caught)}`);
  assert.equal(caught.name, 'ConfigError');
  assert.doesNotMatch(caught.message, /\n/, 'the message is one line');
  for (const word of words) assert.ok(caught.message.includes(word), `message ${JSON.stringify(caught.message)} names ${word}`);
  return caught;
}

/** The keys and defaults SPEC §10 names; the implementation may add keys of its own (server.body_limit). */
const SPEC_KEY_DEFAULTS: Record<string, unknown> = {
  'server.bind': 'localhost:9984',
  'server.workers': null,
  'server.threads': null,
  'database.host': 'localhost',
  'database.port': 28015,
  'database.name': 'bigchain',
  'keypair.public': null,
  'keypair.private': null,
  keyring: [],
  'statsd.host': 'localhost',
  'statsd.port': 8125,
  'statsd.rate': 0.01,
  api_endpoint: 'http://localhost:9984/api/v1',
  backlog_reassign_delay: 120,
};

/** The full default configuration: SPEC §10 plus the implementation's own keys. */
const SPEC_DEFAULTS: Config = {
  server: { bind: 'localhost:9984', workers: null, threads: null, body_limit: 1_048_576 },
  database: { host: 'localhost', port: 28015, name: 'bigchain' },
  keypair: { public: null, private: null },
  keyring: [],
  statsd: { host: 'localhost', port: 8125, rate: 0.01 },
  api_endpoint: 'http://localhost:9984/api/v1',
  backlog_reassign_delay: 120,
  wsserver: { host: 'localhost', port: 9985, advertised_scheme: 'ws', advertised_host: null, advertised_port: null },
  log: {
    file: '~/bigchaindb.log', error_file: '~/bigchaindb-errors.log', level_console: 'info', level_logfile: 'info',
    granular_levels: {}, rotate_bytes: 209_715_200, rotate_files: 5,
  },
};

describe('defaults', () => {
  test('defaultConfig() gives every key of SPEC §10 its SPEC default', () => {
    const config = defaultConfig();
    for (const [key, value] of Object.entries(SPEC_KEY_DEFAULTS)) assert.deepEqual(getKey(config, key), value, key);
    assert.deepEqual(config, SPEC_DEFAULTS);
  });

  test('CONFIG_KEYS lists every key of SPEC §10, dotted, and exactly the leaf keys of defaultConfig()', () => {
    for (const key of Object.keys(SPEC_KEY_DEFAULTS)) assert.ok(CONFIG_KEYS.includes(key), `CONFIG_KEYS has ${key}`);
    // log.granular_levels is one setting whose value is an object (subsystem → level), not a section.
    const leaves = (obj: Record<string, unknown>, prefix = ''): string[] => Object.entries(obj).flatMap(([k, v]) =>
      v !== null && typeof v === 'object' && !Array.isArray(v) && `${prefix}${k}` !== 'log.granular_levels'
        ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]);
    assert.deepEqual([...CONFIG_KEYS].sort(), leaves(defaultConfig() as unknown as Record<string, unknown>).sort());
  });

  test('with no config file and no environment, loadConfig gives the defaults, path null and a warning naming the missing path', () => {
    const path = missingPath();
    const loaded = loadConfig({ path, env: {} });
    assert.deepEqual(loaded.config, SPEC_DEFAULTS);
    assert.equal(loaded.path, null);
    assert.equal(loaded.warnings.length, 1);
    assert.ok(loaded.warnings[0]!.includes(path), `warning ${JSON.stringify(loaded.warnings[0])} names ${path}`);
  });

  test('each loadConfig call returns a fresh object: changing one does not change the defaults', () => {
    const first = loadConfig({ path: missingPath(), env: {} }).config;
    first.database.port = 1;
    first.keyring.push('x' as never);
    assert.deepEqual(loadConfig({ path: missingPath(), env: {} }).config, SPEC_DEFAULTS);
  });
});

describe('envName and defaultConfigPath', () => {
  test('envName upper-cases the dotted path and joins its segments with "_" after BIGCHAINDB_', () => {
    assert.equal(envName('database.host'), 'BIGCHAINDB_DATABASE_HOST');
    assert.equal(envName('keypair.private'), 'BIGCHAINDB_KEYPAIR_PRIVATE');
    assert.equal(envName('keyring'), 'BIGCHAINDB_KEYRING');
    assert.equal(envName('backlog_reassign_delay'), 'BIGCHAINDB_BACKLOG_REASSIGN_DELAY');
    assert.equal(envName('statsd.rate'), 'BIGCHAINDB_STATSD_RATE');
  });

  test('defaultConfigPath is $BIGCHAINDB_CONFIG_PATH when set, else ~/.bigchaindb', () => {
    assert.equal(defaultConfigPath({ BIGCHAINDB_CONFIG_PATH: '/etc/bdb.json' }), '/etc/bdb.json');
    assert.equal(defaultConfigPath({}), join(homedir(), '.bigchaindb'));
    assert.equal(defaultConfigPath({ BIGCHAINDB_CONFIG_PATH: '' }), join(homedir(), '.bigchaindb'), 'an empty variable counts as unset');
  });
});

describe('config file', () => {
  test('values in the file override the defaults; keys the file leaves out keep their defaults, even inside a section', () => {
    const node = generateKeypair();
    const peer = generateKeypair();
    const path = configFile({
      database: { name: 'mychain' },
      keypair: { public: node.publicKey, private: node.privateKey },
      keyring: [peer.publicKey],
      statsd: { rate: 0.5 },
      backlog_reassign_delay: 30,
    });
    const loaded = loadConfig({ path, env: {} });
    assert.equal(loaded.path, path);
    assert.deepEqual(loaded.warnings, []);
    assert.deepEqual(loaded.config, {
      ...SPEC_DEFAULTS,
      database: { host: 'localhost', port: 28015, name: 'mychain' },
      keypair: { public: node.publicKey, private: node.privateKey },
      keyring: [peer.publicKey],
      statsd: { host: 'localhost', port: 8125, rate: 0.5 },
      backlog_reassign_delay: 30,
    });
  });

  test('a file holding every key sets every key', () => {
    const node = generateKeypair();
    const peers = [generateKeypair().publicKey, generateKeypair().publicKey];
    const full: Config = {
      server: { bind: '0.0.0.0:9985', workers: 3, threads: 4, body_limit: 2048 },
      database: { host: 'db.example', port: 28016, name: 'other' },
      keypair: { public: node.publicKey, private: node.privateKey },
      keyring: peers,
      statsd: { host: 'statsd.example', port: 9125, rate: 1 },
      api_endpoint: 'https://example.com/api/v1',
      backlog_reassign_delay: 7.5,
      wsserver: { host: '0.0.0.0', port: 9986, advertised_scheme: 'wss', advertised_host: 'stream.example', advertised_port: 443 },
      log: {
        file: '/var/log/bdb.log', error_file: null, level_console: 'warn', level_logfile: 'debug',
        granular_levels: { 'pipeline:vote': 'debug' }, rotate_bytes: 1000, rotate_files: 2,
      },
    };
    assert.deepEqual(loadConfig({ path: configFile(full), env: {} }).config, full);
  });

  test('$BIGCHAINDB_CONFIG_PATH chooses the file when no path is given', () => {
    const path = configFile({ database: { name: 'from_config_path' } });
    const loaded = loadConfig({ env: { BIGCHAINDB_CONFIG_PATH: path } });
    assert.equal(loaded.path, path);
    assert.equal(loaded.config.database.name, 'from_config_path');
  });

  test('an explicit path wins over $BIGCHAINDB_CONFIG_PATH', () => {
    const chosen = configFile({ database: { name: 'explicit' } });
    const other = configFile({ database: { name: 'from_env' } });
    const loaded = loadConfig({ path: chosen, env: { BIGCHAINDB_CONFIG_PATH: other } });
    assert.equal(loaded.path, chosen);
    assert.equal(loaded.config.database.name, 'explicit');
  });

  test('a missing file named by $BIGCHAINDB_CONFIG_PATH is a warning naming it, not an error', () => {
    const path = missingPath();
    const loaded = loadConfig({ env: { BIGCHAINDB_CONFIG_PATH: path } });
    assert.equal(loaded.path, null);
    assert.deepEqual(loaded.config, SPEC_DEFAULTS);
    assert.ok(loaded.warnings.some((w) => w.includes(path)));
  });

  test('a file that is not valid JSON throws a one-line ConfigError naming the file', () => {
    const path = configFile('{"database": {"port": 28015,}');
    assertConfigError(() => loadConfig({ path, env: {} }), [path, 'JSON']);
  });

  test('an empty file throws a ConfigError, not a SyntaxError', () => {
    const path = configFile('');
    assertConfigError(() => loadConfig({ path, env: {} }), [path]);
  });

  test('a file holding a JSON array instead of an object throws a ConfigError naming the file', () => {
    const path = configFile('[1, 2]');
    assertConfigError(() => loadConfig({ path, env: {} }), [path]);
  });

  test('a string where the file needs a port ("database": {"port": "x"}) throws a one-line ConfigError naming database.port', () => {
    const path = configFile({ database: { port: 'x' } });
    assertConfigError(() => loadConfig({ path, env: {} }), ['database.port', path]);
  });

  test('wrong types in the file throw a ConfigError naming the key, for each kind of value', () => {
    const cases: [unknown, string][] = [
      [{ database: { port: 0 } }, 'database.port'],
      [{ database: { port: 28015.5 } }, 'database.port'],
      [{ database: { host: '' } }, 'database.host'],
      [{ database: { name: 42 } }, 'database.name'],
      [{ server: { workers: 0 } }, 'server.workers'],
      [{ server: { threads: 'many' } }, 'server.threads'],
      [{ statsd: { rate: 1.5 } }, 'statsd.rate'],
      [{ statsd: { port: '8125' } }, 'statsd.port'],
      [{ backlog_reassign_delay: -1 }, 'backlog_reassign_delay'],
      [{ keyring: 'not-a-list' }, 'keyring'],
      [{ keyring: ['not-a-key'] }, 'keyring'],
      [{ keypair: { public: 'not-a-key' } }, 'keypair.public'],
      [{ keypair: { private: 'not-a-key' } }, 'keypair.private'],
      [{ api_endpoint: null }, 'api_endpoint'],
      [{ log: { level_console: 'loud' } }, 'log.level_console'],
      [{ log: { level_logfile: 'constructor' } }, 'log.level_logfile'],
      [{ log: { granular_levels: { api: '__proto__' } } }, 'log.granular_levels'],
      [{ log: { file: '' } }, 'log.file'],
      [{ wsserver: { port: 70000 } }, 'wsserver.port'],
      [{ wsserver: { advertised_scheme: 'http' } }, 'wsserver.advertised_scheme'],
      [{ wsserver: { advertised_host: '' } }, 'wsserver.advertised_host'],
      [{ wsserver: { advertised_port: 'x' } }, 'wsserver.advertised_port'],
    ];
    for (const [content, key] of cases) {
      assertConfigError(() => loadConfig({ path: configFile(content), env: {} }), [key]);
    }
  });

  test('a section given a non-object value ("database": "localhost") throws a ConfigError naming database, not an "unknown key" warning', () => {
    const path = configFile({ database: 'localhost' });
    assertConfigError(() => loadConfig({ path, env: {} }), ['database']);
  });

  test('an unknown key in the file is a warning naming it, not an error, and the known keys still apply', () => {
    const path = configFile({ database: { name: 'known', colour: 'blue' }, frobnicate: 1 });
    const loaded = loadConfig({ path, env: {} });
    assert.equal(loaded.config.database.name, 'known');
    assert.equal(loaded.warnings.length, 2, `warnings: ${JSON.stringify(loaded.warnings)}`);
    assert.ok(loaded.warnings.some((w) => w.includes('database.colour')));
    assert.ok(loaded.warnings.some((w) => w.includes('frobnicate')));
    assert.equal((loaded.config as unknown as Record<string, unknown>).frobnicate, undefined, 'an unknown key is not copied into the config');
  });

  test('keys named like object properties (constructor, __proto__) are unknown keys, warned about, and change nothing', () => {
    const path = configFile({});
    writeFileSync(path, '{"constructor": 5, "__proto__": {"database": {"name": "polluted"}}, "database": {"toString": 1}}');
    const loaded = loadConfig({ path, env: {} });
    assert.equal(loaded.warnings.length, 3, `warnings: ${JSON.stringify(loaded.warnings)}`);
    for (const key of ['"constructor"', '"__proto__.database.name"', '"database.toString"']) assert.ok(loaded.warnings.some((w) => w.includes(key)), key);
    assert.equal(Object.getPrototypeOf(loaded.config), Object.prototype);
    assert.deepEqual(loaded.config, defaultConfig());
  });

  test('null for a nullable key in the file (server.workers) is accepted', () => {
    const path = configFile({ server: { workers: null, threads: 2 } });
    assert.deepEqual(loadConfig({ path, env: {} }).config.server, { ...SPEC_DEFAULTS.server, workers: null, threads: 2 });
  });
});

describe('keypair consistency', () => {
  test('keypair.public that is not the public key of keypair.private throws a ConfigError naming keypair.public', () => {
    const a = generateKeypair();
    const b = generateKeypair();
    const path = configFile({ keypair: { public: b.publicKey, private: a.privateKey } });
    assertConfigError(() => loadConfig({ path, env: {} }), ['keypair.public']);
  });

  test('a mismatch made by the environment (file private key, env public key of another pair) throws a ConfigError too', () => {
    const a = generateKeypair();
    const b = generateKeypair();
    const path = configFile({ keypair: { public: a.publicKey, private: a.privateKey } });
    assertConfigError(() => loadConfig({ path, env: { BIGCHAINDB_KEYPAIR_PUBLIC: b.publicKey } }), ['keypair.public']);
  });

  test('a whole keypair given by the environment replaces the file\'s keypair without error', () => {
    const a = generateKeypair();
    const b = generateKeypair();
    const path = configFile({ keypair: { public: a.publicKey, private: a.privateKey } });
    const loaded = loadConfig({ path, env: { BIGCHAINDB_KEYPAIR_PUBLIC: b.publicKey, BIGCHAINDB_KEYPAIR_PRIVATE: b.privateKey } });
    assert.deepEqual(loaded.config.keypair, { public: b.publicKey, private: b.privateKey });
  });
});

describe('environment', () => {
  test('an environment variable overrides the file, which overrides the default', () => {
    const path = configFile({ database: { host: 'file-host', name: 'file_name' } });
    const loaded = loadConfig({ path, env: { BIGCHAINDB_DATABASE_NAME: 'env_name' } });
    assert.equal(loaded.config.database.name, 'env_name', 'env over file');
    assert.equal(loaded.config.database.host, 'file-host', 'file over default');
    assert.equal(loaded.config.database.port, 28015, 'default where neither sets it');
  });

  test('every BIGCHAINDB_* variable of every key in CONFIG_KEYS is honoured, coerced to the key\'s type', () => {
    const node = generateKeypair();
    const peers = [generateKeypair().publicKey, generateKeypair().publicKey, generateKeypair().publicKey];
    const samples: Record<string, [text: string, expected: unknown]> = {
      'server.bind': ['0.0.0.0:9985', '0.0.0.0:9985'],
      'server.workers': ['5', 5],
      'server.threads': ['3', 3],
      'server.body_limit': ['4096', 4096],
      'database.host': ['db.example', 'db.example'],
      'database.port': ['28016', 28016],
      'database.name': ['env_chain', 'env_chain'],
      'keypair.public': [node.publicKey, node.publicKey],
      'keypair.private': [node.privateKey, node.privateKey],
      keyring: [peers.join(':'), peers],
      'statsd.host': ['statsd.example', 'statsd.example'],
      'statsd.port': ['9125', 9125],
      'statsd.rate': ['0.25', 0.25],
      api_endpoint: ['https://bdb.example/api/v1', 'https://bdb.example/api/v1'],
      backlog_reassign_delay: ['30', 30],
      'wsserver.host': ['0.0.0.0', '0.0.0.0'],
      'wsserver.port': ['19985', 19985],
      'wsserver.advertised_scheme': ['wss', 'wss'],
      'wsserver.advertised_host': ['stream.example', 'stream.example'],
      'wsserver.advertised_port': ['443', 443],
      'log.file': ['/var/log/bdb.log', '/var/log/bdb.log'],
      'log.error_file': ['null', null],
      'log.level_console': ['WARNING', 'warn'],
      'log.level_logfile': ['debug', 'debug'],
      'log.granular_levels': ['pipeline=debug,api=critical', { pipeline: 'debug', api: 'error' }],
      'log.rotate_bytes': ['1048576', 1_048_576],
      'log.rotate_files': ['3', 3],
    };
    assert.deepEqual(Object.keys(samples).sort(), [...CONFIG_KEYS].sort(), 'a sample for every configuration key');
    // One key at a time: each variable alone changes exactly its key.
    for (const key of CONFIG_KEYS) {
      const [text, expected] = samples[key]!;
      const config = loadConfig({ path: missingPath(), env: { [envName(key)]: text } }).config;
      assert.deepEqual(getKey(config, key), expected, `${envName(key)}=${text} gives ${key} = ${JSON.stringify(expected)}`);
      for (const other of CONFIG_KEYS.filter((k) => k !== key)) {
        assert.deepEqual(getKey(config, other), getKey(SPEC_DEFAULTS, other), `${envName(key)} leaves ${other} at its default`);
      }
    }
    // All at once, over a file that sets other values for every key.
    const fileNode = generateKeypair();
    const path = configFile({
      server: { bind: 'file:1', workers: 9, threads: 9, body_limit: 99 },
      database: { host: 'file-host', port: 1111, name: 'file_name' },
      keypair: { public: fileNode.publicKey, private: fileNode.privateKey },
      keyring: [fileNode.publicKey],
      statsd: { host: 'file-statsd', port: 2222, rate: 0.9 },
      api_endpoint: 'http://file/api/v1',
      backlog_reassign_delay: 99,
    });
    const env = Object.fromEntries(CONFIG_KEYS.map((key) => [envName(key), samples[key]![0]]));
    const config = loadConfig({ path, env }).config;
    for (const key of CONFIG_KEYS) assert.deepEqual(getKey(config, key), samples[key]![1], `${envName(key)} overrides the file's ${key}`);
  });

  test('ports and numbers from the environment become numbers, not strings', () => {
    const config = loadConfig({
      path: missingPath(),
      env: { BIGCHAINDB_DATABASE_PORT: '28099', BIGCHAINDB_STATSD_PORT: '8126', BIGCHAINDB_STATSD_RATE: '1', BIGCHAINDB_BACKLOG_REASSIGN_DELAY: '2.5' },
    }).config;
    assert.equal(config.database.port, 28099);
    assert.equal(typeof config.database.port, 'number');
    assert.equal(config.statsd.port, 8126);
    assert.equal(config.statsd.rate, 1);
    assert.equal(config.backlog_reassign_delay, 2.5);
  });

  test('BIGCHAINDB_KEYRING is split on ":" into a list; a single key gives a one-element list', () => {
    const [a, b] = [generateKeypair().publicKey, generateKeypair().publicKey];
    assert.deepEqual(loadConfig({ path: missingPath(), env: { BIGCHAINDB_KEYRING: `${a}:${b}` } }).config.keyring, [a, b]);
    assert.deepEqual(loadConfig({ path: missingPath(), env: { BIGCHAINDB_KEYRING: a } }).config.keyring, [a]);
  });

  test('an empty BIGCHAINDB_KEYRING gives [] and overrides a keyring from the file', () => {
    const path = configFile({ keyring: [generateKeypair().publicKey] });
    assert.deepEqual(loadConfig({ path, env: { BIGCHAINDB_KEYRING: '' } }).config.keyring, []);
    assert.deepEqual(loadConfig({ path: missingPath(), env: { BIGCHAINDB_KEYRING: '' } }).config.keyring, []);
  });

  test('an empty BIGCHAINDB_SERVER_WORKERS means null (one API process per two cores)', () => {
    const path = configFile({ server: { workers: 4 } });
    assert.equal(loadConfig({ path, env: { BIGCHAINDB_SERVER_WORKERS: '' } }).config.server.workers, null);
  });

  test('variables that are not configuration keys are ignored', () => {
    const config = loadConfig({ path: missingPath(), env: { BIGCHAINDB_COLOUR: 'blue', BIGCHAINDB_DATABASE: 'x', HOME: '/nowhere' } }).config;
    assert.deepEqual(config, SPEC_DEFAULTS);
  });

  test('BIGCHAINDB_DATABASE_PORT=abc throws a one-line ConfigError naming the variable', () => {
    assertConfigError(() => loadConfig({ path: missingPath(), env: { BIGCHAINDB_DATABASE_PORT: 'abc' } }), ['BIGCHAINDB_DATABASE_PORT', 'abc']);
  });

  test('BIGCHAINDB_DATABASE_PORT=70000 (above 65535) throws a one-line ConfigError naming the variable', () => {
    assertConfigError(() => loadConfig({ path: missingPath(), env: { BIGCHAINDB_DATABASE_PORT: '70000' } }), ['BIGCHAINDB_DATABASE_PORT', '70000']);
  });

  test('a port that is not a whole number (28015.5) or is 0 throws a ConfigError', () => {
    assertConfigError(() => loadConfig({ path: missingPath(), env: { BIGCHAINDB_STATSD_PORT: '28015.5' } }), ['BIGCHAINDB_STATSD_PORT']);
    assertConfigError(() => loadConfig({ path: missingPath(), env: { BIGCHAINDB_STATSD_PORT: '0' } }), ['BIGCHAINDB_STATSD_PORT']);
  });

  test('BIGCHAINDB_STATSD_RATE=2 (above 1) throws a one-line ConfigError naming the variable', () => {
    assertConfigError(() => loadConfig({ path: missingPath(), env: { BIGCHAINDB_STATSD_RATE: '2' } }), ['BIGCHAINDB_STATSD_RATE']);
  });

  test('BIGCHAINDB_KEYRING holding something that is not a public key throws a one-line ConfigError naming the variable', () => {
    const good = generateKeypair().publicKey;
    assertConfigError(() => loadConfig({ path: missingPath(), env: { BIGCHAINDB_KEYRING: `${good}:not-a-key` } }), ['BIGCHAINDB_KEYRING']);
  });

  test('a malformed key in BIGCHAINDB_KEYPAIR_PUBLIC or BIGCHAINDB_KEYPAIR_PRIVATE throws a ConfigError naming the variable', () => {
    assertConfigError(() => loadConfig({ path: missingPath(), env: { BIGCHAINDB_KEYPAIR_PUBLIC: 'abc' } }), ['BIGCHAINDB_KEYPAIR_PUBLIC']);
    assertConfigError(() => loadConfig({ path: missingPath(), env: { BIGCHAINDB_KEYPAIR_PRIVATE: '0OIl' } }), ['BIGCHAINDB_KEYPAIR_PRIVATE']);
  });

  test('a bad environment value is an error even when the file holds a good one', () => {
    const path = configFile({ database: { port: 28015 } });
    assertConfigError(() => loadConfig({ path, env: { BIGCHAINDB_DATABASE_PORT: 'abc' } }), ['BIGCHAINDB_DATABASE_PORT']);
  });
});

describe('parseText', () => {
  test('coerces text to the key\'s type: port → number, keyring → list, nullable counts → null for empty text', () => {
    const key = generateKeypair().publicKey;
    assert.equal(parseText('database.port', ' 28015 '), 28015);
    assert.equal(parseText('statsd.rate', '0.1'), 0.1);
    assert.equal(parseText('server.workers', ''), null);
    assert.equal(parseText('server.workers', 'null'), null);
    assert.deepEqual(parseText('keyring', ''), []);
    assert.deepEqual(parseText('keyring', key), [key]);
    assert.equal(parseText('database.name', 'chain'), 'chain');
    assert.equal(parseText('keypair.public', ''), null);
  });

  test('a bad value throws a ConfigError naming the given source; an unknown key throws a ConfigError naming it', () => {
    assertConfigError(() => parseText('database.port', 'abc', 'the answer'), ['the answer']);
    assertConfigError(() => parseText('database.port', 'abc'), ['database.port']);
    assertConfigError(() => parseText('database.colour', 'blue'), ['database.colour']);
  });
});
