/** Where the event stream is served, and the URL the API advertises for it (SPEC.md §13). */
import type { Config } from '../config/config';

export const STREAM_PATH = '/api/v1/streams/valid_transactions';

/** `ws://host:port/api/v1/streams/valid_transactions`, from `wsserver.advertised_*`, falling back on host and port. */
export function advertisedStreamUrl(settings: Config['wsserver']): string {
  const host = settings.advertised_host ?? settings.host;
  const port = settings.advertised_port ?? settings.port;
  return `${settings.advertised_scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${STREAM_PATH}`;
}
