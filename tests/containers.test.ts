/**
 * The container files: Dockerfile, .dockerignore and docker-compose.yml.
 * No Docker engine runs here, so the files are checked statically, and the
 * node's CLI is run the way the image and the compose file run it: the
 * image's ENTRYPOINT, CMD and ENV, bdb's entrypoint script and environment,
 * with the image's /data volume a temporary folder.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { CONFIG_KEYS, envName, type Config } from '../config/config';
import { freePort, runCommand, spawnCommand, tempDir, type Command } from './helpers/cli';
import {
  dependencies, interpolate, parsePort, parseVolume, readCompose, readRepoFile, REPO_ROOT, serviceEnvironment, type ComposeService,
} from './helpers/compose';
import { dropIfExists, uniqueDatabaseSettings } from './helpers/database';
import {
  copies, execForm, finalStage, instructionsOf, parseDockerfile, repositoryPath, sourceOrigin, stage, stageEnv, workdir,
} from './helpers/dockerfile';

const dockerfile = parseDockerfile(readRepoFile('Dockerfile'));
const runtime = finalStage(dockerfile);
const compose = readCompose('docker-compose.yml');
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  assert.ok(found !== undefined, `docker-compose.yml has a service "${name}"`);
  return found;
};
const onlyInstruction = (keyword: string) => {
  const found = instructionsOf(runtime, keyword);
  assert.equal(found.length, 1, `the runtime stage has one ${keyword}`);
  return found[0]!;
};

/** The image's volume: its ENV values name /data, which a test replaces with a temporary folder. */
const VOLUME = '/data';

