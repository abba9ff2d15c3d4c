/**
 * A minimal unary gRPC client over node:http2, for load generation only.
 *
 * @grpc/grpc-js spends ~250 µs of client CPU per unary call here (interceptor chain, a
 * captured stack per call, metadata objects): on a 2-core machine the load generator,
 * not the server, becomes the limit. This client speaks the same wire protocol (one HTTP/2
 * stream per call, length-prefixed protobuf message, grpc-status trailers) with none of
 * that, so more of the machine is left to the system under test. Messages are encoded
 * and decoded with protobufjs from the real .proto files, and every reply is checked.
 */
import http2 from 'node:http2';
import protobuf from 'protobufjs';

export class GrpcStatusError extends Error {
  override name = 'GrpcStatusError';
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`grpc status ${code}: ${details}`);
  }
}

export class RawGrpcClient {
  private readonly sessionRef: http2.ClientHttp2Session;

  constructor(address: string) {
    this.sessionRef = http2.connect(`http://${address}`, { settings: { enablePush: false } });
    this.sessionRef.on('error', () => {});
  }

  /** Sends one request message (already encoded), resolves with the reply message bytes. */
  unary(path: string, message: Uint8Array, timeoutMs = 30_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const stream = this.sessionRef.request(
        { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' },
        { endStream: false },
      );
      const frame = Buffer.allocUnsafe(5 + message.length);
      frame[0] = 0;
      frame.writeUInt32BE(message.length, 1);
      frame.set(message, 5);
      stream.end(frame);
      const chunks: Buffer[] = [];
      let status: number | undefined;
      let details = '';
      const takeStatus = (h: http2.IncomingHttpHeaders) => {
        const s = h['grpc-status'];
        if (s !== undefined) {
          status = Number(s);
          details = decodeURIComponent(String(h['grpc-message'] ?? ''));
        }
      };
      const timer = setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), timeoutMs);
      stream.on('response', takeStatus);
      stream.on('trailers', takeStatus);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', () => {});
      stream.on('close', () => {
        clearTimeout(timer);
        if (status === undefined) return reject(new GrpcStatusError(14, 'stream closed without a status'));
        if (status !== 0) return reject(new GrpcStatusError(status, details));
        const body = Buffer.concat(chunks);
        if (body.length < 5) return reject(new GrpcStatusError(13, 'no reply message'));
        resolve(body.subarray(5, 5 + body.readUInt32BE(1)));
      });
    });
  }

  close(): void {
    this.sessionRef.close();
  }

  /** The underlying HTTP/2 session (for streams). */
  session(): http2.ClientHttp2Session {
    return this.sessionRef;
  }
}

/** Loads protobufjs types from .proto files (field names as in the files, snake_case). */
export function loadTypes(files: string[], includeDir: string): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : `${includeDir}/${target}`);
  root.loadSync(files, { keepCase: true });
  return root;
}

/**
 * One long-lived bidirectional gRPC stream over node:http2: length-prefixed messages written
 * as they come, replies parsed from the data frames and handed to `onMessage`.
 */
export class RawGrpcStream {
  private readonly stream: http2.ClientHttp2Stream;
  private pending: Buffer = Buffer.alloc(0);
  closed: Promise<void>;

  constructor(
    client: RawGrpcClient,
    path: string,
    private readonly onMessage: (m: Buffer) => void,
  ) {
    this.stream = client
      .session()
      .request(
        { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' },
        { endStream: false },
      );
    this.stream.on('data', (chunk: Buffer) => this.take(chunk));
    this.stream.on('error', () => {});
    this.closed = new Promise((r) => this.stream.on('close', () => r()));
  }

  private take(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 5) {
      const len = this.pending.readUInt32BE(1);
      if (this.pending.length < 5 + len) break;
      this.onMessage(this.pending.subarray(5, 5 + len));
      this.pending = this.pending.subarray(5 + len);
    }
  }

  send(message: Uint8Array): void {
    const frame = Buffer.allocUnsafe(5 + message.length);
    frame[0] = 0;
    frame.writeUInt32BE(message.length, 1);
    frame.set(message, 5);
    this.stream.write(frame);
  }

  end(): Promise<void> {
    this.stream.end();
    return this.closed;
  }
}
