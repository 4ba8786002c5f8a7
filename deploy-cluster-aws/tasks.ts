/**
 * The tasks of a deployment (the original's fabfile.py), in the order
 * serverTasks / clientTasks / monitorTasks list them. The commands are for
 * an Ubuntu 22.04 or 24.04 image with the `ubuntu` user's password-less sudo.
 */
import { basename } from 'node:path';
import type { Config } from '../config/config';
import { configJson } from '../config/write';
import type { DeployConfig } from './deploy-conf';
import type { PreparedPackage } from './package-source';
import { RETHINKDB_INSTANCE_CONF, rethinkdbInstanceConf } from './rethinkdb-conf';
import { put, run, type Step, type Task } from './runner';

const APT = 'sudo DEBIAN_FRONTEND=noninteractive apt-get -y';

/** `text` as one word for sh/bash. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A bash script run as one remote command, stopping at its first failing line. */
function bashScript(lines: readonly string[], sudo = false): string {
  return `${sudo ? 'sudo ' : ''}bash -euo pipefail -c ${shellQuote(lines.join('\n'))}`;
}

/** A task whose steps are the same on every host. */
function everywhere(name: string, steps: readonly Step[]): Task {
  return { name, steps: () => steps };
}

function onFirstHost(name: string, command: string): Task {
  return { name, firstHostOnly: true, steps: () => [run(command)] };
}

export function installBaseSoftware(): Task {
  return everywhere('install_base_software', [
    // Rebuilding the package lists from scratch avoids the half-written lists behind most "apt-get update" failures.
    run('sudo rm -rf /var/lib/apt/lists && sudo mkdir -p /var/lib/apt/lists/partial'),
    run(`${APT} update`),
    run('sudo dpkg --configure -a'),
    run(`${APT} -f install`),
    run(`${APT} install git curl ca-certificates gnupg build-essential`),
    // Node.js 20, the version the package is built and tested with; Ubuntu's own is older.
    run('curl -fsSL https://deb.nodesource.com/setup_20.x -o nodesource_setup.sh && sudo -E bash nodesource_setup.sh'),
    run(`${APT} install nodejs`),
    run('node --version && npm --version'),
  ]);
}

/**
 * Prints the first whole disk with neither partitions nor mounts whose model
 * matches $1: on Nitro instances EBS volumes and instance stores are NVMe
 * disks, told apart only by their model.
 */
const UNUSED_DISK = [
  'unused_disk() {',
  '  lsblk -dnpo NAME,TYPE | while read -r name type; do',
  '    [ "$type" = disk ] || continue',
  '    [ "$(lsblk -nro NAME "$name" | wc -l)" = 1 ] || continue',
  '    [ -z "$(lsblk -nro MOUNTPOINT "$name" | tr -d "[:space:]")" ] || continue',
  '    lsblk -dno MODEL "$name" | grep -q "$1" || continue',
  '    echo "$name"; break',
  '  done',
  '}',
];

/**
 * Formats and mounts the RethinkDB data volume at /data (manual §13.12.1):
 * the EBS volume attached as /dev/sdp, or the first instance-store volume.
 * A /data already mounted is left as it is, so the task can run again.
 */
export function prepRethinkdbStorage(usingEbs: boolean): Task {
  const find = usingEbs
    ? ['dev=""', 'for d in /dev/xvdp /dev/sdp; do [ -b "$d" ] && dev=$d && break; done', '[ -n "$dev" ] || dev=$(unused_disk "Elastic Block Store" || true)',
      '[ -n "$dev" ] || { echo "no EBS data volume found (it is attached as /dev/sdp)" >&2; exit 1; }']
    : ['umount /mnt 2>/dev/null || true', 'dev=""', '[ -b /dev/xvdb ] && dev=/dev/xvdb', '[ -n "$dev" ] || dev=$(unused_disk "Instance Storage" || true)',
      '[ -n "$dev" ] || { echo "no instance-store volume found: this INSTANCE_TYPE may have none, set USING_EBS=True" >&2; exit 1; }'];
  return everywhere('prep_rethinkdb_storage', [run(bashScript([
    ...UNUSED_DISK,
    'mkdir -p /data',
    'if mountpoint -q /data; then echo "/data is already mounted"; exit 0; fi',
    ...find,
    'mkfs -t ext4 -F "$dev"',
    'mount "$dev" /data',
    // nofail: an instance whose volume is gone still boots, so it can be reached and repaired.
    'echo "UUID=$(blkid -s UUID -o value "$dev") /data ext4 defaults,nofail 0 2" >> /etc/fstab',
    'mount -a',
    'df -h /data',
  ], true))]);
}

export function installRethinkdb(): Task {
  return everywhere('install_rethinkdb', [
    run('curl -fsSL https://download.rethinkdb.com/repository/raw/pubkey.gpg | sudo gpg --dearmor --yes -o /usr/share/keyrings/rethinkdb.gpg'),
    run('. /etc/os-release && echo "deb [signed-by=/usr/share/keyrings/rethinkdb.gpg] https://download.rethinkdb.com/repository/ubuntu-$VERSION_CODENAME $VERSION_CODENAME main" | sudo tee /etc/apt/sources.list.d/rethinkdb.list'),
    run(`${APT} update`),
    run(`${APT} install rethinkdb`),
  ]);
}

