/**
 * The canonical JSON writer of SPEC.md §1: byte-identical to 0.8.2's
 * `rapidjson.dumps(data, ensure_ascii=False, sort_keys=True)` for every value
 * that JSON text can carry into JavaScript without loss.
 */
import { SerializationError } from './errors';
import type { JsonValue } from './types';

/** Deeper values are refused: they cannot be hashed without risking the stack, nor stored. */
export const MAX_NESTING_DEPTH = 100;

const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
const HAS_SURROGATE = /[\ud800-\udfff]/;
/** Either of the two above: most strings have neither and are written as they are after one test. */
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"', '\\': '\\\\', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r',
};

/** Serializes `value` canonically; throws `SerializationError` for what has no canonical form. */
export function serialize(value: unknown): string {
  return write(value, 0);
}

/**
 * The canonical text of `obj`, with that of each item of its array `key` on
 * its own: each a part of the whole, as a block's transactions are of the
 * text its id hashes, at no cost beyond serializing the whole.
 */
export function serializeWithItems(obj: Record<string, unknown>, key: string): { text: string; items: string[] } {
  const list = obj[key];
  if (!Array.isArray(list)) throw new SerializationError(`${key} is not an array`);
  // Depths as `serialize(obj)` reaches them: the object at 1, the array at 2, its items written at 2.
  const items = list.map((item) => write(item, 2));
  return { text: writeObject(obj, 1, key, '[' + items.join(',') + ']'), items };
}

function write(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string': return writeString(value);
    case 'number': return writeNumber(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'object':
      if (depth >= MAX_NESTING_DEPTH) {
        throw new SerializationError(`value nested deeper than ${MAX_NESTING_DEPTH} levels`);
      }
      return Array.isArray(value) ? writeArray(value, depth + 1) : writeObject(value as Record<string, unknown>, depth + 1);
    default:
      throw new SerializationError(`a ${typeof value} has no JSON form`);
  }
}

function writeArray(items: unknown[], depth: number): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    out += write(items[i], depth);
  }
  return out + ']';
}

/** `writtenKey`, when given, is written as `writtenText`, its value's text already made. */
function writeObject(obj: Record<string, unknown>, depth: number, writtenKey?: string, writtenText?: string): string {
  const keys = Object.keys(obj);
  // Keys in UTF-8 byte order, which is code point order: UTF-16 unit order but for astral characters.
  keys.sort(keys.some((k) => !plainKeys.has(k) && HAS_SURROGATE.test(k)) ? compareCodePoints : undefined);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ',';
    const key = keys[i] as string;
    out += keyText(key) + ':' + (key === writtenKey ? writtenText : write(obj[key], depth));
  }
  return out + '}';
}

/**
 * The written form of keys met before: the objects of transactions, blocks
 * and votes repeat a few dozen keys, and each key cost two pattern tests per
 * object. Only plain keys (nothing to escape, no surrogate) are kept, and no
 * more than PLAIN_KEYS_LIMIT, so odd or endless keys cannot grow it.
 */
const plainKeys = new Map<string, string>();
const PLAIN_KEYS_LIMIT = 1024;

function keyText(key: string): string {
  let text = plainKeys.get(key);
  if (text === undefined) {
    text = writeString(key);
    if (plainKeys.size < PLAIN_KEYS_LIMIT && !NEEDS_CARE.test(key)) plainKeys.set(key, text);
  }
  return text;
}

/**
 * UTF-16 unit order agrees with code point order except where a surrogate
 * (an astral character) meets a unit in U+E000–U+FFFF: lift surrogates above them.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

function writeString(s: string): string {
  if (!NEEDS_CARE.test(s)) return '"' + s + '"';
  if (HAS_SURROGATE.test(s) && !isWellFormed(s)) {
    throw new SerializationError('string holds a lone UTF-16 surrogate, which has no UTF-8 form');
  }
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if (code >= 0x20 && ch !== '"' && ch !== '\\') out += ch;
    else out += SHORT_ESCAPES[ch] ?? '\\u00' + code.toString(16).toUpperCase().padStart(2, '0');
  }
  return out + '"';
}

function isWellFormed(s: string): boolean {
  return (s as string & { isWellFormed(): boolean }).isWellFormed();
}

function writeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new SerializationError(`${n} has no JSON form`);
  if (Number.isInteger(n)) {
    if (!Number.isSafeInteger(n)) {
      throw new SerializationError(`integer ${n} is beyond 2^53 and cannot keep its value`);
    }
    return n === 0 ? '0' : String(n);
  }
  return String(n).replace('e+', 'e');
}

const TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * Parses JSON text, refusing numbers that JavaScript (and RethinkDB) would
 * store differently from how they were written: integral values written as
 * floats (`1.0`, `1e2`, `-0.0`) and integers beyond 2^53. A transaction
 * holding one could never keep its id (SPEC.md §1).
 */
export function parseJson(text: string): JsonValue {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new SerializationError(`malformed JSON: ${(err as Error).message}`);
  }
  assertLosslessNumbers(text);
  return value;
}

/** Throws on the first number token of `text` that would not survive parsing unchanged. */
export function assertLosslessNumbers(text: string): void {
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const token = m[0];
    if (token.charCodeAt(0) === 0x22) continue;
    const n = Number(token);
    if (!Number.isFinite(n)) throw new SerializationError(`number ${token} is beyond the range of a double`);
    const isFloatSyntax = /[.eE]/.test(token);
    if (isFloatSyntax && Number.isInteger(n)) {
      throw new SerializationError(
        `number ${token} is an integral value written as a float; write it as an integer or it cannot keep its hash`,
      );
    }
    if (!isFloatSyntax && !Number.isSafeInteger(n)) {
      throw new SerializationError(`integer ${token} is beyond 2^53 and cannot keep its value`);
    }
  }
}
