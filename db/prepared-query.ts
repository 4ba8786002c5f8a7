/**
 * Queries of a fixed shape, built once per database and reused with new
 * arguments. The driver builds every query from a tree of term objects and
 * then their wire form: some 40 µs for a lookup inside blocks, and a node
 * makes nine such lookups per TRANSFER (its API, block and vote pipeline).
 * A prepared query builds the tree once with placeholders, finds where they
 * land in the wire form, and puts each run's arguments there in their own
 * wire form. The server receives the same query either way; only the
 * driver's numbering of function variables may differ.
 */
import type { Database } from './connection';
import type { Term } from './rethink';

/** Where a placeholder sits in the wire form: the keys and indexes leading to it, and which argument it is. */
interface Hole {
  readonly path: readonly (string | number)[];
  readonly argument: number;
}

interface Built {
  /** The query with placeholders, for the driver's error messages. */
  readonly term: Term;
  readonly wire: unknown;
  readonly holes: readonly Hole[];
}

/** ReQL's MAKE_ARRAY: a literal array in the wire form. */
const MAKE_ARRAY = 2;
const PLACEHOLDER = '\u0000prepared-argument:';

export class PreparedQuery<Args extends readonly unknown[]> {
  private readonly built = new Map<string, Built>();

  /** `make` builds the query of `db` from one term per argument; it is called once per database. */
  constructor(private readonly make: (db: Database, ...args: Term[]) => Term, private readonly arity: Args['length']) {}

  /** The query with `args`, to give `db.run`. */
  term(db: Database, args: Args): Term {
    const built = this.builtFor(db);
    const values = args.map(wireOf);
    // The driver reads `build()` and serializes its answer at once, in the same turn, so the shared
    // wire form is filled in place just before; the term keeps the template's methods for its error messages.
    const term = Object.create(built.term) as Term;
    term.build = () => {
      for (const hole of built.holes) put(built.wire, hole.path, values[hole.argument]);
      return built.wire;
    };
    return term;
  }

  private builtFor(db: Database): Built {
    let built = this.built.get(db.name);
    if (built === undefined) {
      const placeholders = Array.from({ length: this.arity }, (_, i) => `${PLACEHOLDER}${i}`);
      const term = this.make(db, ...placeholders);
      const wire: unknown = term.build();
      const holes = findHoles(wire, []);
      if (new Set(holes.map((h) => h.argument)).size !== this.arity) throw new Error('a prepared query must use each of its arguments as a plain value');
      built = { term, wire, holes };
      this.built.set(db.name, built);
    }
    return built;
  }
}

function findHoles(wire: unknown, path: (string | number)[]): Hole[] {
  if (typeof wire === 'string') return wire.startsWith(PLACEHOLDER) ? [{ path: [...path], argument: Number(wire.slice(PLACEHOLDER.length)) }] : [];
  if (Array.isArray(wire)) return wire.flatMap((item, i) => findHoles(item, [...path, i]));
  if (wire !== null && typeof wire === 'object') return Object.entries(wire).flatMap(([key, value]) => findHoles(value, [...path, key]));
  return [];
}

function put(wire: unknown, path: readonly (string | number)[], value: unknown): void {
  let at = wire as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) at = at[path[i]!] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = value;
}

/** A JSON value as the driver's `r.expr` writes it: arrays as MAKE_ARRAY terms, objects and scalars as they are. */
function wireOf(value: unknown): unknown {
  if (Array.isArray(value)) return [MAKE_ARRAY, value.map(wireOf)];
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wireOf(v)]));
  return value;
}
