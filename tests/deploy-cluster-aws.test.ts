/**
 * deploy-cluster-aws, the local half: the deployment config file (strict
 * parsing, one problem per bad setting), the node config files, the
 * keypairs file, the cluster's config files and RethinkDB config. Keys are
 * made and checked by the project's own code; nothing reaches the network.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { defaultConfig, loadConfig, type Config } from '../config/config';
import { writeConfigFile } from '../config/write';
import { apiEndpoint, clientConfigs, clusterizeConfigs } from '../deploy-cluster-aws/clusterize';
import { confilePath, makeConfiles, readConfiles, writeConfiles } from '../deploy-cluster-aws/confiles';
import { parseDeployConf, readDeployConf, SETTING_NAMES, type DeployConfig } from '../deploy-cluster-aws/deploy-conf';
import { DeployConfigError, DeployFileError } from '../deploy-cluster-aws/errors';
import { firstKeypairs, readKeypairsFile, writeKeypairsFile } from '../deploy-cluster-aws/keypairs-file';
import { rethinkdbInstanceConf } from '../deploy-cluster-aws/rethinkdb-conf';
import { generateKeypair, keypairFromPrivate } from '../models/keys';
import type { PublicKey } from '../models/types';
import { tempDir } from './helpers/cli';
import { EXAMPLE_DEPLOY_CONF, exampleWith } from './helpers/deploy';

const exampleText = (): string => readFileSync(EXAMPLE_DEPLOY_CONF, 'utf8');

/** The problems of a config text that must be refused. */
function problemsOf(text: string): readonly string[] {
  try {
    parseDeployConf(text, 'my_deploy_conf.env', '/conf');
  } catch (err) {
    assert.ok(err instanceof DeployConfigError, `a DeployConfigError, got ${String(err)}`);
    assert.ok(err.message.startsWith('my_deploy_conf.env: '), 'the message names the file');
    return err.problems;
  }
  return assert.fail('the config was accepted');
}

