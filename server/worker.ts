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
import { SignatureReporter } from './signature-reports';

export interface ApiWorkerSettings {
  readonly config: Config;
  readonly keypair: Keypair;
  readonly version: string;
  /** The key of the node's verified-signature memo, in hex, when this process reports to it. */
  readonly signatureDigestKey?: string;
}

const log = getLogger('api');

export async function serve(settings: ApiWorkerSettings): Promise<{ server: Server; close(): Promise<void> }> {
  const db = await Database.connect(settings.config.database, { attempts: 10 });
  const bigchain = new Bigchain(db, { keypair: settings.keypair, keyring: settings.config.keyring });
  const metrics = Metrics.create(settings.config.statsd);
  const api = createApi({ bigchain, config: settings.config, metrics, version: settings.version });
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
    if (settings.signatureDigestKey !== undefined) {
      rememberVerifiedSignatures(new SignatureReporter(Buffer.from(settings.signatureDigestKey, 'hex'), (report) => {
        // Once the primary is gone there is no memo left to tell.
        if (process.connected) process.send?.(report);
      }));
    }
    serve(settings).then(
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
