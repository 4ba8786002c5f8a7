/**
 * deploy-cluster-aws against EC2 and the nodes, without either: the EC2
 * client is the AWS SDK's own, its `send` replaced by aws-sdk-client-mock;
 * the nodes are a recording connector that answers every command with exit
 * code 0 (the SSH runner itself is tested against a real sshd in
 * deploy-cluster-aws-ssh.test.ts). The dry-run CLI runs as a real process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import {
  AllocateAddressCommand, AssociateAddressCommand, CreateTagsCommand, DescribeAddressesCommand, DescribeInstancesCommand, DisassociateAddressCommand,
  EC2Client, ReleaseAddressCommand, RunInstancesCommand, TerminateInstancesCommand,
  type Address, type DescribeInstancesCommandInput, type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { defaultConfig } from '../config/config';
import { confilePath, readConfiles } from '../deploy-cluster-aws/confiles';
import { awsdeploy, type DeployOptions } from '../deploy-cluster-aws/deploy';
import { dryRunEc2, sdkEc2, type Ec2 } from '../deploy-cluster-aws/ec2';
import { releaseElasticIps } from '../deploy-cluster-aws/eips';
import { DeployError, DeployFileError, RemoteTaskError } from '../deploy-cluster-aws/errors';
import { readHostlist, writeHostlist } from '../deploy-cluster-aws/hostlist';
import { launchInstances, runInstancesInput, terminateCluster } from '../deploy-cluster-aws/instances';
import { writeKeypairsFile } from '../deploy-cluster-aws/keypairs-file';
import { deployMonitor } from '../deploy-cluster-aws/monitor';
import { checkPackageSource, preparePackage } from '../deploy-cluster-aws/package-source';
import type { Step } from '../deploy-cluster-aws/runner';
import { dryRunConnector, type Connector } from '../deploy-cluster-aws/ssh';
import { clientTasks, monitorTasks, serverTasks } from '../deploy-cluster-aws/tasks';
import { generateKeypair } from '../models/keys';
import { isolatedEnv, tempDir } from './helpers/cli';
import { deployFolder, exampleWith, type DeployFolder } from './helpers/deploy';

const REPO_ROOT = join(__dirname, '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'deploy-cluster-aws', 'cli.js');
const TAG = 'BDB-servers-test';

// ---------------------------------------------------------------- a pretend EC2

const ec2Mock = mockClient(EC2Client);
const client = new EC2Client({ region: 'eu-central-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' } });
const ec2: Ec2 = sdkEc2(client, 60);

/** The public DNS name EC2 gives an instance whose elastic IP is 52.28.0.n. */
const dnsName = (n: number) => `ec2-52-28-0-${n}.eu-central-1.compute.amazonaws.com`;

/**
 * An EC2 that launches instances i-0…, returned in reverse launch order (as
 * EC2 may), all running at once, and hands out addresses 52.28.0.1, 2, …
 * `tagged` are instances already carrying a cluster tag.
 */
function pretendEc2(tagged: string[] = []): void {
  ec2Mock.reset();
  let allocated = 0;
  ec2Mock.on(RunInstancesCommand).callsFake((input: RunInstancesCommandInput) => ({
    Instances: Array.from({ length: input.MaxCount ?? 1 }, (_, at) => ({ InstanceId: `i-${at}`, AmiLaunchIndex: at })).reverse(),
  }));
  ec2Mock.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => ({
    Reservations: input.InstanceIds
      ? [{ Instances: input.InstanceIds.map((id) => ({ InstanceId: id, State: { Name: 'running' }, PublicDnsName: dnsName(Number(id.slice(2)) + 1) })) }]
      : tagged.length === 0 ? [] : [{ Instances: tagged.map((id) => ({ InstanceId: id })) }],
  }));
  ec2Mock.on(CreateTagsCommand).resolves({});
  ec2Mock.on(AllocateAddressCommand).callsFake(() => {
    allocated += 1;
    return { AllocationId: `eipalloc-${allocated}`, PublicIp: `52.28.0.${allocated}`, Domain: 'vpc' };
  });
  ec2Mock.on(AssociateAddressCommand).callsFake((input: { AllocationId: string }) => ({ AssociationId: `eipassoc-${input.AllocationId}` }));
}

