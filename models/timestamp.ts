import type { Timestamp } from './types';

/** Now as whole Unix seconds in a string, the form blocks and votes carry (SPEC.md §1). */
export function timestampNow(): Timestamp {
  return String(Math.round(Date.now() / 1000)) as Timestamp;
}
