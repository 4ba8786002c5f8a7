/**
 * `npm run bench:models`: throughput of the model's checks on one core.
 * Prints figures; asserts nothing.
 */
import { Block } from '../models/block';
import { generateKeypair, signBytes, verifyBytes, decodeBase58 } from '../models/keys';
import { Transaction, type SpentOutput, type TransactionDict } from '../models/transaction';
import type { PublicKey } from '../models/types';

const N = Number(process.env.BENCH_N ?? 5000);

function rate(label: string, count: number, run: (i: number) => void): void {
  for (let i = 0; i < Math.min(200, count); i++) run(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) run(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label.padEnd(62)} ${Math.round(count / seconds).toString().padStart(8)} /s  (${count} in ${seconds.toFixed(2)} s)`);
}

const alice = generateKeypair();
const bob = generateKeypair();
const carol = generateKeypair();

console.log(`bench:models on one core, node ${process.version}, N=${N}`);

const rawKey = decodeBase58(alice.publicKey)!;
const message = Buffer.from('x'.repeat(900));
const signature = signBytes(message, alice.privateKey);
rate('baseline: node:crypto Ed25519 verify of a 900-byte message', N, () => verifyBytes(message, signature, rawKey));

const creates: string[] = [];
for (let i = 0; i < N; i++) {
  const tx = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { metadata: { i }, asset: { data: { n: i } } });
  creates.push(JSON.stringify(tx.sign([alice.privateKey]).toDict()));
}
rate('CREATE, single owner: JSON.parse + schema + id + signature', N, (i) => {
  Transaction.fromDict(JSON.parse(creates[i]!)).validateCreate();
});

const shared: TransactionDict[] = [];
const transfers: string[] = [];
for (let i = 0; i < N; i++) {
  const create = Transaction.create([alice.publicKey], [[[bob.publicKey, carol.publicKey] as PublicKey[], 1]]).sign([alice.privateKey]);
  shared.push(create.toDict());
  const transfer = Transaction.transfer(create.toInputs(), [[[alice.publicKey], 1]], create.asset.id);
  transfers.push(JSON.stringify(transfer.sign([bob.privateKey, carol.privateKey]).toDict()));
}
rate('TRANSFER of a 2-of-2 output: parse + schema + id + 2 signatures', N, (i) => {
  const tx = Transaction.fromDict(JSON.parse(transfers[i]!));
  const input = shared[i]!;
  const spent: SpentOutput[] = [{ link: tx.spentLinks()[0]!, condition: input.transaction.conditions[0]!, assetId: input.transaction.asset.id }];
  tx.validateTransfer(spent, input.transaction.asset);
});

for (const size of [1, 1000]) {
  const txs = creates.slice(0, size).map((t) => Transaction.fromDict(JSON.parse(t)));
  const block = Block.create(txs, alice.publicKey, [alice.publicKey]).sign(alice.privateKey);
  const count = size === 1 ? N : Math.max(20, Math.round(N / 100));
  rate(`block signature check, block of ${size} tx (serialize + verify)`, count, () => {
    if (!block.isSignatureValid()) throw new Error('bad block signature');
  });
}
