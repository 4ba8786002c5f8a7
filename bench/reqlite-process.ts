/**
 * reqlite in a process of its own, so that a benchmark can tell the
 * database's CPU from the node's. Forked with an IPC channel: it sends its
 * port once listening and stops when the channel closes.
 */
import { startReqlite } from '../db/reqlite-compat';

void startReqlite('127.0.0.1', 0).then((server) => {
  process.send?.({ port: server.port });
  process.on('disconnect', () => process.exit(0));
});
