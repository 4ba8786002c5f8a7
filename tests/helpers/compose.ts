/**
 * The repository's Compose files read as Docker Compose reads them: YAML
 * with `<<` merge keys, then `${VAR:-default}` interpolation. No Docker
 * engine runs here, so the tests check these files statically.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';

/** The repository root, seen from dist/tests/helpers. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

export const readRepoFile = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

type Scalar = string | number | boolean | null;

export interface ComposeService {
  readonly image?: string;
  readonly build?: string | { readonly context?: string; readonly target?: string };
  readonly hostname?: string;
  readonly entrypoint?: string[];
  readonly command?: string[];
  readonly environment?: Record<string, Scalar>;
  readonly ports?: string[];
  readonly volumes?: string[];
  readonly profiles?: string[];
  readonly depends_on?: string[] | Record<string, { readonly condition?: string }>;
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
}

export function readCompose(path: string): ComposeFile {
  return YAML.parse(readRepoFile(path), { merge: true }) as ComposeFile;
}

/** Compose's interpolation of `text` with the variables `env`: `$$` is a literal `$`. */
export function interpolate(text: string, env: Record<string, string> = {}): string {
  return text.replace(/\$\$|\$\{(\w+)(?:(:?-)([^}]*))?\}|\$(\w+)/g, (whole, braced?: string, operator?: string, fallback?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const value = env[(braced ?? bare)!];
    if (operator === ':-') return value ? value : fallback!;
    if (operator === '-') return value ?? fallback!;
    return value ?? '';
  });
}

/** The environment `service` sets, interpolated with `env` (none set: every default applies). */
export function serviceEnvironment(service: ComposeService, env: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([name, value]) => [name, interpolate(String(value), env)]));
}

export interface PortMapping {
  readonly hostIp: string | null;
  readonly published: number;
  readonly target: number;
  readonly protocol: string;
}

/** A short-syntax port, `[HOST_IP:]PUBLISHED:TARGET[/PROTOCOL]`. */
export function parsePort(spec: string): PortMapping {
  const match = /^(?:(.+):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(spec);
  if (match === null) throw new Error(`not a HOST:CONTAINER port mapping: ${spec}`);
  return { hostIp: match[1] ?? null, published: Number(match[2]), target: Number(match[3]), protocol: match[4] ?? 'tcp' };
}

export interface VolumeMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/** A short-syntax volume, `SOURCE:TARGET[:ro]`, interpolated with `env` first. */
export function parseVolume(spec: string, env: Record<string, string> = {}): VolumeMount {
  const [source, target, mode] = interpolate(spec, env).split(':');
  if (source === undefined || target === undefined) throw new Error(`not a SOURCE:TARGET volume: ${spec}`);
  return { source, target, readOnly: mode === 'ro' };
}

export function dependencies(service: ComposeService): string[] {
  const dependsOn = service.depends_on ?? [];
  return Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn);
}