describe('Dockerfile', () => {
  test('parses into stages of known instructions: a build stage that compiles, a runtime stage last, FROM a slim Node image', () => {
    const known = new Set(['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);
    for (const s of dockerfile.stages) {
      for (const i of s.instructions) assert.ok(known.has(i.keyword), `line ${i.line}: ${i.keyword} is a Dockerfile instruction`);
    }
    assert.ok(dockerfile.stages.length >= 2, 'multi-stage');
    assert.equal(runtime.name, 'runtime', 'the runtime stage is last, so a plain `docker build .` makes it');
    assert.match(runtime.base, /^node:\d+-\w+-slim$/, 'the runtime starts from a slim official Node image, not from the build stage');
    assert.equal(runtime.base, stage(dockerfile, 'build').base, 'compiled and run on the same Node');
    const buildRuns = instructionsOf(stage(dockerfile, 'build'), 'RUN').map((i) => i.args);
    assert.ok(buildRuns.some((run) => /^npm ci\b/.test(run)), 'the build stage installs with npm ci');
    assert.ok(buildRuns.includes('npm run build'), 'the build stage compiles with the package\'s build script');
  });

  test('production dependencies come from `npm ci --omit=dev`, and no stage runs install scripts', () => {
    const [installDeps] = instructionsOf(stage(dockerfile, 'deps'), 'RUN').map((i) => i.args);
    assert.equal(installDeps, 'npm ci --omit=dev --ignore-scripts');
    assert.ok(copies(runtime).some((c) => c.from === 'deps' && c.destination === `${workdir(runtime)}/node_modules`), 'the runtime takes node_modules from the deps stage');
    for (const s of dockerfile.stages) {
      for (const run of instructionsOf(s, 'RUN').filter((i) => /\bnpm ci\b/.test(i.args))) {
        assert.match(run.args, /--ignore-scripts/, `line ${run.line}: the package's "prepare" would compile before the sources are copied`);
      }
    }
  });

  test('the runtime stage runs as the non-root user bigchaindb', () => {
    const users = instructionsOf(runtime, 'USER');
    assert.ok(users.length > 0, 'the runtime stage sets USER');
    const user = users[users.length - 1]!.args;
    assert.equal(user, 'bigchaindb');
    assert.ok(!['root', '0'].includes(user.split(':')[0]!));
  });

  test('everything the runtime stage copies exists after npm ci and the build (tsc)', () => {
    for (const copy of copies(runtime)) {
      for (const source of copy.sources) {
        const origin = sourceOrigin(dockerfile, copy, source);
        assert.ok(origin !== null && existsSync(origin), `COPY ${copy.from ? `--from=${copy.from} ` : ''}${source}: ${origin} exists`);
      }
    }
  });

  test("the ENTRYPOINT runs the compiled CLI: its script is dist/cli/main.js of the build, as package.json's bin", () => {
    const [program, script, ...rest] = execForm(onlyInstruction('ENTRYPOINT'));
    assert.equal(program, 'node');
    assert.deepEqual(rest, []);
    const origin = repositoryPath(dockerfile, script!);
    assert.equal(origin, join(REPO_ROOT, 'dist', 'cli', 'main.js'));
    assert.ok(existsSync(origin!), `${origin} is built`);
    const bin = (JSON.parse(readRepoFile('package.json')) as { bin: Record<string, string> }).bin.bigchaindb;
    assert.equal(join(REPO_ROOT, bin!), origin);
    assert.deepEqual(execForm(onlyInstruction('CMD')), ['start'], '`docker run IMAGE` starts the node');
  });

  test('the image holds what package.json "files" publishes (models/schema beside dist, which the schema loader needs), package.json and node_modules', () => {
    const { files } = JSON.parse(readRepoFile('package.json')) as { files: string[] };
    const app = workdir(runtime);
    for (const path of [...files, 'package.json', 'node_modules']) {
      assert.equal(repositoryPath(dockerfile, `${app}/${path}`), join(REPO_ROOT, path), `${app}/${path} is the repository's ${path}`);
    }
  });

  test('the image keeps its config file in the volume /data, which is HOME, and serves the API on 0.0.0.0:9984 and the stream on 0.0.0.0:9985 (EXPOSE 9984 9985)', () => {
    const env = stageEnv(runtime);
    assert.equal(env.HOME, VOLUME);
    assert.equal(env.BIGCHAINDB_CONFIG_PATH, `${VOLUME}/.bigchaindb`);
    assert.equal(env.BIGCHAINDB_SERVER_BIND, '0.0.0.0:9984');
    assert.equal(env.BIGCHAINDB_WSSERVER_HOST, '0.0.0.0');
    assert.equal(onlyInstruction('VOLUME').args, VOLUME);
    assert.equal(onlyInstruction('EXPOSE').args, '9984 9985');
    const volumeAt = onlyInstruction('VOLUME').line;
    const chown = instructionsOf(runtime, 'RUN').find((i) => i.args.includes(`chown bigchaindb:bigchaindb ${VOLUME}`));
    assert.ok(chown !== undefined && chown.line < volumeAt, 'bigchaindb owns /data, set before VOLUME (later changes to a volume are discarded)');
  });
});

describe('.dockerignore', () => {
  const patterns = readRepoFile('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  /** Docker's matching for the plain patterns used here: `*` within a name, and a matched folder takes its contents. */
  const ignored = (path: string) => patterns.some((pattern) => {
    const glob = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}(/.*)?$`);
    return glob.test(path);
  });

  test('keeps node_modules and dist out of the build context: the image builds its own', () => {
    for (const path of ['node_modules', 'node_modules/yaml/package.json', 'dist', 'dist/cli/main.js']) assert.ok(ignored(path), `${path} is ignored`);
  });

  test('keeps in the context everything the build compiles and copies', () => {
    const { include } = JSON.parse(readRepoFile('tsconfig.json')) as { include: string[] };
    const contextSources = dockerfile.stages.flatMap((s) => copies(s).filter((c) => c.from === null).flatMap((c) => c.sources)).filter((p) => p !== '.');
    for (const path of ['tsconfig.json', 'package.json', 'package-lock.json', ...include, ...contextSources]) assert.ok(!ignored(path), `${path} is in the context`);
  });
});

describe('docker-compose.yml', () => {
  test('parses, and a plain `docker compose up` starts only rdb and bdb: tests and load have profiles of their own', () => {
    const unprofiled = Object.entries(compose.services).filter(([, s]) => (s.profiles ?? []).length === 0).map(([name]) => name);
    assert.deepEqual(unprofiled.sort(), ['bdb', 'rdb']);
    assert.deepEqual(service('tests').profiles, ['test']);
    assert.deepEqual(service('load').profiles, ['load']);
  });

  test('rdb is the official rethinkdb:2.4 image with a named data volume, its admin UI published on 58080 and its driver port on 28015', () => {
    const rdb = service('rdb');
    assert.equal(rdb.image, 'rethinkdb:2.4');
    const [volume] = (rdb.volumes ?? []).map((v) => parseVolume(v));
    assert.equal(volume?.target, '/data', 'the image keeps its data in /data');
    assert.ok(volume !== undefined && volume.source in (compose.volumes ?? {}), 'a named volume');
    const ports = (rdb.ports ?? []).map(parsePort);
    assert.ok(ports.some((p) => p.published === 58080 && p.target === 8080), '58080 → admin UI 8080, as in the 0.8 docs');
    assert.ok(ports.some((p) => p.published === 28015 && p.target === 28015), '28015 for clients');
  });

  test('bdb runs the Dockerfile\'s image against rdb: bound to 0.0.0.0:9984 and 0.0.0.0:9985, published on 9984 and 9985, config in a named volume at /data, after rdb', () => {
    const bdb = service('bdb');
    assert.equal(bdb.build, '.', 'built from the Dockerfile (its last stage, the runtime)');
    const env = serviceEnvironment(bdb);
    assert.equal(env.BIGCHAINDB_DATABASE_HOST, 'rdb');
    assert.equal(env.BIGCHAINDB_SERVER_BIND, '0.0.0.0:9984');
    assert.ok(env.BIGCHAINDB_STATSD_HOST, 'metrics go to a StatsD host (the monitor\'s Telegraf)');
    assert.equal(env.BIGCHAINDB_WSSERVER_HOST, '0.0.0.0');
    assert.ok((bdb.ports ?? []).map(parsePort).some((p) => p.published === 9984 && p.target === 9984));
    assert.ok((bdb.ports ?? []).map(parsePort).some((p) => p.published === 9985 && p.target === 9985), 'the event stream');
    const volumes = (bdb.volumes ?? []).map((v) => parseVolume(v));
    assert.ok(volumes.some((v) => v.target === VOLUME && v.source in (compose.volumes ?? {})), 'a named volume at /data');
    assert.deepEqual(dependencies(bdb), ['rdb']);
    assert.deepEqual(bdb.command, ['start']);
  });

  test('tests runs the Dockerfile\'s test stage (npm test) against rdb through BIGCHAINDB_TEST_DATABASE; load runs `bigchaindb load` against bdb\'s database with its keypair', () => {
    const tests = service('tests');
    assert.deepEqual(tests.build, { context: '.', target: 'test' });
    assert.deepEqual(execForm(instructionsOf(stage(dockerfile, 'test'), 'CMD')[0]!), ['npm', 'test']);
    const rdb = (service('rdb').ports ?? []).map(parsePort).find((p) => p.target === 28015)!;
    assert.equal(serviceEnvironment(tests).BIGCHAINDB_TEST_DATABASE, `rdb:${rdb.target}`);
    assert.deepEqual(dependencies(tests), ['rdb']);
    const load = service('load');
    assert.deepEqual(load.entrypoint, ['node', 'dist/cli/main.js', 'load']);
    assert.equal(load.image, service('bdb').image, 'the same image as bdb');
    assert.deepEqual(load.volumes, service('bdb').volumes, "bdb's volume, so bdb's config and keypair");
    assert.equal(serviceEnvironment(load).BIGCHAINDB_DATABASE_HOST, 'rdb');
    assert.deepEqual(dependencies(load), ['bdb']);
  });

  test('every BIGCHAINDB_* variable in the compose files and the Dockerfile is a configuration key\'s, or one the code reads (config path, test database)', () => {
    const configVariables = new Set(CONFIG_KEYS.map(envName));
    const readBy: Record<string, string> = { BIGCHAINDB_CONFIG_PATH: 'config/config.ts', BIGCHAINDB_TEST_DATABASE: 'tests/helpers/database.ts' };
    for (const file of ['docker-compose.yml', 'docker-compose-monitor.yml', 'Dockerfile']) {
      for (const [name] of readRepoFile(file).matchAll(/\bBIGCHAINDB_[A-Z0-9_]+/g)) {
        if (configVariables.has(name)) continue;
        assert.ok(name in readBy, `${file}: ${name} is neither a configuration key's variable nor one the code reads`);
        assert.ok(readRepoFile(readBy[name]!).includes(`env.${name}`), `${readBy[name]} reads ${name}`);
      }
    }
  });
});

