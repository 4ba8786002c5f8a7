/** Questions on stderr, answers from stdin: stdout stays for what a command prints. */
import { createInterface, type Interface } from 'node:readline';

export interface Prompter {
  ask(question: string): Promise<string>;
  close(): void;
}

export function createPrompter(): Prompter {
  const rl: Interface = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
  const lines: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  rl.on('line', (line) => (waiting.length > 0 ? waiting.shift()!(line) : lines.push(line)));
  rl.on('close', () => waiting.splice(0).forEach((resolve) => resolve(null)));
  return {
    ask(question) {
      process.stderr.write(question);
      if (lines.length > 0) return Promise.resolve(lines.shift()!);
      return new Promise((resolve, reject) => {
        waiting.push((line) => (line === null ? reject(new Error('no answer: standard input is closed (use -y to take the defaults)')) : resolve(line)));
      });
    },
    close: () => rl.close(),
  };
}

/** Asks a yes/no question; only "y" or "yes" is a yes. */
export async function confirm(question: string): Promise<boolean> {
  const prompter = createPrompter();
  try {
    return /^y(es)?$/i.test((await prompter.ask(question)).trim());
  } finally {
    prompter.close();
  }
}
