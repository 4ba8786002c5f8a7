/**
 * Log levels: winston's npm levels, plus the Python names 0.8 and 2.x
 * operators write in their config files (`warning`, `critical`, `notset`).
 */
export const LOG_LEVELS = { error: 0, warn: 1, info: 2, http: 3, verbose: 4, debug: 5, silly: 6 } as const;

export type LogLevel = keyof typeof LOG_LEVELS;

const PYTHON_NAMES: Record<string, LogLevel> = { critical: 'error', warning: 'warn', notset: 'silly' };

/** The level `value` names, case-insensitively, or null. */
export function parseLogLevel(value: unknown): LogLevel | null {
  if (typeof value !== 'string') return null;
  const name = value.trim().toLowerCase();
  // Own keys only: `constructor` or `__proto__` are not levels.
  if (Object.hasOwn(LOG_LEVELS, name)) return name as LogLevel;
  return Object.hasOwn(PYTHON_NAMES, name) ? PYTHON_NAMES[name]! : null;
}

/** Whether a message at `level` passes a threshold of `threshold`. */
export function passes(level: string, threshold: LogLevel): boolean {
  const rank = LOG_LEVELS[level as LogLevel];
  return rank !== undefined && rank <= LOG_LEVELS[threshold];
}

export function mostVerbose(levels: readonly LogLevel[]): LogLevel {
  return levels.reduce((a, b) => (LOG_LEVELS[b] > LOG_LEVELS[a] ? b : a), 'error');
}
