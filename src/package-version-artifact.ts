import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { assetObject, bucketObject, S3ObjectBinder } from './private/s3-object';

/**
 * The S3 object of an artifact or SBOM, as bound to a package version.
 */
export interface PackageVersionS3Object {
  /** The bucket. IoT requires it in the version's region. */
  readonly bucket: s3.IBucket;
  /** The object key. */
  readonly objectKey: string;
  /**
   * The object version IoT reads.
   *
   * @default - the latest version, looked up at deploy time (the bucket must be versioned)
   */
  readonly objectVersion?: string;
}

/**
 * The payload of a package version (a firmware image, an archive), stored in S3.
 *
 * IoT reads a specific object version from a bucket in the version's region. Like the
 * attributes, the artifact is frozen once the version is published: a new artifact needs a
 * new `versionName`.
 */
export abstract class PackageVersionArtifact {
  /**
   * An object in an existing, versioned bucket.
   *
   * @param bucket the bucket, in the version's region
   * @param objectKey the object key
   * @param objectVersion the object version; default: the latest version, looked up at deploy time
   */
  public static fromBucket(bucket: s3.IBucket, objectKey: string, objectVersion?: string): PackageVersionArtifact {
    return new BoundArtifact(bucketObject(bucket, objectKey, objectVersion));
  }

  /**
   * A local file, uploaded as a CDK asset to the bootstrap bucket (versioned); the deployed
   * object version is looked up at deploy time.
   */
  public static fromAsset(path: string, options?: s3_assets.AssetOptions): PackageVersionArtifact {
    return new BoundArtifact(assetObject(path, options));
  }

  /** Binds the artifact to the version that uses it. */
  public abstract bind(scope: Construct): PackageVersionS3Object;
}

class BoundArtifact extends PackageVersionArtifact {
  constructor(private readonly binder: S3ObjectBinder) {
    super();
  }

  public bind(scope: Construct): PackageVersionS3Object {
    return this.binder(scope, 'Artifact');
  }
}
