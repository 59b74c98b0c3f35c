/**
 * A minimal S3 emulator for what the handler and the deploy harness need: uploading an object
 * (as `cdk deploy` publishes an asset) and HeadObject, which answers the object's version id
 * in `x-amz-version-id` when the bucket is versioned. Path-style requests only: the SDK uses
 * path-style addressing for an IP endpoint.
 */
import { createHash } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { accessKeyIdOf, IamAuthority } from './iam-authority';

interface StoredObject {
  readonly versionId?: string;
  readonly size: number;
  readonly etag: string;
}

export class S3Emulator {
  /** With `iam`, each request is checked against the caller's policies (HeadObject needs s3:GetObject). */
  public static async start(options: { iam?: IamAuthority } = {}): Promise<S3Emulator> {
    const emu = new S3Emulator(options.iam);
    await new Promise<void>((resolve) => emu.server.listen(0, '127.0.0.1', resolve));
    emu.endpoint = `http://127.0.0.1:${(emu.server.address() as AddressInfo).port}`;
    return emu;
  }

  public endpoint = '';
  /** HEAD and PUT requests received, as `METHOD /bucket/key`. */
  public readonly requests: string[] = [];
  private readonly objects = new Map<string, StoredObject[]>();
  private readonly unversioned = new Set<string>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private versionCounter = 0;

  private constructor(private readonly iam?: IamAuthority) {}

  /** Buckets are versioned unless marked otherwise. */
  public setUnversioned(bucket: string): void {
    this.unversioned.add(bucket);
  }

  /** Stores an object and returns its version id (undefined in an unversioned bucket). */
  public putObject(bucket: string, key: string, body: Buffer | string): string | undefined {
    const versionId = this.unversioned.has(bucket) ? undefined : `v${String(++this.versionCounter).padStart(6, '0')}-${createHash('sha256').update(body).digest('hex').slice(0, 12)}`;
    const object: StoredObject = { versionId, size: Buffer.byteLength(body), etag: createHash('md5').update(body).digest('hex') };
    const history = this.objects.get(`${bucket}/${key}`) ?? [];
    history.push(object);
    this.objects.set(`${bucket}/${key}`, history);
    return versionId;
  }

  public latestVersion(bucket: string, key: string): string | undefined {
    const history = this.objects.get(`${bucket}/${key}`);
    return history?.[history.length - 1]?.versionId;
  }

  public reset(): void {
    this.objects.clear();
    this.unversioned.clear();
    this.requests.length = 0;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, bucket, ...keyParts] = url.pathname.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    this.requests.push(`${req.method} /${bucket}/${key}`);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const wanted = url.searchParams.get('versionId');
      const action = req.method === 'PUT' ? 's3:PutObject' : wanted ? 's3:GetObjectVersion' : 's3:GetObject';
      const denial = key ? this.iam?.authorize(accessKeyIdOf(req.headers.authorization), [{ action, resource: `arn:aws:s3:::${bucket}/${key}` }]) : undefined;
      if (denial) {
        res.writeHead(403, { 'content-type': 'application/xml', 'x-amz-error-code': 'AccessDenied' });
        res.end(req.method === 'HEAD' ? undefined : `<Error><Code>AccessDenied</Code><Message>${denial.message}</Message></Error>`);
        return;
      }
      if (req.method === 'PUT' && key) {
        const versionId = this.putObject(bucket, key, Buffer.concat(chunks));
        res.writeHead(200, versionId ? { 'x-amz-version-id': versionId } : {});
        res.end();
        return;
      }
      if ((req.method === 'HEAD' || req.method === 'GET') && key) {
        const history = this.objects.get(`${bucket}/${key}`);
        const object = wanted ? history?.find((o) => o.versionId === wanted) : history?.[history.length - 1];
        if (!object) {
          res.writeHead(404, { 'content-type': 'application/xml', 'x-amz-error-code': 'NoSuchKey' });
          res.end(req.method === 'HEAD' ? undefined : '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
          return;
        }
        res.writeHead(200, {
          'content-length': String(object.size),
          'etag': `"${object.etag}"`,
          ...(object.versionId ? { 'x-amz-version-id': object.versionId } : {}),
        });
        res.end();
        return;
      }
      res.writeHead(501);
      res.end();
    });
  }
}