describe('the CLI run as the image and bdb run it', () => {
  const imageEnv = stageEnv(runtime);
  const app = workdir(runtime);

  /** The image's environment with /data a fresh temporary folder, plus `vars` (bdb's environment). */
  function containerEnv(vars: Record<string, string> = {}): { env: Record<string, string>; data: string } {
    const data = tempDir('bdb-container-data-');
    const inData = (value: string) => (value === VOLUME || value.startsWith(`${VOLUME}/`) ? data + value.slice(VOLUME.length) : value);
    const env = Object.fromEntries(Object.entries({ ...imageEnv, ...vars }).map(([name, value]) => [name, inData(value)]));
    // The image's `node` is this test's.
    return { env: { ...env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` }, data };
  }

  /** An argv of the image, run here: its paths under the app folder are the repository's, the working folder the repository root. */
  const hostCommand = ([file, ...args]: string[], label: string): Command => ({
    file: file === 'node' ? process.execPath : file!,
    args: args.map((a) => (a.startsWith(`${app}/`) ? repositoryPath(dockerfile, a)! : a)),
    label,
    cwd: REPO_ROOT,
  });
  const imageCommand = (args: string[]) => hostCommand([...execForm(onlyInstruction('ENTRYPOINT')), ...args], `docker run IMAGE ${args.join(' ')}`);
  const bdb = service('bdb');
  /** bdb's entrypoint (compose escapes the script's `$` as `$$`) with `args` as its command. */
  const bdbCommand = (args: string[]) => hostCommand([...bdb.entrypoint!.map((a) => interpolate(a)), ...args], `docker compose run bdb ${args.join(' ')}`);
  const readConfig = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Config;

  test('`docker run -v DIR:/data IMAGE -y configure` writes DIR/.bigchaindb, mode 0600, with a keypair and the image\'s server.bind', async () => {
    const { env, data } = containerEnv();
    const result = await runCommand(imageCommand(['-y', 'configure']), env);
    assert.equal(result.code, 0, result.stderr);
    const path = join(data, '.bigchaindb');
    assert.match(result.stderr, new RegExp(`Configuration written to ${path}`));
    const config = readConfig(path);
    assert.ok(config.keypair.public && config.keypair.private, 'a keypair');
    assert.equal(config.server.bind, '0.0.0.0:9984');
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  test("show-config in bdb's environment shows server.bind 0.0.0.0:9984 and database.host rdb", async () => {
    const { env } = containerEnv(serviceEnvironment(bdb));
    assert.equal((await runCommand(imageCommand(['-y', 'configure']), env)).code, 0);
    const result = await runCommand(imageCommand(['show-config']), env);
    assert.equal(result.code, 0, result.stderr);
    const shown = JSON.parse(result.stdout) as Config;
    assert.equal(shown.server.bind, '0.0.0.0:9984');
    assert.equal(shown.database.host, 'rdb');
  });

  test("bdb's entrypoint configures on the first run only: later runs keep the file and its keypair", async () => {
    const { env, data } = containerEnv(serviceEnvironment(bdb));
    const first = await runCommand(bdbCommand(['export-my-pubkey']), env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /Generating keypair/);
    const publicKey = readConfig(join(data, '.bigchaindb')).keypair.public;
    assert.equal(first.stdout.trim(), publicKey);
    const second = await runCommand(bdbCommand(['export-my-pubkey']), env);
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /Generating keypair/);
    assert.equal(second.stdout.trim(), publicKey);
  });

  test("bdb's entrypoint and command `start` run a node whose API serves the key it configured, and `docker stop`'s SIGTERM stops it cleanly", { timeout: 120_000 }, async () => {
    const database = await uniqueDatabaseSettings();
    const apiPort = await freePort();
    const bind = serviceEnvironment(bdb).BIGCHAINDB_SERVER_BIND!.replace(/:\d+$/, `:${apiPort}`);
    const { env, data } = containerEnv({
      ...serviceEnvironment(bdb),
      // The test database instead of rdb, free ports instead of 9984 and 9985, one API process.
      BIGCHAINDB_DATABASE_HOST: database.host,
      BIGCHAINDB_DATABASE_PORT: String(database.port),
      BIGCHAINDB_DATABASE_NAME: database.name,
      BIGCHAINDB_SERVER_BIND: bind,
      BIGCHAINDB_SERVER_WORKERS: '1',
      BIGCHAINDB_WSSERVER_PORT: String(await freePort()),
    });
    const running = spawnCommand(bdbCommand(bdb.command!), env);
    try {
      await running.waitForStderr(/Stop with Ctrl-C/, 60_000);
      const root = await (await fetch(`http://127.0.0.1:${apiPort}/`)).json() as { public_key?: string };
      assert.equal(root.public_key, readConfig(join(data, '.bigchaindb')).keypair.public);
      running.child.kill('SIGTERM');
      const result = await running.exited;
      assert.equal(result.code, 0, result.stderr);
    } finally {
      if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
      await dropIfExists(database);
    }
  });
});
