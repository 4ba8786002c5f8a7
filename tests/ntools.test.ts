/**
 * ntools/one-m, the starter templates of manual chapter 3, checked without a
 * cloud: the Terraform files parsed by an HCL2 parser and held to the
 * firewall notes of manual 13.10; the Ansible playbook checked by
 * ansible-playbook itself, its templates rendered by Ansible, and the
 * bigchaindb role's configure/init tasks run by Ansible against the test
 * database with the CLI of this checkout. Nothing reaches AWS or a remote
 * host; Ansible writes only into temporary folders.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { Database } from '../db/connection';
import { databaseExists, dropDatabase } from '../db/schema';
import { CLI, tempDir } from './helpers/cli';
import { uniqueDatabaseSettings } from './helpers/database';

const REPO = join(__dirname, '..', '..');
const AWS_DIR = join(REPO, 'ntools', 'one-m', 'aws');
const ANSIBLE_DIR = join(REPO, 'ntools', 'one-m', 'ansible');
const ROLES_DIR = join(ANSIBLE_DIR, 'roles');
/** The playbook with the example inventory, as an operator runs it. */
const PLAYBOOK = ['-i', join(ANSIBLE_DIR, 'hosts.example'), join(ANSIBLE_DIR, 'one-m-node.yml')];

// ---------------------------------------------------------------- Ansible

const HAS_ANSIBLE = spawnSync('ansible-playbook', ['--version']).status === 0;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs an Ansible command in a temporary folder (so no ansible.cfg is picked
 * up) with its home, temporary files and HOME in temporary folders too.
 * Asynchronous: the test database may live in this very process.
 */
function ansible(command: 'ansible' | 'ansible-playbook', args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const dir = tempDir('bdb-ntools-');
  const child = spawn(command, args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      LC_ALL: 'C.UTF-8',
      ANSIBLE_HOME: join(dir, 'ansible-home'),
      ANSIBLE_LOCAL_TEMP: join(dir, 'local-tmp'),
      ANSIBLE_REMOTE_TEMP: join(dir, 'remote-tmp'),
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
      ANSIBLE_LOCALHOST_WARNING: 'false',
      ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function assertSucceeded(run: Run): void {
  assert.equal(run.code, 0, `ansible failed:\n${run.stdout}\n${run.stderr}`);
}

/** A test that needs Ansible; skipped, saying why, where it is not installed. */
function ansibleTest(name: string, fn: () => Promise<void>): void {
  test(name, async (t: TestContext) => {
    if (!HAS_ANSIBLE) {
      t.skip('ansible-playbook is not installed here (CI installs Debian\'s ansible, see .ci/run)');
      return;
    }
    await fn();
  });
}

/**
 * `role`'s template rendered by Ansible's template module, with the role's
 * defaults, group_vars/all.yml and `vars` (later ones win, as in a play).
 */
async function render(role: string, template: string, vars: Record<string, unknown> = {}): Promise<string> {
  const dest = join(tempDir('bdb-ntools-render-'), template.replace(/\.j2$/, ''));
  const run = await ansible('ansible', [
    'localhost', '-i', 'localhost,', '-c', 'local',
    '-m', 'ansible.builtin.template', '-a', `src=${join(ROLES_DIR, role, 'templates', template)} dest=${dest}`,
    '-e', `@${join(ROLES_DIR, role, 'defaults', 'main.yml')}`,
    '-e', `@${join(ANSIBLE_DIR, 'group_vars', 'all.yml')}`,
    '-e', JSON.stringify(vars),
  ]);
  assertSucceeded(run);
  return readFileSync(dest, 'utf8');
}

/** The `key=value` lines of a rendered config file, comments and blank lines left out. */
const settingLines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));