/** The inputs the client was sent with commands of class `command`, in order. */
function inputsOf<C extends { readonly input: object }>(command: new (...args: never[]) => C): C['input'][] {
  return ec2Mock.calls().map((call) => call.args[0] as unknown).filter((sent): sent is C => sent instanceof command).map((sent) => sent.input);
}

// ---------------------------------------------------------------- pretend nodes

interface Recorded {
  readonly host: string;
  readonly step: Step['kind'];
  /** The command, or the remote path of an upload. */
  readonly what: string;
  /** What an upload wrote: the text, or the listing of an uploaded tarball. */
  readonly content?: string;
  readonly mode?: number;
}

/** Sessions that record every step and succeed, except commands matching `failing` on host `failHost`. */
function recordingConnector(record: Recorded[], failing?: { host: string; command: RegExp }): Connector {
  return async (host) => ({
    host,
    run: async (command, onOutput) => {
      record.push({ host: host.name, step: 'run', what: command });
      const fails = failing !== undefined && failing.host === host.name && failing.command.test(command);
      if (fails) onOutput('err', 'E: Unable to locate package\n');
      return { code: fails ? 100 : 0, signal: null };
    },
    upload: async (source, remotePath, mode) => {
      const content = source.kind === 'text' ? source.text : spawnSync('tar', ['tzf', source.path], { encoding: 'utf8' }).stdout || readFileSync(source.path, 'utf8');
      record.push({ host: host.name, step: 'put', what: remotePath, content, mode });
    },
    close: () => undefined,
  });
}

function deployOptions(folder: DeployFolder, extra: Partial<DeployOptions> = {}): DeployOptions {
  return { config: folder.config, paths: folder.paths, tag: TAG, sshUser: 'ubuntu', dryRun: false, ...extra };
}

/** Runs awsdeploy on the pretend EC2 and nodes; returns what the nodes saw and what was printed. */
async function deployRecorded(folder: DeployFolder, extra: Partial<DeployOptions> = {}, failing?: { host: string; command: RegExp }) {
  const record: Recorded[] = [];
  const printed: string[] = [];
  const result = awsdeploy(deployOptions(folder, extra), { ec2, connect: recordingConnector(record, failing), print: (l) => printed.push(l), repoRoot: REPO_ROOT });
  return { result, record, printed };
}

const HOSTS = [1, 2, 3].map(dnsName);

beforeEach(() => pretendEc2());

// ---------------------------------------------------------------- EC2 calls

