/**
 * The RethinkDB driver, behind one typed door. ReQL terms are built inside
 * db/ only; every function db/ exports has typed arguments and results.
 */
import { patchDriver } from './driver-patches';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Term = any;

// The driver ships no types and DefinitelyTyped's lack minval, maxval, config and reconfigure.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const r: Term = require('rethinkdb');

patchDriver();

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
