/**
 * A validation thread of the pool: parses and validates transactions against
 * the chain with its own database connection. Transaction validation is the
 * CPU hot spot of both the block and the vote pipeline.
 */
import { workerData } from 'node:worker_threads';
import { baseConsensusRules } from '../../consensus/rules';
import { Bigchain } from '../../core/bigchain';
import { ValidTransactionsChannel } from '../../core/valid-transactions';
import { Database } from '../../db/connection';
import type { ChainReader } from '../../consensus/chain';
import { Transaction, type TransactionLink } from '../../models/transaction';
import type { BlockId, TxId } from '../../models/types';
import { generateKeypair, rememberVerifiedSignatures } from '../../models/keys';
import { timelessCreateText, VerdictMemo } from '../../models/verdict-memo';
import { alreadyInBlock, VALID, type ValidationJob, type ValidationThreadData, type Verdict } from './verdict';

const { settings, verdictMemory } = workerData as ValidationThreadData;
const memo = VerdictMemo.attach(verdictMemory);
rememberVerifiedSignatures(memo);

let chain: Promise<Bigchain> | null = null;

function bigchain(): Promise<Bigchain> {
  chain ??= Database.connect(settings.database, { attempts: 10 })
    .then((db) => new Bigchain(db, { keypair: settings.keypair, keyring: settings.keyring }, baseConsensusRules, new ValidTransactionsChannel(db.settings)))
    .catch((err: unknown) => {
      chain = null;
      throw err;
    });
  return chain;
}

// Connected as the thread starts, not at its first job: the driver's login (SCRAM, 4096 rounds of HMAC in
// JavaScript) costs about 0.4 s of CPU, which the first block after a start would otherwise wait for.
// Best effort: a thread that cannot warm up still validates, connecting at its first job.
const warmedUp = bigchain().then(warmUp).catch(() => undefined);

const WARM_UP_TRANSACTIONS = 400;

/**
 * Validates CREATEs of a throwaway key, which need no query, as the thread
 * starts: V8 has compiled the validation code by the time the first real
 * ones come. Cold, the first block's vote took a second where later ones
 * take 0.2 s.
 */
async function warmUp(b: Bigchain): Promise<void> {
  const owner = generateKeypair();
  for (let i = 0; i < WARM_UP_TRANSACTIONS; i++) {
    const raw = Transaction.create([owner.publicKey], [[[owner.publicKey], 1]], { metadata: { i } }).sign([owner.privateKey]).toDict();
    await judge(b, b.readerFor(), JSON.parse(JSON.stringify(raw)), new Map());
  }
}

/** `chain` is `b` as its consensus rules read it for this job. */
async function judge(b: Bigchain, chain: ChainReader, raw: unknown, inBlocks: ReadonlyMap<TxId, BlockId>): Promise<Verdict> {
  const id = String((raw as { id?: unknown })?.id);
  try {
    const tx = Transaction.fromDict(raw);
    const holder = inBlocks.get(tx.id);
    if (holder !== undefined) return alreadyInBlock(id, holder);
    await b.consensus.validateTransaction(chain, tx);
    // What the vote on my block then finds, by the same canonical text, without validating it again.
    const remembered = timelessCreateText(tx);
    if (remembered !== null) memo.addValidCreate(remembered);
    return VALID;
  } catch (err) {
    if (!(err instanceof Error) || /Reql|Connection/.test(err.name)) throw err;
    return { ok: false, id, reason: `${err.name}: ${err.message}`, duplicate: false };
  }
}

/**
 * A job's transactions, validated together: whether any is in a block
 * already (for the block pipeline) and who spends the outputs they spend are
 * asked once for the job, not once per transaction. A vote's spenders are
 * looked up outside the block it judges (`Bigchain.readerFor`).
 */
export default async function validate(job: ValidationJob): Promise<Verdict[]> {
  const b = await bigchain();
  const votedBlock = job.purpose === 'block' ? job.blockId : undefined;
  const [inBlocks, spenderIds] = await Promise.all([
    job.purpose === 'backlog' ? b.alreadyInBlocks(job.txs.map((tx) => String((tx as { id?: unknown })?.id) as TxId)) : new Map<TxId, BlockId>(),
    b.spenderIdsOf(spentLinksOf(job.txs), votedBlock),
  ]);
  const chain = b.readerFor(votedBlock, spenderIds);
  return Promise.all(job.txs.map((tx) => judge(b, chain, tx, inBlocks)));
}

/** The outputs a job's transactions name as spent; a malformed input is left to their validation, which refuses it. */
function spentLinksOf(raws: readonly unknown[]): TransactionLink[] {
  const links: TransactionLink[] = [];
  for (const raw of raws) {
    const fulfillments = (raw as { transaction?: { fulfillments?: unknown } } | null)?.transaction?.fulfillments;
    if (!Array.isArray(fulfillments)) continue;
    for (const f of fulfillments) {
      const input = (f as { input?: { txid?: unknown; cid?: unknown } | null } | null)?.input;
      if (typeof input?.txid === 'string' && Number.isSafeInteger(input.cid)) links.push({ txid: input.txid as TxId, cid: input.cid as number });
    }
  }
  return links;
}

/** Resolves once this thread has logged in and warmed up: `ValidationPool.ready` runs it. */
export async function ready(): Promise<void> {
  await warmedUp;
}