/** Every task of every tasks/ and handlers/ file of every role. */
function roleTasks(): { file: string; task: Record<string, unknown> }[] {
  return readdirSync(ROLES_DIR).flatMap((role) => ['tasks', 'handlers'].flatMap((kind) => {
    const dir = join(ROLES_DIR, role, kind);
    const files = statSync(dir, { throwIfNoEntry: false })?.isDirectory() ? readdirSync(dir) : [];
    return files.flatMap((name) => {
      const file = join(role, kind, name);
      const tasks = parseYaml(readFileSync(join(ROLES_DIR, file), 'utf8')) as Record<string, unknown>[];
      return tasks.map((task) => ({ file, task }));
    });
  }));
}

/** The task keywords the roles use besides the module; a new one is added here. */
const TASK_KEYWORDS = new Set(['name', 'when', 'register', 'notify', 'become_user', 'changed_when', 'environment', 'run_once']);

describe('ntools/one-m/ansible: the one-machine node playbook', () => {
  ansibleTest('ansible-playbook --syntax-check accepts one-m-node.yml with the example inventory and resolves every module it names', async () => {
    assertSucceeded(await ansible('ansible-playbook', ['--syntax-check', ...PLAYBOOK]));
  });

  ansibleTest('the play runs ntp, db_storage, rethinkdb and bigchaindb in that order, each with the tasks that make the node', async () => {
    const run = await ansible('ansible-playbook', ['--list-tasks', ...PLAYBOOK]);
    assertSucceeded(run);
    const tasks = [...run.stdout.matchAll(/^\s+(\w+) : (.+?)\tTAGS/gm)].map(([, role, name]) => `${role} : ${name}`);
    const roles = [...new Set(tasks.map((task) => task.split(' : ')[0]).filter((role) => role !== 'apt_source'))];
    assert.deepEqual(roles, ['ntp', 'db_storage', 'rethinkdb', 'bigchaindb']);
    for (const task of [
      'ntp : Keep the NTP daemon running and started at boot',
      'db_storage : Format the data volume if it holds no filesystem',
      'db_storage : Mount the data volume now and at every boot (fstab)',
      'rethinkdb : Install RethinkDB',
      'rethinkdb : Write the RethinkDB configuration',
      'rethinkdb : Keep RethinkDB running and started at boot',
      'bigchaindb : Write the config file with a new keypair',
      'bigchaindb : Create the database, its tables and the genesis block',
      'bigchaindb : Install the BigchainDB systemd unit',
      'bigchaindb : Keep BigchainDB running and started at boot',
    ]) {
      assert.ok(tasks.includes(task), `missing task "${task}" in:\n${tasks.join('\n')}`);
    }
    // RethinkDB's and NodeSource's apt repositories: the shared role runs once for each.
    assert.equal(tasks.filter((task) => task.startsWith('apt_source : Add the')).length, 2);
  });

  test('every task names its module by its fully qualified name', () => {
    const tasks = roleTasks();
    assert.ok(tasks.length > 20, `only ${tasks.length} tasks found`);
    for (const { file, task } of tasks) {
      const modules = Object.keys(task).filter((key) => !TASK_KEYWORDS.has(key));
      assert.equal(modules.length, 1, `${file}: task "${String(task.name)}" has keys ${modules.join(', ')}`);
      assert.match(modules[0]!, /^(ansible\.builtin|ansible\.posix|community\.general)\.\w+$/, `${file}: task "${String(task.name)}"`);
    }
  });

  ansibleTest('rethinkdb.conf of one machine: data in /data/rethinkdb, bind=all, direct-io, no join line', async () => {
    assert.deepEqual(settingLines(await render('rethinkdb', 'rethinkdb.conf.j2')), ['directory=/data/rethinkdb', 'bind=all', 'direct-io']);
  });

  ansibleTest('rethinkdb.conf of a three-machine cluster: one join=HOST:29015 line per server, and the cache size when set', async () => {
    const conf = await render('rethinkdb', 'rethinkdb.conf.j2', { rethinkdb_join: ['10.0.0.1', '10.0.0.2', 'node3.example'], rethinkdb_cache_size_mb: 2048 });
    assert.deepEqual(settingLines(conf), [
      'directory=/data/rethinkdb', 'bind=all', 'direct-io', 'cache-size=2048',
      'join=10.0.0.1:29015', 'join=10.0.0.2:29015', 'join=node3.example:29015',
    ]);
  });

  ansibleTest('rethinkdb.service serves the playbook\'s config file as user rethinkdb, only with the data volume mounted', async () => {
    const unit = await render('rethinkdb', 'rethinkdb.service.j2');
    assert.match(unit, /^ExecStart=\/usr\/bin\/rethinkdb serve --config-file \/etc\/rethinkdb\/bigchaindb\.conf$/m);
    assert.match(unit, /^User=rethinkdb$/m);
    assert.match(unit, /^RequiresMountsFor=\/data\/rethinkdb$/m);
    assert.match(unit, /^Restart=on-failure$/m);
  });

  ansibleTest('bigchaindb.service starts the installed CLI with the node\'s config file as user bigchaindb, restarts it on failure, has no keyring for a federation of one', async () => {
    const unit = await render('bigchaindb', 'bigchaindb.service.j2');
    assert.match(unit, /^ExecStart=\/usr\/bin\/node \/var\/lib\/bigchaindb\/app\/node_modules\/bigchaindb\/dist\/cli\/main\.js -c \/var\/lib\/bigchaindb\/\.bigchaindb start$/m);
    assert.match(unit, /^User=bigchaindb$/m);
    assert.match(unit, /^Restart=on-failure$/m);
    assert.match(unit, /^After=network-online\.target rethinkdb\.service$/m);
    assert.match(unit, /^WantedBy=multi-user\.target$/m);
    assert.doesNotMatch(unit, /KEYRING/);
  });

  ansibleTest('bigchaindb.service of a git install runs the checkout\'s build, and a federation\'s keyring goes in BIGCHAINDB_KEYRING', async () => {
    const unit = await render('bigchaindb', 'bigchaindb.service.j2', { bigchaindb_source: 'git', bigchaindb_keyring: ['KeyOne', 'KeyTwo', 'KeyThree'] });
    assert.match(unit, /^ExecStart=\/usr\/bin\/node \/var\/lib\/bigchaindb\/src\/dist\/cli\/main\.js -c /m);
    assert.match(unit, /^Environment=BIGCHAINDB_KEYRING=KeyOne:KeyTwo:KeyThree$/m);
  });

  ansibleTest('the configure and init tasks, run by Ansible with this checkout\'s CLI: the first run writes the config and creates the database, the second changes nothing', async () => {
    const database = await uniqueDatabaseSettings();
    const dir = tempDir('bdb-ntools-node-');
    const configPath = join(dir, '.bigchaindb');
    const playbook = join(dir, 'configure.yml');
    // JSON is YAML: the play loads the role's defaults, then runs its configure tasks
    // without privilege escalation (become_user is ignored without become).
    writeFileSync(playbook, JSON.stringify([{
      hosts: 'localhost',
      connection: 'local',
      gather_facts: false,
      become: false,
      vars_files: [join(ROLES_DIR, 'bigchaindb', 'defaults', 'main.yml')],
      tasks: [{ 'ansible.builtin.import_tasks': join(ROLES_DIR, 'bigchaindb', 'tasks', 'configure.yml') }],
    }]));
    const overrides = JSON.stringify({
      bigchaindb_node_bin: process.execPath,
      bigchaindb_cli: CLI,
      bigchaindb_config_path: configPath,
      bigchaindb_database_host: database.host,
      bigchaindb_database_port: database.port,
      bigchaindb_database_name: database.name,
    });
    const play = async (): Promise<Map<string, PlayedTask>> => {
      const run = await ansible('ansible-playbook', ['-i', 'localhost,', '-e', overrides, playbook], { ANSIBLE_STDOUT_CALLBACK: 'ansible.posix.json' });
      assertSucceeded(run);
      return playedTasks(run.stdout);
    };
    try {
      const first = await play();
      assert.equal(first.get('Write the config file with a new keypair')?.changed, true);
      assert.equal(first.get('Create the database, its tables and the genesis block')?.changed, true);
      const config = JSON.parse(readFileSync(configPath, 'utf8')) as { keypair: { public: string }; server: { bind: string }; api_endpoint: string; database: unknown };
      assert.equal(statSync(configPath).mode & 0o777, 0o600);
      assert.equal(config.server.bind, '0.0.0.0:9984');
      // The role's default: the inventory's address of the host (here "localhost").
      assert.equal(config.api_endpoint, 'http://localhost:9984/api/v1');
      assert.deepEqual(config.database, database);
      assert.equal(first.get('Read the node\'s public key')?.stdout, config.keypair.public);

      const second = await play();
      assert.deepEqual([...second].filter(([, task]) => task.changed).map(([name]) => name), []);
      assert.match(second.get('Create the database, its tables and the genesis block')?.stderr ?? '', /already exists/);
      assert.equal(JSON.parse(readFileSync(configPath, 'utf8')).keypair.public, config.keypair.public, 'the keypair was replaced');
    } finally {
      const db = await Database.connect(database);
      if (await databaseExists(db)) await dropDatabase(db);
      await db.close();
    }
  });
});

