/**
 * reqlite logs every query and every answer through a `util.log` that
 * prints in debug mode only, but builds its arguments first: a
 * `JSON.stringify` of each query and a pretty-printed one of each answer.
 * That was 12 % of reqlite's CPU in a TRANSFER run, where a block insert is
 * a megabyte of query. `startQueriesWithoutLogs` runs START queries, nearly
 * every query, as reqlite does but without building those logs; the others
 * still go through reqlite's own handler.
 */
import { reqliteModule, type ReqliteValue as Any } from './reqlite-internals';

const ReqliteConnection = reqliteModule('connection');
const Query = reqliteModule('query');
const protodef = reqliteModule('protodef');

const START = protodef.Query.QueryType.START;
const RUNTIME_ERROR = protodef.Response.ResponseType.RUNTIME_ERROR;

let quiet = false;

export function startQueriesWithoutLogs(): void {
  if (quiet) return;
  quiet = true;
  const original = ReqliteConnection.prototype.handleQuery;
  ReqliteConnection.prototype.handleQuery = function handleQuery(this: Any, token: number, text: string) {
    let parsed: Any;
    try {
      parsed = JSON.parse(text);
    } catch {
      return original.call(this, token, text);
    }
    // Anything but a START (a changefeed's CONTINUE, STOP, NOREPLY_WAIT...) is a few bytes: reqlite's handler parses it again.
    if (!Array.isArray(parsed) || parsed[0] !== START) return original.call(this, token, text);
    try {
      const query = new Query(this.server, parsed, {}, token);
      Promise.resolve(query.run()).then((response: Any) => {
        if (query.isComplete() === false) this.queries[token] = query;
        this.send(token, response);
      }).catch(() => undefined); // as reqlite: an answer that fails to come is logged in debug mode only
    } catch (err) {
      this.send(token, { t: RUNTIME_ERROR, r: [(err as Error).message], b: (err as { frames?: unknown }).frames ?? [] });
    }
  };
}
