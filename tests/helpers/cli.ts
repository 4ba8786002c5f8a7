/**
 * The `bigchaindb` command (or another program, such as an image's
 * entrypoint) as a real process, for end-to-end tests: each run gets an
 * isolated environment (a temporary HOME, no inherited BIGCHAINDB_*
 * variable), optional text on stdin, and a time limit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { DatabaseSettings } from '../../db/connection';
import type { Keypair } from '../../models/keys';

/** dist/cli/main.js, seen from dist/tests/helpers. */
export const CLI = join(__dirname, '..', '..', 'cli', 'main.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const tempDirs: string[] = [];

// Registered when a test file imports this module: runs once, after all of the file's tests.
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh, empty temporary folder (for HOME or a data folder), removed after the file's tests. */
export function tempDir(prefix = 'bdb-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/**
 * The environment of a spawned CLI: PATH, a HOME of its own, and only the
 * BIGCHAINDB_* variables given in `vars` (none inherited from this process).
 */
export function isolatedEnv(home: string, vars: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: home, ...vars };
}

export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<CliResult>;
  /** Resolves once stderr matches `pattern`; rejects after `timeoutMs` or if the process exits first. */
  waitForStderr(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Writes to the process's stdin. */
  write(text: string): void;
  /** Closes the process's stdin. */
  endInput(): void;
}

/** A program to run: the `bigchaindb` command, or another (an image's entrypoint). */
export interface Command {
  readonly file: string;
  readonly args: readonly string[];
  /** How failure messages name it. */
  readonly label: string;
  /** Its working folder; $HOME of its environment when absent (so a stray relative file lands there). */
  readonly cwd?: string;
}

/** `bigchaindb ...args`, run by this Node. */
export function cliCommand(args: readonly string[]): Command {
  return { file: process.execPath, args: [CLI, ...args], label: `bigchaindb ${args.join(' ')}` };
}

export interface SpawnOptions {
  /** In a process group of its own, which `process.kill(-pid)` signals whole (the API processes too). */
  readonly detached?: boolean;
}

/** Starts `bigchaindb ...args` with exactly `env` as its environment, in the folder $HOME of that environment. */
export function spawnCli(args: readonly string[], env: Record<string, string>, options: SpawnOptions = {}): RunningCli {
  return spawnCommand(cliCommand(args), env, options);
}

/** Starts `command` with exactly `env` as its environment. */
export function spawnCommand(command: Command, env: Record<string, string>, options: SpawnOptions = {}): RunningCli {
  const child = spawn(command.file, command.args, {
    env, cwd: command.cwd ?? env.HOME ?? tmpdir(), stdio: ['pipe', 'pipe', 'pipe'], detached: options.detached === true,
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    for (const listener of [...listeners]) listener();
  });
  // A process that exits without reading its stdin must not fail the test with EPIPE.
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolve({ code, signal, stdout: out, stderr: err });
      for (const listener of [...listeners]) listener();
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStderr(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(err)) {
            done();
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`${command.label} exited (code ${child.exitCode}) before stderr matched ${pattern}; stderr:\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`stderr of ${command.label} did not match ${pattern} within ${timeoutMs} ms; stderr:\n${err}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    write: (text) => void child.stdin!.write(text),
    endInput: () => void child.stdin!.end(),
  };
}

export interface RunOptions {
  /** Text for stdin, written at once, then stdin is closed (closed empty when absent). */
  readonly stdin?: string;
  /** Kills the process and fails after this many milliseconds. */
  readonly timeoutMs?: number;
}

/** Runs `bigchaindb ...args` to its end and returns exit code, stdout and stderr. */
export function runCli(args: readonly string[], env: Record<string, string>, options: RunOptions = {}): Promise<CliResult> {
  return runCommand(cliCommand(args), env, options);
}

/** Runs `command` to its end and returns exit code, stdout and stderr. */
export async function runCommand(command: Command, env: Record<string, string>, options: RunOptions = {}): Promise<CliResult> {
  const running = spawnCommand(command, env);
  running.child.stdin!.end(options.stdin ?? '');
  const timeoutMs = options.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      running.child.kill('SIGKILL');
      reject(new Error(`${command.label} did not finish within ${timeoutMs} ms; stdout:\n${running.stdout()}\nstderr:\n${running.stderr()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([running.exited, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The last non-empty line of `text` (a command's final error line). */
export function lastLine(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines[lines.length - 1] ?? '';
}

/** The environment variables that give a spawned CLI a node's keypair. */
export const keypairVars = (keypair: Keypair): Record<string, string> => ({
  BIGCHAINDB_KEYPAIR_PUBLIC: keypair.publicKey,
  BIGCHAINDB_KEYPAIR_PRIVATE: keypair.privateKey,
});

/** The environment variables that point a spawned CLI at a database. */
export const databaseVars = (settings: DatabaseSettings): Record<string, string> => ({
  BIGCHAINDB_DATABASE_HOST: settings.host,
  BIGCHAINDB_DATABASE_PORT: String(settings.port),
  BIGCHAINDB_DATABASE_NAME: settings.name,
});
