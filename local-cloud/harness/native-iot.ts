/**
 * Real behaviour for CloudFormation's own IoT resource types in the deploy harness, in short:
 * what CloudFormation's resource handlers do for `AWS::IoT::SoftwarePackage`,
 * `AWS::IoT::SoftwarePackageVersion` and `AWS::IoT::JobTemplate` (schemas in
 * shared/reference/AWS_IoT_*.json), through the IoT API.
 *
 * CloudFormation's handlers call the service with the deployer's credentials, not a Lambda
 * role: give them a client whose keys the local cloud did not issue (an administrator, e.g.
 * `iotClient(cloud.iot)`). `client` is read at each call, so the providers can be given to the
 * harness before the emulator they talk to has started. Throttling and server errors are
 * retried, as CloudFormation retries them.
 *
 * Only the calls that change the service are modelled: CloudFormation's handlers also read
 * (their schemas list GetPackage, GetPackageVersion, ListTagsForResource...), so call counts
 * of these types are a lower bound of what CloudFormation makes.
 */
import { randomBytes, randomUUID } from 'crypto';
import {
  CreateJobTemplateCommand,
  CreateJobTemplateRequest,
  CreatePackageCommand,
  CreatePackageVersionCommand,
  DeleteJobTemplateCommand,
  DeletePackageCommand,
  DeletePackageVersionCommand,
  DescribeJobTemplateCommand,
  IoTClient,
  PackageVersionArtifact,
  TagResourceCommand,
  UntagResourceCommand,
  UpdatePackageCommand,
  UpdatePackageVersionCommand,
} from '@aws-sdk/client-iot';
import type { ResourceProvider, ResourceProviderRequest, ResourceProviderResult } from './deploy-harness';

/** How CloudFormation's handlers retry throttling and server errors. */
export interface NativeRetryOptions {
  /** Base of the exponential backoff (full jitter, at most 5 s a wait). @default 5 */
  readonly baseDelayMs?: number;
  /** Attempts per call, counting the first. @default 10 */
  readonly maxAttempts?: number;
}

/** The providers of every IoT resource type modelled here, by type name. */
export function nativeIotProviders(client: () => IoTClient, retry: NativeRetryOptions = {}): Record<string, ResourceProvider> {
  return {
    'AWS::IoT::SoftwarePackage': softwarePackageProvider(client, retry),
    'AWS::IoT::SoftwarePackageVersion': softwarePackageVersionProvider(client, retry),
    'AWS::IoT::JobTemplate': jobTemplateProvider(client, retry),
  };
}

type Props = Record<string, any>;

/**
 * `AWS::IoT::SoftwarePackage`: create → CreatePackage; PackageName is create-only (a new name
 * is a replacement: a new package, the old one deleted in cleanup); Description through
 * UpdatePackage and Tags through TagResource / UntagResource, in place; delete → DeletePackage,
 * a package already gone is success. Ref is the package name; GetAtt PackageArn.
 */
export function softwarePackageProvider(client: () => IoTClient, retry: NativeRetryOptions = {}): ResourceProvider {
  const send = sender(client, retry);
  const create = async (request: ResourceProviderRequest): Promise<ResourceProviderResult> => {
    const p: Props = request.properties;
    const packageName: string = p.PackageName ?? generatedName(request, 128);
    const { packageArn } = await send(new CreatePackageCommand({
      packageName,
      description: p.Description,
      tags: tagMap(p.Tags),
      clientToken: randomUUID(),
    }));
    return { physicalId: packageName, attributes: { PackageArn: packageArn, PackageName: packageName } };
  };
  return {
    create,
    update: async (request) => {
      const [p, old]: Props[] = [request.properties, request.oldProperties ?? {}];
      const packageName = request.physicalId!;
      if ((p.PackageName ?? packageName) !== packageName) return create(request);
      if (p.Description !== old.Description) {
        await send(new UpdatePackageCommand({ packageName, description: p.Description ?? '', clientToken: randomUUID() }));
      }
      const arn = packageArnOf(request, packageName);
      await updateTags(send, arn, old.Tags, p.Tags);
      return { physicalId: packageName, attributes: { PackageArn: arn, PackageName: packageName } };
    },
    delete: async (request) => {
      // The service answers a package that is gone with success; versions are deleted first
      // because each one depends on its package (Ref).
      await tolerateNotFound(() => send(new DeletePackageCommand({ packageName: request.physicalId!, clientToken: randomUUID() })));
    },
  };
}

