import { App, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import {
  IPackageVersion,
  JobDocument,
  JobTargets,
  JobTemplateWithPackages,
  JobWithPackages,
  PackageConfiguration,
  PackagePlaceholder,
  PackageVersion,
  PackageVersionArtifact,
  PackageVersionSbom,
  PackageVersionStatus,
  SoftwarePackage,
} from '../../src';

export const MATRIX_STACK = 'Matrix';
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
const IOT_ARN = `arn:aws:iot:${REGION}:${ACCOUNT}`;
export const versionArn = (packageName: string, versionName: string) => `${IOT_ARN}:package/${packageName}/version/${versionName}`;
export const groupArn = (name: string) => `${IOT_ARN}:thinggroup/${name}`;

/** A resource type of the harness that fails when it is created or updated: "a later resource fails". */
export const TRIPWIRE_TYPE = 'Test::Tripwire';

export interface MatrixVersion {
  /** Construct id: the same id with another versionName is a replacement. */
  readonly id: string;
  readonly versionName: string;
  readonly status?: PackageVersionStatus;
  readonly description?: string;
  readonly isDefault?: boolean;
  readonly attributes?: Record<string, string>;
  /** An object of bucket RELEASES_BUCKET, its version looked up at deploy time. */
  readonly artifactKey?: string;
  /** An SBOM object of bucket RELEASES_BUCKET, its version looked up at deploy time. */
  readonly sbomKey?: string;
}

/** The bucket artifacts and SBOMs of these apps come from (the S3 emulator holds it). */
export const RELEASES_BUCKET = 'releases';

export interface MatrixPackage {
  /** Construct id: the same id with another packageName is a replacement. */
  readonly id: string;
  readonly packageName: string;
  readonly description?: string;
  readonly versions: readonly MatrixVersion[];
  readonly retain?: boolean;
}

export interface MatrixJob {
  readonly jobId?: string;
  readonly description?: string;
  readonly groups: readonly string[];
  /** `<package id>/<version id>` of the stack's versions the job installs; `<package id>/$default` for the default. */
  readonly versions: readonly string[];
  /** A document that reads each version's attribute `board` through a placeholder. */
  readonly placeholders?: boolean;
  /** A scheduled start (ISO 8601). */
  readonly startTime?: string;
}

export interface MatrixSpec {
  readonly packages: readonly MatrixPackage[];
  readonly configuration?: { readonly versionUpdateByJobs?: boolean; readonly fleetIndexing?: boolean };
  readonly job?: MatrixJob;
  readonly template?: { readonly description: string; readonly versions: readonly string[] };
  /** A resource after every other one that fails: the deployment rolls back. */
  readonly tripwire?: boolean;
}

/** An app of one stack declared from a plain description, so that a test states each release. */
export function matrixApp(spec: MatrixSpec) {
  return (outdir: string) => {
    const app = new App({ outdir });
    const stack = new Stack(app, MATRIX_STACK, { env: { account: ACCOUNT, region: REGION } });
    const all: IConstruct[] = [];
    const versions = new Map<string, IPackageVersion>();
    const releases = s3.Bucket.fromBucketName(stack, 'Releases', RELEASES_BUCKET);
    for (const p of spec.packages) {
      const pkg = new SoftwarePackage(stack, p.id, {
        packageName: p.packageName,
        description: p.description,
        removalPolicy: p.retain ? RemovalPolicy.RETAIN : undefined,
      });
      all.push(pkg);
      versions.set(`${p.id}/$default`, PackageVersion.defaultVersionOf(stack, `${p.id}Default`, pkg));
      for (const v of p.versions) {
        versions.set(`${p.id}/${v.id}`, pkg.addVersion(v.id, {
          versionName: v.versionName,
          status: v.status,
          description: v.description,
          isDefaultVersion: v.isDefault,
          attributes: v.attributes,
          artifact: v.artifactKey ? PackageVersionArtifact.fromBucket(releases, v.artifactKey) : undefined,
          sbom: v.sbomKey ? PackageVersionSbom.fromBucket(releases, v.sbomKey) : undefined,
        }));
      }
    }
    const pick = (ids: readonly string[]) => ids.map((id) => {
      const version = versions.get(id);
      if (!version) throw new Error(`matrixApp: no version ${id}`);
      return version;
    });
    if (spec.configuration) {
      all.push(new PackageConfiguration(stack, 'Configuration', spec.configuration));
    }
    if (spec.template) {
      all.push(new JobTemplateWithPackages(stack, 'Template', {
        description: spec.template.description,
        destinationPackageVersions: pick(spec.template.versions),
        document: JobDocument.fromObject({ operation: 'install' }),
      }));
    }
    if (spec.job) {
      const destinations = pick(spec.job.versions);
      all.push(new JobWithPackages(stack, 'Rollout', {
        jobId: spec.job.jobId,
        description: spec.job.description,
        targets: spec.job.groups.map((g) => JobTargets.thingGroup(stack, g)),
        destinationPackageVersions: destinations,
        document: JobDocument.fromObject({
          operation: 'install',
          ...(spec.job.placeholders ? { boards: destinations.map((v) => PackagePlaceholder.attribute(v, 'board')) } : {}),
        }),
        schedulingConfig: spec.job.startTime ? { startTime: spec.job.startTime } : undefined,
      }));
    }
    if (spec.tripwire) {
      const tripwire = new CfnResource(stack, 'Tripwire', { type: TRIPWIRE_TYPE, properties: { Fails: 'always' } });
      for (const construct of all) tripwire.node.addDependency(construct);
    }
    return app;
  };
}
