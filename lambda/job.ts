import {
  AbortConfig,
  CancelJobCommand,
  CreateJobCommand,
  DeleteJobCommand,
  DescribeJobCommand,
  GetJobDocumentCommand,
  GetPackageCommand,
  GetPackageVersionCommand,
  IoTClient,
  JobExecutionsRetryConfig,
  JobExecutionsRolloutConfig,
  PresignedUrlConfig,
  SchedulingConfig,
  TimeoutConfig,
  UpdateJobCommand,
} from '@aws-sdk/client-iot';
import { errorName, ForbiddenChangeError, isNotFound, ResourceError } from './shared/errors';
import { iotArnOf } from './shared/event';
import { HandlerContext, ResourceHandler, ResourceResult } from './shared/handler-types';
import { optionalString, requiredString } from './shared/properties';
import { JobWithPackagesAttributes, NumberValue } from '../src/private/contract';

/**
 * A job that installs package versions. Its id is its physical id. The service can change a
 * job's description and its URL, rollout, abort, timeout and retry configurations in place;
 * any other change needs a new job id (a replacement).
 */

/** How long a Delete may wait for the job to disappear: below the function's 14-minute timeout. */
const deleteBudgetMs = () => positiveInteger(process.env.JOB_DELETE_BUDGET_MS, 12 * 60 * 1000);
/** Time kept back from the function's timeout to answer CloudFormation. */
const RESPONSE_RESERVE_MS = 30_000;
/** The first wait between two polls of a job being deleted; it grows to MAX_POLL_MS. */
const pollBaseMs = () => positiveInteger(process.env.JOB_POLL_BASE_DELAY_MS, 2000);
const MAX_POLL_MS = 20_000;

const DEPLOYABLE = new Set(['PUBLISHED', 'DEPRECATED']);

interface JobProps {
  readonly jobId: string;
  readonly targets: string[];
  readonly targetSelection: 'SNAPSHOT' | 'CONTINUOUS';
  readonly destinationPackageVersions: string[];
  readonly document?: string;
  readonly documentSource?: string;
  readonly jobTemplateArn?: string;
  readonly schedulingConfig?: SchedulingConfig;
  readonly description?: string;
  readonly presignedUrlConfig?: PresignedUrlConfig;
  readonly jobExecutionsRolloutConfig?: JobExecutionsRolloutConfig;
  readonly abortConfig?: AbortConfig;
  readonly timeoutConfig?: TimeoutConfig;
  readonly jobExecutionsRetryConfig?: JobExecutionsRetryConfig;
  readonly forceDelete: boolean;
}

type Raw = Record<string, any> | undefined;

function num(value: NumberValue | undefined, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new ResourceError(`Property ${name} must be a number, got ${JSON.stringify(value)}.`);
  return parsed;
}