interface PlayedTask {
  readonly changed: boolean;
  readonly stdout?: string;
  readonly stderr?: string;
}

/** Task name → localhost's result, from the output of Ansible's JSON callback. */
function playedTasks(jsonOutput: string): Map<string, PlayedTask> {
  const report = JSON.parse(jsonOutput) as { plays: { tasks: { task: { name: string }; hosts: { localhost: PlayedTask } }[] }[] };
  return new Map(report.plays.flatMap((play) => play.tasks.map(({ task, hosts }) => [task.name, hosts.localhost] as const)));
}

// ---------------------------------------------------------------- Terraform

type Block = Record<string, unknown>;

/** The JSON form of one .tf file, as hcl2json gives it (blocks are lists of bodies). */
interface HclFile {
  terraform?: Block[];
  provider?: Record<string, Block[]>;
  variable?: Record<string, Block[]>;
  resource?: Record<string, Record<string, Block[]>>;
  data?: Record<string, Record<string, Block[]>>;
  locals?: Block[];
  output?: Record<string, Block[]>;
}

// Loaded with require, not import: the package's typings pull in the DOM library
// (/// <reference lib="dom" />), whose fetch types break the other test files.
const { parse: parseHcl } = require('@cdktf/hcl2json') as { parse(filename: string, contents: string): Promise<HclFile> };