describe('deployment config file', () => {
  test('the example config with SSH_KEY_NAME set gives the seed settings, typed', () => {
    const config = parseDeployConf(exampleWith(), 'example', '/conf');
    const expected: DeployConfig = {
      NUM_NODES: 3,
      BRANCH: { kind: 'git', ref: 'master' },
      WHAT_TO_DEPLOY: 'servers',
      SSH_KEY_NAME: 'bigchaindb',
      USE_KEYPAIRS_FILE: false,
      IMAGE_ID: 'ami-8504fdea',
      INSTANCE_TYPE: 't2.medium',
      SECURITY_GROUP: 'bigchaindb',
      USING_EBS: true,
      EBS_VOLUME_SIZE: 30,
      EBS_OPTIMIZED: false,
      BIND_HTTP_TO_LOCALHOST: true,
    };
    assert.deepEqual(config, expected);
  });

  test('the example as shipped is refused for SSH_KEY_NAME alone, still the "not-set-yet" placeholder', () => {
    const problems = problemsOf(exampleText());
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^SSH_KEY_NAME \(line \d+\): is still the example's "not-set-yet"/);
  });

  const BAD_VALUES: [line: string, says: RegExp][] = [
    ['NUM_NODES=0', /whole number from 1 to 64/],
    ['NUM_NODES=65', /whole number from 1 to 64/],
    ['NUM_NODES="3"', /unquoted/],
    ['NUM_NODES=three', /got "three"/],
    ['BRANCH="pypi"', /PyPI|Python package/],
    ['BRANCH="feat..x"', /git branch name/],
    ['BRANCH="-x"', /git branch name/],
    ['BRANCH=""', /git branch name/],
    ['WHAT_TO_DEPLOY="both"', /"servers" or "clients"/],
    ['SSH_KEY_NAME="../id_rsa"', /name of a key pair/],
    ['SSH_KEY_NAME=""', /name of a key pair/],
    ['USE_KEYPAIRS_FILE=true', /True or False/],
    ['USE_KEYPAIRS_FILE="True"', /unquoted/],
    ['IMAGE_ID="ubuntu-16.04"', /AMI id/],
    ['IMAGE_ID="ami-XYZ"', /AMI id/],
    ['INSTANCE_TYPE="large"', /instance type/],
    ['SECURITY_GROUP=""', /security group/],
    ['USING_EBS=yes', /True or False/],
    ['EBS_VOLUME_SIZE=0', /1 to 16384/],
    ['EBS_VOLUME_SIZE=16385', /1 to 16384/],
    ['EBS_VOLUME_SIZE=30.5', /whole number/],
    ['EBS_OPTIMIZED=1', /True or False/],
    ['BIND_HTTP_TO_LOCALHOST=', /True or False/],
  ];
  for (const [line, says] of BAD_VALUES) {
    const key = line.split('=')[0]!;
    test(`${line} is refused with one problem naming ${key}`, () => {
      const problems = problemsOf(exampleWith(line));
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0]!.startsWith(`${key} (line `), problems[0]);
      assert.match(problems[0]!, says);
    });
  }

  test('an unknown key, a repeated key, a missing key and a line that is not KEY=value are all reported at once, each named', () => {
    const text = exampleWith()
      .replace(/^EBS_OPTIMIZED=.*$/m, '')
      .concat('NUM_NODS=3\nNUM_NODES=4\nBRANCH = "master"\n');
    const problems = problemsOf(text);
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.ok(problems.some((p) => /^NUM_NODS \(line \d+\): not a deployment setting/.test(p)));
    assert.ok(problems.some((p) => /^NUM_NODES \(line \d+\): set a second time \(first on line \d+\)/.test(p)));
    assert.ok(problems.some((p) => p === 'EBS_OPTIMIZED: missing'));
    assert.ok(problems.some((p) => /^line \d+: expected KEY=value with no spaces around "="/.test(p)));
  });

  test('a key named like an object property (constructor, toString) is an unknown setting, not ignored', () => {
    const problems = problemsOf(exampleWith().concat('constructor=1\ntoString=x\n'));
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.ok(problems.some((p) => /^constructor \(line \d+\): not a deployment setting/.test(p)));
    assert.ok(problems.some((p) => /^toString \(line \d+\): not a deployment setting/.test(p)));
  });

  test('values are plain words or quoted strings, with an optional trailing comment; shell expansions are refused', () => {
    const plain = parseDeployConf(exampleWith('BRANCH=feat/3627/optional-delimiter  # a git branch'), 'c', '/conf');
    assert.deepEqual(plain.BRANCH, { kind: 'git', ref: 'feat/3627/optional-delimiter' });
    const single = parseDeployConf(exampleWith("SECURITY_GROUP='bigchaindb'"), 'c', '/conf');
    assert.equal(single.SECURITY_GROUP, 'bigchaindb');
    const exported = parseDeployConf(exampleWith().replace(/^NUM_NODES=3$/m, 'export NUM_NODES=5'), 'c', '/conf');
    assert.equal(exported.NUM_NODES, 5);
    for (const line of ['BRANCH="$HOME"', 'BRANCH=`whoami`', 'BRANCH="a\\"b"', 'BRANCH=master;rm']) {
      const problems = problemsOf(exampleWith(line));
      assert.equal(problems.length, 1, `${line}: ${problems.join('\n')}`);
      assert.match(problems[0]!, /^BRANCH \(line \d+\): .* neither a plain word nor a quoted string/);
    }
  });

  test('a BRANCH ending in .tgz is an npm pack tarball, its path relative to the config file folder', () => {
    const config = parseDeployConf(exampleWith('BRANCH="../bigchaindb-0.8.2.tgz"'), 'c', '/work/repo/deploy-cluster-aws');
    assert.deepEqual(config.BRANCH, { kind: 'tarball', path: '/work/repo/bigchaindb-0.8.2.tgz' });
  });

  test('readDeployConf reads a file and reports an unreadable one as a DeployConfigError naming it', () => {
    const dir = tempDir('bdb-deploy-conf-');
    const path = join(dir, 'my_deploy_conf.env');
    writeFileSync(path, exampleWith('BRANCH="pkg.tgz"'));
    assert.deepEqual(readDeployConf(path).BRANCH, { kind: 'tarball', path: join(dir, 'pkg.tgz') });
    assert.throws(() => readDeployConf(join(dir, 'absent.env')), (err: unknown) => err instanceof DeployConfigError && err.message.includes('absent.env'));
  });

  test('SETTING_NAMES are the twelve settings of the seed, in its order', () => {
    assert.deepEqual(SETTING_NAMES, ['NUM_NODES', 'BRANCH', 'WHAT_TO_DEPLOY', 'SSH_KEY_NAME', 'USE_KEYPAIRS_FILE', 'IMAGE_ID', 'INSTANCE_TYPE',
      'SECURITY_GROUP', 'USING_EBS', 'EBS_VOLUME_SIZE', 'EBS_OPTIMIZED', 'BIND_HTTP_TO_LOCALHOST']);
  });
});

/** Public keys of the configs, in order. */
const publicKeys = (configs: readonly Config[]): PublicKey[] => configs.map((c) => c.keypair.public!);

