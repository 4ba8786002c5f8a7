/**
 * The folder of node config files (the original's confiles/): `bcdb_conf0`
 * … `bcdb_conf<N-1>`, one default BigchainDB config file with a fresh
 * keypair per node. They are a starting point: clusterize.ts turns them into
 * the files the nodes get.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig, keypairSetting, loadConfig, type Config } from '../config/config';
import { writeConfigFile } from '../config/write';
import { generateKeypair } from '../models/keys';
import { DeployFileError } from './errors';

const CONFILE = /^bcdb_conf(\d+)$/;

export function confilePath(dir: string, index: number): string {
  return join(dir, `bcdb_conf${index}`);
}

/**
 * Writes `count` default config files with fresh keypairs into `dir` (made
 * if missing), as `bigchaindb -y configure` would write them, after
 * removing the config files a previous run left there.
 */
export function makeConfiles(dir: string, count: number): string[] {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) if (CONFILE.test(name)) rmSync(join(dir, name));
  return Array.from({ length: count }, (_, index) => {
    const path = confilePath(dir, index);
    writeConfigFile(path, { ...defaultConfig(), keypair: keypairSetting(generateKeypair()) });
    return path;
  });
}

/**
 * The config files of `dir` in node order. There must be exactly `count` of
 * them, numbered 0 to count-1; each is read (and checked) by the node's own
 * loader, without the environment of this shell.
 */
export function readConfiles(dir: string, count: number): Config[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => CONFILE.test(name));
  } catch (err) {
    throw new DeployFileError(`config files folder ${dir}: ${(err as Error).message} (make it with make_confiles.sh ${dir} ${count})`);
  }
  const expected = Array.from({ length: count }, (_, index) => `bcdb_conf${index}`);
  if (names.length !== count || !expected.every((name) => names.includes(name))) {
    throw new DeployFileError(`${dir} holds ${names.length} config files (${names.sort().join(', ') || 'none'}) but ${count} nodes need bcdb_conf0 to bcdb_conf${count - 1} (make_confiles.sh ${dir} ${count})`);
  }
  return expected.map((_, index) => loadConfig({ path: confilePath(dir, index), env: {} }).config);
}

/** Writes `configs` back as bcdb_conf0… in `dir`. */
export function writeConfiles(dir: string, configs: readonly Config[]): void {
  configs.forEach((config, index) => writeConfigFile(confilePath(dir, index), config));
}
