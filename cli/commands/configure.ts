/** `bigchaindb configure`: a new keypair, a few questions, a config file (mode 0600). */
import { existsSync } from 'node:fs';
import { defaultConfigPath, defaultConfig, envName, getKey, keypairSetting, parseText, setKey, ConfigError, CONFIG_KEYS, type Config } from '../../config/config';
import { configJson, writeConfigFile } from '../../config/write';
import { generateKeypair } from '../../models/keys';
import { createPrompter, type Prompter } from '../prompt';
import type { GlobalOptions } from '../context';

const QUESTIONS: [key: string, question: string][] = [
  ['server.bind', 'API Server bind'],
  ['database.host', 'Database host'],
  ['database.port', 'Database port'],
  ['database.name', 'Database name'],
  ['statsd.host', 'Statsd host'],
  ['statsd.port', 'Statsd port'],
  ['statsd.rate', 'Statsd rate'],
  ['backlog_reassign_delay', 'Stale transaction reassignment delay (in seconds)'],
  // Last, so that answers scripted for the questions above still reach them.
  ['wsserver.host', 'WebSocket Server host'],
  ['wsserver.port', 'WebSocket Server port'],
];

export async function configure(options: GlobalOptions): Promise<void> {
  const path = options.config ?? defaultConfigPath();
  const toStdout = path === '-';
  // One prompter for every question: answers piped in at once must all reach their question.
  const prompter = createPrompter();
  try {
    if (!toStdout && existsSync(path) && !options.yes) {
      const answer = await prompter.ask(`Config file \`${path}\` exists, do you want to override it? (cannot be undone) [y/N]: `);
      if (!/^y(es)?$/i.test(answer.trim())) {
        process.stderr.write('Nothing written.\n');
        return;
      }
    }
    process.stderr.write('Generating keypair\n');
    const config = newConfiguration();
    if (!options.yes) await askQuestions(config, prompter);
    if (toStdout) {
      process.stdout.write(configJson(config));
    } else {
      writeConfigFile(path, config);
      process.stderr.write(`Configuration written to ${path}\n`);
    }
    process.stderr.write('Ready to go!\n');
  } finally {
    prompter.close();
  }
}

/**
 * What `configure -y` writes: a new keypair, the defaults and the
 * environment. As with 0.8's configure, an existing file is not read.
 */
export function newConfiguration(): Config {
  const config = defaultConfig();
  for (const key of CONFIG_KEYS) {
    const text = process.env[envName(key)];
    if (text !== undefined && !key.startsWith('keypair.')) setKey(config, key, parseText(key, text, envName(key)));
  }
  config.keypair = keypairSetting(generateKeypair());
  return config;
}

async function askQuestions(config: Config, prompter: Prompter): Promise<void> {
  for (const [key, question] of QUESTIONS) {
    const current = getKey(config, key);
    const answer = (await prompter.ask(`${question}? (default \`${String(current)}\`): `)).trim();
    if (answer === '') continue;
    try {
      setKey(config, key, parseText(key, answer));
    } catch (err) {
      throw new ConfigError(`${(err as Error).message} (answer to "${question}")`);
    }
  }
}
