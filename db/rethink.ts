/**
 * The RethinkDB driver, behind one typed door. ReQL terms are built inside
 * db/ only; every function db/ exports has typed arguments and results.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Term = any;

// The driver ships no types and DefinitelyTyped's lack minval, maxval, config and reconfigure.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const r: Term = require('rethinkdb');

stopBufferDeprecationChecks();
plainArrayAnswers();
// Node looks for node_modules in the whole stack, and a piscina thread loads this module from piscina's code:
// there the call above counts as node_modules'. A later turn's stack holds no caller.
setImmediate(stopBufferDeprecationChecks);

/**
 * The driver calls the deprecated `new Buffer` a few times a query. Node
 * answers each such call, up to 10,000 per thread, by capturing the stack to
 * tell whether it comes from node_modules (52 ms for 10,000 calls from a
 * shallow stack here, against 6.6 ms without). Once the warning has been
 * emitted Node checks no more, so it is emitted here, silenced, from outside
 * node_modules.
 */
function stopBufferDeprecationChecks(): void {
  const silenced = process.noDeprecation;
  process.noDeprecation = true;
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  new Buffer(0);
  process.noDeprecation = silenced;
}

/**
 * The driver hands each array answer back with a prototype of its own: the
 * methods of its ArrayResult copied onto a new object and set with
 * `__proto__`. That costs a copy per answer and makes V8 give up its fast
 * paths for the array and for the code that touches it: 0.5–0.7 s of CPU per
 * validation thread in 2,000 TRANSFERs. `Database.run` only wants the array.
 */
function plainArrayAnswers(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cursors = require('rethinkdb/cursor') as { makeIterable: (response: unknown[]) => unknown[] };
  cursors.makeIterable = (response) => response;
}

export interface RawConnection {
  close(options?: { noreplyWait: boolean }): Promise<void>;
  on(event: 'close' | 'error' | 'timeout', listener: (...args: unknown[]) => void): void;
  open: boolean;
}

/** The message of a ReQL error, which reqlite sends without an error type. */
export function reqlMessage(err: unknown): string {
  const e = err as { msg?: string; message?: string };
  return e.msg ?? e.message ?? String(err);
}

/**
 * Documents to write, sent as one JSON text for the server to parse (r.json).
 * Given the objects themselves, the driver builds a term for every nested
 * value (r.expr): ten times the CPU for a block of 1000 transactions, in the
 * node and in the database. Our documents hold JSON values only, so the
 * server stores the same document either way.
 */
export function jsonDocuments(documents: unknown): Term {
  return r.json(JSON.stringify(documents));
}
