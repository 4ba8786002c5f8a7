/**
 * The deployer's SSH task runner against a real OpenSSH server: this file
 * starts /usr/sbin/sshd on a free loopback port with its own host key, a
 * client key made for the test and no PAM, and logs in as the current user.
 * Two "hosts" are two connections to that one server under different
 * names. Commands run for real, in a temporary folder. Without sshd (CI
 * installs it) the tests are skipped, saying so.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { RemoteTaskError, DeployFileError } from '../deploy-cluster-aws/errors';
import { openSessions, put, run, runOnHosts, runTask, closeSessions, type Task } from '../deploy-cluster-aws/runner';
import { loadSshAuth, sshConnector, type Connector, type RemoteHost } from '../deploy-cluster-aws/ssh';
import { shellQuote } from '../deploy-cluster-aws/tasks';
import { freePort, tempDir } from './helpers/cli';

const SSHD = '/usr/sbin/sshd';
const QUICK = { attempts: 1, retryDelayMs: 0, readyTimeoutMs: 10_000 };

interface TestServer {
  readonly process: ChildProcess;
  readonly port: number;
  /** Where the test's commands and uploads write. */
  readonly work: string;
  readonly connect: Connector;
  readonly keysDir: string;
}

let server: TestServer | undefined;

function keygen(path: string, passphrase = ''): void {
  const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'bdb-deploy-test', '-f', path], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
}

/** Starts sshd -D and resolves once it listens. */
async function startSshd(): Promise<TestServer> {
  const keysDir = tempDir('bdb-sshd-');
  const work = tempDir('bdb-sshd-work-');
  keygen(join(keysDir, 'host_key'));
  keygen(join(keysDir, 'client_key'));
  writeFileSync(join(keysDir, 'authorized_keys'), readFileSync(join(keysDir, 'client_key.pub')));
  // sshd started by root checks its privilege separation folder first.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const port = await freePort();
  const config = join(keysDir, 'sshd_config');
  writeFileSync(config, [
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    `HostKey ${join(keysDir, 'host_key')}`,
    `AuthorizedKeysFile ${join(keysDir, 'authorized_keys')}`,
    `PidFile ${join(keysDir, 'sshd.pid')}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'Subsystem sftp internal-sftp',
  ].join('\n') + '\n');
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`sshd did not listen within 10 s:\n${log}`)), 10_000);
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      log += text;
      if (/Server listening on 127\.0\.0\.1 port/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with code ${code}:\n${log}`));
    });
  });
  child.stderr!.resume();
  return { process: child, port, work, keysDir, connect: sshConnector(loadSshAuth(join(keysDir, 'client_key')), QUICK) };
}

before(async () => {
  if (existsSync(SSHD)) server = await startSshd();
});

after(() => {
  server?.process.kill();
});

/** The running server, or a skip saying why there is none. */
function sshd(t: TestContext): TestServer | undefined {
  if (server === undefined) t.skip(`${SSHD} is not installed (CI installs openssh-server)`);
  return server;
}

const hostsOf = (s: TestServer, ...names: string[]): RemoteHost[] => names.map((name) => ({ name, address: '127.0.0.1', port: s.port, user: userInfo().username }));

/** Runs `task` on the hosts named `names`, collecting printed lines. */
async function runNamed(s: TestServer, task: Task, ...names: string[]): Promise<{ printed: string[]; error?: unknown }> {
  const printed: string[] = [];
  try {
    await runOnHosts(hostsOf(s, ...names), [task], s.connect, (line) => printed.push(line));
    return { printed };
  } catch (error) {
    return { printed, error };
  }
}

