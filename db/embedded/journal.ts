/**
 * The write-ahead journal of the embedded database: every change is appended
 * to `journal-<generation>.log` and fsynced before any reply that could
 * reveal it leaves the server. Records are
 * `length (u32 LE) | crc32 of payload (u32 LE) | payload (JSON)`.
 *
 * Group commit: changes appended while a write and fsync are under way go
 * together in the next one. A snapshot starts a new generation (`rotate`),
 * so that the journal replayed after it holds only what came after its start.
 */
import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { getLogger } from '../../logging/logger';

const log = getLogger('embedded:journal');
const HEADER_BYTES = 8;
const FILE_PATTERN = /^journal-(\d{6,})\.log$/;

/** The journal cannot be read or written; `reason` says why, `file` where. */
export class JournalError extends Error {
  override name = 'JournalError';
  constructor(readonly file: string, readonly reason: string) {
    super(`journal ${file}: ${reason}`);
  }
}

export function journalFile(dir: string, generation: number): string {
  return join(dir, `journal-${String(generation).padStart(6, '0')}.log`);
}

/** The generations of the journal files in `dir`, oldest first. */
export function journalGenerations(dir: string): number[] {
  return readdirSync(dir).flatMap((name) => {
    const match = FILE_PATTERN.exec(name);
    return match === null ? [] : [Number(match[1])];
  }).sort((a, b) => a - b);
}

export function encodeRecord(payload: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(payload));
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(body.length, 0);
  header.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([header, body]);
}

export interface ReplayResult {
  readonly records: number;
  readonly bytes: number;
  /** Why the bytes after `bytes` were not a whole record, or null when the file ended on one. */
  readonly torn: string | null;
}

/** Calls `apply` for each whole record of `file`, in order, up to the first that is not whole. */
export function readRecords(file: string, apply: (payload: unknown) => void): ReplayResult {
  const data = readFileSync(file);
  let offset = 0;
  let records = 0;
  while (offset < data.length) {
    const record = recordAt(data, offset);
    if ('torn' in record) return { records, bytes: offset, torn: record.torn };
    apply(record.payload);
    offset = record.end;
    records++;
  }
  return { records, bytes: offset, torn: null };
}

/** The record at `offset` and where it ends, or why it is not whole. */
function recordAt(data: Buffer, offset: number): { payload: unknown; end: number } | { torn: string } {
  if (data.length - offset < HEADER_BYTES) return { torn: `${data.length - offset} bytes at offset ${offset}, less than a record header` };
  const length = data.readUInt32LE(offset);
  const end = offset + HEADER_BYTES + length;
  if (end > data.length) return { torn: `the record at offset ${offset} announces ${length} bytes, ${data.length - offset - HEADER_BYTES} follow` };
  const body = data.subarray(offset + HEADER_BYTES, end);
  if (crc32(body) !== data.readUInt32LE(offset + 4)) return { torn: `the record at offset ${offset} fails its checksum` };
  try {
    return { payload: JSON.parse(body.toString('utf8')), end };
  } catch {
    return { torn: `the record at offset ${offset} is not JSON` };
  }
}

/**
 * Replays the journals of `dir` from `generation` on; a torn tail of the
 * newest is cut off (it was never acknowledged). A bad record in an older
 * one means records after it were acknowledged and cannot be read: that is
 * refused, not skipped.
 */
export function replayJournals(dir: string, generation: number, apply: (payload: unknown) => void): { records: number; bytes: number } {
  const generations = journalGenerations(dir).filter((g) => g >= generation);
  let records = 0;
  let bytes = 0;
  for (const [i, g] of generations.entries()) {
    const file = journalFile(dir, g);
    const result = readRecords(file, apply);
    records += result.records;
    bytes += result.bytes;
    if (result.torn === null) continue;
    if (i < generations.length - 1) throw new JournalError(file, `${result.torn}, and a newer journal follows: refusing to go on without it`);
    log.warn(`journal ${file}: dropped its torn last record (${result.torn}); it was never acknowledged`);
    truncateSync(file, result.bytes);
    syncPath(file);
  }
  return { records, bytes };
}

/** Removes the journals older than `generation`: a snapshot holds what they held. */
export function removeJournalsBefore(dir: string, generation: number): void {
  for (const g of journalGenerations(dir)) if (g < generation) rmSync(journalFile(dir, g));
  syncPath(dir);
}

/** fsync of a file or a folder (a folder: so that a file created or renamed in it stays). */
export function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

