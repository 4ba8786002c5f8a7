/**
 * A Fabric-style task runner: a task is a list of steps (run a command,
 * upload a file) for each host; it runs on all hosts in parallel, every line
 * printed with the host's name in front (`[host] run: …`, `[host] out: …`).
 * A host stops at its first failing step; the others finish the task, then
 * the task fails naming each host that failed and why, and no later task runs.
 */
import { getLogger } from '../logging/logger';
import { RemoteTaskError, type HostFailure } from './errors';
import type { Printer } from './output';
import type { CommandEnd, Connector, OutputStream, RemoteHost, RemoteSession, UploadSource } from './ssh';

export type Step =
  | { readonly kind: 'run'; readonly command: string }
  | { readonly kind: 'put'; readonly source: UploadSource; readonly remotePath: string; readonly mode: number };

export interface Task {
  readonly name: string;
  /** Only the first host runs it: commands that act on the whole cluster, such as `bigchaindb init`. */
  readonly firstHostOnly?: boolean;
  /** The steps for the host at `index` (node order). */
  steps(index: number): readonly Step[];
}

export function run(command: string): Step {
  return { kind: 'run', command };
}

export function put(source: UploadSource, remotePath: string, mode = 0o644): Step {
  return { kind: 'put', source, remotePath, mode };
}

const log = getLogger('deploy');

/** One session per host, opened in parallel; if any host cannot be reached, the others are closed and all failures told. */
export async function openSessions(hosts: readonly RemoteHost[], connect: Connector): Promise<RemoteSession[]> {
  const settled = await Promise.allSettled(hosts.map((host) => connect(host)));
  const sessions = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failures = settled.flatMap((s, at) => (s.status === 'rejected' ? [{ host: hosts[at]!.name, reason: (s.reason as Error).message }] : []));
  if (failures.length > 0) {
    closeSessions(sessions);
    throw new RemoteTaskError('connect', failures);
  }
  return sessions;
}

export function closeSessions(sessions: readonly RemoteSession[]): void {
  for (const session of sessions) session.close();
}

/** Runs `tasks` one after the other on `sessions`, stopping at the first that fails on some host. */
export async function runTasks(tasks: readonly Task[], sessions: readonly RemoteSession[], print: Printer): Promise<void> {
  for (const task of tasks) await runTask(task, sessions, print);
}

/** Connects to `hosts`, runs `tasks` on them, and closes the sessions whatever happens. */
export async function runOnHosts(hosts: readonly RemoteHost[], tasks: readonly Task[], connect: Connector, print: Printer): Promise<void> {
  const sessions = await openSessions(hosts, connect);
  try {
    await runTasks(tasks, sessions, print);
  } finally {
    closeSessions(sessions);
  }
}

export async function runTask(task: Task, sessions: readonly RemoteSession[], print: Printer): Promise<void> {
  const targets = task.firstHostOnly ? sessions.slice(0, 1) : sessions;
  log.info(`task ${task.name} on ${targets.map((s) => s.host.name).join(', ')}`);
  const outcomes = await Promise.all(targets.map((session, index) => runOnHost(task, session, index, print)));
  const failures = outcomes.filter((f): f is HostFailure => f !== null);
  if (failures.length > 0) throw new RemoteTaskError(task.name, failures);
  log.info(`task ${task.name} done`);
}

async function runOnHost(task: Task, session: RemoteSession, index: number, print: Printer): Promise<HostFailure | null> {
  const host = session.host.name;
  const say = (label: string, text: string) => {
    for (const line of text.split('\n')) print(`[${host}] ${label}: ${line}`);
  };
  try {
    for (const step of task.steps(index)) {
      if (step.kind === 'put') {
        say('put', `${step.source.kind === 'file' ? step.source.path : step.source.label} -> ${step.remotePath} (mode ${step.mode.toString(8)})`);
        await session.upload(step.source, step.remotePath, step.mode);
        continue;
      }
      say('run', step.command);
      const end = await runPrinting(session, step.command, (stream, line) => say(stream, line));
      if (end.code !== 0) return { host, reason: `${shortCommand(step.command)} ${howItEnded(end)}` };
    }
    return null;
  } catch (err) {
    return { host, reason: (err as Error).message };
  }
}

/** Runs a command, handing its output back a whole line at a time. */
async function runPrinting(session: RemoteSession, command: string, onLine: (stream: OutputStream, line: string) => void): Promise<CommandEnd> {
  const pending: Record<OutputStream, string> = { out: '', err: '' };
  const end = await session.run(command, (stream, text) => {
    const lines = (pending[stream] + text).split('\n');
    pending[stream] = lines.pop()!;
    for (const line of lines) onLine(stream, line.replace(/\r$/, ''));
  });
  for (const stream of ['out', 'err'] as const) if (pending[stream] !== '') onLine(stream, pending[stream]);
  return end;
}

function howItEnded(end: CommandEnd): string {
  if (end.code !== null) return `exited with code ${end.code}`;
  if (end.signal !== null) return `was killed by signal ${end.signal}`;
  return 'ended without an exit status (connection lost?)';
}

function shortCommand(command: string): string {
  const first = command.split('\n')[0]!;
  return '`' + (first.length > 80 || command.includes('\n') ? first.slice(0, 80) + '…' : first) + '`';
}
