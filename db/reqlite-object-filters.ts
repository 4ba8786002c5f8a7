/**
 * reqlite answers `filter` with an object by first converting every element
 * of the sequence into a plain copy, all of it, and only then comparing the
 * few fields the object names: inside a block of 1000 transactions, 3 ms a
 * lookup, nearly all of it copying. `matchObjectFiltersInPlace` makes it
 * compare in place, reading only the fields the object names. What matches
 * is unchanged: nested objects match field by field, arrays element by
 * element and of equal length, everything else by `===`; a missing field is
 * an error, as in reqlite.
 */
import { reqliteModule, type ReqliteValue as Any } from './reqlite-internals';

const Sequence = reqliteModule('sequence');
const util = reqliteModule('utils');
const ReqlError = reqliteModule('error');

let patched = false;

export function matchObjectFiltersInPlace(): void {
  if (patched) return;
  patched = true;
  const original = Sequence.prototype.filter;
  Sequence.prototype.filter = function filter(this: Any, predicate: Any, options: Any, query: Any, internalOptions: Any) {
    if (util.isFunction(predicate)) return original.call(this, predicate, options, query, internalOptions);
    query.frames.push(1);
    return query.evaluate(predicate, query, internalOptions).then((value: Any) => {
      query.frames.pop();
      // An r.js function: reqlite's own way, which evaluates it again.
      if (typeof value === 'function') return original.call(this, predicate, options, query, internalOptions);
      const kept = new Sequence();
      if (!util.isPlainObject(value)) {
        // A plain value keeps everything or nothing, as in reqlite.
        if (value !== null && value !== false) for (const element of this.sequence) kept.push(element);
        return kept;
      }
      const match = compile(util.toDatum(value), query);
      for (const element of this.sequence) if (match(element)) kept.push(element);
      return kept;
    });
  };
}

/** Whether a sequence element matches the pattern: what reqlite's `util.filter(util.toDatum(doc), pattern)` answers, without copying `doc`. */
type Matcher = (doc: Any) => boolean;

/**
 * The pattern turned into a matcher once per filter, not examined again for
 * each of a block's 1000 transactions: nested objects match field by field,
 * arrays element by element and of equal length, everything else by `===`.
 */
function compile(pattern: Any, query: Any): Matcher {
  if (Array.isArray(pattern)) {
    const items = pattern.map((p) => compile(p, query));
    const matchesAll = (values: readonly Any[]) => values.length === items.length && items.every((m, i) => m(values[i]));
    return (doc) => {
      if (doc instanceof Sequence) return matchesAll(doc.sequence);
      const value = datum(doc);
      return Array.isArray(value) && matchesAll(value);
    };
  }
  if (!util.isPlainObject(pattern)) return (doc) => doc === pattern || (!(doc instanceof Sequence) && datum(doc) === pattern);
  const fields = Object.keys(pattern).map((key) => [key, compile(pattern[key], query)] as const);
  return (doc) => {
    if (doc instanceof Sequence) return false;
    const value = datum(doc);
    if (!isPlainObject(value)) return false;
    for (const [key, match] of fields) {
      const field = value[key];
      if (field === undefined) throw new ReqlError.ReqlRuntimeError(`No attribute \`${key}\` in object`, query.frames);
      if (!match(field)) return false;
    }
    return true;
  };
}

/** Table rows and other wrapped values: as reqlite does, their plain copy. */
function datum(doc: Any): Any {
  return doc !== null && typeof doc === 'object' && typeof doc.toDatum === 'function' ? doc.toDatum() : doc;
}

/** reqlite's test (not an array, `[object Object]`), answered at once for the common case of a literal object. */
function isPlainObject(value: Any): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null || util.isPlainObject(value);
}
