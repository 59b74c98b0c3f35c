import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ResourceError } from './errors';
import { BackoffRetryStrategy, retrySettings } from './iot-client';
import { S3ObjectProperty } from '../../src/private/contract';

let client: S3Client | undefined;

function s3Client(): S3Client {
  if (!client) {
    const { maxAttempts, baseDelayMs } = retrySettings();
    client = new S3Client({ retryStrategy: new BackoffRetryStrategy(maxAttempts, baseDelayMs) });
  }
  return client;
}

/** An S3 location in the shape the IoT API takes. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
  readonly version: string;
}

/**
 * The object's location with its version. IoT reads a specific object version; an asset's
 * version is only known once it is uploaded, so it is looked up at deploy time.
 */
export async function resolveObjectVersion(what: string, object: S3ObjectProperty): Promise<S3Location> {
  if (object.Version) {
    return { bucket: object.Bucket, key: object.Key, version: object.Version };
  }
  let versionId: string | undefined;
  try {
    ({ VersionId: versionId } = await s3Client().send(new HeadObjectCommand({ Bucket: object.Bucket, Key: object.Key })));
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    throw new ResourceError(`The ${what} s3://${object.Bucket}/${object.Key} cannot be read: ${name}.`);
  }
  if (!versionId || versionId === 'null') {
    throw new ResourceError(
      `The ${what} s3://${object.Bucket}/${object.Key} has no object version: IoT reads a specific version, ` +
      'so the bucket must have versioning enabled, or pass the objectVersion explicitly.',
    );
  }
  return { bucket: object.Bucket, key: object.Key, version: versionId };
}
