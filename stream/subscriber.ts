/**
 * One client of the event stream: a bounded queue in front of its socket.
 * Messages go to the socket while the bytes it has not written yet
 * (`bufferedAmount`) stay under a high-water mark; the rest wait in the
 * queue. A client whose queue is full has fallen behind: it is closed with
 * 1008 and its queue dropped, so a client that stops reading costs the node
 * at most its queue and the high-water mark, however long it stays.
 */
import type { WebSocket } from 'ws';

export interface SubscriberLimits {
  /** Messages waiting for the socket before the client counts as fallen behind. */
  readonly queueLimit: number;
  /** Bytes the socket may hold unwritten before messages wait in the queue. */
  readonly highWaterBytes: number;
}

/** RFC 6455's "policy violation": what a client that falls behind is closed with. */
export const FELL_BEHIND = 1008;

export class Subscriber {
  private readonly queue: string[] = [];
  private open = true;
  private answeredPing = true;

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: SubscriberLimits,
    private readonly onFellBehind: (waiting: number) => void,
  ) {
    socket.on('pong', () => {
      this.answeredPing = true;
    });
    socket.once('close', () => this.drop());
  }

  /** Messages waiting for the socket. */
  get queued(): number {
    return this.queue.length;
  }

  /** Bytes given to the socket that it has not written yet. */
  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /** Queues a message for the client, or closes it when its queue is full. */
  offer(message: string): void {
    if (!this.open) return;
    if (this.queue.length >= this.limits.queueLimit) {
      this.fallBehind();
      return;
    }
    this.queue.push(message);
    this.pump();
  }

  /** Pings the client; one that has not answered the previous ping is cut off. */
  heartbeat(): void {
    if (!this.answeredPing) {
      this.socket.terminate();
      return;
    }
    this.answeredPing = false;
    this.socket.ping();
  }

  close(code: number, reason: string): void {
    this.drop();
    this.socket.close(code, reason);
  }

  terminate(): void {
    this.drop();
    this.socket.terminate();
  }

  /**
   * Sends while the socket is under its high-water mark. Each send calls back
   * once its frame is written to the kernel: the queue moves on as the
   * client reads, and stops when it does not.
   */
  private readonly pump = (): void => {
    while (this.open && this.queue.length > 0 && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      this.socket.send(this.queue.shift()!, this.pump);
    }
  };

  private fallBehind(): void {
    const waiting = this.queue.length;
    // The close frame waits behind what the socket holds; ws destroys the socket if the close handshake does not end.
    this.close(FELL_BEHIND, `fell behind: ${waiting} events waiting; reconnect and catch up through the query API`);
    this.onFellBehind(waiting);
  }

  private drop(): void {
    this.open = false;
    this.queue.length = 0;
  }
}
