/** Commands run on this machine (git archive, tar): shown instead of run in a dry run. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCommandError } from './errors';
import { dryRunLine, type Printer } from './output';

export interface LocalRun {
  readonly dryRun: boolean;
  readonly print: Printer;
}

/** Runs `command args…` and returns its stdout; fails with its stderr. */
export function runLocal(command: string, args: readonly string[], how: LocalRun): string {
  if (how.dryRun) {
    how.print(dryRunLine('local', [command, ...args]));
    return '';
  }
  return checkedRun(command, args);
}

/** Runs a command that only reads (so also in a dry run) and returns its stdout. */
export function checkedRun(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) throw new LocalCommandError(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new LocalCommandError(`${command} ${args.join(' ')} exited with code ${result.status}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Runs `fn` with a new temporary folder for the files it makes, removed afterwards. */
export async function withWorkDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'bdb-deploy-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
