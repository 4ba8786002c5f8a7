/**
 * SSH sessions to the nodes, on ssh2: run a command (its output streamed
 * back as it comes) and upload a file over SFTP. One session per host is
 * opened for a whole deployment. The dry-run connector has the same face
 * and does nothing: the task runner prints what would be done.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, utils, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { getLogger } from '../logging/logger';
import { DeployFileError, DeployError } from './errors';

export interface RemoteHost {
  /** How output and reports name the host: its public DNS name, or any label. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
}

/** What to upload: a local file, or text made here (a node's config file) shown by `label` instead of its content. */
export type UploadSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'text'; readonly text: string; readonly label: string };

export type OutputStream = 'out' | 'err';

/** How a remote command ended: an exit code, or the signal that killed it; neither when the connection dropped. */
export interface CommandEnd {
  readonly code: number | null;
  readonly signal: string | null;
}

export interface RemoteSession {
  readonly host: RemoteHost;
  run(command: string, onOutput: (stream: OutputStream, text: string) => void): Promise<CommandEnd>;
  /** Writes `source` to `remotePath` (relative paths are in the user's home) with permissions `mode`. */
  upload(source: UploadSource, remotePath: string, mode: number): Promise<void>;
  close(): void;
}

export type Connector = (host: RemoteHost) => Promise<RemoteSession>;

export interface SshAuth {
  readonly privateKey?: Buffer;
  /** An ssh-agent socket, for a private key protected by a passphrase. */
  readonly agent?: string;
}

export interface ConnectPolicy {
  /** Fresh instances refuse connections (or the key) for a while after they run, hence several attempts. */
  readonly attempts: number;
  readonly retryDelayMs: number;
  readonly readyTimeoutMs: number;
}

export const DEFAULT_CONNECT_POLICY: ConnectPolicy = { attempts: 30, retryDelayMs: 10_000, readyTimeoutMs: 20_000 };

const log = getLogger('deploy');

/** The private key at `path`; an encrypted one is left to the ssh-agent of `env` (SSH_AUTH_SOCK). */
export function loadSshAuth(path: string, env: NodeJS.ProcessEnv = process.env): SshAuth {
  let key: Buffer;
  try {
    key = readFileSync(path);
  } catch (err) {
    throw new DeployFileError(`SSH private key ${path}: ${(err as Error).message} (it must be ~/.ssh/<SSH_KEY_NAME>, or give --ssh-key PATH)`);
  }
  const parsed = utils.parseKey(key);
  if (!(parsed instanceof Error)) return { privateKey: key };
  const encrypted = /encrypted|passphrase/i.test(parsed.message);
  if (encrypted && env.SSH_AUTH_SOCK) return { agent: env.SSH_AUTH_SOCK };
  throw new DeployFileError(`SSH private key ${path}: ${parsed.message}${encrypted ? ' (add it to ssh-agent with ssh-add, then run again)' : ''}`);
}

/** Connects with `auth`, retrying as `policy` says. */
export function sshConnector(auth: SshAuth, policy: ConnectPolicy = DEFAULT_CONNECT_POLICY): Connector {
  return async (host) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return sshSession(host, await connectOnce(host, auth, policy.readyTimeoutMs));
      } catch (err) {
        const reason = (err as Error).message;
        if (attempt >= policy.attempts) throw new DeployError(`cannot connect to ${host.user}@${host.address}:${host.port} after ${attempt} attempt(s): ${reason}`);
        log.info(`[${host.name}] SSH not ready (${reason}); attempt ${attempt + 1} of ${policy.attempts} in ${policy.retryDelayMs / 1000} s`);
        await sleep(policy.retryDelayMs);
      }
    }
  };
}

function connectOnce(host: RemoteHost, auth: SshAuth, readyTimeoutMs: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const config: ConnectConfig = {
      host: host.address,
      port: host.port,
      username: host.user,
      ...auth,
      readyTimeout: readyTimeoutMs,
      keepaliveInterval: 15_000,
      // New instances have new host keys: none can be known beforehand (see the README's known issues).
      hostVerifier: (key: Buffer) => {
        log.info(`[${host.name}] host key SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`);
        return true;
      },
    };
    const failed = (err: Error) => {
      client.end();
      reject(err);
    };
    client.once('ready', () => {
      client.removeListener('error', failed);
      client.on('error', (err) => log.warn(`[${host.name}] SSH connection: ${err.message}`));
      resolve(client);
    });
    client.once('error', failed);
    client.connect(config);
  });
}

function sshSession(host: RemoteHost, client: Client): RemoteSession {
  return {
    host,
    run: (command, onOutput) => new Promise((resolve, reject) => {
      client.exec(command, (err, channel) => {
        if (err) return reject(err);
        channel.setEncoding('utf8').on('data', (text: string) => onOutput('out', text));
        channel.stderr.setEncoding('utf8').on('data', (text: string) => onOutput('err', text));
        channel.on('close', (code?: number | null, signal?: string) => resolve({ code: code ?? null, signal: signal ?? null }));
      });
    }),
    upload: async (source, remotePath, mode) => {
      const sftp = await openSftp(client);
      try {
        await new Promise<void>((resolve, reject) => {
          const done = (err?: Error | null) => (err ? reject(err) : resolve());
          if (source.kind === 'file') sftp.fastPut(source.path, remotePath, { mode }, done);
          else sftp.writeFile(remotePath, source.text, { mode }, done);
        });
        // The mode given to open applies only to a new file; an existing one keeps its own.
        await new Promise<void>((resolve, reject) => sftp.chmod(remotePath, mode, (err) => (err ? reject(err) : resolve())));
      } finally {
        sftp.end();
      }
    },
    close: () => client.end(),
  };
}

function openSftp(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));
}

/** Sessions that do nothing and succeed, for --dry-run: the runner prints each step instead. */
export const dryRunConnector: Connector = async (host) => ({
  host,
  run: async () => ({ code: 0, signal: null }),
  upload: async () => undefined,
  close: () => undefined,
});
