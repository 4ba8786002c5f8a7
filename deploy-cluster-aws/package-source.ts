/**
 * The package installed on the nodes: an archive of a git branch of this
 * repository (built on each node), or a tarball made by `npm pack`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageSource } from './deploy-conf';
import { DeployFileError, LocalCommandError } from './errors';
import { checkedRun, runLocal, type LocalRun } from './local-command';

/** The local file to upload, and how the nodes install it. */
export interface PreparedPackage {
  readonly kind: PackageSource['kind'];
  readonly localPath: string;
}

/** Fails unless the branch exists in `repoRoot` or the tarball exists, before anything is launched. */
export function checkPackageSource(source: PackageSource, repoRoot: string): void {
  if (source.kind === 'tarball') {
    if (!existsSync(source.path)) throw new DeployFileError(`BRANCH names the tarball ${source.path}, which does not exist (make it with npm pack)`);
    return;
  }
  try {
    checkedRun('git', ['-C', repoRoot, 'rev-parse', '--verify', '--quiet', `${source.ref}^{commit}`]);
  } catch (err) {
    if (!(err instanceof LocalCommandError)) throw err;
    throw new DeployFileError(`BRANCH "${source.ref}" is not a branch or commit of the repository ${repoRoot}: ${err.message}`);
  }
}

/** The file to upload: for a branch, `git archive` of it into `workDir` (files under bigchaindb/). */
export function preparePackage(source: PackageSource, repoRoot: string, workDir: string, how: LocalRun): PreparedPackage {
  if (source.kind === 'tarball') return { kind: 'tarball', localPath: source.path };
  const localPath = join(workDir, 'bigchaindb-archive.tar.gz');
  runLocal('git', ['-C', repoRoot, 'archive', '--format=tar.gz', '--prefix=bigchaindb/', '-o', localPath, source.ref], how);
  return { kind: 'git', localPath };
}
