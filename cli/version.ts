import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The package's version, read at run time from the package.json two folders
 * above dist/cli. Importing the JSON instead would make tsc copy it to
 * dist/package.json, which then shadows the real one for code under dist/:
 * the package's `exports` (`bigchaindb/client`) would resolve against dist/.
 */
export const version: string = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
