/**
 * Snapshots of the embedded database: `snapshot.ndjson`, one JSON value a
 * line so that neither writing nor reading holds the whole data as one
 * string. The first line is the header (the schema, and the journal
 * generation to replay after it), then `[db, table, document]` a line, then
 * `{"end": <documents>}`. It is written beside, fsynced and renamed into
 * place, so a snapshot is either whole or the previous one.
 */
import { createReadStream, existsSync, renameSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { syncPath } from './journal';
import type { Change, Datum, Schema } from './reqlite-store';

export const SNAPSHOT_FILE = 'snapshot.ndjson';
const FORMAT = 'bigchaindb-embedded-snapshot';
const VERSION = 1;

export interface SnapshotHeader {
  /** The journal generation whose records come after this snapshot. */
  readonly journal: number;
  readonly schema: Schema;
}

/** The documents of one table. */
export interface TableDocuments {
  readonly db: string;
  readonly table: string;
  readonly documents: Iterable<Datum>;
}

/** Lines are written in pieces of about this size: writes to the database go on between them. */
const WRITE_BYTES = 1024 * 1024;

/** A snapshot that cannot be read; `reason` says why. */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
  constructor(readonly file: string, readonly reason: string) {
    super(`snapshot ${file}: ${reason}`);
  }
}

export interface SnapshotSize {
  readonly documents: number;
  readonly bytes: number;
}

/** Writes the snapshot of `dir`, replacing the previous one only once it is whole and on disk. */
export async function writeSnapshot(dir: string, header: SnapshotHeader, tables: Iterable<TableDocuments>): Promise<SnapshotSize> {
  const file = join(dir, SNAPSHOT_FILE);
  const partial = `${file}.partial`;
  const handle = await open(partial, 'w');
  let documents = 0;
  let lines: string[] = [`${JSON.stringify({ format: FORMAT, version: VERSION, ...header })}\n`];
  let bytes = 0;
  try {
    for (const { db, table, documents: docs } of tables) {
      for (const doc of docs) {
        const line = `${JSON.stringify([db, table, doc])}\n`;
        lines.push(line);
        bytes += line.length;
        documents++;
        if (bytes < WRITE_BYTES) continue;
        await handle.write(lines.join(''));
        lines = [];
        bytes = 0;
      }
    }
    lines.push(`${JSON.stringify({ end: documents })}\n`);
    await handle.write(lines.join(''));
    await handle.datasync();
  } finally {
    await handle.close();
  }
  renameSync(partial, file);
  syncPath(dir);
  return { documents, bytes: statSync(file).size };
}

/**
 * Applies the snapshot of `dir` (its schema, then each document) and
 * returns its header, or null when there is none.
 */
export async function readSnapshot(dir: string, apply: (change: Change) => void): Promise<(SnapshotHeader & SnapshotSize) | null> {
  const file = join(dir, SNAPSHOT_FILE);
  if (!existsSync(file)) return null;
  let header: SnapshotHeader | null = null;
  let documents = 0;
  let end: number | null = null;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (end !== null) throw new SnapshotError(file, 'lines after its end line');
    const value = parseLine(file, line);
    if (header === null) {
      header = checkHeader(file, value);
      apply({ op: 'schema', schema: header.schema });
    } else if (Array.isArray(value) && value.length === 3 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      apply({ op: 'put', db: value[0], table: value[1], doc: value[2] });
      documents++;
    } else {
      end = endCount(file, value);
    }
  }
  if (header === null) throw new SnapshotError(file, 'empty');
  if (end === null) throw new SnapshotError(file, 'no end line: it was cut short');
  if (end !== documents) throw new SnapshotError(file, `its end line counts ${end} documents, it holds ${documents}`);
  return { ...header, documents, bytes: statSync(file).size };
}

function parseLine(file: string, line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new SnapshotError(file, `a line is not JSON: ${line.slice(0, 80)}`);
  }
}

function checkHeader(file: string, value: unknown): SnapshotHeader {
  const header = value as { format?: unknown; version?: unknown; journal?: unknown; schema?: unknown };
  if (header?.format !== FORMAT) throw new SnapshotError(file, `its first line is not a ${FORMAT} header`);
  if (header.version !== VERSION) throw new SnapshotError(file, `version ${String(header.version)}; this node reads version ${VERSION}`);
  if (!Number.isSafeInteger(header.journal) || typeof header.schema !== 'object' || header.schema === null) {
    throw new SnapshotError(file, 'its header lacks the journal generation or the schema');
  }
  return { journal: header.journal as number, schema: header.schema as Schema };
}

function endCount(file: string, value: unknown): number {
  const end = (value as { end?: unknown } | null)?.end;
  if (!Number.isSafeInteger(end)) throw new SnapshotError(file, `a line is neither a document nor the end: ${JSON.stringify(value).slice(0, 80)}`);
  return end as number;
}
