/** The client end of the event stream (SPEC.md §13). */
import WebSocket from 'ws';
import type { ValidTransactionEvent } from '../stream/events';

export type { ValidTransactionEvent };

/** How the stream ended: the server's close code (1008: this client fell behind) and reason. */
export interface StreamClosed {
  readonly code: number;
  readonly reason: string;
}

export interface ValidTransactionStream {
  /** Resolves when the stream ends, whoever ends it. */
  readonly closed: Promise<StreamClosed>;
  close(): Promise<StreamClosed>;
}

/** Connects to `url`; resolves once connected, so no event sent after that is missed. */
export function openValidTransactionStream(url: string, onEvent: (event: ValidTransactionEvent) => void): Promise<ValidTransactionStream> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const closed = new Promise<StreamClosed>((done) => socket.once('close', (code, reason) => done({ code, reason: reason.toString() })));
    socket.on('message', (data) => {
      let event: ValidTransactionEvent;
      try {
        event = JSON.parse(data.toString()) as ValidTransactionEvent;
      } catch {
        // Not the stream this client knows: 1007 is "inconsistent data".
        socket.close(1007, 'a message that is not JSON');
        return;
      }
      onEvent(event);
    });
    socket.once('error', reject);
    socket.once('open', () => {
      socket.off('error', reject);
      // Once open, how the stream ends is told by `closed`.
      socket.on('error', () => undefined);
      resolve({
        closed,
        close() {
          socket.close(1000);
          return closed;
        },
      });
    });
  });
}
