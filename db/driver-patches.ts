/**
 * Mends to the `rethinkdb` driver's costs, none of its behaviour: each one
 * was found in a profile of the node under load.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

/** Applies every mend; db/rethink.ts calls it once per thread, as it loads the driver. */
export function patchDriver(): void {
  stopBufferDeprecationChecks();
  // Node looks for node_modules in the whole stack, and a piscina thread loads the driver from piscina's code:
  // there the call above counts as node_modules'. A later turn's stack holds no caller.
  setImmediate(stopBufferDeprecationChecks);
  plainArrayAnswers();
  linearResponseBuffering();
  oneWritePerTurn();
  plainRowsAsTheyAre();
}

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
  const cursors = require('rethinkdb/cursor') as { makeIterable: (response: unknown[]) => unknown[] };
  cursors.makeIterable = (response) => response;
}

interface DriverConnection {
  /** The driver's own buffer: bytes of the next responses, read from the socket. */
  buffer: Buffer;
  _processResponse(response: unknown, token: number): void;
  /** Chunks of a response not yet complete, their bytes, and how many it needs with its header. */
  waitingChunks?: Buffer[];
  waitingHeld?: number;
  waitingFor?: number;
}

const HEADER_BYTES = 12;

/**
 * The driver appends every socket chunk to its buffer with a copy of all it
 * holds: a response of a megabyte (a block) arriving in 64 kB chunks is
 * copied some sixteen times over. Here the chunks of an incomplete response
 * wait in a list and are joined once, when the last arrives. Responses are
 * parsed and handed on exactly as the driver does.
 */
function linearResponseBuffering(): void {
  const net = require('rethinkdb/net') as { Connection: { prototype: { _data(this: DriverConnection, chunk: Buffer): void } } };
  net.Connection.prototype._data = function _data(this: DriverConnection, chunk: Buffer): void {
    if (this.waitingFor !== undefined) {
      this.waitingChunks!.push(chunk);
      this.waitingHeld! += chunk.length;
      if (this.waitingHeld! < this.waitingFor) return;
      this.buffer = Buffer.concat(this.waitingChunks!, this.waitingHeld);
      this.waitingChunks = this.waitingHeld = this.waitingFor = undefined;
    } else {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    }
    while (this.buffer.length >= HEADER_BYTES) {
      const token = this.buffer.readUInt32LE(0) + 0x100000000 * this.buffer.readUInt32LE(4);
      const needed = HEADER_BYTES + this.buffer.readUInt32LE(8);
      if (this.buffer.length < needed) {
        this.waitingChunks = [this.buffer];
        this.waitingHeld = this.buffer.length;
        this.waitingFor = needed;
        this.buffer = Buffer.alloc(0);
        return;
      }
      const body = this.buffer.subarray(HEADER_BYTES, needed);
      const response = JSON.parse(body.toString('utf8')) as { r?: unknown };
      if (Array.isArray(response.r) && holdsNoPseudotype(body)) for (const row of response.r) if (typeof row === 'object' && row !== null) plainRows.add(row);
      this.buffer = this.buffer.subarray(needed);
      this._processResponse(response, token);
    }
  };
}

interface DriverSocket {
  rawSocket: import('node:net').Socket;
  /** Set while this turn's queries are corked on the socket. */
  corked?: boolean;
}

/**
 * The driver writes each query to its socket in three pieces (token, length,
 * JSON), and with Nagle off each piece is a syscall and a segment of its own:
 * socket writes were 7–9 % of every validation thread's CPU in a TRANSFER
 * run. Here a query is one buffer of the same bytes, and the queries a
 * thread sends in one turn (a validation job's lookups, say) are corked
 * together into one `writev`, uncorked before the turn's I/O.
 */
function oneWritePerTurn(): void {
  const net = require('rethinkdb/net') as { TcpConnection: { prototype: { _writeQuery(this: DriverSocket, token: number, data: string): void } } };
  net.TcpConnection.prototype._writeQuery = function _writeQuery(this: DriverSocket, token: number, data: string): void {
    const length = Buffer.byteLength(data);
    const query = Buffer.allocUnsafe(HEADER_BYTES + length);
    // The driver's own arithmetic for the token's high word, kept so that the bytes are the same.
    query.writeUInt32LE(token & 0xffffffff, 0);
    query.writeUInt32LE(Math.floor(token / 0xffffffff), 4);
    query.writeUInt32LE(length, 8);
    query.write(data, HEADER_BYTES, 'utf8');
    if (this.corked !== true) {
      this.corked = true;
      this.rawSocket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.rawSocket.uncork();
      });
    }
    this.rawSocket.write(query);
  };
}

/**
 * True when an answer's JSON cannot hold ReQL's pseudotypes (times, binary
 * data, groups, geometry), all marked by the key `$reql_type$`: it has no
 * `$`, nor a backslash that could escape one. One byte search each, some
 * twenty times cheaper than the walk it spares (a block of 1000: 0.07
 * against 1.5 ms of CPU).
 */
function holdsNoPseudotype(json: Buffer): boolean {
  return json.indexOf(DOLLAR) === -1 && json.indexOf(BACKSLASH) === -1;
}

const DOLLAR = 0x24;
const BACKSLASH = 0x5c;

/** Rows of answers whose text holds no pseudotype, marked as their answer is parsed. */
const plainRows = new WeakSet<object>();

/**
 * The driver walks every row of a sequence or changefeed answer, object by
 * object, for pseudotypes to convert: 3 % of the block pipeline's thread in
 * a CREATE run, whose rows are transactions and blocks. A row of an answer
 * that cannot hold one is handed on as it was parsed; any other row is
 * converted as before. (Single-value answers are converted by code the
 * driver captured at load; they are small.)
 */
function plainRowsAsTheyAre(): void {
  const util = require('rethinkdb/util') as { recursivelyConvertPseudotype: (row: unknown, options: unknown) => unknown };
  const convert = util.recursivelyConvertPseudotype;
  util.recursivelyConvertPseudotype = (row, options) => (typeof row === 'object' && row !== null && plainRows.has(row) ? row : convert(row, options));
}
