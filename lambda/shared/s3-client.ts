import type * as S3 from '@aws-sdk/client-s3';
import { ResourceError } from './errors';
import { BackoffRetryStrategy, retrySettings } from './iot-client';
import { runtimeClient } from './runtime-sdk';
import { S3ObjectProperty } from '../../src/private/contract';

/** The runtime's S3 client, loaded by the first event that reads an object (most never do). */
let sdk: typeof S3 | undefined;
let client: S3.S3Client | undefined;

function s3(): { client: S3.S3Client; sdk: typeof S3 } {
  sdk ??= runtimeClient('@aws-sdk/client-s3') as unknown as typeof S3;
  if (!client) {
    const { maxAttempts, baseDelayMs } = retrySettings();
    client = new sdk.S3Client({ retryStrategy: new BackoffRetryStrategy(maxAttempts, baseDelayMs) });
  }
  return { client, sdk };
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
    const { client: s3Client, sdk: { HeadObjectCommand } } = s3();
    ({ VersionId: versionId } = await s3Client.send(new HeadObjectCommand({ Bucket: object.Bucket, Key: object.Key })));
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
