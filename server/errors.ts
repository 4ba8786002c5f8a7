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

/**
 * Last handler: known errors keep their status; a lost database is a 503, so
 * that a client tries again or another node; anything else is a 500 whose
 * details stay in the log.
 */
export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof HttpError) return sendError(res, err.status, err.message);
  if (isConnectionError(err)) {
    log.warn(`request failed: the database cannot be reached (${(err as Error).message})`);
    res.setHeader('Retry-After', '1');
    return sendError(res, 503, 'This node cannot reach its database: try again later or another node');
  }
  const status = (err as { status?: number; type?: string }).status;
  if ((err as { type?: string }).type === 'entity.too.large') return sendError(res, 413, 'Request body too large');
  if (typeof status === 'number' && status >= 400 && status < 500) return sendError(res, status, (err as Error).message);
  log.error(`request failed: ${(err as Error).stack ?? String(err)}`);
  sendError(res, 500, 'Internal server error');
};
