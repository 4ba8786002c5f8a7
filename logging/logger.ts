/**
 * The one logger of the node. Each subsystem takes a child named after it,
 * so every line says where it comes from. Logs go to stderr: stdout is for
 * what a command is asked to print.
 */
import winston from 'winston';

const root = winston.createLogger({
  level: process.env.BIGCHAINDB_LOG_LEVEL ?? 'info',
  format: winston.format.combine(
    winston.format.timestamp(),
    winston.format.printf(({ timestamp, level, message, subsystem }) =>
      `[${String(timestamp)}] [${level.toUpperCase()}] (${String(subsystem ?? 'bigchaindb')}) ${String(message)}`),
  ),
  transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] })],
});

export type Logger = winston.Logger;

export function getLogger(subsystem: string): Logger {
  return root.child({ subsystem });
}

export function setLogLevel(level: string): void {
  root.level = level;
}
