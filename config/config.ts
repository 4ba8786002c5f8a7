/**
 * The node's configuration (SPEC.md §10): typed, read in one place, with
 * precedence environment > config file > defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { keypairFromPrivate, isPublicKey, type Keypair } from '../models/keys';
import type { PrivateKey, PublicKey } from '../models/types';
import { parseLogLevel, type LogLevel } from '../logging/levels';

export interface Config {
  server: { bind: string; workers: number | null; threads: number | null; body_limit: number };
  database: { host: string; port: number; name: string };
  keypair: { public: PublicKey | null; private: PrivateKey | null };
  keyring: PublicKey[];
  statsd: { host: string; port: number; rate: number };
  api_endpoint: string;
  backlog_reassign_delay: number;
  /**
   * The event stream's WebSocket server (SPEC.md §13). `advertised_*` is what
   * GET /api/v1/ tells clients to connect to (behind a proxy, not the bind
   * address); null host or port advertises `host` or `port`.
   */
  wsserver: {
    host: string;
    port: number;
    advertised_scheme: WsScheme;
    advertised_host: string | null;
    advertised_port: number | null;
  };
  /** As 2.x's `log.*`: console and files, each with its level; `granular_levels` by subsystem prefix. */
  log: {
    file: string | null;
    error_file: string | null;
    level_console: LogLevel;
    level_logfile: LogLevel;
    granular_levels: Record<string, LogLevel>;
    /** A log file is rotated at this size, keeping `rotate_files` old ones. */
    rotate_bytes: number;
    rotate_files: number;
  };
}

export type WsScheme = 'ws' | 'wss';

/** A node's keypair as the config file holds it. */
export function keypairSetting(keypair: Keypair): { public: PublicKey; private: PrivateKey } {
  return { public: keypair.publicKey, private: keypair.privateKey };
}

/** A configuration problem, told in one line that names the key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function defaultConfig(): Config {
  return {
    server: { bind: 'localhost:9984', workers: null, threads: null, body_limit: 1_048_576 },
    database: { host: 'localhost', port: 28015, name: 'bigchain' },
    keypair: { public: null, private: null },
    keyring: [],
    statsd: { host: 'localhost', port: 8125, rate: 0.01 },
    api_endpoint: 'http://localhost:9984/api/v1',
    backlog_reassign_delay: 120,
    wsserver: { host: 'localhost', port: 9985, advertised_scheme: 'ws', advertised_host: null, advertised_port: null },
    log: {
      file: '~/bigchaindb.log',
      error_file: '~/bigchaindb-errors.log',
      level_console: 'info',
      level_logfile: 'info',
      granular_levels: {},
      rotate_bytes: 200 * 1024 * 1024,
      rotate_files: 5,
    },
  };
}

/** What kind of value each key holds; it drives parsing of files, environment and prompts alike. */
type Kind = 'string' | 'string-or-null' | 'port' | 'port-or-null' | 'ws-scheme' | 'positive' | 'positive-integer' | 'rate' | 'count-or-null' | 'key-or-null' | 'private-or-null' | 'keyring'
  | 'path-or-null' | 'log-level' | 'log-levels';

const KINDS: Record<string, Kind> = {
  'server.bind': 'string',
  'server.workers': 'count-or-null',
  'server.threads': 'count-or-null',
  'server.body_limit': 'positive-integer',
  'database.host': 'string',
  'database.port': 'port',
  'database.name': 'string',
  'keypair.public': 'key-or-null',
  'keypair.private': 'private-or-null',
  keyring: 'keyring',
  'statsd.host': 'string',
  'statsd.port': 'port',
  'statsd.rate': 'rate',
  api_endpoint: 'string',
  backlog_reassign_delay: 'positive',
  'wsserver.host': 'string',
  'wsserver.port': 'port',
  'wsserver.advertised_scheme': 'ws-scheme',
  'wsserver.advertised_host': 'string-or-null',
  'wsserver.advertised_port': 'port-or-null',
  'log.file': 'path-or-null',
  'log.error_file': 'path-or-null',
  'log.level_console': 'log-level',
  'log.level_logfile': 'log-level',
  'log.granular_levels': 'log-levels',
  'log.rotate_bytes': 'positive-integer',
  'log.rotate_files': 'positive-integer',
};

