/**
 * Fixtures of the deploy-cluster-aws tests: the example deployment config
 * with settings changed, and a deployment folder (config file, node config
 * files, a stand-in package tarball) in a temporary directory.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeConfiles } from '../../deploy-cluster-aws/confiles';
import type { DeployPaths } from '../../deploy-cluster-aws/deploy';
import { readDeployConf, type DeployConfig } from '../../deploy-cluster-aws/deploy-conf';
import { tempDir } from './cli';

/** deploy-cluster-aws/example_deploy_conf.env, seen from dist/tests/helpers. */
export const EXAMPLE_DEPLOY_CONF = join(__dirname, '..', '..', '..', 'deploy-cluster-aws', 'example_deploy_conf.env');

/** The example with SSH_KEY_NAME set (the one change the manual requires), then each of `lines` replacing the line of its key. */
export function exampleWith(...lines: string[]): string {
  let text = readFileSync(EXAMPLE_DEPLOY_CONF, 'utf8').replace(/^SSH_KEY_NAME=.*$/m, 'SSH_KEY_NAME="bigchaindb"');
  for (const line of lines) {
    const key = line.split('=')[0]!;
    assert.match(text, new RegExp(`^${key}=`, 'm'), `the example sets ${key}`);
    text = text.replace(new RegExp(`^${key}=.*$`, 'm'), line);
  }
  return text;
}

export interface DeployFolder {
  readonly dir: string;
  readonly confPath: string;
  readonly config: DeployConfig;
  readonly paths: DeployPaths;
}

/**
 * A folder as an operator prepares it: my_deploy_conf.env (the example with
 * `lines`, BRANCH a stand-in pkg.tgz unless a line sets it) and, for
 * servers, NUM_NODES default config files in confiles/.
 */
export function deployFolder(...lines: string[]): DeployFolder {
  const dir = tempDir('bdb-deploy-');
  const confPath = join(dir, 'my_deploy_conf.env');
  writeFileSync(confPath, exampleWith('BRANCH="pkg.tgz"', ...lines));
  writeFileSync(join(dir, 'pkg.tgz'), 'stand-in for a tarball made by npm pack');
  const config = readDeployConf(confPath);
  const paths: DeployPaths = {
    confiles: join(dir, 'confiles'),
    keypairs: join(dir, 'keypairs.json'),
    hostlist: join(dir, `hostlist_${config.WHAT_TO_DEPLOY}`),
    serversHostlist: join(dir, 'hostlist_servers'),
  };
  if (config.WHAT_TO_DEPLOY === 'servers') makeConfiles(paths.confiles, config.NUM_NODES);
  return { dir, confPath, config, paths };
}
