/**
 * The local stand-in for the pre-signed S3 URL that CloudFormation hands custom resources as
 * `ResponseURL`. Every request gets its own URL carrying a secret signature (so tests can prove
 * the URL never reaches the logs); the server accepts PUTs to it and keeps every body.
 */
import { randomBytes } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';

export interface ReceivedResponse {
  readonly body: string;
  readonly bytes: number;
}

/** The responses that arrive at one ResponseURL, in arrival order. */
export class ResponseSlot {
  public readonly received: ReceivedResponse[] = [];
  private readonly waiters: Array<() => void> = [];

  constructor(public readonly url: string, public readonly key: string) {}

  /** Resolves once at least `count` responses have arrived. */
  public waitForCount(count: number): Promise<void> {
    if (this.received.length >= count) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  public add(response: ReceivedResponse): void {
    this.received.push(response);
    this.waiters.splice(0).forEach((wake) => wake());
  }
}

export class ResponseServer {
  public static async start(): Promise<ResponseServer> {
    const server = new ResponseServer();
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(0, '127.0.0.1', resolve);
    });
    return server;
  }

  private readonly server: http.Server;
  private readonly slots = new Map<string, { slot: ResponseSlot; signature: string }>();

  private constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  /** `http://127.0.0.1:<port>`: where the ResponseURLs point. */
  public get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** A new ResponseURL, shaped like CloudFormation's (path names the request, query signs it). */
  public newSlot(stackId: string, logicalId: string, requestId: string): ResponseSlot {
    const key = encodeURIComponent(`${stackId}|${logicalId}|${requestId}`);
    const signature = randomBytes(20).toString('hex');
    const slot = new ResponseSlot(
      `${this.baseUrl}/cloudformation-custom-resource-response/${key}?X-Amz-Expires=7200&X-Amz-Signature=${signature}`,
      key,
    );
    this.slots.set(key, { slot, signature });
    return slot;
  }

  /** Later PUTs to the slot's URL are refused, as an expired pre-signed URL would be. */
  public release(slot: ResponseSlot): void {
    this.slots.delete(slot.key);
  }

  public async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = url.pathname.split('/').pop() ?? '';
    const entry = this.slots.get(key);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'PUT' || !entry || url.searchParams.get('X-Amz-Signature') !== entry.signature) {
        // S3 answers an unknown, expired or tampered pre-signed URL with 403.
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end('<Error><Code>AccessDenied</Code><Message>Request has expired or signature does not match</Message></Error>');
        return;
      }
      const body = Buffer.concat(chunks);
      // Record before answering: a handler that awaited its PUT always finds it recorded.
      entry.slot.add({ body: body.toString('utf8'), bytes: body.length });
      res.writeHead(200);
      res.end();
    });
  }
}
