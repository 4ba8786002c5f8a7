/**
 * The 0.8.2 transaction JSON schema (draft-04), which 0.8.2 shipped but did
 * not enforce, with one correction (`PUBLIC_KEY_PATTERN`). Compiled once per process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { parse as parseYaml } from 'yaml';
import { SchemaValidationError } from './errors';

/** The schema file ships beside the sources; from dist/models/ it is two levels up. */
export const TRANSACTION_SCHEMA_PATH = join(__dirname, '..', '..', 'models', 'schema', 'transaction.yaml');

/**
 * The schema's public keys are 43 or 44 base58 characters, but a 32-byte key
 * with a leading zero byte and a small second byte (about 1 in 65,000 keys)
 * has 42 or fewer: 0.8.2, which did not enforce the schema, accepted its
 * transactions. The lower bound is that of 32 bytes in base58 (32 '1's); the
 * fulfillment checks decode every key to 32 bytes anyway.
 */
const PUBLIC_KEY_PATTERN = '[1-9a-zA-Z^OIl]{32,44}';

function loadSchema(): object {
  const schema = parseYaml(readFileSync(TRANSACTION_SCHEMA_PATH, 'utf8')) as { definitions: { base58: { pattern: string } } };
  schema.definitions.base58.pattern = PUBLIC_KEY_PATTERN;
  return schema;
}

const ajv = new Ajv({ allErrors: false, strict: false });
const validateSchema = ajv.compile(loadSchema());

/** Throws `SchemaValidationError` naming the first offending field. */
export function assertTransactionSchema(value: unknown): void {
  if (validateSchema(value)) return;
  const error = validateSchema.errors?.[0];
  const where = error?.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'transaction';
  throw new SchemaValidationError(`${where} ${error?.message ?? 'does not match the schema'}`);
}
