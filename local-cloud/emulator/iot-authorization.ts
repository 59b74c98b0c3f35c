/**
 * What IAM checks for each IoT operation the emulator serves: the action on every resource the
 * request touches, with the condition keys IAM puts in the request context. Sources:
 *  [seed]   shared/seed-iot-package-catalog-api.txt: "Requires permission to access the X action"
 *           (create and update calls of the catalog also need iot:GetIndexingConfiguration)
 *  [design] shared/DESIGN.md: version APIs need IAM on both the package and the version ARN;
 *           the caller needs iam:PassRole on a role it hands to IoT
 *  [cfn]    reference/AWS_IoT_SoftwarePackageVersion.json handler permissions: IoT reads an
 *           artifact or SBOM object with the caller's s3:GetObjectVersion
 *  [iam]    IAM User Guide: aws:ResourceTag/<key> holds the tags of the resource addressed,
 *           aws:RequestTag/<key> and aws:TagKeys the tags a request sets
 * Where the model's documentation names another action than the operation's own name
 * (DeletePackage: "the DeletePackageVersion action"; DisassociateSbomFromPackageVersion: "the
 * DisassociateSbomWithPackageVersion action"), both are required: a caller granted only one of
 * them would fail against a service that checks the other.
 */
import { jobArn, jobTemplateArn, packageArn, versionArn, type EmulatorOptions } from './handlers';
import type { AuthorizationRequest, ContextValue } from './iam-policy';
import type { EmulatorState } from './state';

type Context = Record<string, ContextValue>;

const INDEXING = 'iot:GetIndexingConfiguration';

/** The authorizations one request needs, in the order IAM reports the first refusal. */
export function requiredAuthorizations(
  operation: string, input: Record<string, any>, state: EmulatorState, opts: EmulatorOptions,
): AuthorizationRequest[] {
  const action = `iot:${operation}`;
  const tagsOf = (arn: string) => resourceTagContext(resourceTags(state, opts, arn));
  const on = (resource: string, extra: Context = {}): AuthorizationRequest => ({ action, resource, context: { ...tagsOf(resource), ...extra } });
  const onPackage = (extra?: Context) => on(packageArn(opts, input.packageName), extra);
  const onVersion = (extra?: Context) => [onPackage(extra), on(versionArn(opts, input.packageName, input.versionName), extra)];
  const requestTags = requestTagContext(tagMap(input.tags));
  const indexing: AuthorizationRequest = { action: INDEXING, resource: '*' };

  switch (operation) {
    case 'CreatePackage':
      return [onPackage(requestTags), indexing];
    case 'UpdatePackage':
      return [onPackage(), indexing];
    case 'GetPackage':
    case 'ListPackageVersions':
      return [onPackage()];
    case 'DeletePackage':
      return [onPackage(), { ...onPackage(), action: 'iot:DeletePackageVersion' }];
    case 'CreatePackageVersion':
      return [...onVersion(requestTags), ...objectReads(input.artifact), indexing];
    case 'UpdatePackageVersion':
      return [...onVersion(), ...objectReads(input.artifact), indexing];
    case 'AssociateSbomWithPackageVersion':
      return [...onVersion(), ...objectReads(input.sbom)];
    case 'GetPackageVersion':
    case 'DeletePackageVersion':
    case 'ListSbomValidationResults':
      return onVersion();
    case 'DisassociateSbomFromPackageVersion':
      return [...onVersion(), ...onVersion().map((r) => ({ ...r, action: 'iot:DisassociateSbomWithPackageVersion' }))];
    case 'TagResource':
      return [on(input.resourceArn, requestTags)];
    case 'UntagResource':
      return [on(input.resourceArn, { 'aws:TagKeys': [...(input.tagKeys ?? [])] })];
    case 'ListTagsForResource':
      return [on(input.resourceArn)];
    case 'GetPackageConfiguration':
    case 'GetIndexingConfiguration':
    case 'UpdateIndexingConfiguration':
    case 'ListPackages':
    case 'ListJobs':
    case 'ListJobTemplates':
      return [{ action, resource: '*' }];
    case 'UpdatePackageConfiguration':
      return [{ action, resource: '*' }, ...passRole(input.versionUpdateByJobsConfig?.roleArn)];
    case 'CreateJob': {
      const destinations = (input.destinationPackageVersions ?? []) as string[];
      return [
        on(jobArn(opts, input.jobId), requestTags),
        ...((input.targets ?? []) as string[]).map((target) => on(target, requestTags)),
        ...destinations.flatMap((arn) => [on(arn.replace(/\/version\/[^/]+$/, ''), requestTags), on(arn, requestTags)]),
        ...(input.jobTemplateArn ? [on(input.jobTemplateArn, requestTags)] : []),
        ...passRole(input.presignedUrlConfig?.roleArn),
        ...documentRead(input.documentSource),
      ];
    }
    case 'UpdateJob':
      return [on(jobArn(opts, input.jobId)), ...passRole(input.presignedUrlConfig?.roleArn)];
    case 'DescribeJob':
    case 'GetJobDocument':
    case 'CancelJob':
    case 'DeleteJob':
      return [on(jobArn(opts, input.jobId))];
    case 'CreateJobTemplate':
      return [
        on(jobTemplateArn(opts, input.jobTemplateId), requestTags),
        ...passRole(input.presignedUrlConfig?.roleArn),
        ...documentRead(input.documentSource),
      ];
    case 'DescribeJobTemplate':
    case 'DeleteJobTemplate':
      return [on(jobTemplateArn(opts, input.jobTemplateId))];
    default:
      throw new Error(`The IoT emulator has no IAM rule for ${operation}`);
  }
}