/**
 * `AWS::IoT::SoftwarePackageVersion`: create → CreatePackageVersion (a version is always created
 * DRAFT; Status is read-only here, CloudFormation cannot publish it); PackageName and
 * VersionName are create-only (replacement); Description, Attributes, Artifact and Recipe
 * through UpdatePackageVersion (the service refuses attributes and artifact of a version that
 * is no longer DRAFT, and the update fails), Tags through TagResource / UntagResource; delete →
 * DeletePackageVersion, a version already gone is success (the service refuses to delete a
 * package's default version, and the delete fails). Ref is `<package>|<version>`.
 */
export function softwarePackageVersionProvider(client: () => IoTClient, retry: NativeRetryOptions = {}): ResourceProvider {
  const send = sender(client, retry);
  const create = async (request: ResourceProviderRequest): Promise<ResourceProviderResult> => {
    const p: Props = request.properties;
    if (p.Sbom !== undefined) throw new Error('The harness does not model Sbom on AWS::IoT::SoftwarePackageVersion');
    const versionName: string = p.VersionName ?? generatedName(request, 64);
    const created = await send(new CreatePackageVersionCommand({
      packageName: p.PackageName,
      versionName,
      description: p.Description,
      attributes: p.Attributes,
      artifact: artifactOf(p.Artifact),
      recipe: p.Recipe,
      tags: tagMap(p.Tags),
      clientToken: randomUUID(),
    }));
    return versionResult(p.PackageName, versionName, created.packageVersionArn!, created.status!);
  };
  return {
    create,
    update: async (request) => {
      const [p, old]: Props[] = [request.properties, request.oldProperties ?? {}];
      const [packageName, versionName] = request.physicalId!.split('|');
      if (p.Sbom !== undefined) throw new Error('The harness does not model Sbom on AWS::IoT::SoftwarePackageVersion');
      if (p.PackageName !== packageName || (p.VersionName ?? versionName) !== versionName) return create(request);
      const changed = (key: string) => JSON.stringify(p[key]) !== JSON.stringify(old[key]);
      if (['Description', 'Attributes', 'Artifact', 'Recipe'].some(changed)) {
        await send(new UpdatePackageVersionCommand({
          packageName,
          versionName,
          description: changed('Description') ? p.Description ?? '' : undefined,
          attributes: changed('Attributes') ? p.Attributes ?? {} : undefined,
          artifact: changed('Artifact') ? artifactOf(p.Artifact) : undefined,
          recipe: changed('Recipe') ? p.Recipe ?? '' : undefined,
          clientToken: randomUUID(),
        }));
      }
      const arn = `${packageArnOf(request, packageName)}/version/${versionName}`;
      await updateTags(send, arn, old.Tags, p.Tags);
      // UpdatePackageVersion answers no status, and the harness models no read: Status is left out.
      return versionResult(packageName, versionName, arn, undefined);
    },
    delete: async (request) => {
      const [packageName, versionName] = request.physicalId!.split('|');
      await tolerateNotFound(() => send(new DeletePackageVersionCommand({ packageName, versionName, clientToken: randomUUID() })));
    },
  };
}

function versionResult(packageName: string, versionName: string, arn: string, status: string | undefined): ResourceProviderResult {
  return {
    physicalId: `${packageName}|${versionName}`,
    attributes: { PackageVersionArn: arn, PackageName: packageName, VersionName: versionName, ...(status ? { Status: status } : {}), ErrorReason: '' },
  };
}

