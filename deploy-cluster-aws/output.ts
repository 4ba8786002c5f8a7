/**
 * Where the deployer prints what an operator asked to see (dry-run calls,
 * each host's command output). Logs go through the logger instead.
 */
export type Printer = (line: string) => void;

export const stdoutPrinter: Printer = (line) => {
  process.stdout.write(line + '\n');
};

/** How a dry run shows a call it does not make. */
export function dryRunLine(what: string, input: unknown): string {
  return `[dry-run] ${what} ${JSON.stringify(input)}`;
}
