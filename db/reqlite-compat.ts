/**
 * Every workaround for reqlite, the in-memory RethinkDB-protocol server used
 * by the tests and the development mode, lives here. Queries elsewhere are
 * written to mean the same on reqlite and on RethinkDB 2.3/2.4.
 *
 * - reqlite listens on every interface and cannot be told a port of 0;
 *   `startReqlite` binds it to one address and a chosen or free port.
 * - reqlite has no table `config`/`reconfigure`: `isUnsupportedByReqlite`
 *   recognises its answer so commands can say that a real RethinkDB is needed.
 */
import { createServer, type Server as NetServer, type AddressInfo } from 'node:net';

interface ReqliteServer {
  port: number;
  _connections: Record<string, unknown>;
  _server: NetServer;
  stop(callback: () => void): void;
}
type ReqliteConstructor = new (options: Record<string, unknown>) => ReqliteServer;
type ConnectionConstructor = new (socket: unknown, server: ReqliteServer, options: Record<string, unknown>) => { id: number };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Reqlite = require('reqlite') as ReqliteConstructor;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ReqliteConnection = require('reqlite/lib/connection.js') as ConnectionConstructor;

export interface RunningReqlite {
  readonly host: string;
  readonly port: number;
  /** Cuts every client connection, as a network blink or a restarting server would. */
  dropClientConnections(): void;
  stop(): Promise<void>;
}

/**
 * Starts reqlite listening on `host:port` only (port 0: a free one). With
 * `unref`, the server does not keep the process alive by itself.
 */
export async function startReqlite(host: string, port: number, options: { unref?: boolean } = {}): Promise<RunningReqlite> {
  let listening!: Promise<number>;
  class BoundReqlite extends Reqlite {
    _createServer(this: ReqliteServer & Record<string, unknown>): NetServer {
      const server = createServer((socket) => {
        const connection = new ReqliteConnection(socket, this, {
          version: this.protocolVersion,
          authKey: this.authKey,
          minProtocolVersion: this.minProtocolVersion,
          maxProtocolVersion: this.maxProtocolVersion,
        });
        this._connections[connection.id] = connection;
      });
      listening = new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
      if (options.unref === true) server.unref();
      return server;
    }
  }
  const server = new BoundReqlite({ silent: true });
  const boundPort = await listening;
  return {
    host,
    port: boundPort,
    dropClientConnections: () => {
      for (const connection of Object.values(server._connections) as { connection: { destroy(): void } }[]) connection.connection.destroy();
    },
    stop: () => new Promise((resolve) => server.stop(() => resolve())),
  };
}

/** True for reqlite's answer to a ReQL term it does not implement. */
export function isUnsupportedByReqlite(err: unknown): boolean {
  return /not been implemented \(yet\) in Reqlite/.test((err as { msg?: string; message?: string }).msg ?? (err as Error).message ?? '');
}
