/**
 * `POST /api/v1/transactions` straight on node:http, ahead of Express: the
 * one request a loaded node answers thousands of times a second, where
 * Express's router, body parser and `res.json` cost as much as parsing the
 * transaction. Only the plain case goes this way: UTF-8 JSON, no content
 * encoding, a declared length within the limit. Anything else (charsets,
 * gzip, chunked bodies, other paths) goes to Express, which answers it as
 * before.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TransactionIntake } from './transaction-intake';
import { errorAnswer, HttpError } from './errors';

const PATHS = new Set(['/api/v1/transactions', '/api/v1/transactions/']);
const PLAIN_JSON = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);
const BOM = '\ufeff';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** A listener that answers plain POSTs of a transaction itself and hands every other request to `fallback`. */
export function directPost(intake: TransactionIntake, bodyLimit: number, fallback: RequestListener): RequestListener {
  return (req, res) => {
    const length = plainPostLength(req, bodyLimit);
    if (length === null) return fallback(req, res);
    readBody(req, length).then(
      (raw) => intake.accept(raw),
    ).then(
      ({ status, transaction }) => sendJson(res, status, {}, JSON.stringify(transaction)),
      (err: unknown) => {
        const { status, message, headers } = errorAnswer(err);
        sendJson(res, status, headers, JSON.stringify({ status, message }));
      },
    );
  };
}

/** The declared body length of a request this path serves, or null for one that Express must. */
function plainPostLength(req: IncomingMessage, bodyLimit: number): number | null {
  if (req.method !== 'POST') return null;
  const url = req.url ?? '';
  const query = url.indexOf('?');
  if (!PATHS.has(query < 0 ? url : url.slice(0, query))) return null;
  const type = req.headers['content-type']?.toLowerCase().trim();
  if (type === undefined || !PLAIN_JSON.has(type)) return null;
  if (req.headers['content-encoding'] !== undefined || req.headers['transfer-encoding'] !== undefined) return null;
  const declared = req.headers['content-length'];
  const length = declared !== undefined && /^\d{1,10}$/.test(declared) ? Number(declared) : NaN;
  return Number.isFinite(length) && length <= bodyLimit ? length : null;
}

/** The body as UTF-8 text without a leading BOM, as Express's text parser gives it; node:http holds it to `length` bytes. */
function readBody(req: IncomingMessage, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A client gone mid-body is its own doing: a 400 nobody reads, as Express's parser answers, not a logged 500.
    req.on('error', () => reject(new HttpError(400, 'request aborted')));
    req.on('end', () => {
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)).toString('utf8');
      resolve(text.startsWith(BOM) ? text.slice(1) : text);
    });
  });
}

function sendJson(res: ServerResponse, status: number, headers: Readonly<Record<string, string>>, text: string): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