function stringList(properties: Raw, name: string): string[] {
  const value = properties?.[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ResourceError(`Property ${name} must be a list of strings.`);
  return value.map(String);
}

/** Drops undefined members, so that rendered configurations compare and send cleanly. */
function clean<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

function parseProps(properties: Raw): JobProps {
  const p = properties ?? {};
  const selection = optionalString(p, 'TargetSelection') ?? 'SNAPSHOT';
  if (selection !== 'SNAPSHOT' && selection !== 'CONTINUOUS') {
    throw new ResourceError(`TargetSelection ${JSON.stringify(selection)} is not one of SNAPSHOT, CONTINUOUS.`);
  }
  const rollout = p.JobExecutionsRolloutConfig;
  const rate = rollout?.ExponentialRate;
  return {
    jobId: requiredString(p, 'JobId'),
    targets: stringList(p, 'Targets'),
    targetSelection: selection,
    destinationPackageVersions: stringList(p, 'DestinationPackageVersions'),
    document: optionalString(p, 'Document'),
    documentSource: optionalString(p, 'DocumentSource'),
    jobTemplateArn: optionalString(p, 'JobTemplateArn'),
    schedulingConfig: clean(p.SchedulingConfig && {
      startTime: p.SchedulingConfig.StartTime,
      endTime: p.SchedulingConfig.EndTime,
      endBehavior: p.SchedulingConfig.EndBehavior,
      maintenanceWindows: p.SchedulingConfig.MaintenanceWindows?.map((w: any) => ({
        startTime: w.StartTime,
        durationInMinutes: num(w.DurationInMinutes, 'SchedulingConfig.MaintenanceWindows.DurationInMinutes'),
      })),
    }),
    description: optionalString(p, 'Description'),
    presignedUrlConfig: clean(p.PresignedUrlConfig && {
      roleArn: p.PresignedUrlConfig.RoleArn,
      expiresInSec: num(p.PresignedUrlConfig.ExpiresInSec, 'PresignedUrlConfig.ExpiresInSec'),
    }),
    jobExecutionsRolloutConfig: clean(rollout && {
      maximumPerMinute: num(rollout.MaximumPerMinute, 'JobExecutionsRolloutConfig.MaximumPerMinute'),
      exponentialRate: rate && {
        baseRatePerMinute: num(rate.BaseRatePerMinute, 'BaseRatePerMinute'),
        incrementFactor: num(rate.IncrementFactor, 'IncrementFactor'),
        rateIncreaseCriteria: {
          numberOfNotifiedThings: num(rate.RateIncreaseCriteria?.NumberOfNotifiedThings, 'NumberOfNotifiedThings'),
          numberOfSucceededThings: num(rate.RateIncreaseCriteria?.NumberOfSucceededThings, 'NumberOfSucceededThings'),
        },
      },
    }),
    abortConfig: clean(p.AbortConfig && {
      criteriaList: (p.AbortConfig.CriteriaList ?? []).map((c: any) => ({
        failureType: c.FailureType,
        action: c.Action,
        thresholdPercentage: num(c.ThresholdPercentage, 'AbortConfig.ThresholdPercentage'),
        minNumberOfExecutedThings: num(c.MinNumberOfExecutedThings, 'AbortConfig.MinNumberOfExecutedThings'),
      })),
    }),
    timeoutConfig: clean(p.TimeoutConfig && {
      inProgressTimeoutInMinutes: num(p.TimeoutConfig.InProgressTimeoutInMinutes, 'TimeoutConfig.InProgressTimeoutInMinutes'),
    }),
    jobExecutionsRetryConfig: clean(p.JobExecutionsRetryConfig && {
      criteriaList: (p.JobExecutionsRetryConfig.CriteriaList ?? []).map((c: any) => ({
        failureType: c.FailureType,
        numberOfRetries: num(c.NumberOfRetries, 'JobExecutionsRetryConfig.NumberOfRetries'),
      })),
    }),
    forceDelete: p.ForceDelete !== 'false' && p.ForceDelete !== false,
  };
}

/** What UpdateJob can change in place. */
const MUTABLE = ['description', 'presignedUrlConfig', 'jobExecutionsRolloutConfig', 'abortConfig', 'timeoutConfig', 'jobExecutionsRetryConfig'] as const;
/** What needs a new job. */
const IMMUTABLE = ['targets', 'targetSelection', 'destinationPackageVersions', 'document', 'documentSource', 'jobTemplateArn', 'schedulingConfig'] as const;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameSet(a: string[], b: string[]): boolean {
  return same([...a].sort(), [...b].sort());
}

function jobArnOf(context: HandlerContext, jobId: string): string {
  return iotArnOf(context.event, `job/${jobId}`);
}

function result(context: HandlerContext, jobId: string, jobArn?: string): ResourceResult {
  const data: JobWithPackagesAttributes = { JobId: jobId, JobArn: jobArn ?? jobArnOf(context, jobId) };
  return { physicalResourceId: jobId, data: { ...data } };
}

/** Each destination version must exist and be deployable; checked before anything changes. */
async function checkVersions(iot: IoTClient, jobId: string, arns: string[]): Promise<void> {
  const problems: string[] = [];
  for (const arn of arns) {
    const match = /^arn:[^:]+:iot:[^:]*:[^:]*:package\/([^/]+)\/version\/([^/]+)$/.exec(arn);
    if (!match) {
      problems.push(`${arn} is not a package version ARN`);
      continue;
    }
    const [, packageName, versionName] = match;
    try {
      // "$null" uninstalls the package; "$default" stands for the package's default version.
      if (versionName === '$null') continue;
      if (versionName === '$default') {
        const { defaultVersionName } = await iot.send(new GetPackageCommand({ packageName }));
        if (!defaultVersionName) problems.push(`${packageName} has no default version to deploy as $default`);
        continue;
      }
      const version = await iot.send(new GetPackageVersionCommand({ packageName, versionName }));
      if (!DEPLOYABLE.has(version.status ?? '')) {
        problems.push(`${packageName}/${versionName} is ${version.status}`);
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
      problems.push(`${packageName}/${versionName} does not exist`);
    }
  }
  if (problems.length > 0) {
    throw new ResourceError(
      `Job ${jobId} was not created: a job can deploy only PUBLISHED or DEPRECATED package versions, and ` +
      `${problems.join('; ')}. Publish the versions first (status PUBLISHED).`,
    );
  }
}

async function create(context: HandlerContext): Promise<ResourceResult> {
  const props = parseProps(context.event.ResourceProperties);
  await checkVersions(context.iot, props.jobId, props.destinationPackageVersions);
  try {
    const created = await context.iot.send(new CreateJobCommand({
      jobId: props.jobId,
      targets: props.targets,
      targetSelection: props.targetSelection,
      destinationPackageVersions: props.destinationPackageVersions,
      document: props.document,
      documentSource: props.documentSource,
      jobTemplateArn: props.jobTemplateArn,
      schedulingConfig: props.schedulingConfig,
      description: props.description,
      presignedUrlConfig: props.presignedUrlConfig,
      jobExecutionsRolloutConfig: props.jobExecutionsRolloutConfig,
      abortConfig: props.abortConfig,
      timeoutConfig: props.timeoutConfig,
      jobExecutionsRetryConfig: props.jobExecutionsRetryConfig,
    }));
    return result(context, props.jobId, created.jobArn);
  } catch (error) {
    if (errorName(error) !== 'ResourceAlreadyExistsException') throw error;
    // CreateJob takes no client token: a redelivered Create finds its own job.
    if (await isSameJob(context.iot, props)) return result(context, props.jobId);
    throw new ResourceError(
      `Job ${props.jobId} already exists with other targets, versions or document. Job ids are unique in an ` +
      'account and region (also for a while after deletion): choose another jobId.',
    );
  }
}

/** Whether the job in the service already has the properties that cannot change in place. */
async function isSameJob(iot: IoTClient, props: JobProps): Promise<boolean> {
  const { job, documentSource } = await iot.send(new DescribeJobCommand({ jobId: props.jobId }));
  const unchanged = job !== undefined
    && job.status !== 'DELETION_IN_PROGRESS'
    && sameSet(job.targets ?? [], props.targets)
    && sameSet(job.destinationPackageVersions ?? [], props.destinationPackageVersions)
    && (job.targetSelection ?? 'SNAPSHOT') === props.targetSelection
    && (job.jobTemplateArn ?? undefined) === props.jobTemplateArn
    && (documentSource ?? undefined) === props.documentSource;
  if (!unchanged || props.document === undefined) return unchanged;
  const { document } = await iot.send(new GetJobDocumentCommand({ jobId: props.jobId }));
  return document === props.document;
}

async function update(context: HandlerContext): Promise<ResourceResult> {
  const event = context.event as { OldResourceProperties?: Record<string, unknown> } & typeof context.event;
  const props = parseProps(event.ResourceProperties);
  const old = parseProps(event.OldResourceProperties);
  if (props.jobId !== old.jobId) {
    // A new identity: create the new job; CloudFormation deletes the old one in cleanup.
    return create(context);
  }
  const fixed = IMMUTABLE.filter((key) => key === 'targets' || key === 'destinationPackageVersions'
    ? !sameSet(props[key], old[key])
    : !same(props[key], old[key]));
  // CloudFormation rolls back a refused update with the properties swapped: the job still has
  // them, so there is nothing to refuse.
  if (fixed.length > 0 && !(await isSameJob(context.iot, props))) {
    throw new ForbiddenChangeError(
      `Job ${props.jobId}: ${fixed.join(', ')} cannot change on an existing job. Nothing was changed. ` +
      'Set a new jobId (or leave jobId unset: the generated id changes with these properties) to replace the job.',
    );
  }
  const changed = MUTABLE.filter((key) => !same(props[key], old[key]));
  // The service cannot take a configuration off a job: it stays. Failing here would also fail
  // the rollback of an update that added one, and leave the stack in UPDATE_ROLLBACK_FAILED.
  const removed = changed.filter((key) => props[key] === undefined);
  if (removed.length > 0) {
    console.log(JSON.stringify({
      message: 'warning',
      jobId: props.jobId,
      warning: `${removed.join(', ')} cannot be removed from an existing job and stays as it is; set a new jobId to replace the job without it.`,
    }));
  }
  const applied = changed.filter((key) => props[key] !== undefined);
  if (applied.length > 0) {
    await context.iot.send(new UpdateJobCommand({
      jobId: props.jobId,
      ...Object.fromEntries(applied.map((key) => [key, props[key]])),
    }));
  }
  return result(context, props.jobId);
}

/**
 * Cancels a running or scheduled job, deletes it and waits until it is gone, so that the
 * versions it references can be deleted next.
 */
async function remove(context: HandlerContext): Promise<void> {
  const props = parseProps(context.event.ResourceProperties);
  const deadline = Date.now() + Math.min(deleteBudgetMs(), context.remainingTimeMs() - RESPONSE_RESERVE_MS);
  const jobId = props.jobId;
  const status = await jobStatus(context.iot, jobId);
  if (status === undefined) return;
  if (status === 'IN_PROGRESS' || status === 'SCHEDULED') {
    try {
      await context.iot.send(new CancelJobCommand({
        jobId,
        force: props.forceDelete,
        reasonCode: 'STACK_DELETE',
        comment: 'Canceled by CloudFormation: the job left its stack',
      }));
    } catch (error) {
      if (isNotFound(error)) return;
      // Finished or canceled in the meantime: deletion goes on.
      if (errorName(error) !== 'InvalidRequestException') throw error;
    }
  }
  if (status !== 'DELETION_IN_PROGRESS') {
    await deleteJob(context.iot, jobId, props.forceDelete, deadline);
  }
  await waitUntilGone(context.iot, jobId, deadline);
}

async function jobStatus(iot: IoTClient, jobId: string): Promise<string | undefined> {
  try {
    const { job } = await iot.send(new DescribeJobCommand({ jobId }));
    return job?.status ?? 'UNKNOWN';
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** DeleteJob; the service allows only 10 jobs in deletion at a time, so LimitExceeded waits. */
async function deleteJob(iot: IoTClient, jobId: string, force: boolean, deadline: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await iot.send(new DeleteJobCommand({ jobId, force }));
      return;
    } catch (error) {
      const name = errorName(error);
      if (isNotFound(error)) return;
      if (name === 'InvalidStateTransitionException' && (await jobStatus(iot, jobId)) === 'DELETION_IN_PROGRESS') return;
      if (name !== 'LimitExceededException') throw error;
      if (Date.now() + delay(attempt) > deadline) {
        throw new ResourceError(`Job ${jobId} could not be deleted in time: more than 10 jobs are being deleted in this account. Retry the deployment later.`);
      }
      await sleep(delay(attempt));
    }
  }
}

async function waitUntilGone(iot: IoTClient, jobId: string, deadline: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const status = await jobStatus(iot, jobId);
    if (status === undefined) return;
    if (Date.now() + delay(attempt) > deadline) {
      throw new ResourceError(`Job ${jobId} is still ${status} after waiting for its deletion; its package versions cannot be deleted yet. Retry the deletion later.`);
    }
    await sleep(delay(attempt));
  }
}

function delay(attempt: number): number {
  const ceiling = Math.min(MAX_POLL_MS, pollBaseMs() * 1.5 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function positiveInteger(value: string | undefined, fallback: number): number {
  const parsed = value === undefined ? NaN : Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

export const jobWithPackagesHandler: ResourceHandler = {
  describe: (properties) => `job ${String(properties?.JobId ?? '')}`,
  create,
  update,
  delete: remove,
};
