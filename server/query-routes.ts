/**
 * The query API of SPEC.md §13 (as BigchainDB 1.x, on the 0.8 model) and the
 * index of /api/v1/ that links to it and to the event stream.
 */
import type express from 'express';
import type { ChainQueries } from '../core/queries';
import { advertisedStreamUrl } from '../stream/url';
import type { ApiDeps } from './app';
import { HttpError, methodNotAllowed } from './errors';
import { handle } from './handle';
import { assetIdParam, booleanParam, exactlyOneOf, hashParam, isHash, oneOf, optionalParam, publicKeyParam, requiredParam } from './params';

const BLOCK_STATUSES = ['valid', 'invalid', 'undecided'] as const;
const ASSET_OPERATIONS = ['CREATE', 'TRANSFER'] as const;
const txIdParam = hashParam('a transaction');
const blockIdParam = hashParam('a block');

/** Output links are relative to /api/v1/outputs/ (or /unspents/), as 0.8 documented them. */
export const outputLink = (link: { txid: string; cid: number }): string => `../transactions/${link.txid}/conditions/${link.cid}`;

export function addQueryRoutes(app: express.Express, deps: ApiDeps, queries: ChainQueries): void {
  const streams = advertisedStreamUrl(deps.config.wsserver);

  app.route('/api/v1').get((_req, res) => {
    res.json({
      transactions: '/api/v1/transactions/',
      outputs: '/api/v1/outputs/',
      unspents: '/api/v1/unspents/',
      statuses: '/api/v1/statuses/',
      blocks: '/api/v1/blocks/',
      votes: '/api/v1/votes/',
      streams,
    });
  }).all(methodNotAllowed('GET'));

  app.route('/api/v1/outputs').get(handle(async (req, res) => {
    const owner = requiredParam(req, 'public_key', publicKeyParam);
    res.json((await queries.outputs(owner, optionalParam(req, 'spent', booleanParam))).map(outputLink));
  })).all(methodNotAllowed('GET'));

  app.route('/api/v1/unspents').get(handle(async (req, res) => {
    res.json((await queries.outputs(requiredParam(req, 'owner_after', publicKeyParam), false)).map(outputLink));
  })).all(methodNotAllowed('GET'));

  app.route('/api/v1/statuses').get(handle(async (req, res) => {
    const status = exactlyOneOf(req, ['transaction_id', 'block_id']) === 'transaction_id'
      ? await deps.bigchain.getStatus(requiredParam(req, 'transaction_id', txIdParam))
      : await queries.blockStatus(requiredParam(req, 'block_id', blockIdParam));
    if (status === null) throw new HttpError(404, 'Not found');
    res.json({ status });
  })).all(methodNotAllowed('GET'));

  app.route('/api/v1/blocks').get(handle(async (req, res) => {
    const txid = requiredParam(req, 'transaction_id', txIdParam);
    res.json(await queries.blocksHolding(txid, optionalParam(req, 'status', oneOf(BLOCK_STATUSES))));
  })).all(methodNotAllowed('GET'));

  app.route('/api/v1/blocks/:id').get(handle(async (req, res) => {
    const id = req.params.id ?? '';
    const block = isHash(id) ? await queries.block(id) : null;
    if (block === null) throw new HttpError(404, 'Not found');
    res.json(block);
  })).all(methodNotAllowed('GET'));

  app.route('/api/v1/votes').get(handle(async (req, res) => {
    res.json(await queries.votes(requiredParam(req, 'block_id', blockIdParam)));
  })).all(methodNotAllowed('GET'));
}

/** GET /api/v1/transactions?asset_id=…[&operation=…]: the transactions of an asset in valid blocks. */
export function listTransactions(queries: ChainQueries): express.RequestHandler {
  return handle(async (req, res) => {
    const assetId = requiredParam(req, 'asset_id', assetIdParam);
    res.json(await queries.transactionsOfAsset(assetId, optionalParam(req, 'operation', oneOf(ASSET_OPERATIONS))));
  });
}
