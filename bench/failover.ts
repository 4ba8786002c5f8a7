/**
 * `npm run bench -- failover`: issue 11's scenario on one RethinkDB-protocol
 * server. Three nodes, each with the others in its keyring and reaching the
 * database through a TCP proxy of its own (its "own RethinkDB server");
 * `backlog_reassign_delay` 10. Clients POST CREATEs round robin over the three
 * APIs, a failed POST going to the next node. Two seconds in, node 1's proxy
 * is cut (its server gone); it comes back after BENCH_FAILOVER_CUT_S seconds
 * (default 20; 0 = never). Prints, per run, what was accepted, lost, and in
 * two valid blocks, from the tables themselves.
 *
 *   BENCH_FAILOVER_RUNS (1), BENCH_FAILOVER_COUNT (3000), BENCH_FAILOVER_CLIENTS (16)
 */
import { blockElectionStatus } from '../consensus/election';
import { countBacklog } from '../db/queries/backlog';
import type { Database } from '../db/connection';
import type { BlockDict } from '../models/block';
import { generateKeypair } from '../models/keys';
import type { VoteDict } from '../models/vote';
import { startTcpProxy } from '../tests/helpers/tcp-proxy';
import { createsByDistinctOwners, discardChain, freePort, freshChain, sleep, startNode, stopNode, untilServing } from './support';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

interface RunFigures {
  readonly posted: number;
  readonly accepted: number;
  readonly validOnce: number;
  readonly duplicated: number;
  readonly lost: number;
  readonly backlog: number;
  readonly validBlocks: number;
  readonly invalidBlocks: number;
  readonly seconds: number;
}

export async function benchFailover(): Promise<void> {
  const runs = env('BENCH_FAILOVER_RUNS', 1);
  const cutSeconds = env('BENCH_FAILOVER_CUT_S', 20);
  const all: RunFigures[] = [];
  for (let run = 1; run <= runs; run++) {
    const figures = await failoverRun(env('BENCH_FAILOVER_COUNT', 3000), env('BENCH_FAILOVER_CLIENTS', 16), cutSeconds);
    all.push(figures);
    console.log(`failover run ${run}: ${figures.posted} POSTed, ${figures.accepted} accepted; ${figures.validOnce} valid once, ` +
      `${figures.duplicated} in two valid blocks, ${figures.lost} lost, ${figures.backlog} left in the backlog ` +
      `(${figures.validBlocks} valid / ${figures.invalidBlocks} invalid blocks, ${figures.seconds.toFixed(1)} s)`);
  }
  const sum = (key: keyof RunFigures) => all.reduce((n, f) => n + f[key], 0);
  console.log(`failover: ${runs} runs, node 1 cut off ${cutSeconds > 0 ? `for ${cutSeconds} s` : 'for good'}: ` +
    `${sum('accepted')} accepted, ${sum('duplicated')} in two valid blocks, ${sum('lost')} lost`);
}

async function failoverRun(count: number, clients: number, cutSeconds: number): Promise<RunFigures> {
  const keys = [generateKeypair(), generateKeypair(), generateKeypair()];
  const { db, settings } = await freshChain(keys[0]!, 'failover');
  const proxies = await Promise.all(keys.map(() => startTcpProxy(settings)));
  const binds = await Promise.all(keys.map(async () => `127.0.0.1:${await freePort()}`));
  const nodes = await Promise.all(keys.map((key, i) => startNode({ ...settings, host: '127.0.0.1', port: proxies[i]!.port }, key, binds[i]!, {
    keyring: keys.filter((k) => k !== key).map((k) => k.publicKey),
    backlog_reassign_delay: 10,
  })));
  try {
    await Promise.all(binds.map(untilServing));
    console.log(`failover: three nodes serving; signing ${count} CREATEs with distinct keys`);
    const txs = createsByDistinctOwners(count).map(({ tx }) => ({ id: tx.id as string, body: JSON.stringify(tx.toDict()) }));
    const started = Date.now();
    const cut = setTimeout(() => proxies[1]!.cut(), 2000);
    const restore = cutSeconds > 0 ? setTimeout(() => proxies[1]!.restore(), 2000 + cutSeconds * 1000) : null;
    const accepted = await postAll(txs, binds, clients);
    console.log(`failover: ${accepted.size} of ${txs.length} POSTs accepted in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for their blocks`);
    // The stale monitors hand on what the cut-off node held after backlog_reassign_delay; 90 s is plenty.
    await untilSettled(db, accepted, Math.max(Date.now(), started + 2000 + cutSeconds * 1000) + 90_000);
    clearTimeout(cut);
    if (restore !== null) clearTimeout(restore);
    return { posted: txs.length, accepted: accepted.size, ...(await tally(db, accepted)), seconds: (Date.now() - started) / 1000 };
  } finally {
    await Promise.all(nodes.map(stopNode));
    await Promise.all(proxies.map((p) => p.close()));
    await discardChain(db);
  }
}

/** POSTs every transaction, round robin over the nodes; a failed POST goes to the next node. Returns the ids a node acknowledged. */
async function postAll(txs: readonly { id: string; body: string }[], binds: readonly string[], clients: number): Promise<Set<string>> {
  const accepted = new Set<string>();
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = next++; i < txs.length; i = next++) {
      for (let attempt = 0; attempt < binds.length * 3; attempt++) {
        const bind = binds[(i + attempt) % binds.length]!;
        const status = await fetch(`http://${bind}/api/v1/transactions/`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: txs[i]!.body, signal: AbortSignal.timeout(5000),
        }).then(async (res) => (await res.arrayBuffer(), res.status), () => 0);
        // 200: the node already knows it (an earlier attempt was written, its answer lost).
        if (status === 201 || status === 200) {
          accepted.add(txs[i]!.id);
          break;
        }
      }
    }
  }));
  return accepted;
}

/** Waits until every accepted transaction is in a valid block and the backlog is empty, or until `deadline`. */
async function untilSettled(db: Database, accepted: ReadonlySet<string>, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const { validOnce, duplicated } = await tally(db, accepted);
    if (validOnce + duplicated === accepted.size && (await countBacklog(db)) === 0) return;
    await sleep(1000);
  }
}

/** Counts, from the raw tables, how many valid blocks hold each accepted transaction. */
async function tally(db: Database, accepted: ReadonlySet<string>): Promise<Omit<RunFigures, 'posted' | 'accepted' | 'seconds'>> {
  const [blocks, votes] = await Promise.all([db.run<BlockDict[]>(db.table('bigchain')), db.run<VoteDict[]>(db.table('votes'))]);
  const votesOf = new Map<string, VoteDict[]>();
  for (const v of votes) votesOf.set(v.vote.voting_for_block, [...(votesOf.get(v.vote.voting_for_block) ?? []), v]);
  const inValid = new Map<string, number>();
  let validBlocks = 0;
  let invalidBlocks = 0;
  for (const block of blocks) {
    const status = blockElectionStatus(block.id, block.block.voters, votesOf.get(block.id) ?? []);
    if (status === 'invalid') invalidBlocks++;
    if (status !== 'valid') continue;
    validBlocks++;
    for (const tx of block.block.transactions) inValid.set(tx.id, (inValid.get(tx.id) ?? 0) + 1);
  }
  const counts = [...accepted].map((id) => inValid.get(id) ?? 0);
  return {
    validOnce: counts.filter((n) => n === 1).length,
    duplicated: counts.filter((n) => n > 1).length,
    lost: counts.filter((n) => n === 0).length,
    backlog: await countBacklog(db),
    validBlocks,
    invalidBlocks,
  };
}
