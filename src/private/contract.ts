/**
 * The property contract between the constructs and the custom-resource handler.
 *
 * Both sides import this module: a construct renders `PropertiesOf<T>` and reads
 * `AttributesOf<T>` of its resource type `T`; the handler reads the properties by the names of
 * `PropertiesOf<T>` and answers `AttributesOf<T>`. Renaming a property or an attribute here
 * fails to compile on both sides. CloudFormation delivers every scalar as a string, so
 * booleans are declared as the strings the handler receives.
 */

/** Every custom resource type: the properties its construct renders, the attributes its handler answers. */
export interface ResourceContracts {
  readonly 'Custom::IotSoftwarePackage': Contract<SoftwarePackageProperties, SoftwarePackageAttributes>;
  readonly 'Custom::IotPackageVersion': Contract<PackageVersionProperties, PackageVersionAttributes>;
  readonly 'Custom::IotPackageDefaultVersion': Contract<DefaultVersionProperties, NoAttributes>;
  readonly 'Custom::IotPackageConfiguration': Contract<PackageConfigurationProperties, PackageConfigurationAttributes>;
  readonly 'Custom::IotPackageFleetIndexing': Contract<PackageFleetIndexingProperties, NoAttributes>;
  readonly 'Custom::IotJobWithPackages': Contract<JobWithPackagesProperties, JobWithPackagesAttributes>;
}

export interface Contract<P, A> {
  readonly properties: P;
  readonly attributes: A;
}

export type ResourceType = keyof ResourceContracts;
export type PropertiesOf<T extends ResourceType> = ResourceContracts[T]['properties'];
export type AttributesOf<T extends ResourceType> = ResourceContracts[T]['attributes'];
/** A resource that answers no attributes. */
export type NoAttributes = Record<never, string>;

/** Custom resource types by name: permanent once shipped (renaming one replaces every resource). */
export const RESOURCE_TYPES = {
  softwarePackage: 'Custom::IotSoftwarePackage',
  packageVersion: 'Custom::IotPackageVersion',
  defaultVersion: 'Custom::IotPackageDefaultVersion',
  packageConfiguration: 'Custom::IotPackageConfiguration',
  packageFleetIndexing: 'Custom::IotPackageFleetIndexing',
  jobWithPackages: 'Custom::IotJobWithPackages',
} as const satisfies Record<string, ResourceType>;

export function isResourceType(type: string): type is ResourceType {
  return (Object.values(RESOURCE_TYPES) as string[]).includes(type);
}

export type BooleanString = 'true' | 'false';

/**
 * The tag the handler puts on every package, version and job it creates, valued with the
 * creating stack's id. The provider's policy allows cleanup calls on resources that carry it
 * with the stack's own id: after a rename, a replacement or a rollback, the resource to delete
 * is no longer named in the policy CloudFormation has just applied. The handler also reads it
 * to tell its own resource (to converge) from someone else's (to refuse).
 */
export const OWNER_TAG_KEY = 'cdk-iot-package-catalog:stack-id';

/** The names in a package version ARN (`arn:<partition>:iot:<region>:<account>:package/<p>/version/<v>`), or undefined. */
export function parsePackageVersionArn(arn: string): { readonly packageName: string; readonly versionName: string } | undefined {
  const match = /^arn:[^:]+:iot:[^:]*:[^:]*:package\/([^/]+)\/version\/([^/]+)$/.exec(arn);
  return match ? { packageName: match[1], versionName: match[2] } : undefined;
}

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
  /** Present when the version has an SBOM. */
  readonly SbomValidationStatus?: string;
}

export interface DefaultVersionProperties {
  readonly PackageName: string;
  readonly VersionName: string;
}

/**
 * A number as the handler receives it: CloudFormation delivers numbers as strings, also inside
 * nested objects; the construct renders numbers (a token number must stay a number to resolve).
 */
export type NumberValue = number | string;

export interface PackageConfigurationProperties {
  /** The role the jobs service uses to update the `$package` reserved named shadow. */
  readonly RoleArn: string;
  readonly VersionUpdateByJobs: BooleanString;
}

export interface PackageConfigurationAttributes {
  /** The configuration found before this resource's first change (`true`/`false`). */
  readonly PreviousEnabled: BooleanString;
  /** The role of the configuration found before, or an empty string. */
  readonly PreviousRoleArn: string;
}

/** The `$package` named shadow in the thing indexing configuration's filter. */
export interface PackageFleetIndexingProperties {
  readonly ShadowName: string;
}

export interface JobPresignedUrlConfigProperty {
  readonly RoleArn: string;
  readonly ExpiresInSec?: NumberValue;
}

export interface JobRolloutConfigProperty {
  readonly MaximumPerMinute?: NumberValue;
  readonly ExponentialRate?: {
    readonly BaseRatePerMinute: NumberValue;
    readonly IncrementFactor: NumberValue;
    readonly RateIncreaseCriteria: {
      readonly NumberOfNotifiedThings?: NumberValue;
      readonly NumberOfSucceededThings?: NumberValue;
    };
  };
}

export interface JobAbortConfigProperty {
  readonly CriteriaList: ReadonlyArray<{
    readonly FailureType: string;
    readonly Action: string;
    readonly ThresholdPercentage: NumberValue;
    readonly MinNumberOfExecutedThings: NumberValue;
  }>;
}

export interface JobTimeoutConfigProperty {
  readonly InProgressTimeoutInMinutes: NumberValue;
}

export interface JobRetryConfigProperty {
  readonly CriteriaList: ReadonlyArray<{
    readonly FailureType: string;
    readonly NumberOfRetries: NumberValue;
  }>;
}

export interface JobSchedulingConfigProperty {
  readonly StartTime?: string;
  readonly EndTime?: string;
  readonly EndBehavior?: string;
  readonly MaintenanceWindows?: ReadonlyArray<{
    readonly StartTime: string;
    readonly DurationInMinutes: NumberValue;
  }>;
}

export interface JobWithPackagesProperties {
  readonly JobId: string;
  readonly Targets: string[];
  readonly TargetSelection: 'SNAPSHOT' | 'CONTINUOUS';
  readonly DestinationPackageVersions: string[];
  /** Exactly one of Document, DocumentSource and JobTemplateArn. */
  readonly Document?: string;
  readonly DocumentSource?: string;
  readonly JobTemplateArn?: string;
  readonly Description?: string;
  readonly PresignedUrlConfig?: JobPresignedUrlConfigProperty;
  readonly JobExecutionsRolloutConfig?: JobRolloutConfigProperty;
  readonly AbortConfig?: JobAbortConfigProperty;
  readonly TimeoutConfig?: JobTimeoutConfigProperty;
  readonly JobExecutionsRetryConfig?: JobRetryConfigProperty;
  readonly SchedulingConfig?: JobSchedulingConfigProperty;
  /** Whether Delete force-cancels executions in progress and force-deletes the job. */
  readonly ForceDelete: BooleanString;
  readonly Tags?: Record<string, string>;
}

export interface JobWithPackagesAttributes {
  readonly JobId: string;
  readonly JobArn: string;
}
