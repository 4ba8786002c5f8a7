import { Connection, Transaction, generateKeypair, type PublicKey } from 'bigchaindb/client';

async function main(): Promise<void> {
  const conn = new Connection(process.env.BIGCHAINDB_API_URL ?? 'http://localhost:9984/api/v1');
  const alice = generateKeypair();
  const bob = generateKeypair();

  // Alice creates an asset and owns it.
  const create = Transaction.create([alice.publicKey], [[[alice.publicKey], 1]], { asset: { data: { bicycle: 'serial 4213' } } })
    .sign([alice.privateKey]);
  await conn.postTransaction(create);
  await conn.pollStatusAndFetchTransaction(create.id);

  // She gives it to Bob: the TRANSFER spends her output.
  const transfer = Transaction.transfer(create.toInputs(), [[[bob.publicKey], 1]], create.asset.id).sign([alice.privateKey]);
  await conn.postTransaction(transfer);
  await conn.pollStatusAndFetchTransaction(transfer.id);

  console.log('Bob can spend', await conn.listOutputs({ public_key: bob.publicKey, spent: false }));
  console.log('Alice has spent', await conn.listOutputs({ public_key: alice.publicKey, spent: true }));
  const history = await conn.listTransactions({ asset_id: create.asset.id });
  console.log('the asset went through', history.map((tx) => tx.transaction.operation).sort().join(', '));

  // A light client knows its federation's keys; lacking them, ask the node (and trust it).
  const info = await conn.getNodeInfo();
  const federation = (process.env.BIGCHAINDB_FEDERATION?.split(':') ?? [info.public_key, ...info.keyring]) as PublicKey[];
  const proof = await conn.verifyTransactionProof(transfer.id, federation);
  console.log(`the transfer is in block ${proof.block.id}, voted valid by ${proof.votes.length} of ${federation.length}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
