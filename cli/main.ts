#!/usr/bin/env node
/**
 * The `bigchaindb` command. Only the data model has landed so far: every
 * command says so plainly rather than pretending to run.
 */
import { version } from '../package.json';

const args = process.argv.slice(2);
if (args.includes('-v') || args.includes('--version')) {
  console.log(version);
} else {
  console.error(`bigchaindb ${version}: "${args.join(' ') || 'start'}" is not yet available in this build; only the data model (models/) has landed.`);
  process.exitCode = 1;
}