/** Installs the instance config with a join= line per node and empties /data for a new cluster. */
export function configureRethinkdb(hosts: readonly string[], bindHttpToLocalhost: boolean): Task {
  const conf = rethinkdbInstanceConf(hosts, bindHttpToLocalhost);
  return everywhere('configure_rethinkdb', [
    put({ kind: 'text', text: conf, label: `rethinkdb instance config (${hosts.length} join lines)` }, 'rethinkdb-instance1.conf'),
    run(`sudo install -o root -g root -m 0644 rethinkdb-instance1.conf ${RETHINKDB_INSTANCE_CONF}`),
    run('sudo find /data -mindepth 1 -delete && sudo chown -R rethinkdb:rethinkdb /data'),
  ]);
}

export function startRethinkdb(): Task {
  return everywhere('start_rethinkdb', [
    run('if [ -x /etc/init.d/rethinkdb ]; then sudo /etc/init.d/rethinkdb restart; else sudo systemctl restart rethinkdb@instance1; fi'),
    run(bashScript([
      'for i in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/28015) 2>/dev/null && exit 0; sleep 1; done',
      'echo "RethinkDB does not answer on port 28015 after 60 s" >&2; exit 1',
    ])),
  ]);
}

/** Installs the `bigchaindb` command globally from the uploaded package. */
export function installBigchaindb(pkg: PreparedPackage): Task {
  const remote = basename(pkg.localPath);
  const install = pkg.kind === 'tarball'
    ? [run(`sudo npm install -g ./${remote}`)]
    : [
      run(`rm -rf bigchaindb && tar xzf ${remote}`),
      // Built on the node: `npm ci` compiles the TypeScript, `npm pack` makes what `npm install -g` wants.
      run('cd bigchaindb && npm ci && npm pack'),
      run('cd bigchaindb && sudo npm install -g ./bigchaindb-*.tgz'),
    ];
  return everywhere('install_bigchaindb', [put({ kind: 'file', path: pkg.localPath }, remote), ...install, run(`rm -f ${remote}`), run('bigchaindb --version')]);
}

/** Sends node i its config file as ~/.bigchaindb (mode 0600: it holds the private key). */
export function sendConfiles(configs: readonly Config[], labelPrefix: string): Task {
  return {
    name: 'send_confile',
    steps: (index) => [
      put({ kind: 'text', text: configJson(configs[index]!), label: `${labelPrefix}${index}` }, '.bigchaindb', 0o600),
      run('bigchaindb show-config'),
    ],
  };
}

/** Starts `command` detached from the SSH session, logging to `logFile`; fails if it is gone five seconds later. */
function startInBackground(command: string, logFile: string): string {
  return bashScript([
    `nohup ${command} >> ${logFile} 2>&1 < /dev/null &`,
    'pid=$!',
    'sleep 5',
    `kill -0 "$pid" || { echo "${command} stopped at once; the end of ~/${logFile}:" >&2; tail -n 20 ${logFile} >&2; exit 1; }`,
    `echo "${command} runs as process $pid, logging to ~/${logFile}"`,
  ]);
}

export function startBigchaindb(): Task {
  return everywhere('start_bigchaindb', [run(startInBackground('bigchaindb start', 'bigchaindb.log'))]);
}

export function startBigchaindbLoad(): Task {
  return everywhere('start_bigchaindb_load', [run(startInBackground('bigchaindb load', 'bigchaindb-load.log'))]);
}

export interface ServerPlan {
  readonly config: DeployConfig;
  readonly hosts: readonly string[];
  /** Each node's config file, in node order. */
  readonly configs: readonly Config[];
  readonly pkg: PreparedPackage;
  readonly replicas: number;
}

/** Everything for a federation of servers, from bare instances to running nodes. */
export function serverTasks(plan: ServerPlan): Task[] {
  return [
    installBaseSoftware(),
    prepRethinkdbStorage(plan.config.USING_EBS),
    installRethinkdb(),
    configureRethinkdb(plan.hosts, plan.config.BIND_HTTP_TO_LOCALHOST),
    startRethinkdb(),
    installBigchaindb(plan.pkg),
    sendConfiles(plan.configs, 'bcdb_conf'),
    // One node creates the database for the whole RethinkDB cluster.
    onFirstHost('init_bigchaindb', 'bigchaindb init'),
    onFirstHost('set_shards', `bigchaindb set-shards ${plan.hosts.length}`),
    onFirstHost('set_replicas', `bigchaindb set-replicas ${plan.replicas}`),
    startBigchaindb(),
  ];
}

/** Load clients: the package, a config file pointing at a server, and `bigchaindb load` running. */
export function clientTasks(pkg: PreparedPackage, configs: readonly Config[]): Task[] {
  return [installBaseSoftware(), installBigchaindb(pkg), sendConfiles(configs, 'client config '), startBigchaindbLoad()];
}

/** The monitoring host: Docker, then the monitoring compose file (and what it needs) started. */
export function monitorTasks(bundlePath: string, composeFile: string): Task[] {
  const remote = basename(bundlePath);
  return [
    everywhere('install_docker', [
      run(`${APT} update`),
      run(`${APT} install docker.io docker-compose-v2`),
      run('sudo systemctl enable --now docker && sudo docker compose version'),
    ]),
    everywhere('run_monitor', [
      put({ kind: 'file', path: bundlePath }, remote),
      run(`rm -rf bigchaindb-monitor && mkdir bigchaindb-monitor && tar xzf ${remote} -C bigchaindb-monitor && rm ${remote}`),
      run(`cd bigchaindb-monitor && sudo docker compose -f ${shellQuote(composeFile)} up -d`),
    ]),
  ];
}
