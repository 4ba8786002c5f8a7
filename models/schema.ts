/**
 * The 0.8.2 transaction JSON schema (draft-04), which 0.8.2 shipped but did
 * not enforce. Compiled once per process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { parse as parseYaml } from 'yaml';
import { SchemaValidationError } from './errors';

/** The schema file ships beside the sources; from dist/models/ it is two levels up. */
export const TRANSACTION_SCHEMA_PATH = join(__dirname, '..', '..', 'models', 'schema', 'transaction.yaml');

const ajv = new Ajv({ allErrors: false, strict: false });
const validateSchema = ajv.compile(parseYaml(readFileSync(TRANSACTION_SCHEMA_PATH, 'utf8')) as object);

/** Throws `SchemaValidationError` naming the first offending field. */
export function assertTransactionSchema(value: unknown): void {
  if (validateSchema(value)) return;
  const error = validateSchema.errors?.[0];
  const where = error?.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'transaction';
  throw new SchemaValidationError(`${where} ${error?.message ?? 'does not match the schema'}`);
}
