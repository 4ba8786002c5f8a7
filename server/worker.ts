/**
 * One API process of the cluster: receives its settings from the primary
 * (never through the environment: they hold the private key), connects to the
 * database and serves the app on the shared port.
 */
import { createServer, type Server } from 'node:http';
import type { Config } from '../config/config';
import { Bigchain } from '../core/bigchain';
import { Database } from '../db/connection';
import { getLogger } from '../logging/logger';
import type { Keypair } from '../models/keys';
import { createApi } from './app';
import { parseBind } from './bind';
import { Metrics } from '../metrics/statsd';
import { rememberVerifiedSignatures } from '../models/keys';
import { ApiReporter } from './api-reports';
import { baseConsensusRules } from '../consensus/rules';

export interface ApiWorkerSettings {
  readonly config: Config;
  readonly keypair: Keypair;
  readonly version: string;
  /** The key of the node's memo (models/verdict-memo.ts), in hex, when this process reports to it. */
  readonly memoKey?: string;
}

const log = getLogger('api');

/** `reporter` hears of the inputs found valid and the transactions validated, when this process reports to the primary. */
export async function serve(settings: ApiWorkerSettings, reporter?: ApiReporter): Promise<{ server: Server; close(): Promise<void> }> {
  const db = await Database.connect(settings.config.database, { attempts: 10 });
  const bigchain = new Bigchain(db, { keypair: settings.keypair, keyring: settings.config.keyring }, baseConsensusRules, reporter?.validTransactions);
  const metrics = Metrics.create(settings.config.statsd);
  const api = createApi({ bigchain, config: settings.config, metrics, version: settings.version, onValidated: reporter && ((tx) => reporter.validated(tx)) });
  const { host, port } = parseBind(settings.config.server.bind);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createServer(api).listen(port, host, () => resolve(s)).once('error', reject);
  });
  log.info(`API process ${process.pid} serving on ${host}:${port}`);
  return {
    server,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await metrics.close();
      await db.close();
    },
  };
}

if (require.main === module) {
  process.once('message', (settings: ApiWorkerSettings) => {
    const reporter = settings.memoKey === undefined ? undefined : new ApiReporter(Buffer.from(settings.memoKey, 'hex'), (report) => {
      // Once the primary is gone there is no memo left to tell.
      if (process.connected) process.send?.(report);
    });
    if (reporter !== undefined) rememberVerifiedSignatures(reporter.signatures);
    serve(settings, reporter).then(
      (running) => {
        process.send?.('listening');
        process.once('message', (message) => {
          if (message === 'stop') void running.close().then(() => process.exit(0));
        });
      },
      (err: unknown) => {
        log.error(`API process failed to start: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  });
}