let parsed: Promise<Map<string, HclFile>> | null = null;

/** Every .tf file of ntools/one-m/aws, parsed once; a syntax error rejects. */
function terraform(): Promise<Map<string, HclFile>> {
  parsed ??= Promise.all(readdirSync(AWS_DIR).filter((name) => name.endsWith('.tf')).sort().map(
    async (name) => [name, await parseHcl(name, readFileSync(join(AWS_DIR, name), 'utf8'))] as const,
  )).then((files) => new Map(files));
  return parsed;
}

/** The bodies of every resource (or data source, with `kind`) of `type`, by name, across the files. */
async function blocksOf(type: string, kind: 'resource' | 'data' = 'resource'): Promise<Map<string, Block>> {
  const found = new Map<string, Block>();
  for (const file of (await terraform()).values()) {
    for (const [name, [body]] of Object.entries(file[kind]?.[type] ?? {})) found.set(name, body!);
  }
  return found;
}

async function onlyBlock(type: string, kind: 'resource' | 'data' = 'resource'): Promise<Block> {
  const blocks = await blocksOf(type, kind);
  assert.equal(blocks.size, 1, `expected one ${type}, found ${[...blocks.keys()].join(', ') || 'none'}`);
  return [...blocks.values()][0]!;
}

/** The variables declared in variables.tf. */
async function variables(): Promise<Record<string, Block[]>> {
  return (await terraform()).get('variables.tf')?.variable ?? {};
}

