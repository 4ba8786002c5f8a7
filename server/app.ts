/**
 * The HTTP API of SPEC.md §9, and the query API of §13 (query-routes.ts), as
 * an Express app: JSON everywhere, errors included; every bad input a 4xx
 * that says what is wrong and changes nothing.
 */
import express, { type Request, type Response } from 'express';
import type { Config } from '../config/config';
import type { Bigchain } from '../core/bigchain';
import { ChainQueries } from '../core/queries';
import { BigchainError } from '../models/errors';
import { parseJson } from '../models/serialize';
import { Transaction } from '../models/transaction';
import type { TxId } from '../models/types';
import { ChainCorruption } from '../core/bigchain';
import { errorHandler, HttpError, methodNotAllowed, notFound } from './errors';
import { GroupCommit } from './group-commit';
import { handle } from './handle';
import { isHash } from './params';
import { addQueryRoutes, listTransactions } from './query-routes';
import type { Metrics } from '../metrics/statsd';

export interface ApiDeps {
  readonly bigchain: Bigchain;
  readonly config: Config;
  readonly metrics: Metrics;
  readonly version: string;
}

/** Transactions per backlog write: a few hundred keeps one insert well under a megabyte or two. */
const MAX_WRITE_BATCH = 500;

/** Writes a transaction unless the node knows it already; true when written. */
type BacklogWriter = GroupCommit<Transaction, boolean>;

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('json spaces', 0);
  const body = express.text({ type: () => true, limit: deps.config.server.body_limit });
  const writer: BacklogWriter = new GroupCommit((txs) => deps.bigchain.writeNewTransactions(txs), MAX_WRITE_BATCH);
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
    .post(body, handle((req, res) => postTransaction(deps, writer, req, res)))
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

/** Validates fully (SPEC.md §4), writes to the backlog, answers 201 with the transaction. */
async function postTransaction(deps: ApiDeps, writer: BacklogWriter, req: Request, res: Response): Promise<void> {
  if (!req.is('application/json')) throw new HttpError(415, 'Content-Type must be application/json');
  const raw = typeof req.body === 'string' ? req.body : '';
  if (raw.trim() === '') throw new HttpError(400, 'Empty body: send the transaction as a JSON object');
  try {
    const value = parseJson(raw);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new HttpError(400, 'Invalid transaction: the body must be a JSON object');
    }
    const tx = Transaction.fromDict(value);
    await deps.bigchain.validateTransaction(tx);
    const started = process.hrtime.bigint();
    if (!(await writer.submit(tx))) {
      res.status(200).json(tx.toDict());
      return;
    }
    deps.metrics.timeSince('write_transaction', 'per-transaction', started);
    deps.metrics.increment('api.transactions.accepted', 'per-transaction');
    res.status(201).json(tx.toDict());
  } catch (err) {
    const invalid = err instanceof BigchainError && !(err instanceof ChainCorruption);
    if (invalid || err instanceof HttpError) deps.metrics.increment('api.transactions.rejected', 'per-transaction');
    if (invalid) throw new HttpError(400, `Invalid transaction: ${err.name}: ${err.message}`);
    throw err;
  }
}

function txIdParam(req: Request): TxId {
  const id = req.params.id ?? '';
  if (!isHash(id)) throw new HttpError(404, 'Not found');
  return id;
}