/**
 * `AWS::IoT::JobTemplate`: create maps the CloudFormation properties (PascalCase, as in
 * reference/AWS_IoT_JobTemplate.json) to CreateJobTemplate; every property is create-only, so
 * an update is a replacement (a new template; the old one is deleted in cleanup, and the same
 * explicit id fails as it would in CloudFormation); Delete calls DeleteJobTemplate and
 * tolerates a template that is already gone.
 */
export function jobTemplateProvider(client: () => IoTClient, retry: NativeRetryOptions = {}): ResourceProvider {
  const send = sender(client, retry);
  const create = async (request: ResourceProviderRequest): Promise<ResourceProviderResult> => {
    const input = createJobTemplateInput(request);
    const { jobTemplateArn, jobTemplateId } = await send(new CreateJobTemplateCommand(input));
    return { physicalId: jobTemplateId ?? input.jobTemplateId, attributes: { Arn: jobTemplateArn } };
  };
  return {
    create,
    // Every property is create-only: an update is a replacement. The rollback of a failed
    // replacement finds the template it asks for already there, and leaves it.
    update: async (request) => {
      const wanted = createJobTemplateInput(request);
      if (request.physicalId === wanted.jobTemplateId && await exists(wanted)) {
        return { physicalId: request.physicalId };
      }
      return create(request);
    },
    delete: async (request) => {
      await tolerateNotFound(() => send(new DeleteJobTemplateCommand({ jobTemplateId: request.physicalId! })));
    },
  };

  /** The template is there with these settings. */
  async function exists(wanted: CreateJobTemplateRequest): Promise<boolean> {
    try {
      const found = await send(new DescribeJobTemplateCommand({ jobTemplateId: wanted.jobTemplateId }));
      return found.description === wanted.description && found.document === wanted.document
        && JSON.stringify(found.destinationPackageVersions ?? []) === JSON.stringify(wanted.destinationPackageVersions ?? []);
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return false;
      throw error;
    }
  }
}

/** CloudFormation's properties → CreateJobTemplate's input (camelCase, numbers as numbers). */
export function createJobTemplateInput(request: ResourceProviderRequest): CreateJobTemplateRequest {
  const p: Props = request.properties;
  const rollout: Props | undefined = p.JobExecutionsRolloutConfig;
  const rate: Props | undefined = rollout?.ExponentialRolloutRate;
  const input: CreateJobTemplateRequest = {
    // CloudFormation generates an id when none is given.
    jobTemplateId: p.JobTemplateId ?? `${request.stackName}-${request.logicalId}`.slice(0, 64),
    description: p.Description,
    document: p.Document,
    documentSource: p.DocumentSource,
    jobArn: p.JobArn,
    destinationPackageVersions: p.DestinationPackageVersions,
    presignedUrlConfig: p.PresignedUrlConfig && {
      roleArn: p.PresignedUrlConfig.RoleArn,
      expiresInSec: num(p.PresignedUrlConfig.ExpiresInSec),
    },
    jobExecutionsRolloutConfig: rollout && {
      maximumPerMinute: num(rollout.MaximumPerMinute),
      exponentialRate: rate && {
        baseRatePerMinute: num(rate.BaseRatePerMinute),
        incrementFactor: num(rate.IncrementFactor),
        rateIncreaseCriteria: rate.RateIncreaseCriteria && {
          numberOfNotifiedThings: num(rate.RateIncreaseCriteria.NumberOfNotifiedThings),
          numberOfSucceededThings: num(rate.RateIncreaseCriteria.NumberOfSucceededThings),
        },
      },
    },
    abortConfig: p.AbortConfig && {
      criteriaList: (p.AbortConfig.CriteriaList ?? []).map((c: Props) => ({
        failureType: c.FailureType,
        action: c.Action,
        thresholdPercentage: num(c.ThresholdPercentage),
        minNumberOfExecutedThings: num(c.MinNumberOfExecutedThings),
      })),
    },
    timeoutConfig: p.TimeoutConfig && { inProgressTimeoutInMinutes: num(p.TimeoutConfig.InProgressTimeoutInMinutes) },
    jobExecutionsRetryConfig: p.JobExecutionsRetryConfig && {
      criteriaList: (p.JobExecutionsRetryConfig.RetryCriteriaList ?? []).map((c: Props) => ({
        failureType: c.FailureType,
        numberOfRetries: num(c.NumberOfRetries),
      })),
    },
    maintenanceWindows: p.MaintenanceWindows?.map((w: Props) => ({ startTime: w.StartTime, durationInMinutes: num(w.DurationInMinutes) })),
    tags: p.Tags?.map((t: Props) => ({ Key: t.Key, Value: t.Value })),
  };
  return JSON.parse(JSON.stringify(input));
}

