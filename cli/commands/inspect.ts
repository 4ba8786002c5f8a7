/** `show-config` and `export-my-pubkey`: read the configuration, print, change nothing. */
import { configJson, maskedConfig } from '../../config/write';
import { commandConfig, type GlobalOptions } from '../context';

export function showConfig(options: GlobalOptions): void {
  process.stdout.write(configJson(maskedConfig(commandConfig(options))));
}

export class MissingPublicKey extends Error {
  override name = 'MissingPublicKey';
}

export function exportMyPubkey(options: GlobalOptions): void {
  const publicKey = commandConfig(options).keypair.public;
  if (publicKey === null) {
    throw new MissingPublicKey("this node's public key is not set anywhere, so it cannot be exported (run \"bigchaindb configure\")");
  }
  process.stdout.write(publicKey + '\n');
}
