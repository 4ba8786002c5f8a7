import { getLogger } from '../../logging/logger';

const log = getLogger('retry');

/** Attempts while stopping, before an idempotent write is given up and its work left for the next start. */
const ATTEMPTS_WHILE_STOPPING = 3;

/**
 * Runs an idempotent database write until it succeeds, backing off up to
 * 5 s. Once the node is stopping it gives up after a few attempts, leaving
 * the work where a restart finds it (rows stay in the backlog).
 */
export async function retry<T>(what: string, fn: () => Promise<T>, isStopping: () => boolean): Promise<T> {
  let delay = 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (isStopping() && attempt >= ATTEMPTS_WHILE_STOPPING) throw err;
      log.warn(`${what} failed (${(err as Error).message}); retrying in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}