/** Every local value, from whichever file defines it. */
async function locals(): Promise<Block> {
  return Object.assign({}, ...[...(await terraform()).values()].flatMap((file) => file.locals ?? []));
}

interface FirewallRule {
  readonly port: number;
  readonly protocol: string;
  readonly cidr_blocks: string | string[];
  readonly description: string;
}

/** What AWS accepts in a security group rule's description. */
const RULE_DESCRIPTION = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/;

/**
 * "port/protocol sources" of each rule of the firewall table for `direction`
 * (sources: the variable's name, or the literal blocks), after checking that
 * the rule resource of that direction applies exactly that table, one rule
 * per CIDR block. Terraform's flattening of the table into local.firewall is
 * not evaluated here: that needs terraform itself.
 */
async function firewallRules(direction: 'ingress' | 'egress'): Promise<string[]> {
  const resource = await onlyBlock(`aws_vpc_security_group_${direction}_rule`);
  assert.deepEqual(resource, {
    for_each: `\${local.firewall.${direction}}`,
    security_group_id: '${aws_security_group.node.id}',
    description: '${each.value.description}',
    cidr_ipv4: '${each.value.cidr}',
    ip_protocol: '${each.value.protocol}',
    from_port: '${each.value.port}',
    to_port: '${each.value.port}',
  });
  const table = ((await locals()).firewall_rules as Record<string, Record<string, FirewallRule>>)[direction] ?? {};
  return Object.values(table).map(({ port, protocol, cidr_blocks: cidrs, description }) => {
    assert.match(description, RULE_DESCRIPTION);
    return `${port}/${protocol} ${typeof cidrs === 'string' ? cidrs.replace(/^\$\{var\.(\w+)\}$/, '$1') : cidrs.join(',')}`;
  }).sort();
}

/** The regex("...") pattern in the validation condition of variable `name`. */
async function validationPattern(name: string): Promise<RegExp> {
  const [{ validation: [{ condition = '' } = {}] = [] } = {}] = ((await variables())[name] ?? []) as { validation?: { condition?: string }[] }[];
  const pattern = /regex\("((?:[^"\\]|\\.)*)"/.exec(condition)?.[1];
  assert.ok(pattern, `no regex() in the validation of ${name}: ${condition}`);
  return new RegExp(pattern);
}

/** AWS region names, commercial, GovCloud and China. */
const AWS_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-northeast-1',
  'ap-northeast-2', 'ap-northeast-3', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-west-1',
  'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1', 'me-central-1',
  'mx-central-1', 'sa-east-1', 'us-gov-east-1', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1',
];

