/**
 * The host list (the original's hostlist.py): the public names of the nodes
 * of the last deployment, one per line in node order, for the operator's
 * shell loops and for deploying load clients against those servers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DeployFileError } from './errors';

export function writeHostlist(path: string, hosts: readonly string[]): void {
  writeFileSync(path, hosts.map((host) => host + '\n').join(''));
}

export function readHostlist(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DeployFileError(`host list ${path}: ${(err as Error).message}`);
  }
  const hosts = text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  if (hosts.length === 0) throw new DeployFileError(`host list ${path} names no host`);
  return hosts;
}
