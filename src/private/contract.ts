/**
 * The property contract between the constructs and the custom-resource handler.
 *
 * Both sides import this module, so the compiler checks that what a construct renders is
 * what the handler parses. CloudFormation delivers every scalar as a string, so booleans
 * are declared as the strings the handler receives.
 */

/** Custom resource types: permanent once shipped (renaming one replaces every resource). */
export const RESOURCE_TYPES = {
  softwarePackage: 'Custom::IotSoftwarePackage',
  packageVersion: 'Custom::IotPackageVersion',
  defaultVersion: 'Custom::IotPackageDefaultVersion',
} as const;

export type BooleanString = 'true' | 'false';

/** An S3 object the service reads (artifact or SBOM). */
export interface S3ObjectProperty {
  readonly Bucket: string;
  readonly Key: string;
  /** The object version; absent when the handler must resolve the latest version. */
  readonly Version?: string;
}

export interface SoftwarePackageProperties {
  readonly PackageName: string;
  readonly Description?: string;
  readonly Tags?: Record<string, string>;
  readonly AutoDeleteVersions?: BooleanString;
}

export interface SoftwarePackageAttributes {
  readonly PackageName: string;
  readonly PackageArn: string;
}

export type PackageVersionStatusValue = 'DRAFT' | 'PUBLISHED' | 'DEPRECATED';

export interface PackageVersionProperties {
  readonly PackageName: string;
  readonly VersionName: string;
  readonly Status: PackageVersionStatusValue;
  readonly Description?: string;
  readonly Attributes?: Record<string, string>;
  readonly Artifact?: S3ObjectProperty;
  readonly Recipe?: string;
  readonly Sbom?: S3ObjectProperty;
  readonly Tags?: Record<string, string>;
}

export interface PackageVersionAttributes {
  readonly PackageName: string;
  readonly VersionName: string;
  readonly PackageVersionArn: string;
  readonly Status: PackageVersionStatusValue;
}

export interface DefaultVersionProperties {
  readonly PackageName: string;
  readonly VersionName: string;
}
