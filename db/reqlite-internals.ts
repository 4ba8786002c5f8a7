/**
 * reqlite's internal modules, which the mends of db/reqlite-*.ts and the
 * embedded database's store (db/embedded/reqlite-store.ts) reach into:
 * reqlite ships neither types nor an API for them.
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */

/** A value of reqlite's making: untyped, as reqlite is. */
export type ReqliteValue = any;

// reqlite's own entry first: its modules require each other in a cycle that only that order resolves.
require('reqlite');

/** `reqlite/lib/<name>.js`. */
export function reqliteModule(name: string): ReqliteValue {
  return require(`reqlite/lib/${name}.js`);
}