describe('EC2 calls (aws-sdk-client-mock)', () => {
  test('RunInstances asks for NUM_NODES instances of IMAGE_ID and INSTANCE_TYPE with the key pair, the security group, an EBS gp2 volume at /dev/sdp and EBS optimization', async () => {
    const config = deployFolder('NUM_NODES=4', 'EBS_VOLUME_SIZE=50', 'EBS_OPTIMIZED=True').config;
    await launchInstances(ec2, config, TAG);
    const clusterTag = [{ Key: 'bigchaindb-cluster', Value: TAG }];
    assert.deepEqual(inputsOf(RunInstancesCommand), [{
      ImageId: 'ami-8504fdea',
      InstanceType: 't2.medium',
      MinCount: 4,
      MaxCount: 4,
      KeyName: 'bigchaindb',
      SecurityGroups: ['bigchaindb'],
      BlockDeviceMappings: [{ DeviceName: '/dev/sdp', Ebs: { VolumeSize: 50, VolumeType: 'gp2', DeleteOnTermination: true } }],
      EbsOptimized: true,
      TagSpecifications: [{ ResourceType: 'instance', Tags: clusterTag }, { ResourceType: 'volume', Tags: clusterTag }],
    }]);
  });

  test('USING_EBS=False asks for no volume and no EBS optimization; a security group given by sg- id goes to SecurityGroupIds', () => {
    const config = deployFolder('USING_EBS=False', 'EBS_OPTIMIZED=True', 'SECURITY_GROUP="sg-0123abcd"', 'INSTANCE_TYPE="m3.2xlarge"').config;
    const input = runInstancesInput(config, TAG);
    assert.equal(input.BlockDeviceMappings, undefined);
    assert.equal(input.EbsOptimized, undefined);
    assert.deepEqual(input.SecurityGroupIds, ['sg-0123abcd']);
    assert.equal(input.SecurityGroups, undefined);
    assert.equal(input.InstanceType, 'm3.2xlarge');
  });

  test('each instance is named <tag>-node-<i> in launch order, and the launch waits until all run', async () => {
    const ids = await launchInstances(ec2, deployFolder().config, TAG);
    assert.deepEqual(ids, ['i-0', 'i-1', 'i-2']);
    assert.deepEqual(inputsOf(CreateTagsCommand), ids.map((id, i) => ({ Resources: [id], Tags: [{ Key: 'Name', Value: `${TAG}-node-${i}` }] })));
    assert.ok(inputsOf(DescribeInstancesCommand).some((input) => JSON.stringify(input.InstanceIds) === JSON.stringify(ids)), 'the waiter asked about the instances');
  });

  test('a tag already carried by running instances stops the deployment before RunInstances', async () => {
    pretendEc2(['i-old']);
    const { result } = await deployRecorded(deployFolder());
    await assert.rejects(result, (err: unknown) => err instanceof DeployError && /1 instances already carry the tag bigchaindb-cluster=BDB-servers-test \(i-old\)/.test(err.message));
    assert.equal(inputsOf(RunInstancesCommand).length, 0);
  });

  test('every instance gets its own elastic IP: AllocateAddress tagged with the cluster, then AssociateAddress of that allocation', async () => {
    const { result } = await deployRecorded(deployFolder());
    await result;
    assert.deepEqual(inputsOf(AllocateAddressCommand), [0, 1, 2].map((i) => ({
      Domain: 'vpc',
      TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: 'bigchaindb-cluster', Value: TAG }, { Key: 'Name', Value: `${TAG}-node-${i}` }] }],
    })));
    assert.deepEqual(inputsOf(AssociateAddressCommand), [0, 1, 2].map((i) => ({ InstanceId: `i-${i}`, AllocationId: `eipalloc-${i + 1}` })));
  });

  test('release_eips --tag disassociates the associated addresses and releases every address of the cluster once', async () => {
    const associated: Address = { AllocationId: 'eipalloc-1', PublicIp: '52.28.0.1', AssociationId: 'eipassoc-1', InstanceId: 'i-0' };
    const orphan: Address = { AllocationId: 'eipalloc-2', PublicIp: '52.28.0.2' };
    pretendEc2(['i-0']);
    ec2Mock.on(DescribeAddressesCommand, { Filters: [{ Name: 'tag:bigchaindb-cluster', Values: [TAG] }] }).resolves({ Addresses: [associated, orphan] });
    ec2Mock.on(DescribeAddressesCommand, { Filters: [{ Name: 'instance-id', Values: ['i-0'] }] }).resolves({ Addresses: [associated] });
    const printed: string[] = [];
    const released = await releaseElasticIps(ec2, { tag: TAG }, (l) => printed.push(l));
    assert.deepEqual(released.map((a) => a.AllocationId), ['eipalloc-1', 'eipalloc-2']);
    assert.deepEqual(inputsOf(DisassociateAddressCommand), [{ AssociationId: 'eipassoc-1' }]);
    assert.deepEqual(inputsOf(ReleaseAddressCommand), [{ AllocationId: 'eipalloc-1' }, { AllocationId: 'eipalloc-2' }]);
    assert.deepEqual(printed, [`You have 2 allocated elastic IPs of the cluster ${TAG}`, '0: Releasing 52.28.0.1 (eipalloc-1)', '1: Releasing 52.28.0.2 (eipalloc-2)']);
  });

  test('release_eips without a tag releases only the addresses no instance uses, as the original did', async () => {
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [
      { AllocationId: 'eipalloc-used', PublicIp: '52.28.0.1', AssociationId: 'eipassoc-1', InstanceId: 'i-9' },
      { AllocationId: 'eipalloc-free', PublicIp: '52.28.0.2' },
    ] });
    await releaseElasticIps(ec2, { unassociated: true }, () => undefined);
    assert.deepEqual(inputsOf(DisassociateAddressCommand), []);
    assert.deepEqual(inputsOf(ReleaseAddressCommand), [{ AllocationId: 'eipalloc-free' }]);
  });

  test('terminate --tag terminates the instances carrying the cluster tag', async () => {
    pretendEc2(['i-0', 'i-1']);
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    assert.deepEqual(await terminateCluster(ec2, TAG), ['i-0', 'i-1']);
    assert.deepEqual(inputsOf(TerminateInstancesCommand), [{ InstanceIds: ['i-0', 'i-1'] }]);
  });
});

