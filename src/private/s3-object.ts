import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/** Where an artifact or SBOM lives, once bound to the version that uses it. */
export interface BoundS3Object {
  readonly bucket: s3.IBucket;
  readonly objectKey: string;
  /** Undefined when the handler resolves the version at deploy time. */
  readonly objectVersion?: string;
}

export type S3ObjectBinder = (scope: Construct, id: string) => BoundS3Object;

export function bucketObject(bucket: s3.IBucket, objectKey: string, objectVersion?: string): S3ObjectBinder {
  if (objectKey.length === 0) {
    throw new Error('objectKey must not be empty.');
  }
  return () => ({ bucket, objectKey, objectVersion });
}

/** A local file uploaded as a CDK asset. Its object version is known only after upload. */
export function assetObject(path: string, options: s3_assets.AssetOptions = {}): S3ObjectBinder {
  return (scope, id) => {
    const asset = new s3_assets.Asset(scope, id, { path, ...options });
    return { bucket: asset.bucket, objectKey: asset.s3ObjectKey };
  };
}