/** Every configuration key as a dotted path, in a stable order. */
export const CONFIG_KEYS = Object.keys(KINDS);

/** The kind of `key`; own keys only, so that `constructor` or `__proto__` in a file is an unknown key. */
function kindOf(key: string): Kind | undefined {
  return Object.hasOwn(KINDS, key) ? KINDS[key] : undefined;
}

/** `database.host` → `BIGCHAINDB_DATABASE_HOST`. */
export function envName(key: string): string {
  return 'BIGCHAINDB_' + key.replace(/\./g, '_').toUpperCase();
}

/** The default config file: `$BIGCHAINDB_CONFIG_PATH`, else `~/.bigchaindb`. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.BIGCHAINDB_CONFIG_PATH || join(homedir(), '.bigchaindb');
}

export interface LoadedConfig {
  readonly config: Config;
  /** The file read, or null when none was found. */
  readonly path: string | null;
  /** Things worth a warning, such as a missing file or an unknown key. */
  readonly warnings: string[];
}

/** Loads defaults, then the file (`path`, `$BIGCHAINDB_CONFIG_PATH` or `~/.bigchaindb`), then the environment. */
export function loadConfig(options: { path?: string; env?: NodeJS.ProcessEnv } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const path = options.path ?? defaultConfigPath(env);
  const config = defaultConfig();
  const warnings: string[] = [];
  let readPath: string | null = null;
  if (existsSync(path)) {
    applyFile(config, path, warnings);
    readPath = path;
  } else {
    warnings.push(`no config file at ${path}: using defaults (create one with "bigchaindb configure")`);
  }
  applyEnvironment(config, env);
  checkKeypair(config);
  return { config, path: readPath, warnings };
}

function applyFile(config: Config, path: string, warnings: string[]): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isRecord(parsed)) throw new ConfigError(`config file ${path} must hold a JSON object`);
  for (const [key, value] of flatten(parsed)) {
    const kind = kindOf(key);
    if (kind === undefined) {
      warnings.push(`config file ${path}: unknown key "${key}" ignored`);
      continue;
    }
    setKey(config, key, checkValue(kind, value, `${key} (in ${path})`));
  }
}

function applyEnvironment(config: Config, env: NodeJS.ProcessEnv): void {
  for (const key of CONFIG_KEYS) {
    const text = env[envName(key)];
    if (text !== undefined) setKey(config, key, parseText(key, text, envName(key)));
  }
}

/** Parses text for `key` (from the environment or a prompt), coercing it to the key's type. */
export function parseText(key: string, text: string, source: string = key): unknown {
  const kind = kindOf(key);
  if (kind === undefined) throw new ConfigError(`unknown configuration key "${key}"`);
  const trimmed = text.trim();
  switch (kind) {
    case 'keyring':
      return checkValue(kind, trimmed === '' ? [] : trimmed.split(':'), source);
    case 'port': case 'port-or-null': case 'positive': case 'positive-integer': case 'rate': case 'count-or-null': {
      if (trimmed === '' || trimmed === 'null') return checkValue(kind, null, source);
      return checkValue(kind, /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed, source);
    }
    case 'key-or-null': case 'private-or-null': case 'path-or-null': case 'string-or-null':
      return checkValue(kind, trimmed === '' || trimmed === 'null' ? null : trimmed, source);
    case 'log-level': case 'ws-scheme':
      return checkValue(kind, trimmed, source);
    case 'log-levels':
      return checkValue(kind, parseLevelList(trimmed, source), source);
    default:
      return checkValue(kind, text, source);
  }
}

