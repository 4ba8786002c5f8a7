/**
 * Just enough of the Dockerfile language to check the repository's
 * Dockerfile without a Docker engine: instructions (with `\` line
 * continuations and comments), stages, and where a file in a stage comes
 * from in this repository.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { REPO_ROOT } from './compose';

export interface Instruction {
  /** Upper case, e.g. `COPY`. */
  readonly keyword: string;
  readonly args: string;
  /** 1-based line of its first line. */
  readonly line: number;
}

export interface Stage {
  readonly name: string | null;
  /** The FROM image or stage, build arguments substituted. */
  readonly base: string;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  /** Build arguments declared before the first FROM, with their defaults. */
  readonly args: Record<string, string>;
  readonly stages: readonly Stage[];
}

function parseInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | null = null;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    // Comment lines are dropped even inside a continued instruction, as Docker does.
    if (line.startsWith('#') || (line === '' && pending === null)) continue;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1) : line;
    pending = pending === null ? { text: part, line: index + 1 } : { text: `${pending.text} ${part}`, line: pending.line };
    if (continued) continue;
    const match = /^(\S+)\s*(.*)$/s.exec(pending.text.trim())!;
    instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: pending.line });
    pending = null;
  }
  if (pending !== null) throw new Error(`the instruction on line ${pending.line} ends with a line continuation`);
  return instructions;
}

export function parseDockerfile(text: string): Dockerfile {
  const args: Record<string, string> = {};
  const stages: { name: string | null; base: string; instructions: Instruction[] }[] = [];
  for (const instruction of parseInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.split(/\s+/);
      if (as !== undefined && as.toUpperCase() !== 'AS') throw new Error(`line ${instruction.line}: FROM IMAGE [AS NAME]`);
      stages.push({ name: name ?? null, base: image!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => args[(a ?? b)!] ?? ''), instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`line ${instruction.line}: only ARG may come before the first FROM`);
      const [name, value] = instruction.args.split('=');
      args[name!] = value ?? '';
    } else {
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  return { args, stages };
}

export function stage(dockerfile: Dockerfile, name: string): Stage {
  const found = dockerfile.stages.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no stage named ${name}`);
  return found;
}

export const finalStage = (dockerfile: Dockerfile): Stage => dockerfile.stages[dockerfile.stages.length - 1]!;

export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** The arguments of an exec-form instruction (`["node", "main.js"]`). */
export function execForm(instruction: Instruction): string[] {
  const parsed: unknown = JSON.parse(instruction.args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`line ${instruction.line}: not a JSON array of strings`);
  return parsed;
}

/** The variables a stage's ENV instructions set (`ENV A=1 B=2` form). */
export function stageEnv(stage: Stage): Record<string, string> {
  return Object.fromEntries(instructionsOf(stage, 'ENV').flatMap((i) => i.args.split(/\s+/).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`line ${i.line}: ENV NAME=VALUE`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  })));
}

export interface Copy {
  readonly from: string | null;
  readonly sources: string[];
  /** Absolute, resolved against the WORKDIR in effect. */
  readonly destination: string;
  /** Whether the destination names a folder (it ends with `/` or there are several sources). */
  readonly intoFolder: boolean;
}

/** The stage's COPY instructions, in order. */
export function copies(stage: Stage): Copy[] {
  let workdir = '/';
  const result: Copy[] = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword === 'WORKDIR') workdir = posix.resolve(workdir, instruction.args);
    if (instruction.keyword !== 'COPY') continue;
    const words = instruction.args.split(/\s+/);
    const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length) ?? null;
    const paths = words.filter((w) => !w.startsWith('--'));
    const target = paths.pop()!;
    result.push({ from, sources: paths, destination: posix.resolve(workdir, target), intoFolder: target.endsWith('/') || paths.length > 1 });
  }
  return result;
}

/** The stage's last WORKDIR. */
export function workdir(stage: Stage): string {
  return instructionsOf(stage, 'WORKDIR').reduce((dir, i) => posix.resolve(dir, i.args), '/');
}

/**
 * Where `path`, a file of the image (the final stage), comes from in this
 * repository; null when no COPY brings it there.
 */
export function repositoryPath(dockerfile: Dockerfile, path: string): string | null {
  return origin(dockerfile, finalStage(dockerfile), path, false);
}

/** Where a source of `copy` comes from in this repository: the build context, or what another stage made. */
export function sourceOrigin(dockerfile: Dockerfile, copy: Copy, source: string): string | null {
  return copy.from === null ? join(REPO_ROOT, source) : origin(dockerfile, stage(dockerfile, copy.from), source, true);
}

/**
 * Follows COPY instructions back to the build context. In a stage another
 * copies from, a file no COPY brings is one a RUN made: those stages run in
 * their WORKDIR the commands a developer runs in the repository root (npm ci,
 * npm run build), so it is that file under the repository root.
 */
function origin(dockerfile: Dockerfile, current: Stage, path: string, madeByRun: boolean): string | null {
  for (const copy of copies(current).reverse()) {
    for (const source of copy.sources) {
      const from = sourceOrigin(dockerfile, copy, source);
      if (from === null) continue;
      // A folder's contents go into the destination; a file into it (keeping its name) or onto it.
      const isFolder = existsSync(from) && statSync(from).isDirectory();
      const landing = isFolder || !copy.intoFolder ? copy.destination : posix.join(copy.destination, basename(source));
      if (path === landing || path.startsWith(`${landing}/`)) return join(from, posix.relative(landing, path));
    }
  }
  const parent = dockerfile.stages.find((s) => s.name !== null && s.name === current.base);
  if (parent !== undefined) return origin(dockerfile, parent, path, madeByRun);
  const relative = posix.relative(workdir(current), path);
  return madeByRun && !relative.startsWith('..') ? join(REPO_ROOT, relative) : null;
}
