/**
 * Query parameters: each read once and checked; missing or bad is a 400
 * that names the parameter and says what it must be.
 */
import type { Request } from 'express';
import { isPublicKey } from '../models/keys';
import type { Hash, PublicKey } from '../models/types';
import { HttpError } from './errors';

/** What a parameter must be, and how its text becomes a value (null: it is not one). */
export interface ParamType<T> {
  readonly what: string;
  parse(text: string): T | null;
}

const HASH = /^[0-9a-f]{64}$/;
/** The 0.8 schema's uuid4 pattern, unanchored as the schema has it: asset ids that 0.8 accepted can be asked for. */
const UUID4 = /[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}/;

export function isHash(text: string): text is Hash {
  return HASH.test(text);
}

export const hashParam = (of: string): ParamType<Hash> => ({
  what: `${of} id (64 lowercase hexadecimal characters)`,
  parse: (text) => (isHash(text) ? text : null),
});

export const publicKeyParam: ParamType<PublicKey> = {
  what: 'a base58 Ed25519 public key',
  parse: (text) => (isPublicKey(text) ? text : null),
};

export const assetIdParam: ParamType<string> = {
  what: 'an asset id (a uuid4)',
  parse: (text) => (UUID4.test(text) ? text : null),
};

export const booleanParam: ParamType<boolean> = {
  what: 'true or false',
  parse: (text) => (text === 'true' ? true : text === 'false' ? false : null),
};

export function oneOf<T extends string>(values: readonly T[]): ParamType<T> {
  return {
    what: `one of ${values.join(', ')}`,
    parse: (text) => (values.includes(text as T) ? (text as T) : null),
  };
}

export function requiredParam<T>(req: Request, name: string, type: ParamType<T>): T {
  const value = optionalParam(req, name, type);
  if (value === undefined) throw new HttpError(400, `Missing query parameter ${name}: it must be ${type.what}`);
  return value;
}

export function optionalParam<T>(req: Request, name: string, type: ParamType<T>): T | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  // `?a=1&a=2` and `?a[b]=1` reach here as an array or an object.
  if (typeof raw !== 'string') throw new HttpError(400, `Query parameter ${name} must be given once, as ${type.what}`);
  const value = type.parse(raw);
  if (value === null) throw new HttpError(400, `Query parameter ${name} must be ${type.what}`);
  return value;
}

/** The one of `names` that the request gives; a 400 unless exactly one is given. */
export function exactlyOneOf(req: Request, names: readonly string[]): string {
  const given = names.filter((name) => req.query[name] !== undefined);
  if (given.length !== 1) throw new HttpError(400, `Give exactly one of the query parameters ${names.join(', ')}`);
  return given[0]!;
}
