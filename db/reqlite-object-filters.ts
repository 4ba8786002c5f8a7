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
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
type Any = any;
// reqlite's own entry first: its modules require each other in a cycle that only that order resolves.
require('reqlite');
const Sequence = require('reqlite/lib/sequence.js') as Any;
const util = require('reqlite/lib/utils.js') as Any;
const ReqlError = require('reqlite/lib/error.js') as Any;

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
      const pattern = util.toDatum(value);
      for (const element of this.sequence) if (matches(element, pattern, query)) kept.push(element);
      return kept;
    });
  };
}

/** What reqlite's `util.filter(util.toDatum(doc), pattern)` answers, without copying `doc`. */
function matches(doc: Any, pattern: Any, query: Any): boolean {
  if (doc instanceof Sequence) return Array.isArray(pattern) && matchesArray(doc.sequence, pattern, query);
  // Table rows and other wrapped values: as reqlite does, from their plain copy.
  const value = doc !== null && typeof doc === 'object' && typeof doc.toDatum === 'function' ? doc.toDatum() : doc;
  if (Array.isArray(pattern)) return Array.isArray(value) && matchesArray(value, pattern, query);
  if (!util.isPlainObject(pattern)) return pattern === value;
  if (!util.isPlainObject(value) || Array.isArray(value)) return false;
  for (const key in pattern) {
    if (value[key] === undefined) throw new ReqlError.ReqlRuntimeError(`No attribute \`${key}\` in object`, query.frames);
    if (!matches(value[key], pattern[key], query)) return false;
  }
  return true;
}

function matchesArray(items: readonly Any[], pattern: readonly Any[], query: Any): boolean {
  return items.length === pattern.length && pattern.every((p, i) => matches(items[i], p, query));
}
