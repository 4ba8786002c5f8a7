/**
 * The RethinkDB instance config of every server node (manual §4.4.6): data
 * in /data, listening on every interface, direct I/O, and a `join=` line for
 * every node so that no node is the one all others depend on to find the cluster.
 */
export const RETHINKDB_CLUSTER_PORT = 29015;

/** Where the rethinkdb package's init script looks for instance configs. */
export const RETHINKDB_INSTANCE_CONF = '/etc/rethinkdb/instances.d/instance1.conf';

export function rethinkdbInstanceConf(hosts: readonly string[], bindHttpToLocalhost: boolean): string {
  const lines = [
    '# Written by deploy-cluster-aws for a test cluster.',
    'directory=/data',
    'bind=all',
    'direct-io',
    // The admin web interface (port 8080) then answers only through an SSH tunnel.
    ...(bindHttpToLocalhost ? ['bind-http=127.0.0.1'] : []),
    ...hosts.map((host) => `join=${host}:${RETHINKDB_CLUSTER_PORT}`),
  ];
  return lines.join('\n') + '\n';
}
