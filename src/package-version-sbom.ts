import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { PackageVersionS3Object } from './package-version-artifact';
import { assetObject, bucketObject, S3ObjectBinder } from './private/s3-object';

/**
 * The software bill of materials of a package version: a zip archive of SPDX or CycloneDX
 * documents in S3. It stays editable in every status; IoT validates it after association.
 */
export abstract class PackageVersionSbom {
  /**
   * A zip archive in an existing, versioned bucket.
   *
   * @param bucket the bucket, in the version's region
   * @param objectKey the object key
   * @param objectVersion the object version; default: the latest version, looked up at deploy time
   */
  public static fromBucket(bucket: s3.IBucket, objectKey: string, objectVersion?: string): PackageVersionSbom {
    return new BoundSbom(bucketObject(bucket, objectKey, objectVersion));
  }

  /** A local zip archive, uploaded as a CDK asset. */
  public static fromAsset(path: string, options?: s3_assets.AssetOptions): PackageVersionSbom {
    return new BoundSbom(assetObject(path, options));
  }

  /** Binds the SBOM to the version that uses it. */
  public abstract bind(scope: Construct): PackageVersionS3Object;
}

class BoundSbom extends PackageVersionSbom {
  constructor(private readonly binder: S3ObjectBinder) {
    super();
  }

  public bind(scope: Construct): PackageVersionS3Object {
    return this.binder(scope, 'Sbom');
  }
}