/** The tags of the resource an ARN names, or undefined when it does not exist. */
function resourceTags(state: EmulatorState, opts: EmulatorOptions, arn: string): Record<string, string> | undefined {
  for (const pkg of state.packages.values()) {
    if (arn === packageArn(opts, pkg.packageName)) return pkg.tags;
    for (const version of pkg.versions.values()) {
      if (arn === versionArn(opts, pkg.packageName, version.versionName)) return version.tags;
    }
  }
  for (const job of state.jobs.values()) {
    if (arn === jobArn(opts, job.jobId)) return job.tags;
  }
  for (const template of state.jobTemplates.values()) {
    if (arn === jobTemplateArn(opts, template.jobTemplateId)) return template.tags;
  }
  return undefined;
}

function resourceTagContext(tags: Record<string, string> | undefined): Context {
  return Object.fromEntries(Object.entries(tags ?? {}).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
}

function requestTagContext(tags: Record<string, string>): Context {
  const keys = Object.keys(tags);
  if (keys.length === 0) return {};
  return { ...Object.fromEntries(keys.map((key) => [`aws:RequestTag/${key}`, tags[key]])), 'aws:TagKeys': keys };
}

/** Tags as a map (CreatePackage) or as a list of `{Key, Value}` (CreateJob, TagResource). */
function tagMap(tags: unknown): Record<string, string> {
  if (Array.isArray(tags)) return Object.fromEntries(tags.map((t: { Key: string; Value?: string }) => [t.Key, t.Value ?? '']));
  return (tags ?? {}) as Record<string, string>;
}

/** IoT reads an artifact or SBOM object version with the caller's permissions [cfn]. */
function objectReads(value: { s3Location?: { bucket?: string; key?: string } } | undefined): AuthorizationRequest[] {
  const location = value?.s3Location;
  if (!location?.bucket || !location.key) return [];
  return [{ action: 's3:GetObjectVersion', resource: `arn:aws:s3:::${location.bucket}/${location.key}` }];
}

/** A job document in S3 (`https://s3.amazonaws.com/<bucket>/<key>` or virtual-hosted) is read with the caller's s3:GetObject. */
function documentRead(documentSource: string | undefined): AuthorizationRequest[] {
  if (!documentSource) return [];
  const match = /^https:\/\/(?:s3[.-][^/]*amazonaws\.com(?:\.cn)?\/([^/]+)|([^./]+)\.s3[.-][^/]*amazonaws\.com(?:\.cn)?)\/(.+)$/.exec(documentSource);
  if (!match) return [];
  const bucket = match[1] ?? match[2];
  return [{ action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/${decodeURIComponent(match[3])}` }];
}

function passRole(roleArn: string | undefined): AuthorizationRequest[] {
  return roleArn ? [{ action: 'iam:PassRole', resource: roleArn, context: { 'iam:PassedToService': 'iot.amazonaws.com' } }] : [];
}
