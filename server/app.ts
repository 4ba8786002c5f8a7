/**
 * The HTTP API of SPEC.md §9, and the query API of §13 (query-routes.ts), as
 * an Express app: JSON everywhere, errors included; every bad input a 4xx
 * that says what is wrong and changes nothing.
 */
import express, { type Request, type Response } from 'express';
import type { Config } from '../config/config';
import type { Bigchain } from '../core/bigchain';
import { ChainQueries } from '../core/queries';
import type { Transaction } from '../models/transaction';
import type { TxId } from '../models/types';
import { TransactionIntake } from './transaction-intake';
import { directPost, type RequestListener } from './direct-post';
import { errorHandler, HttpError, methodNotAllowed, notFound } from './errors';
import { handle } from './handle';
import { isHash } from './params';
import { addQueryRoutes, listTransactions } from './query-routes';
import type { Metrics } from '../metrics/statsd';

export interface ApiDeps {
  readonly bigchain: Bigchain;
  readonly config: Config;
  readonly metrics: Metrics;
  readonly version: string;
  /** Told of every POSTed transaction that passed every check (the node's memo hears of it through the primary). */
  readonly onValidated?: (tx: Transaction) => void;
}

/** The API's request listener: plain transaction POSTs on the direct path, everything else through Express. */
export function createApi(deps: ApiDeps): RequestListener {
  const intake = new TransactionIntake(deps.bigchain, deps.metrics, deps.onValidated);
  return directPost(intake, deps.config.server.body_limit, createApp(deps, intake));
}

/** `intake` serves the POSTs that the direct path leaves to Express. */
function createApp(deps: ApiDeps, intake: TransactionIntake): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('json spaces', 0);
  const body = express.text({ type: () => true, limit: deps.config.server.body_limit });
  const queries = new ChainQueries(deps.bigchain);

  app.route('/').get((_req, res) => {
    res.json({
      software: 'BigchainDB',
      version: deps.version,
      public_key: deps.bigchain.me,
      keyring: deps.bigchain.nodesExceptMe,
      api_endpoint: deps.config.api_endpoint,
    });
  }).all(methodNotAllowed('GET'));

  app.route('/api/v1/transactions')
    .get(listTransactions(queries))
    .post(body, handle((req, res) => postTransaction(intake, req, res)))
    .all(methodNotAllowed('GET, POST'));

  app.route('/api/v1/transactions/:id').get(handle(async (req, res) => {
    const tx = await deps.bigchain.getTransaction(txIdParam(req));
    if (tx === null) throw new HttpError(404, 'Not found');
    res.json(tx.toDict());
  })).all(methodNotAllowed('GET'));

  app.route('/api/v1/transactions/:id/status').get(handle(async (req, res) => {
    const status = await deps.bigchain.getStatus(txIdParam(req));
    if (status === null) throw new HttpError(404, 'Not found');
    res.json({ status });
  })).all(methodNotAllowed('GET'));

  app.route('/api/v1/transactions/:id/conditions/:cid').get(handle(async (req, res) => {
    const tx = await deps.bigchain.getTransaction(txIdParam(req));
    const cid = /^\d{1,9}$/.test(req.params.cid ?? '') ? Number(req.params.cid) : -1;
    const condition = tx?.conditions[cid];
    if (condition === undefined) throw new HttpError(404, 'Not found');
    res.json(condition);
  })).all(methodNotAllowed('GET'));

  addQueryRoutes(app, deps, queries);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

async function postTransaction(intake: TransactionIntake, req: Request, res: Response): Promise<void> {
  if (!req.is('application/json')) throw new HttpError(415, 'Content-Type must be application/json');
  const { status, transaction } = await intake.accept(typeof req.body === 'string' ? req.body : '');
  res.status(status).json(transaction);
}

function txIdParam(req: Request): TxId {
  const id = req.params.id ?? '';
  if (!isHash(id)) throw new HttpError(404, 'Not found');
  return id;
}
