/**
 * The benchmark's HTTP client: one keep-alive connection, one request at a
 * time, answers read by their Content-Length. The clients share the node's
 * two cores, and node:http's client machinery (agent, parser, streams) cost
 * them about as much CPU per POST as the node's whole API: this one costs a
 * fraction, so more of the machine measures the node. It speaks only what the
 * node answers: a status line, headers, a body of declared length.
 */
import { connect, type Socket } from 'node:net';

export interface Answer {
  readonly status: number;
  readonly text: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');

export class KeepAliveClient {
  private socket: Socket | null = null;
  private received: Buffer = Buffer.alloc(0);
  private waiting: { resolve(answer: Answer): void; reject(err: Error): void } | null = null;

  constructor(private readonly host: string, private readonly port: number) {}

  /** POSTs a JSON body; rejects when the connection fails or the answer cannot be read. */
  post(path: string, body: string): Promise<Answer> {
    const socket = this.socket ?? this.open();
    return new Promise<Answer>((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    const fail = (err: Error) => {
      this.socket = null;
      this.received = Buffer.alloc(0);
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    this.socket = socket;
    return socket;
  }

  private read(chunk: Buffer): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    const headerEnd = this.received.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.received.toString('latin1', 0, headerEnd);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
    if (!Number.isFinite(length)) {
      this.socket?.destroy(new Error(`an answer without a Content-Length: ${head.slice(0, 200)}`));
      return;
    }
    const end = headerEnd + HEADER_END.length + length;
    if (this.received.length < end) return;
    const status = Number(head.slice(9, 12));
    const text = this.received.toString('utf8', headerEnd + HEADER_END.length, end);
    this.received = this.received.subarray(end);
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve({ status, text });
  }
}