describe('node config files (make_confiles, clusterize_confiles)', () => {
  test('make_confiles writes N default files (mode 0600) whose distinct keypairs the node\'s own loadConfig accepts', () => {
    const dir = join(tempDir('bdb-confiles-'), 'confiles');
    const paths = makeConfiles(dir, 4);
    assert.deepEqual(paths, [0, 1, 2, 3].map((i) => join(dir, `bcdb_conf${i}`)));
    const keys = new Set<string>();
    for (const path of paths) {
      assert.equal(statSync(path).mode & 0o777, 0o600);
      const { config } = loadConfig({ path, env: {} });
      assert.equal(keypairFromPrivate(config.keypair.private!).publicKey, config.keypair.public);
      assert.deepEqual({ ...config, keypair: defaultConfig().keypair }, defaultConfig());
      keys.add(config.keypair.public!);
    }
    assert.equal(keys.size, 4);
  });

  test('make_confiles replaces the config files of an earlier run and leaves other files alone', () => {
    const dir = tempDir('bdb-confiles-');
    makeConfiles(dir, 5);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    makeConfiles(dir, 2);
    assert.deepEqual(readdirSync(dir).sort(), ['bcdb_conf0', 'bcdb_conf1', 'notes.txt']);
  });

  test('reading the files for the wrong number of nodes is an error naming the make_confiles command', () => {
    const dir = tempDir('bdb-confiles-');
    makeConfiles(dir, 2);
    assert.throws(() => readConfiles(dir, 3), (err: unknown) => err instanceof DeployFileError && /holds 2 config files .*\(make_confiles\.sh .* 3\)/.test(err.message));
    assert.throws(() => readConfiles(join(dir, 'absent'), 3), DeployFileError);
  });

  test('clusterize: each keyring is the other N-1 public keys, API on 0.0.0.0:9984 advertised at the public name, database local, StatsD to the monitor', () => {
    const dir = tempDir('bdb-confiles-');
    makeConfiles(dir, 3);
    const hosts = ['ec2-52-0-0-1.eu-central-1.compute.amazonaws.com', 'ec2-52-0-0-2.eu-central-1.compute.amazonaws.com', '52.0.0.3'];
    const defaults = readConfiles(dir, 3);
    writeConfiles(dir, clusterizeConfigs(defaults, { hosts, statsdHost: 'monitor.example.org' }));
    const configs = readConfiles(dir, 3);
    assert.deepEqual(publicKeys(configs), publicKeys(defaults), 'every node keeps its own keypair');
    configs.forEach((config, index) => {
      assert.deepEqual([...config.keyring].sort(), publicKeys(configs).filter((_, other) => other !== index).sort());
      assert.equal(config.server.bind, '0.0.0.0:9984');
      assert.equal(config.api_endpoint, `http://${hosts[index]}:9984/api/v1`);
      assert.equal(config.database.host, 'localhost');
      assert.equal(config.statsd.host, 'monitor.example.org');
      assert.equal(statSync(confilePath(dir, index)).mode & 0o777, 0o600);
    });
  });

  test('clusterizing twice gives the same files (a deployment can be run again)', () => {
    const dir = tempDir('bdb-confiles-');
    makeConfiles(dir, 3);
    const settings = { hosts: ['a', 'b', 'c'] };
    const once = clusterizeConfigs(readConfiles(dir, 3), settings);
    assert.deepEqual(clusterizeConfigs(once, settings), once);
  });

  test('write_keypairs_file writes N distinct keypairs (mode 0600); with USE_KEYPAIRS_FILE the nodes get the first N, in order', () => {
    const dir = tempDir('bdb-keypairs-');
    const path = join(dir, 'keypairs.json');
    const written = writeKeypairsFile(path, 5);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readKeypairsFile(path), written);
    assert.equal(new Set(written.map((k) => k.publicKey)).size, 5);
    makeConfiles(join(dir, 'confiles'), 3);
    const configs = clusterizeConfigs(readConfiles(join(dir, 'confiles'), 3), { hosts: ['a', 'b', 'c'], keypairs: firstKeypairs(path, 3) });
    configs.forEach((config, index) => {
      assert.deepEqual(config.keypair, { public: written[index]!.publicKey, private: written[index]!.privateKey });
      assert.deepEqual([...config.keyring].sort(), written.slice(0, 3).map((k) => k.publicKey).filter((_, other) => other !== index).sort());
    });
    const again = clusterizeConfigs(readConfiles(join(dir, 'confiles'), 3), { hosts: ['x', 'y', 'z'], keypairs: firstKeypairs(path, 3) });
    assert.deepEqual(again.map((c) => c.keypair), configs.map((c) => c.keypair), 'the same keypairs on every deployment');
  });

  test('too few keypairs in the keypairs file is an error saying how many are needed', () => {
    const path = join(tempDir('bdb-keypairs-'), 'keypairs.json');
    writeKeypairsFile(path, 2);
    assert.throws(() => firstKeypairs(path, 3), (err: unknown) => err instanceof DeployFileError && /holds 2 keypairs but 3 nodes/.test(err.message));
    const defaults = Array.from({ length: 3 }, () => defaultConfig());
    assert.throws(() => clusterizeConfigs(defaults, { hosts: ['a', 'b', 'c'], keypairs: readKeypairsFile(path) }), /2 keypairs .* for 3 nodes/);
  });

  test('a keypairs file entry whose public key is not its private key\'s, or that is not JSON, is refused', () => {
    const path = join(tempDir('bdb-keypairs-'), 'keypairs.json');
    const [a, b] = [generateKeypair(), generateKeypair()];
    writeFileSync(path, JSON.stringify([{ private: a.privateKey, public: a.publicKey }, { private: a.privateKey, public: b.publicKey }]));
    assert.throws(() => readKeypairsFile(path), (err: unknown) => err instanceof DeployFileError && /entry 1: "public" is not the public key/.test(err.message));
    writeFileSync(path, 'keypairs_list = []');
    assert.throws(() => readKeypairsFile(path), DeployFileError);
  });

  test('config files without a keypair, or two with the same keypair, cannot make a federation', () => {
    const withKeys = (k: ReturnType<typeof generateKeypair>): Config => ({ ...defaultConfig(), keypair: { public: k.publicKey, private: k.privateKey } });
    const shared = generateKeypair();
    assert.throws(() => clusterizeConfigs([withKeys(shared), withKeys(shared)], { hosts: ['a', 'b'] }), /same public key/);
    assert.throws(() => clusterizeConfigs([defaultConfig()], { hosts: ['a'] }), /has no keypair/);
    assert.throws(() => clusterizeConfigs([withKeys(shared)], { hosts: ['a', 'b'] }), /1 config files for 2 hosts/);
  });

  test('a rewritten config file is still one the node loads (mode 0600, keypair intact)', () => {
    const path = join(tempDir('bdb-confiles-'), 'bcdb_conf0');
    const keypair = generateKeypair();
    writeConfigFile(path, { ...defaultConfig(), keypair: { public: keypair.publicKey, private: keypair.privateKey } });
    const [config] = clusterizeConfigs([loadConfig({ path, env: {} }).config], { hosts: ['h'] });
    writeConfigFile(path, config!);
    assert.equal(loadConfig({ path, env: {} }).config.keypair.private, keypair.privateKey);
  });

  test('load clients: client i writes to server i mod S, its keyring the servers\' keys, its own fresh keypair', () => {
    const servers = [generateKeypair(), generateKeypair()];
    const clients = clientConfigs(3, { hosts: ['s0', 's1'], publicKeys: servers.map((k) => k.publicKey) }, 'mon');
    assert.deepEqual(clients.map((c) => c.database.host), ['s0', 's1', 's0']);
    assert.deepEqual(clients.map((c) => c.api_endpoint), ['s0', 's1', 's0'].map(apiEndpoint));
    for (const client of clients) {
      assert.deepEqual(client.keyring, servers.map((k) => k.publicKey));
      assert.equal(keypairFromPrivate(client.keypair.private!).publicKey, client.keypair.public);
      assert.equal(client.statsd.host, 'mon');
    }
    assert.equal(new Set(clients.map((c) => c.keypair.public)).size, 3);
  });
});

describe('RethinkDB instance config', () => {
  test('one join= line per node on port 29015, data in /data, direct I/O, bound to all interfaces', () => {
    const conf = rethinkdbInstanceConf(['n0.example', 'n1.example', 'n2.example'], false);
    const lines = conf.trim().split('\n').filter((l) => !l.startsWith('#'));
    assert.deepEqual(lines, ['directory=/data', 'bind=all', 'direct-io', 'join=n0.example:29015', 'join=n1.example:29015', 'join=n2.example:29015']);
  });

  test('BIND_HTTP_TO_LOCALHOST=True binds the web interface to loopback only', () => {
    assert.match(rethinkdbInstanceConf(['n0'], true), /^bind-http=127\.0\.0\.1$/m);
    assert.doesNotMatch(rethinkdbInstanceConf(['n0'], false), /bind-http/);
  });
});