describe('ntools/one-m/aws: the Terraform files', () => {
  test('the five files of 0.8.2 (providers, variables, resources, outputs, amis) parse as HCL2', async () => {
    assert.deepEqual([...(await terraform()).keys()], ['amis.tf', 'outputs.tf', 'providers.tf', 'resources.tf', 'variables.tf']);
  });

  test('the aws provider comes from hashicorp/aws ~> 5.0 under required_providers, in the chosen region', async () => {
    const providers = (await terraform()).get('providers.tf')!;
    const [{ required_providers: [required] = [] } = {}] = providers.terraform as { required_providers?: Record<string, unknown>[] }[];
    assert.deepEqual(required?.aws, { source: 'hashicorp/aws', version: '~> 5.0' });
    assert.equal(providers.provider?.aws?.[0]?.region, '${var.aws_region}');
  });

  test('the security group lets in only 22 and 8080 from the administrators, 9984 from clients, 29015 from the cluster, and lets out only 53, 80, 123, 443, 8125 and 29015 (manual 13.10), each rule described in characters AWS accepts', async () => {
    assert.deepEqual(await firewallRules('ingress'), [
      '22/tcp admin_cidr_blocks',
      '29015/tcp cluster_cidr_blocks',
      '8080/tcp admin_cidr_blocks',
      '9984/tcp api_cidr_blocks',
    ]);
    assert.deepEqual(await firewallRules('egress'), [
      '123/udp 0.0.0.0/0',
      '29015/tcp cluster_cidr_blocks',
      '443/tcp 0.0.0.0/0',
      '53/udp 0.0.0.0/0',
      '80/tcp 0.0.0.0/0',
      '8125/udp monitoring_cidr_blocks',
    ]);
    const group = await onlyBlock('aws_security_group');
    assert.equal(group.ingress, undefined, 'inline rules would fight the rule resources');
    assert.equal(group.egress, undefined, 'inline rules would fight the rule resources');
    assert.equal((await blocksOf('aws_security_group_rule')).size, 0);
    assert.equal((await variables()).admin_cidr_blocks?.[0]?.default, undefined, 'the administrators\' networks must be asked for');
  });

  test('the instance is Ubuntu in the security group, with the SSH key, and an elastic IP is associated with it', async () => {
    const instance = await onlyBlock('aws_instance');
    assert.equal(instance.ami, '${local.ami_id}');
    assert.equal(instance.key_name, '${var.ssh_key_name}');
    assert.deepEqual(instance.vpc_security_group_ids, ['${aws_security_group.node.id}']);
    assert.equal((instance.tags as Block).Name, 'BigchainDB_node');
    const eip = await onlyBlock('aws_eip');
    assert.equal(eip.instance, '${aws_instance.node.id}');
    assert.equal(eip.domain, 'vpc');
  });

  test('the RethinkDB data volume is an EBS volume of data_volume_size in the instance\'s availability zone, attached to the instance', async () => {
    const volume = await onlyBlock('aws_ebs_volume');
    assert.equal(volume.availability_zone, '${aws_instance.node.availability_zone}');
    assert.equal(volume.size, '${var.data_volume_size}');
    const attachment = await onlyBlock('aws_volume_attachment');
    assert.equal(attachment.volume_id, '${aws_ebs_volume.data.id}');
    assert.equal(attachment.instance_id, '${aws_instance.node.id}');
    const instance = await onlyBlock('aws_instance');
    assert.deepEqual(instance.root_block_device, [{ volume_size: '${var.root_volume_size}', volume_type: 'gp3', encrypted: true }]);
  });

  test('every var.X used is declared in variables.tf, every declared variable is used, and none is declared elsewhere', async () => {
    const files = await terraform();
    const used = new Set([...JSON.stringify([...files.values()]).matchAll(/\bvar\.([A-Za-z_][\w-]*)/g)].map(([, name]) => name));
    assert.deepEqual([...used].sort(), Object.keys(await variables()).sort());
    for (const [name, file] of files) if (name !== 'variables.tf') assert.equal(file.variable, undefined, `${name} declares variables`);
    for (const name of ['aws_region', 'instance_type', 'ssh_key_name', 'root_volume_size', 'data_volume_size']) assert.ok(used.has(name), name);
  });

  test('the AMI is Canonical\'s Ubuntu unless pinned_amis names one; region names are checked by a pattern that takes every AWS region and refuses availability zones', async () => {
    const amis = (await terraform()).get('amis.tf')!;
    assert.equal(amis.locals?.[0]?.ami_id, '${lookup(var.pinned_amis, var.aws_region, data.aws_ami.ubuntu.id)}');
    const ubuntu = await onlyBlock('aws_ami', 'data');
    assert.deepEqual(ubuntu.owners, ['099720109477']);
    assert.equal(ubuntu.most_recent, true);
    const region = await validationPattern('aws_region');
    assert.equal(region.source, (await validationPattern('pinned_amis')).source, 'both validations must take the same region names');
    for (const name of AWS_REGIONS) assert.match(name, region);
    for (const name of ['eu-central-1a', 'EU-CENTRAL-1', 'eu-central', 'frankfurt', 'us-east-1 ']) assert.doesNotMatch(name, region);
    const declared = await variables();
    assert.match(String(declared.aws_region?.[0]?.default), region);
    for (const name of Object.keys(declared.pinned_amis?.[0]?.default ?? {})) assert.ok(AWS_REGIONS.includes(name), `${name} is no AWS region`);
  });
});
