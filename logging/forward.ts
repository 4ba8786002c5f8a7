/**
 * Log records from worker threads and API processes travel to the node's
 * main thread, which alone writes the console and the log files: one writer
 * per file is what makes size-based rotation safe.
 */
import cluster from 'node:cluster';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';
import Transport from 'winston-transport';

/** What crosses to the main thread: plain data. */
export interface ForwardedRecord {
  readonly level: string;
  readonly message: string;
  readonly subsystem: string;
}

const CHANNEL = 'bigchaindb:log';
const IPC_KEY = 'bigchaindbLog';

/** True where records must be forwarded rather than written: a worker thread or an API process. */
export function isForwardingContext(): boolean {
  return !isMainThread || cluster.isWorker;
}

export class ForwardTransport extends Transport {
  private channel: BroadcastChannel | null = null;

  override log(info: Record<string, unknown>, next: () => void): void {
    const record: ForwardedRecord = { level: String(info.level), message: String(info.message), subsystem: String(info.subsystem ?? 'bigchaindb') };
    if (!isMainThread) this.threadChannel().postMessage(record);
    else process.send?.({ [IPC_KEY]: record });
    next();
  }

  private threadChannel(): BroadcastChannel {
    if (this.channel === null) {
      this.channel = new BroadcastChannel(CHANNEL);
      // A thread's logging must not keep it alive once its work is done.
      this.channel.unref();
    }
    return this.channel;
  }
}

/** In the main thread: hands every record forwarded by threads and API processes to `write`. */
export function receiveForwardedRecords(write: (record: ForwardedRecord) => void): () => void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  channel.onmessage = (event) => write((event as unknown as { data: ForwardedRecord }).data);
  const fromProcess = (_worker: unknown, message: unknown) => {
    const record = (message as Record<string, unknown> | null)?.[IPC_KEY];
    if (record !== undefined) write(record as ForwardedRecord);
  };
  cluster.on('message', fromProcess);
  return () => {
    channel.close();
    cluster.off('message', fromProcess);
  };
}
