import { chmodSync, writeFileSync } from 'node:fs';
import type { Config } from './config';

/** The config as `show-config` prints it: the private key never leaves the file. */
export function maskedConfig(config: Config): Config {
  const privateKey = config.keypair.private === null ? null : 'x'.repeat(45);
  return { ...config, keypair: { ...config.keypair, private: privateKey as Config['keypair']['private'] } };
}

export function configJson(config: Config): string {
  return JSON.stringify(config, null, 4) + '\n';
}

/** Writes the config file readable by its owner only: it holds the private key. */
export function writeConfigFile(path: string, config: Config): void {
  writeFileSync(path, configJson(config), { mode: 0o600 });
  chmodSync(path, 0o600);
}
