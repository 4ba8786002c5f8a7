/**
 * reqlite answers each CONTINUE of a changefeed with one change, however many
 * are waiting: a feed under load costs a round trip, a response and a driver
 * wake-up per change, in the node and in the database. RethinkDB answers with
 * the changes it has buffered, in one batch. `batchChangefeedResponses`
 * makes reqlite do the same: a CONTINUE takes every waiting change, up to
 * MAX_BATCH, in one response. Errors and the end of a feed still come alone
 * and in order.
 */
import { reqliteModule, type ReqliteValue as Any } from './reqlite-internals';

const ReqliteChanges = reqliteModule('changes');
const protodef = reqliteModule('protodef');

/** Changes in one response at most: RethinkDB's default batch is of this order too. */
const MAX_BATCH = 1000;

let batching = false;

export function batchChangefeedResponses(): void {
  if (batching) return;
  batching = true;
  const PARTIAL = protodef.Response.ResponseType.SUCCESS_PARTIAL;
  ReqliteChanges.prototype.onNext = function onNext(this: Any, callback: (response: Any, notes: Any) => void) {
    if (this.buffer.length === 0) {
      this.callbacks.push(callback);
      return;
    }
    const first = this.buffer.shift();
    if (first.t !== PARTIAL) {
      callback(first, this.notes);
      return;
    }
    const changes: Any[] = [...first.r];
    while (this.buffer.length > 0 && this.buffer[0].t === PARTIAL && changes.length < MAX_BATCH) {
      changes.push(...this.buffer.shift().r);
    }
    callback({ ...first, r: changes }, this.notes);
  };
}