/** One IoT command, sent with CloudFormation's retries (the command, and so its clientToken, is the same for every attempt). */
type Send = (command: any) => Promise<any>;

function sender(client: () => IoTClient, retry: NativeRetryOptions): Send {
  const baseDelayMs = retry.baseDelayMs ?? 5;
  const maxAttempts = retry.maxAttempts ?? 10;
  return async (command) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await client().send(command);
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
        const retryable = (error as Error).name === 'ThrottlingException' || status >= 500;
        if (!retryable || attempt >= maxAttempts) throw error;
        const ceiling = Math.min(5_000, baseDelayMs * 2 ** attempt);
        await new Promise((resolve) => setTimeout(resolve, Math.round(Math.random() * ceiling)));
      }
    }
  };
}

async function tolerateNotFound(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
}

/** Adds, changes and removes tags so the resource has `wanted` (CloudFormation's `[{Key, Value}]`). */
async function updateTags(send: Send, resourceArn: string, before: unknown, wanted: unknown): Promise<void> {
  const [old, now] = [tagMap(before) ?? {}, tagMap(wanted) ?? {}];
  const removed = Object.keys(old).filter((key) => !(key in now));
  const set = Object.entries(now).filter(([key, value]) => old[key] !== value);
  if (removed.length > 0) await send(new UntagResourceCommand({ resourceArn, tagKeys: removed }));
  if (set.length > 0) await send(new TagResourceCommand({ resourceArn, tags: set.map(([Key, Value]) => ({ Key, Value })) }));
}

function tagMap(tags: unknown): Record<string, string> | undefined {
  if (!Array.isArray(tags) || tags.length === 0) return undefined;
  return Object.fromEntries(tags.map((t: Props) => [String(t.Key), String(t.Value)]));
}

function artifactOf(artifact: Props | undefined): PackageVersionArtifact | undefined {
  const location = artifact?.S3Location;
  return location && { s3Location: { bucket: location.Bucket, key: location.Key, version: location.Version } };
}

/** `arn:<partition>:iot:<region>:<account>:package/<name>` of the stack the request comes from. */
function packageArnOf(request: ResourceProviderRequest, packageName: string): string {
  const [, partition, , region, account] = request.stackId.split(':');
  return `arn:${partition}:iot:${region}:${account}:package/${packageName}`;
}

/** CloudFormation's generated name: `<stack>-<logicalId>-<RANDOM>`, within the service's length limit. */
function generatedName(request: ResourceProviderRequest, maxLength: number): string {
  const suffix = randomBytes(9).toString('base64').replace(/[^A-Za-z0-9]/g, 'X').toUpperCase().slice(0, 12);
  const room = maxLength - suffix.length - 2;
  const stack = request.stackName.slice(0, Math.floor(room / 2));
  return `${stack}-${request.logicalId.slice(0, room - stack.length)}-${suffix}`;
}


function num(value: unknown): number | undefined {
  return value === undefined || value === null ? undefined : Number(value);
}