interface Segment {
  readonly generation: number;
  readonly chunks: Buffer[];
}

interface HeldReply {
  readonly seq: number;
  readonly send: () => void;
}

/** A reply that cannot be sent (its client is gone) must not stop the journal, whose flushes run in one chain. */
function release(reply: HeldReply): void {
  try {
    reply.send();
  } catch (err) {
    log.debug(`a held reply could not be sent: ${(err as Error).message}`);
  }
}

/** The journal being written: appends, group commit, replies held until durable. */
export class Journal {
  private segments: Segment[];
  private appended = 0;
  private durable = 0;
  private flushScheduled = false;
  private io: Promise<void> = Promise.resolve();
  private readonly held: HeldReply[] = [];
  private failure: JournalError | null = null;
  private commits = 0;
  private readonly failureListeners: ((err: JournalError) => void)[] = [];
  /** The generation `file` belongs to; `generation` runs ahead of it between `rotate` and the next flush. */
  private fileGeneration: number;

  private constructor(private readonly dir: string, private generation: number, private file: FileHandle, private bytes: number) {
    this.segments = [{ generation, chunks: [] }];
    this.fileGeneration = generation;
  }

  /** Opens (or creates) the journal of `generation` in `dir` for appending. */
  static async open(dir: string, generation: number): Promise<Journal> {
    const path = journalFile(dir, generation);
    const handle = await open(path, 'a');
    syncPath(dir);
    return new Journal(dir, generation, handle, statSync(path).size);
  }

  /** Bytes in the current generation's file. */
  get size(): number {
    return this.bytes;
  }

  /** Records appended and the fsyncs that made them durable, since the journal was opened. */
  get stats(): { readonly records: number; readonly commits: number } {
    return { records: this.appended, commits: this.commits };
  }

  /** Appends a change; it is durable at the next group commit. */
  append(payload: unknown): void {
    if (this.failure !== null) return;
    this.segments[this.segments.length - 1]!.chunks.push(encodeRecord(payload));
    this.appended++;
    this.scheduleFlush();
  }

  /** Runs `send` once every change appended so far is durable, after the replies held before it. */
  hold(send: () => void): void {
    if (this.failure !== null) return;
    if (this.held.length === 0 && this.durable === this.appended) {
      send();
      return;
    }
    this.held.push({ seq: this.appended, send });
  }

  /** Changes appended from now on go to a new generation; returns it. */
  rotate(): number {
    this.generation++;
    this.segments.push({ generation: this.generation, chunks: [] });
    this.scheduleFlush();
    return this.generation;
  }

  /** Resolves once every change appended before the call is durable. */
  async durableUntilNow(): Promise<void> {
    const target = this.appended;
    while (this.durable < target && this.failure === null) await this.io;
    if (this.failure !== null) throw this.failure;
  }

  onFailure(listener: (err: JournalError) => void): void {
    this.failureListeners.push(listener);
  }

  async close(): Promise<void> {
    await this.durableUntilNow().catch(() => undefined);
    await this.io;
    await this.file.close();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.io = this.io.then(() => this.flush());
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const segments = this.segments;
    const upTo = this.appended;
    this.segments = [{ generation: this.generation, chunks: [] }];
    try {
      for (const segment of segments) await this.writeSegment(segment);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.durable = upTo;
    while (this.held.length > 0 && this.held[0]!.seq <= this.durable) release(this.held.shift()!);
  }

  private async writeSegment(segment: Segment): Promise<void> {
    if (segment.generation !== this.fileGeneration) await this.switchFile(segment.generation);
    if (segment.chunks.length === 0) return;
    const batch = Buffer.concat(segment.chunks);
    for (let written = 0; written < batch.length;) written += (await this.file.write(batch, written)).bytesWritten;
    await this.file.datasync();
    this.commits++;
    this.bytes += batch.length;
  }

  private async switchFile(generation: number): Promise<void> {
    await this.file.close();
    const path = journalFile(this.dir, generation);
    this.file = await open(path, 'a');
    syncPath(this.dir);
    this.fileGeneration = generation;
    this.bytes = 0;
  }

  private fail(err: Error): void {
    this.failure = new JournalError(journalFile(this.dir, this.fileGeneration), `cannot write: ${err.message}`);
    log.error(`${this.failure.message}: the embedded database stops answering, since what it would acknowledge could be lost`);
    this.held.length = 0;
    for (const listener of this.failureListeners) listener(this.failure);
  }
}

