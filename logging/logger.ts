/**
 * The one logger of the node. Each subsystem takes a child named after it,
 * so every line says where it comes from. The main thread writes: the
 * console (stderr: stdout is for what a command is asked to print) and, once
 * `configureLogging` has run, the log files with rotation. Worker threads and
 * API processes forward their records to it (forward.ts).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import winston from 'winston';
import { ForwardTransport, isForwardingContext, receiveForwardedRecords } from './forward';
import { LOG_LEVELS, mostVerbose, parseLogLevel, passes, type LogLevel } from './levels';

export interface LogSettings {
  readonly levelConsole: LogLevel;
  readonly levelLogfile: LogLevel;
  /** Null: no such file. A leading `~` is the home folder. */
  readonly file: string | null;
  readonly errorFile: string | null;
  /** Level by subsystem prefix (`pipeline` covers `pipeline:block`); it replaces the console and file levels. */
  readonly granularLevels: Readonly<Record<string, LogLevel>>;
  readonly rotateBytes: number;
  readonly rotateFiles: number;
}

/** A log setting that cannot be used, such as a file in a folder the node cannot write. */
export class LogSettingsError extends Error {
  override name = 'LogSettingsError';
}

/** Where threads and API processes get the level to forward at: the main thread sets it before it starts them. */
const FORWARD_LEVEL_ENV = 'BIGCHAINDB_LOG_FORWARD_LEVEL';

const initialLevel = parseLogLevel(process.env[FORWARD_LEVEL_ENV] ?? process.env.BIGCHAINDB_LOG_LEVEL) ?? 'info';
const secrets = new Set<string>();

/** Any registered secret (the node's private key) is replaced before a line is written anywhere. */
const redact = winston.format((info) => {
  let message = String(info.message);
  for (const secret of secrets) message = message.split(secret).join('[redacted]');
  info.message = message;
  return info;
});

const line = winston.format.printf(({ timestamp, level, message, subsystem }) =>
  `[${String(timestamp)}] [${level.toUpperCase()}] (${String(subsystem ?? 'bigchaindb')}) ${String(message)}`);

let earlyConsoleLevel: LogLevel = initialLevel;

const root = winston.createLogger({
  levels: LOG_LEVELS,
  level: initialLevel,
  format: redact(),
  transports: [isForwardingContext() ? new ForwardTransport() : consoleTransport(() => earlyConsoleLevel)],
});

export type Logger = winston.Logger;

export function getLogger(subsystem: string): Logger {
  return root.child({ subsystem });
}

/** Makes `secret` unprintable in every log line of this process. */
export function registerSecret(secret: string): void {
  if (secret !== '') secrets.add(secret);
}

/** The console's level before the configuration is read (`--log-level`), so that even a bad config file is told at that level. */
export function setEarlyConsoleLevel(level: LogLevel): void {
  earlyConsoleLevel = level;
  root.level = mostVerbose([root.level as LogLevel, level]);
}

let stopReceiving: (() => void) | null = null;

/**
 * Sets up the main thread's console and files from the settings, and
 * receives what threads and API processes forward. Call it before starting
 * them: they read the level to forward at when they start.
 */
export function configureLogging(settings: LogSettings): void {
  if (isForwardingContext()) return;
  const levelFor = (threshold: LogLevel) => (subsystem: string) => granularLevel(settings.granularLevels, subsystem) ?? threshold;
  const transports: winston.transport[] = [consoleTransport(levelFor(settings.levelConsole))];
  const file = settings.file === null ? null : writablePath(settings.file, 'log.file');
  const errorFile = settings.errorFile === null ? null : writablePath(settings.errorFile, 'log.error_file');
  if (file !== null) transports.push(fileTransport(file, settings, levelFor(settings.levelLogfile)));
  if (errorFile !== null) transports.push(fileTransport(errorFile, settings, () => 'error'));
  const verbose = mostVerbose([settings.levelConsole, file === null ? 'error' : settings.levelLogfile, ...Object.values(settings.granularLevels)]);
  root.clear();
  for (const transport of transports) root.add(transport);
  root.level = verbose;
  process.env[FORWARD_LEVEL_ENV] = verbose;
  stopReceiving?.();
  stopReceiving = receiveForwardedRecords((record) => root.log({ ...record }));
}

function granularLevel(levels: Readonly<Record<string, LogLevel>>, subsystem: string): LogLevel | null {
  let best: string | null = null;
  for (const prefix of Object.keys(levels)) {
    if ((subsystem === prefix || subsystem.startsWith(`${prefix}:`)) && (best === null || prefix.length > best.length)) best = prefix;
  }
  return best === null ? null : levels[best]!;
}

/** Drops records under the threshold of their subsystem. */
function threshold(levelOf: (subsystem: string) => LogLevel): winston.Logform.Format {
  return winston.format((info) => (passes(info.level, levelOf(String(info.subsystem ?? ''))) ? info : false))();
}

function consoleTransport(levelOf: (subsystem: string) => LogLevel): winston.transport {
  return new winston.transports.Console({
    stderrLevels: Object.keys(LOG_LEVELS),
    format: winston.format.combine(threshold(levelOf), winston.format.timestamp(), line),
  });
}

function fileTransport(filename: string, settings: LogSettings, levelOf: (subsystem: string) => LogLevel): winston.transport {
  return new winston.transports.File({
    filename,
    maxsize: settings.rotateBytes,
    maxFiles: settings.rotateFiles + 1,
    // The current file keeps its name; older ones are numbered, newest first.
    tailable: true,
    format: winston.format.combine(threshold(levelOf), winston.format.timestamp(), line),
  });
}

/** `~` expanded; refused now, with the key named, when the node could not write there. */
function writablePath(path: string, key: string): string {
  const expanded = path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
  const target = existsSync(expanded) ? expanded : dirname(expanded);
  try {
    accessSync(target, constants.W_OK);
  } catch (err) {
    throw new LogSettingsError(`${key}: cannot write ${expanded} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return expanded;
}