describe('SSH task runner against a real sshd', { timeout: 60_000 }, () => {
  test('a task runs on two hosts in parallel: real commands create each host\'s files', async (t) => {
    const s = sshd(t);
    if (s === undefined) return;
    const names = ['node-a', 'node-b'];
    const task: Task = {
      name: 'make_files',
      steps: (index) => [
        run(`mkdir -p ${shellQuote(join(s.work, names[index]!))}`),
        run(`echo "host ${index}" > ${shellQuote(join(s.work, names[index]!, 'made'))}`),
      ],
    };
    const { error } = await runNamed(s, task, ...names);
    assert.equal(error, undefined);
    assert.equal(readFileSync(join(s.work, 'node-a', 'made'), 'utf8'), 'host 0\n');
    assert.equal(readFileSync(join(s.work, 'node-b', 'made'), 'utf8'), 'host 1\n');
  });

  test('output comes back line by line, each line prefixed with its host and stream', async (t) => {
    const s = sshd(t);
    if (s === undefined) return;
    const task: Task = { name: 'talk', steps: (index) => [run(`printf 'one\\ntwo-${index}\\n'; echo oops >&2; printf 'no newline'`)] };
    const { printed, error } = await runNamed(s, task, 'node-a', 'node-b');
    assert.equal(error, undefined);
    for (const [host, index] of [['node-a', 0], ['node-b', 1]] as const) {
      const mine = printed.filter((l) => l.startsWith(`[${host}] `));
      assert.equal(mine[0], `[${host}] run: printf 'one\\ntwo-${index}\\n'; echo oops >&2; printf 'no newline'`);
      assert.deepEqual(mine.filter((l) => l.includes('] out: ')), [`[${host}] out: one`, `[${host}] out: two-${index}`, `[${host}] out: no newline`]);
      assert.deepEqual(mine.filter((l) => l.includes('] err: ')), [`[${host}] err: oops`]);
    }
  });

  test('a failing command fails its host only, naming host and exit code; that host\'s later steps do not run', async (t) => {
    const s = sshd(t);
    if (s === undefined) return;
    const marker = (index: number) => join(s.work, `after-failure-${index}`);
    const task: Task = {
      name: 'sometimes_fails',
      steps: (index) => [run(index === 1 ? 'echo "E: broken" >&2; exit 3' : 'true'), run(`touch ${shellQuote(marker(index))}`)],
    };
    const { printed, error } = await runNamed(s, task, 'node-a', 'node-b');
    assert.ok(error instanceof RemoteTaskError, String(error));
    assert.equal(error.task, 'sometimes_fails');
    assert.deepEqual(error.failures, [{ host: 'node-b', reason: '`echo "E: broken" >&2; exit 3` exited with code 3' }]);
    assert.match(error.message, /^sometimes_fails failed on 1 host\(s\): node-b: /);
    assert.ok(printed.includes('[node-b] err: E: broken'));
    assert.ok(existsSync(marker(0)), 'the other host went on');
    assert.ok(!existsSync(marker(1)), 'the failed host stopped');
  });

  test('uploads a local file and made-up text over SFTP with the mode asked for, replacing an existing file\'s mode', async (t) => {
    const s = sshd(t);
    if (s === undefined) return;
    const local = join(tempDir('bdb-sshd-local-'), 'archive.tar.gz');
    writeFileSync(local, Buffer.from([0x1f, 0x8b, 0, 1, 2, 3, 255]));
    const secret = join(s.work, 'bigchaindb-config');
    writeFileSync(secret, 'old', { mode: 0o644 });
    const task: Task = {
      name: 'upload',
      steps: () => [
        put({ kind: 'file', path: local }, join(s.work, 'uploaded.tar.gz')),
        put({ kind: 'text', text: '{"keypair": "secret"}\n', label: 'bcdb_conf0' }, secret, 0o600),
      ],
    };
    const { printed, error } = await runNamed(s, task, 'node-a');
    assert.equal(error, undefined);
    assert.deepEqual(readFileSync(join(s.work, 'uploaded.tar.gz')), readFileSync(local));
    assert.equal(readFileSync(secret, 'utf8'), '{"keypair": "secret"}\n');
    assert.equal(statSync(secret).mode & 0o777, 0o600);
    assert.ok(printed.includes(`[node-a] put: bcdb_conf0 -> ${secret} (mode 600)`), 'the label is printed, not the content');
    assert.ok(!printed.some((l) => l.includes('secret"')));
  });

  test('a first-host-only task runs on the first session alone', async (t) => {
    const s = sshd(t);
    if (s === undefined) return;
    const sessions = await openSessions(hostsOf(s, 'node-a', 'node-b'), s.connect);
    const printed: string[] = [];
    try {
      await runTask({ name: 'init', firstHostOnly: true, steps: () => [run('echo init')] }, sessions, (l) => printed.push(l));
    } finally {
      closeSessions(sessions);
    }
    assert.deepEqual(printed, ['[node-a] run: echo init', '[node-a] out: init']);
  });

  test('a host that cannot be reached is reported by name while the reachable one is closed again', async (t) => {
    const s = sshd(t);
    if (s === undefined) return;
    const closedPort = await freePort();
    const hosts = [...hostsOf(s, 'node-a'), { name: 'node-gone', address: '127.0.0.1', port: closedPort, user: userInfo().username }];
    await assert.rejects(openSessions(hosts, s.connect), (err: unknown) => err instanceof RemoteTaskError && err.task === 'connect'
      && err.failures.length === 1 && err.failures[0]!.host === 'node-gone' && /cannot connect to .*:\d+ after 1 attempt/.test(err.failures[0]!.reason));
  });

  test('a key sshd does not accept is a connection failure naming the host', async (t) => {
    const s = sshd(t);
    if (s === undefined) return;
    const stranger = join(s.keysDir, 'stranger_key');
    keygen(stranger);
    const connect = sshConnector(loadSshAuth(stranger), QUICK);
    await assert.rejects(openSessions(hostsOf(s, 'node-a'), connect), (err: unknown) => err instanceof RemoteTaskError
      && err.failures[0]!.host === 'node-a' && /authentication/i.test(err.failures[0]!.reason));
  });
});

describe('SSH private key', () => {
  test('a missing key file, or a passphrase-protected key without an ssh-agent, is a DeployFileError saying what to do', (t) => {
    if (spawnSync('ssh-keygen', ['--help']).error !== undefined) return t.skip('ssh-keygen is not installed');
    const dir = tempDir('bdb-sshkey-');
    assert.throws(() => loadSshAuth(join(dir, 'absent')), (err: unknown) => err instanceof DeployFileError && /--ssh-key/.test(err.message));
    const locked = join(dir, 'locked');
    keygen(locked, 'a passphrase');
    assert.throws(() => loadSshAuth(locked, {}), (err: unknown) => err instanceof DeployFileError && /ssh-add/.test(err.message));
    assert.deepEqual(loadSshAuth(locked, { SSH_AUTH_SOCK: '/run/agent.sock' }), { agent: '/run/agent.sock' });
  });
});
