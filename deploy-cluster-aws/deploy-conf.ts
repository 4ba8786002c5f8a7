/**
 * The AWS deployment config file. The original's example_deploy_conf.py was
 * a list of Bash `KEY=value` lines (valid Python too); operators' files in
 * that format still work here. Parsing is strict: an unknown, missing or
 * repeated key and a value of the wrong kind are each a problem naming the
 * key, all of them reported at once, before anything is launched.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DeployConfigError } from './errors';

/** Where the package installed on the nodes comes from. */
export type PackageSource =
  | { readonly kind: 'git'; readonly ref: string }
  | { readonly kind: 'tarball'; readonly path: string };

export type DeployTarget = 'servers' | 'clients';

/** A value as written on its line, before it is read as a setting. */
interface RawValue {
  readonly text: string;
  readonly quoted: boolean;
}

/** Reads a setting's value; throws a SettingProblem saying what the value must be. */
type Reader<T> = (value: RawValue, baseDir: string) => T;

class SettingProblem extends Error {}

const wholeNumber = (min: number, max: number, why: string): Reader<number> => ({ text, quoted }) => {
  if (quoted || !/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new SettingProblem(`must be a whole number from ${min} to ${max}, unquoted (${why}), got ${JSON.stringify(text)}`);
  }
  return Number(text);
};

/** True/False as the original's Python wrote them; Bash compared the text "True". */
const boolean: Reader<boolean> = ({ text, quoted }) => {
  if (quoted || (text !== 'True' && text !== 'False')) throw new SettingProblem(`must be True or False, unquoted, got ${JSON.stringify(text)}`);
  return text === 'True';
};

const matching = (pattern: RegExp, what: string): Reader<string> => ({ text }) => {
  if (!pattern.test(text)) throw new SettingProblem(`must be ${what}, got ${JSON.stringify(text)}`);
  return text;
};

const whatToDeploy: Reader<DeployTarget> = ({ text }) => {
  if (text !== 'servers' && text !== 'clients') throw new SettingProblem(`must be "servers" or "clients", got ${JSON.stringify(text)}`);
  return text;
};

const SSH_KEY_PLACEHOLDER = 'not-set-yet';

const sshKeyName: Reader<string> = ({ text }) => {
  if (text === SSH_KEY_PLACEHOLDER) {
    throw new SettingProblem(`is still the example's "${SSH_KEY_PLACEHOLDER}": set it to the name of your EC2 key pair (its private key is ~/.ssh/<SSH_KEY_NAME>)`);
  }
  if (!/^[A-Za-z0-9_@+=,.-]+$/.test(text) || text === '.' || text === '..') {
    throw new SettingProblem(`must be the name of a key pair and of its private key file in ~/.ssh (letters, digits, _@+=,.-), got ${JSON.stringify(text)}`);
  }
  return text;
};

const packageSource: Reader<PackageSource> = ({ text }, baseDir) => {
  if (text === 'pypi') {
    throw new SettingProblem('"pypi" installed the Python package, which this rebuild is not: name a git branch of this repository or a .tgz made by `npm pack`');
  }
  if (text.endsWith('.tgz')) return { kind: 'tarball', path: resolve(baseDir, text) };
  if (!isGitRefName(text)) throw new SettingProblem(`must be a git branch name or a path ending in .tgz, got ${JSON.stringify(text)}`);
  return { kind: 'git', ref: text };
};

/** The rules of `git check-ref-format --allow-onelevel`, so a bad name fails here rather than in `git archive`. */
function isGitRefName(name: string): boolean {
  if (name === '' || name === '@' || name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\//.test(name)) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

const SETTINGS = {
  NUM_NODES: wholeNumber(1, 64, 'a RethinkDB table has at most 64 shards'),
  BRANCH: packageSource,
  WHAT_TO_DEPLOY: whatToDeploy,
  SSH_KEY_NAME: sshKeyName,
  USE_KEYPAIRS_FILE: boolean,
  IMAGE_ID: matching(/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'an AMI id such as "ami-8504fdea"'),
  INSTANCE_TYPE: matching(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, 'an EC2 instance type such as "t2.medium"'),
  SECURITY_GROUP: matching(/^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/, 'the name (or sg- id) of an existing security group'),
  USING_EBS: boolean,
  EBS_VOLUME_SIZE: wholeNumber(1, 16384, 'the size in GiB of a gp2 volume'),
  EBS_OPTIMIZED: boolean,
  BIND_HTTP_TO_LOCALHOST: boolean,
} satisfies Record<string, Reader<unknown>>;

type SettingName = keyof typeof SETTINGS;

/** The settings under the names operators write in the file. */
export type DeployConfig = { readonly [K in SettingName]: ReturnType<(typeof SETTINGS)[K]> };

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
/** A double-quoted string without expansions, a single-quoted string, or a plain word; then an optional comment. */
const VALUE = /^(?:"([^"\\$`]*)"|'([^']*)'|([^\s"'#$`\\;&|<>()]*))(?:\s+#.*)?\s*$/;

/** Reads and checks a deployment config file; paths in it are relative to its folder. */
export function readDeployConf(path: string): DeployConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DeployConfigError(path, [`cannot read the deployment config file: ${(err as Error).message}`]);
  }
  return parseDeployConf(text, path, dirname(resolve(path)));
}

/** Parses the text of a deployment config file named `source`. */
export function parseDeployConf(text: string, source: string, baseDir: string): DeployConfig {
  const problems: string[] = [];
  const found = new Map<string, { value: RawValue; line: number }>();
  text.split(/\r?\n/).forEach((raw, at) => {
    const line = at + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const assignment = ASSIGNMENT.exec(trimmed);
    if (assignment === null) {
      problems.push(`line ${line}: expected KEY=value with no spaces around "=", got ${JSON.stringify(trimmed)}`);
      return;
    }
    const [, key, rest] = assignment as unknown as [string, string, string];
    const where = `${key} (line ${line})`;
    if (!Object.hasOwn(SETTINGS, key)) {
      problems.push(`${where}: not a deployment setting (the settings are ${SETTING_NAMES.join(', ')})`);
    } else if (found.has(key)) {
      problems.push(`${where}: set a second time (first on line ${found.get(key)!.line})`);
    } else {
      const value = rawValue(rest);
      if (value === null) problems.push(`${where}: ${JSON.stringify(rest)} is neither a plain word nor a quoted string without $, \` or \\`);
      else found.set(key, { value, line });
    }
  });
  const config: Partial<Record<SettingName, unknown>> = {};
  for (const name of SETTING_NAMES) {
    const entry = found.get(name);
    if (entry === undefined) {
      if (!problems.some((p) => p.startsWith(`${name} `))) problems.push(`${name}: missing`);
      continue;
    }
    try {
      config[name] = SETTINGS[name](entry.value, baseDir);
    } catch (err) {
      if (!(err instanceof SettingProblem)) throw err;
      problems.push(`${name} (line ${entry.line}): ${err.message}`);
    }
  }
  if (problems.length > 0) throw new DeployConfigError(source, problems);
  return config as DeployConfig;
}

function rawValue(text: string): RawValue | null {
  const match = VALUE.exec(text);
  if (match === null) return null;
  const [, doubleQuoted, singleQuoted, bare] = match;
  const quotedText = doubleQuoted ?? singleQuoted;
  return quotedText === undefined ? { text: bare ?? '', quoted: false } : { text: quotedText, quoted: true };
}
