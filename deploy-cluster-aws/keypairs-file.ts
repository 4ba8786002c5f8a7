/**
 * The keypairs file (the original's keypairs.py): node keypairs made once and
 * given to the nodes in order whenever USE_KEYPAIRS_FILE=True, so a test
 * cluster keeps the same identities from one deployment to the next.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeypair, keypairFromPrivate, type Keypair } from '../models/keys';
import type { PrivateKey } from '../models/types';
import { DeployFileError } from './errors';

/** One keypair as the file holds it. */
interface KeypairEntry {
  readonly private: string;
  readonly public: string;
}

/** Writes `count` fresh keypairs to `path` (mode 0600: it holds private keys). */
export function writeKeypairsFile(path: string, count: number): Keypair[] {
  const keypairs = Array.from({ length: count }, generateKeypair);
  const entries: KeypairEntry[] = keypairs.map((k) => ({ private: k.privateKey, public: k.publicKey }));
  writeFileSync(path, JSON.stringify(entries, null, 2) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return keypairs;
}

/** Every keypair of the file, in order; an entry whose public key is not its private key's is an error. */
export function readKeypairsFile(path: string): Keypair[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DeployFileError(`keypairs file ${path}: ${(err as Error).message} (make one with write_keypairs_file.sh)`);
  }
  if (!Array.isArray(parsed)) throw new DeployFileError(`keypairs file ${path} must hold a JSON list of {"private", "public"} keypairs`);
  return parsed.map((entry: unknown, at) => checkedKeypair(entry, `keypairs file ${path}, entry ${at}`));
}

function checkedKeypair(entry: unknown, where: string): Keypair {
  const { private: privateKey, public: publicKey } = (entry ?? {}) as Partial<KeypairEntry>;
  if (typeof privateKey !== 'string' || typeof publicKey !== 'string') throw new DeployFileError(`${where}: needs "private" and "public" strings`);
  let keypair: Keypair;
  try {
    keypair = keypairFromPrivate(privateKey as PrivateKey);
  } catch (err) {
    throw new DeployFileError(`${where}: ${(err as Error).message}`);
  }
  if (keypair.publicKey !== publicKey) throw new DeployFileError(`${where}: "public" is not the public key of "private"`);
  return keypair;
}

/** The first `count` keypairs of the file, or an error saying how many it lacks. */
export function firstKeypairs(path: string, count: number): Keypair[] {
  const keypairs = readKeypairsFile(path);
  if (keypairs.length < count) {
    throw new DeployFileError(`keypairs file ${path} holds ${keypairs.length} keypairs but ${count} nodes need one each (write_keypairs_file.sh ${count})`);
  }
  return keypairs.slice(0, count);
}
