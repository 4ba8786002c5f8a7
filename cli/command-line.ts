/**
 * What the project's command-line programs (bigchaindb, awsdeploy) share:
 * how they parse their commands and how they report a failure.
 */
import type { Argv } from 'yargs';
import type { Logger } from '../logging/logger';

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses the commands `y` defines: a command is required and unknown
 * options are errors, thrown (not printed with the usage text, nor exiting)
 * so that `reportFailure` tells them like any other failure.
 */
export function parseCommands(y: Argv): Promise<unknown> {
  return y
    .demandCommand(1, 'name a command (see --help)')
    .strict()
    .alias('help', 'h')
    .fail((message, err) => {
      throw err ?? new UsageError(message);
    })
    .exitProcess(false)
    .parseAsync();
}

/**
 * Every failure is `program: ErrorName: message` on stderr, on one line
 * unless `lines` replace the message, and exit code 1; the stack trace
 * only at debug level.
 */
export function reportFailure(program: string, err: unknown, log: Logger, lines?: readonly string[]): void {
  const error = err as Error;
  const text = lines?.join('\n') ?? (error.message ?? String(err)).replace(/\s*\n\s*/g, ' ');
  process.stderr.write(`${program}: ${error.name && error.name !== 'Error' ? `${error.name}: ` : ''}${text}\n`);
  log.debug(error.stack ?? '');
  process.exitCode = 1;
}
