/**
 * Typed errors of the cluster deployer. Each carries the reason an operator
 * can act on; `name` is the class name so the CLI's one-line report says
 * which kind of problem it was.
 */
export class DeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The deployment config file is unreadable or holds bad settings: one problem per setting, each naming its key. */
export class DeployConfigError extends DeployError {
  constructor(readonly source: string, readonly problems: readonly string[]) {
    super(`${source}: ${problems.join('; ')}`);
  }
}

/** A local file the deployer needs (config files, keypairs file, host list, SSH key, package) is missing or wrong. */
export class DeployFileError extends DeployError {}

/** A command run on this machine (git archive, tar) failed. */
export class LocalCommandError extends DeployError {}

/** What went wrong on one host. */
export interface HostFailure {
  readonly host: string;
  readonly reason: string;
}

/** A task, or the SSH connections it needs, failed on some hosts; the others did their part. */
export class RemoteTaskError extends DeployError {
  constructor(readonly task: string, readonly failures: readonly HostFailure[]) {
    super(`${task} failed on ${failures.length} host(s): ${failures.map((f) => `${f.host}: ${f.reason}`).join('; ')}`);
  }
}
