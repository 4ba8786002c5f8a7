/** The API's JSON errors: every answer is `{"status": …, "message": …}`, never a stack trace. */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { isConnectionError } from '../db/connection';
import { getLogger } from '../logging/logger';

const log = getLogger('api');

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function sendError(res: Response, status: number, message: string): void {
  res.status(status).json({ status, message });
}

export const notFound: RequestHandler = (_req, res) => sendError(res, 404, 'Not found');

export function methodNotAllowed(allowed: string): RequestHandler {
  return (req, res) => {
    res.setHeader('Allow', allowed);
    sendError(res, 405, `Method ${req.method} not allowed here (allowed: ${allowed})`);
  };
}

/** The answer an error gets: its status, message and the headers that go with it. */
export interface ErrorAnswer {
  readonly status: number;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Known errors keep their status; a lost database is a 503, so that a client
 * tries again or another node; anything else is a 500 whose details stay in
 * the log.
 */
export function errorAnswer(err: unknown): ErrorAnswer {
  if (err instanceof HttpError) return { status: err.status, message: err.message, headers: {} };
  if (isConnectionError(err)) {
    log.warn(`request failed: the database cannot be reached (${(err as Error).message})`);
    return { status: 503, message: 'This node cannot reach its database: try again later or another node', headers: { 'Retry-After': '1' } };
  }
  const status = (err as { status?: number; type?: string }).status;
  if ((err as { type?: string }).type === 'entity.too.large') return { status: 413, message: 'Request body too large', headers: {} };
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, message: (err as Error).message, headers: {} };
  log.error(`request failed: ${(err as Error).stack ?? String(err)}`);
  return { status: 500, message: 'Internal server error', headers: {} };
}

/** Last handler of the Express app. */
export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  const answer = errorAnswer(err);
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  sendError(res, answer.status, answer.message);
};