function checkValue(kind: Kind, value: unknown, source: string): unknown {
  const fail = (what: string): never => {
    throw new ConfigError(`${source} must be ${what}, got ${JSON.stringify(value)}`);
  };
  switch (kind) {
    case 'string':
      return typeof value === 'string' && value !== '' ? value : fail('a non-empty string');
    case 'string-or-null':
      return value === null || (typeof value === 'string' && value !== '') ? value : fail('a non-empty string, or null');
    case 'port':
      return isPort(value) ? value : fail('a port number (1-65535)');
    case 'port-or-null':
      return value === null || isPort(value) ? value : fail('a port number (1-65535), or null');
    case 'ws-scheme':
      return value === 'ws' || value === 'wss' ? value : fail('"ws" or "wss"');
    case 'positive':
      return typeof value === 'number' && value > 0 && Number.isFinite(value) ? value : fail('a positive number');
    case 'positive-integer':
      return Number.isSafeInteger(value) && (value as number) >= 1 ? value : fail('a whole number ≥ 1');
    case 'rate':
      return typeof value === 'number' && value >= 0 && value <= 1 ? value : fail('a number between 0 and 1');
    case 'count-or-null':
      return value === null || (Number.isInteger(value) && (value as number) >= 1) ? value : fail('a whole number ≥ 1, or null');
    case 'key-or-null':
      return value === null || isPublicKey(value) ? value : fail('a base58 Ed25519 public key, or null');
    case 'private-or-null':
      return value === null || isPrivateKey(value) ? value : fail('a base58 Ed25519 private key, or null');
    case 'keyring':
      return Array.isArray(value) && value.every(isPublicKey) ? value : fail('a list of base58 Ed25519 public keys');
    case 'path-or-null':
      return value === null || (typeof value === 'string' && value.trim() !== '') ? value : fail('a file path, or null for none');
    case 'log-level':
      return parseLogLevel(value) ?? fail(LEVEL_WORDS);
    case 'log-levels': {
      if (!isRecord(value)) return fail(`an object of subsystem: level (${LEVEL_WORDS})`);
      return Object.fromEntries(Object.entries(value).map(([subsystem, level]) => [subsystem, parseLogLevel(level) ?? fail(`${LEVEL_WORDS} for "${subsystem}"`)]));
    }
  }
}

const LEVEL_WORDS = 'one of critical, error, warning, info, verbose, debug, notset (any case)';

/** `subsystem=level,subsystem=level`, the environment's form of `log.granular_levels`. */
function parseLevelList(text: string, source: string): Record<string, unknown> {
  if (text === '') return {};
  return Object.fromEntries(text.split(',').map((pair) => {
    const [subsystem, level, ...rest] = pair.split('=').map((part) => part.trim());
    if (!subsystem || level === undefined || rest.length > 0) throw new ConfigError(`${source} must be subsystem=level pairs joined by commas, got ${JSON.stringify(text)}`);
    return [subsystem, level];
  }));
}

function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
}

function isPrivateKey(value: unknown): value is PrivateKey {
  if (typeof value !== 'string') return false;
  try {
    keypairFromPrivate(value as PrivateKey);
    return true;
  } catch {
    return false;
  }
}

function checkKeypair(config: Config): void {
  const { public: pub, private: priv } = config.keypair;
  if (pub !== null && priv !== null && keypairFromPrivate(priv).publicKey !== pub) {
    throw new ConfigError('keypair.public is not the public key of keypair.private');
  }
}

/** Sets a dotted key, for values already checked. */
export function setKey(config: Config, key: string, value: unknown): void {
  const path = key.split('.');
  let target = config as unknown as Record<string, unknown>;
  for (const segment of path.slice(0, -1)) target = target[segment] as Record<string, unknown>;
  target[path[path.length - 1] as string] = value;
}

/** Reads a dotted key. */
export function getKey(config: Config, key: string): unknown {
  return key.split('.').reduce<unknown>((value, segment) => (value as Record<string, unknown>)[segment], config);
}

const SECTIONS = new Set(CONFIG_KEYS.filter((k) => k.includes('.')).map((k) => k.split('.')[0]!));

function flatten(obj: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(obj).flatMap(([k, v]) => {
    const key = prefix + k;
    if (SECTIONS.has(key) && !isRecord(v)) throw new ConfigError(`${key} must be an object of settings, got ${JSON.stringify(v)}`);
    return isRecord(v) && kindOf(key) === undefined ? flatten(v, key + '.') : [[key, v] as [string, unknown]];
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
