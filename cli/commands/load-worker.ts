/** One process of `bigchaindb load`: builds, signs and writes CREATEs in batches, reporting counts to its parent. */
import { Bigchain } from '../../core/bigchain';
import { Database, type DatabaseSettings } from '../../db/connection';
import type { Keypair } from '../../models/keys';
import { Transaction } from '../../models/transaction';
import type { PublicKey } from '../../models/types';

export interface LoadWorkerData {
  readonly database: DatabaseSettings;
  readonly keypair: Keypair;
  readonly keyring: readonly PublicKey[];
  readonly count: number | undefined;
}

export interface LoadWorkerReport {
  readonly written: number;
}

const BATCH = 100;

async function run(data: LoadWorkerData): Promise<void> {
  const db = await Database.connect(data.database);
  const bigchain = new Bigchain(db, { keypair: data.keypair, keyring: data.keyring });
  const { publicKey, privateKey } = data.keypair;
  let stopped = false;
  process.once('SIGINT', () => (stopped = true));
  for (let left = data.count ?? Infinity; left > 0 && !stopped; left -= BATCH) {
    const txs = Array.from({ length: Math.min(BATCH, left) }, () =>
      Transaction.create([publicKey], [[[publicKey], 1]]).sign([privateKey]));
    const written = await bigchain.writeTransactions(txs);
    process.send?.({ written } satisfies LoadWorkerReport);
  }
  await db.close();
}

process.once('message', (data: LoadWorkerData) => {
  run(data).then(
    () => process.disconnect?.(),
    (err: unknown) => {
      process.stderr.write(`bigchaindb load: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
});
