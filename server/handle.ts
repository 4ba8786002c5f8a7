import type express from 'express';
import type { Request, Response } from 'express';

/** Express 4 does not catch rejected promises: pass them to the error handler. */
export function handle(fn: (req: Request, res: Response) => Promise<void>): express.RequestHandler {
  return (req, res, next) => {
    fn(req, res).catch(next);
  };
}
