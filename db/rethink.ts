/**
 * The RethinkDB driver, behind one typed door. ReQL terms are built inside
 * db/ only; every function db/ exports has typed arguments and results.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Term = any;

// The driver ships no types and DefinitelyTyped's lack minval, maxval, config and reconfigure.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const r: Term = require('rethinkdb');

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
