/**
 * A TCP proxy in front of the test database: a node configured with its port
 * loses its database the way a node does when its RethinkDB server dies.
 * Everything passes through unchanged until it is cut; while cut, every
 * connection is reset and new ones are refused until `restore`. It uses no
 * test runner, so the failover benchmark cuts nodes off with it too.
 * `clientDelayMs` holds what clients send that long, in order: a slow link
 * that widens the gap between a client's queries as the server sees them.
 */
import { createServer, connect, type Socket, type AddressInfo } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** True while the proxy is cut. */
  readonly isCut: boolean;
  /** Resolves when the proxy is cut (by `cut` or by a marker). */
  readonly whenCut: Promise<void>;
  /**
   * Cuts at the moment a client sends `marker`, before those bytes reach the
   * server: the write carrying it is lost with the connection.
   */
  cutWhenClientSends(marker: string): void;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, options: { clientDelayMs?: number } = {}): Promise<TcpProxy> {
  const delay = options.clientDelayMs ?? 0;
  const pairs = new Set<[Socket, Socket]>();
  let cut = false;
  let marker: string | null = null;
  let markCut!: () => void;
  const whenCut = new Promise<void>((resolve) => (markCut = resolve));

  const cutAll = () => {
    cut = true;
    for (const [client, server] of pairs) {
      client.resetAndDestroy();
      server.destroy();
    }
    pairs.clear();
    markCut();
  };

  const server = createServer((client) => {
    if (cut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    // Forwarded frames must not wait on Nagle for a delayed ACK.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    pairs.add(pair);
    // The last bytes of the previous chunk, so a marker split between two chunks is still seen.
    let tail = '';
    client.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      if (marker !== null && text.includes(marker)) {
        cutAll();
        return;
      }
      tail = marker === null ? '' : text.slice(-marker.length);
      // Timers of one duration fire in the order they were set: the stream stays in order.
      if (delay > 0) setTimeout(() => upstream.write(chunk), delay);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    get isCut() {
      return cut;
    },
    whenCut,
    cutWhenClientSends(text) {
      marker = text;
    },
    cut: cutAll,
    restore() {
      marker = null;
      cut = false;
    },
    close: () => {
      cutAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