// ---------------------------------------------------------------- awsdeploy

/** The task steps each host saw, as "run: …" / "put: …". */
const stepsOn = (record: readonly Recorded[], host: string) => record.filter((r) => r.host === host).map((r) => `${r.step}: ${r.what}`);

describe('awsdeploy (EC2 mocked, nodes recorded)', () => {
  test('servers: writes the host list and the cluster config files, then runs the tasks in order on every host', async () => {
    const folder = deployFolder();
    const defaults = readConfiles(folder.paths.confiles, 3);
    const { result, record, printed } = await deployRecorded(folder, { monitorHost: 'monitor.example.org' });
    assert.deepEqual(await result, { tag: TAG, instanceIds: ['i-0', 'i-1', 'i-2'], hosts: HOSTS });
    assert.equal(readFileSync(folder.paths.hostlist, 'utf8'), HOSTS.join('\n') + '\n');
    const configs = readConfiles(folder.paths.confiles, 3);
    assert.deepEqual(configs.map((c) => c.keypair), defaults.map((c) => c.keypair));
    assert.deepEqual(configs.map((c) => c.api_endpoint), HOSTS.map((h) => `http://${h}:9984/api/v1`));
    assert.ok(configs.every((c) => c.keyring.length === 2 && c.statsd.host === 'monitor.example.org'));
    const order = ['apt-get -y update', 'mkfs -t ext4', 'apt-get -y install rethinkdb', 'instances.d/instance1.conf', 'rethinkdb restart',
      'npm install -g ./pkg.tgz', 'bigchaindb show-config', 'nohup bigchaindb start'];
    for (const host of HOSTS) {
      const steps = stepsOn(record, host);
      const at = order.map((text) => steps.findIndex((s) => s.includes(text)));
      assert.ok(at.every((index, i) => index >= 0 && (i === 0 || index > at[i - 1]!)), `${host} ran ${order.join(' < ')}:\n${steps.join('\n')}`);
    }
    assert.ok(printed.includes(`Deployed 3 servers tagged bigchaindb-cluster=${TAG}:`));
  });

  test('each host gets its own config file as ~/.bigchaindb (mode 0600) and a RethinkDB config joining every host', async () => {
    const folder = deployFolder();
    const { result, record } = await deployRecorded(folder);
    await result;
    HOSTS.forEach((host, index) => {
      const confile = record.find((r) => r.host === host && r.what === '.bigchaindb')!;
      assert.equal(confile.mode, 0o600);
      assert.equal(confile.content, readFileSync(confilePath(folder.paths.confiles, index), 'utf8'));
      const rethinkdb = record.find((r) => r.host === host && r.what === 'rethinkdb-instance1.conf')!;
      assert.deepEqual(rethinkdb.content!.split('\n').filter((l) => l.startsWith('join=')), HOSTS.map((h) => `join=${h}:29015`));
      assert.match(rethinkdb.content!, /^bind-http=127\.0\.0\.1$/m);
    });
  });

  test('bigchaindb init, set-shards N and set-replicas run once, on the first host, after every node has its config', async () => {
    const folder = deployFolder('NUM_NODES=5');
    const { result, record } = await deployRecorded(folder, { replicas: 2 });
    await result;
    for (const command of ['bigchaindb init', 'bigchaindb set-shards 5', 'bigchaindb set-replicas 2']) {
      assert.deepEqual(record.filter((r) => r.what === command).map((r) => r.host), [dnsName(1)], command);
    }
    const lastConfile = Math.max(...record.map((r, i) => (r.what === '.bigchaindb' ? i : -1)));
    assert.ok(record.findIndex((r) => r.what === 'bigchaindb init') > lastConfile);
  });

  test('the replication factor defaults to min(3, NUM_NODES)', async () => {
    const { result, record } = await deployRecorded(deployFolder('NUM_NODES=2'));
    await result;
    assert.ok(record.some((r) => r.what === 'bigchaindb set-replicas 2'));
  });

  test('USE_KEYPAIRS_FILE=True gives the nodes the first keypairs of the keypairs file, in order', async () => {
    const folder = deployFolder('USE_KEYPAIRS_FILE=True');
    const keypairs = writeKeypairsFile(folder.paths.keypairs, 4);
    const { result } = await deployRecorded(folder);
    await result;
    assert.deepEqual(readConfiles(folder.paths.confiles, 3).map((c) => c.keypair.public), keypairs.slice(0, 3).map((k) => k.publicKey));
  });

  test('a command failing on one host stops the deployment naming that host and the command; no later task runs', async () => {
    const { result, record } = await deployRecorded(deployFolder(), {}, { host: dnsName(2), command: /install rethinkdb/ });
    await assert.rejects(result, (err: unknown) => err instanceof RemoteTaskError && err.task === 'install_rethinkdb'
      && err.failures.length === 1 && err.failures[0]!.host === dnsName(2) && /apt-get -y install rethinkdb` exited with code 100/.test(err.failures[0]!.reason));
    assert.ok(record.some((r) => r.host === dnsName(1) && r.what.includes('install rethinkdb')), 'the other hosts finished the task');
    assert.ok(!record.some((r) => r.what.includes('instances.d')), 'the next task did not start');
  });

  const LOCAL_PROBLEMS: [what: string, setup: () => DeployFolder, options: Partial<DeployOptions>, says: RegExp][] = [
    ['a config file missing', () => {
      const folder = deployFolder('NUM_NODES=4');
      rmSync(confilePath(folder.paths.confiles, 3));
      return folder;
    }, {}, /holds 3 config files/],
    ['too few keypairs', () => {
      const folder = deployFolder('USE_KEYPAIRS_FILE=True');
      writeKeypairsFile(folder.paths.keypairs, 2);
      return folder;
    }, {}, /holds 2 keypairs but 3 nodes/],
    ['no keypairs file', () => deployFolder('USE_KEYPAIRS_FILE=True'), {}, /keypairs file .*keypairs\.json/],
    ['a missing tarball', () => deployFolder('BRANCH="absent.tgz"'), {}, /absent\.tgz, which does not exist/],
    ['more replicas than nodes', () => deployFolder(), { replicas: 4 }, /--replicas must be a whole number from 1 to NUM_NODES \(3\)/],
    ['clients without a servers host list', () => deployFolder('WHAT_TO_DEPLOY="clients"'), {}, /host list .*hostlist_servers/],
  ];
  for (const [what, setup, options, says] of LOCAL_PROBLEMS) {
    test(`${what} stops awsdeploy before any AWS call`, async () => {
      const { result } = await deployRecorded(setup(), options);
      await assert.rejects(result, (err: unknown) => err instanceof DeployError && says.test(err.message));
      assert.equal(ec2Mock.calls().length, 0);
    });
  }

  test('clients: each client config points at a server of the servers host list, and bigchaindb load starts', async () => {
    const servers = deployFolder();
    await (await deployRecorded(servers)).result;
    const serverKeys = readConfiles(servers.paths.confiles, 3).map((c) => c.keypair.public);
    pretendEc2();
    writeFileSync(servers.confPath, exampleWith('BRANCH="pkg.tgz"', 'WHAT_TO_DEPLOY="clients"', 'NUM_NODES=2'));
    const clients: DeployFolder = { ...servers, config: { ...servers.config, WHAT_TO_DEPLOY: 'clients', NUM_NODES: 2 }, paths: { ...servers.paths, hostlist: join(servers.dir, 'hostlist_clients') } };
    const { result, record } = await deployRecorded(clients, { tag: 'BDB-clients-test' });
    const { hosts } = await result;
    assert.deepEqual(hosts, [dnsName(1), dnsName(2)]);
    hosts.forEach((host, index) => {
      const confile = JSON.parse(record.find((r) => r.host === host && r.what === '.bigchaindb')!.content!);
      assert.equal(confile.database.host, HOSTS[index]);
      assert.deepEqual(confile.keyring, serverKeys);
      assert.ok(stepsOn(record, host).some((s) => s.includes('nohup bigchaindb load')));
      assert.ok(!stepsOn(record, host).some((s) => s.includes('rethinkdb')), 'clients run no database');
    });
    assert.ok(existsSync(join(servers.dir, 'hostlist_clients')));
  });
});

// ---------------------------------------------------------------- dry run

describe('--dry-run', () => {
  test('prints every EC2 call with the input a real run sends and every remote step per host, making no call', async () => {
    const folder = deployFolder();
    const real = await deployRecorded(folder);
    await real.result;
    const realCalls = ec2Mock.calls().map((call) => {
      const command = call.args[0] as unknown as { constructor: { name: string }; input: unknown };
      return { operation: command.constructor.name.replace(/Command$/, ''), input: command.input };
    });
    pretendEc2();
    const printed: string[] = [];
    const dry = deployFolder();
    const print = (line: string) => printed.push(line);
    await awsdeploy(deployOptions(dry, { dryRun: true }), { ec2: dryRunEc2(print), connect: dryRunConnector, print, repoRoot: REPO_ROOT });
    assert.equal(ec2Mock.calls().length, 0, 'no call reached the EC2 client');
    const dryCalls = printed.filter((l) => l.startsWith('[dry-run] ec2 ')).map((l) => {
      const [, operation, input] = /^\[dry-run\] ec2 (\w+) (.*)$/.exec(l)!;
      return { operation: operation!, input: JSON.parse(input!) as unknown };
    });
    const withoutIds = (calls: { operation: string; input: unknown }[], operation: string) => calls.filter((c) => c.operation === operation).map((c) => c.input);
    for (const operation of ['RunInstances', 'AllocateAddress']) assert.deepEqual(withoutIds(dryCalls, operation), withoutIds(realCalls, operation), operation);
    for (const operation of ['DescribeInstances', 'CreateTags', 'AssociateAddress']) {
      assert.equal(withoutIds(dryCalls, operation).length, withoutIds(realCalls, operation).length - (operation === 'DescribeInstances' ? 1 : 0), operation);
    }
    assert.ok(printed.some((l) => l.startsWith('[dry-run] ec2 waitUntilInstanceRunning ')));
    for (const index of [0, 1, 2]) {
      const host = `i-dryrun${index}.dry-run.invalid`;
      assert.ok(printed.includes(`[${host}] run: sudo DEBIAN_FRONTEND=noninteractive apt-get -y install rethinkdb`), host);
      assert.ok(printed.includes(`[${host}] put: bcdb_conf${index} -> .bigchaindb (mode 600)`), host);
    }
    assert.ok(!existsSync(dry.paths.hostlist), 'no host list written');
    assert.deepEqual(readConfiles(dry.paths.confiles, 3).map((c) => c.keyring), [[], [], []], 'config files untouched');
  });

  test('the CLI: awsdeploy.sh --dry-run needs no AWS account and prints the calls; a bad config file is refused before any', () => {
    const folder = deployFolder();
    const home = tempDir('bdb-deploy-home-');
    // Any AWS call would go to a closed port and fail the run.
    const env = isolatedEnv(home, { AWS_REGION: 'eu-central-1', AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:9', AWS_EC2_METADATA_DISABLED: 'true' });
    const dry = spawnSync(process.execPath, [CLI, 'deploy', folder.confPath, '--dry-run', '--tag', TAG], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^\[dry-run\] ec2 RunInstances \{"ImageId":"ami-8504fdea",.*"MinCount":3,"MaxCount":3,"KeyName":"bigchaindb"/m);
    assert.match(dry.stdout, /^\[i-dryrun2\.dry-run\.invalid\] run: bigchaindb show-config$/m);
    writeFileSync(folder.confPath, exampleWith('NUM_NODES=0', 'USING_EBS=yes'));
    const bad = spawnSync(process.execPath, [CLI, 'deploy', folder.confPath], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^awsdeploy: DeployConfigError: .*my_deploy_conf\.env:\n {2}NUM_NODES \(line \d+\): .*\n {2}USING_EBS \(line \d+\): /m);
    assert.equal(bad.stdout, '');
  });
});

// ---------------------------------------------------------------- tasks and package

describe('tasks and package', () => {
  test('every remote command of the server, client and monitor tasks is valid shell (bash -n)', () => {
    const config = deployFolder().config;
    const keys = generateKeypair();
    const configs = [0, 1].map(() => ({ ...defaultConfig(), keypair: { public: keys.publicKey, private: keys.privateKey } }));
    const pkg = { kind: 'git' as const, localPath: '/tmp/bigchaindb-archive.tar.gz' };
    const tasks = [
      ...serverTasks({ config, hosts: ['a', 'b'], configs, pkg, replicas: 2 }),
      ...serverTasks({ config: { ...config, USING_EBS: false }, hosts: ['a', 'b'], configs, pkg: { kind: 'tarball', localPath: '/x/p.tgz' }, replicas: 2 }),
      ...clientTasks(pkg, configs),
      ...monitorTasks('/tmp/bigchaindb-monitor.tar.gz', 'docker-compose-monitor.yml'),
    ];
    for (const task of tasks) {
      for (const step of task.steps(1)) {
        if (step.kind !== 'run') continue;
        const check = spawnSync('bash', ['-n', '-c', step.command], { encoding: 'utf8' });
        assert.equal(check.status, 0, `${task.name}: ${step.command}\n${check.stderr}`);
      }
    }
  });

  test('BRANCH as a git branch: an unknown one is refused before launch, a real one is archived under bigchaindb/', (t) => {
    if (spawnSync('git', ['--version']).status !== 0) return t.skip('git is not installed');
    const repo = tempDir('bdb-deploy-git-');
    const git = (...args: string[]) => assert.equal(spawnSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args]).status, 0, args.join(' '));
    git('init', '-q', '-b', 'feature');
    writeFileSync(join(repo, 'package.json'), '{}\n');
    git('add', '.');
    git('commit', '-q', '-m', 'one');
    assert.throws(() => checkPackageSource({ kind: 'git', ref: 'master' }, repo), (err: unknown) => err instanceof DeployFileError && /BRANCH "master" is not a branch/.test(err.message));
    checkPackageSource({ kind: 'git', ref: 'feature' }, repo);
    const workDir = tempDir('bdb-deploy-work-');
    const pkg = preparePackage({ kind: 'git', ref: 'feature' }, repo, workDir, { dryRun: false, print: () => undefined });
    assert.deepEqual(pkg, { kind: 'git', localPath: join(workDir, 'bigchaindb-archive.tar.gz') });
    assert.deepEqual(spawnSync('tar', ['tzf', pkg.localPath], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean), ['bigchaindb/', 'bigchaindb/package.json']);
  });

  test('deploy-monitor uploads the compose file (with the files it names) and starts it with docker compose up -d', async () => {
    const dir = tempDir('bdb-deploy-monitor-');
    writeFileSync(join(dir, 'docker-compose-monitor.yml'), 'services: {}\n');
    writeFileSync(join(dir, 'telegraf.conf'), '# telegraf\n');
    const record: Recorded[] = [];
    const host = { name: 'monitor.example.org', address: 'monitor.example.org', port: 22, user: 'ubuntu' };
    await deployMonitor({ host, composeFile: join(dir, 'docker-compose-monitor.yml'), extraFiles: ['telegraf.conf'], dryRun: false },
      { connect: recordingConnector(record), print: () => undefined });
    const upload = record.find((r) => r.step === 'put')!;
    assert.deepEqual(upload.content!.split('\n').filter(Boolean), ['docker-compose-monitor.yml', 'telegraf.conf']);
    assert.ok(record.some((r) => r.what.includes('apt-get -y install docker.io docker-compose-v2')));
    assert.equal(record[record.length - 1]!.what, "cd bigchaindb-monitor && sudo docker compose -f 'docker-compose-monitor.yml' up -d");
    await assert.rejects(deployMonitor({ host, composeFile: join(dir, 'absent.yml'), extraFiles: [], dryRun: true }, { connect: recordingConnector([]), print: () => undefined }),
      DeployFileError);
  });
});

test('a host list keeps the hosts in node order, one per line; reading skips blank and # lines and refuses an empty list', () => {
  const path = join(tempDir('bdb-deploy-hosts-'), 'hostlist_servers');
  writeHostlist(path, HOSTS);
  assert.equal(readFileSync(path, 'utf8'), HOSTS.join('\n') + '\n');
  writeFileSync(path, `# servers\n${HOSTS[0]}\n\n${HOSTS[1]}\n`);
  assert.deepEqual(readHostlist(path), HOSTS.slice(0, 2));
  writeFileSync(path, '# nothing\n');
  assert.throws(() => readHostlist(path), (err: unknown) => err instanceof DeployFileError && /names no host/.test(err.message));
});
