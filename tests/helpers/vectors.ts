/** Loads the conformance vectors made by 0.8.2 from `../shared/vectors` (or `BIGCHAINDB_VECTORS_DIR`). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const VECTORS_DIR = process.env.BIGCHAINDB_VECTORS_DIR ?? join(__dirname, '..', '..', '..', '..', 'shared', 'vectors');

export interface VectorFile {
  readonly name: string;
  readonly content: unknown;
}

/** Every `*.json` file of the vectors folder, parsed. */
export function loadVectorFiles(): VectorFile[] {
  return readdirSync(VECTORS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => ({ name, content: JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8')) as unknown }));
}

export interface NamedKey {
  readonly private_base58: string;
  readonly public_base58: string;
}

/** The fixed keys of `keys.json` (alice, bob, carol, dave, node). */
export function vectorKeys(): Record<string, NamedKey> {
  return JSON.parse(readFileSync(join(VECTORS_DIR, 'keys.json'), 'utf8')) as Record<string, NamedKey>;
}
