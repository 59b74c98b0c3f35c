import {
  AbortAction,
  CancelJobCommand,
  CreateJobCommand,
  DeleteJobCommand,
  DescribeJobCommand,
  GetJobDocumentCommand,
  GetPackageCommand,
  GetPackageVersionCommand,
  IoTClient,
  JobEndBehavior,
  JobExecutionFailureType,
  ListJobsCommand,
  RetryableFailureType,
  TargetSelection,
  UpdateJobCommand,
} from '@aws-sdk/client-iot';
import { ActualJob, clean, differences, IMMUTABLE, inPlaceChanges, JobProps, normalizedScheduling, settingsOf } from './job-plan';
import { errorName, ForbiddenChangeError, ifExists, isAccessDenied, isNotFound, ResourceError } from './shared/errors';
import { iotArnOf, positiveIntegerSetting } from './shared/event';
import { CreateEvent, DeleteEvent, HandlerContext, ResourceHandler, ResourceResult, UpdateEvent } from './shared/handler-types';
import { actualTags, isOwnedBy, userTags, withOwnerTag } from './shared/ownership';
import { Delivered, PropertyReader } from './shared/properties';
import { isRollingBack } from './shared/stack-status';
import { updateTags } from './shared/tags';
import { JobWithPackagesAttributes, JobWithPackagesProperties, parsePackageVersionArn, RESOURCE_TYPES } from '../src/private/contract';

type Type = typeof RESOURCE_TYPES.jobWithPackages;

/**
 * A job that installs package versions. Its id is its physical id. The service can change a
 * job's description and its URL, rollout, abort, timeout and retry configurations in place;
 * any other change needs a new job id (a replacement).
 */

/** How long a Delete may wait for the job to disappear: below the function's 14-minute timeout. */
const deleteBudgetMs = () => positiveIntegerSetting('JOB_DELETE_BUDGET_MS', 12 * 60 * 1000);
/** Time kept back from the function's timeout to answer CloudFormation. */
const RESPONSE_RESERVE_MS = 30_000;
/** The first wait between two polls of a job being deleted; it grows to MAX_POLL_MS. */
const pollBaseMs = () => positiveIntegerSetting('JOB_POLL_BASE_DELAY_MS', 2000);
const MAX_POLL_MS = 20_000;

const DEPLOYABLE = new Set(['PUBLISHED', 'DEPRECATED']);


const values = <T extends Record<string, string>>(enumeration: T) => Object.values(enumeration) as Array<T[keyof T]>;

/** The contract's properties (PascalCase, numbers as strings) as the SDK's CreateJob and UpdateJob take them. */
function parseProps(properties: Delivered<JobWithPackagesProperties> | undefined): JobProps {
  const read = new PropertyReader(properties);
  const scheduling = read.object('SchedulingConfig');
  const presigned = read.object('PresignedUrlConfig');
  const rollout = read.object('JobExecutionsRolloutConfig');
  const rate = rollout?.object('ExponentialRate');
  const criteria = rate?.object('RateIncreaseCriteria');
  const abort = read.object('AbortConfig');
  const timeout = read.object('TimeoutConfig');
  const retry = read.object('JobExecutionsRetryConfig');
  return {
    jobId: read.string('JobId'),
    tags: read.map('Tags'),
    targets: read.list('Targets'),
    targetSelection: read.oneOf('TargetSelection', values(TargetSelection), 'SNAPSHOT'),
    destinationPackageVersions: read.list('DestinationPackageVersions'),
    document: read.optionalString('Document'),
    documentSource: read.optionalString('DocumentSource'),
    jobTemplateArn: read.optionalString('JobTemplateArn'),
    schedulingConfig: clean(scheduling && {
      startTime: scheduling.optionalString('StartTime'),
      endTime: scheduling.optionalString('EndTime'),
      endBehavior: scheduling.optionalString('EndBehavior') === undefined ? undefined : scheduling.oneOf('EndBehavior', values(JobEndBehavior)),
      maintenanceWindows: scheduling.objects('MaintenanceWindows').map((w) => ({
        startTime: w.string('StartTime'),
        durationInMinutes: w.number('DurationInMinutes'),
      })),
    }),
    description: read.optionalString('Description'),
    presignedUrlConfig: clean(presigned && {
      roleArn: presigned.string('RoleArn'),
      expiresInSec: presigned.number('ExpiresInSec'),
    }),
    jobExecutionsRolloutConfig: clean(rollout && {
      maximumPerMinute: rollout.number('MaximumPerMinute'),
      exponentialRate: rate && {
        baseRatePerMinute: rate.number('BaseRatePerMinute'),
        incrementFactor: rate.number('IncrementFactor'),
        rateIncreaseCriteria: {
          numberOfNotifiedThings: criteria?.number('NumberOfNotifiedThings'),
          numberOfSucceededThings: criteria?.number('NumberOfSucceededThings'),
        },
      },
    }),
    abortConfig: clean(abort && {
      criteriaList: abort.objects('CriteriaList').map((c) => ({
        failureType: c.oneOf('FailureType', values(JobExecutionFailureType)),
        action: c.oneOf('Action', values(AbortAction)),
        thresholdPercentage: c.number('ThresholdPercentage'),
        minNumberOfExecutedThings: c.number('MinNumberOfExecutedThings'),
      })),
    }),
    timeoutConfig: clean(timeout && {
      inProgressTimeoutInMinutes: timeout.number('InProgressTimeoutInMinutes'),
    }),
    jobExecutionsRetryConfig: clean(retry && {
      criteriaList: retry.objects('CriteriaList').map((c) => ({
        failureType: c.oneOf('FailureType', values(RetryableFailureType)),
        numberOfRetries: c.number('NumberOfRetries'),
      })),
    }),
    forceDelete: read.boolean('ForceDelete'),
  };
}


function jobArnOf(context: HandlerContext, jobId: string): string {
  return iotArnOf(context.event, `job/${jobId}`);
}

function result(context: HandlerContext, jobId: string, jobArn?: string): ResourceResult<Type> {
  const data: JobWithPackagesAttributes = { JobId: jobId, JobArn: jobArn ?? jobArnOf(context, jobId) };
  return { physicalResourceId: jobId, data: { ...data } };
}

/** Each destination version must exist and be deployable; checked before anything changes. */
async function checkVersions(iot: IoTClient, jobId: string, arns: string[]): Promise<void> {
  const problems: string[] = [];
  for (const arn of arns) {
    const names = parsePackageVersionArn(arn);
    if (!names) {
      problems.push(`${arn} is not a package version ARN`);
      continue;
    }
    const { packageName, versionName } = names;
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

async function create(context: HandlerContext<CreateEvent<Type> | UpdateEvent<Type>>): Promise<ResourceResult<Type>> {
  const props = parseProps(context.event.ResourceProperties);
  await checkVersions(context.iot, props.jobId, props.destinationPackageVersions);
  const tags = withOwnerTag(context.event, props.tags);
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
      tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }));
    return result(context, props.jobId, created.jobArn);
  } catch (error) {
    if (errorName(error) !== 'ResourceAlreadyExistsException') throw error;
    return adopt(context, props);
  }
}

/**
 * A job with this id exists. CreateJob takes no client token: a redelivered Create finds its
 * own job, and a rollback finds the job a replacement left in place. Either is this stack's and
 * has the settings that cannot change: it is updated in place. Anything else is refused.
 */
async function adopt(context: HandlerContext, props: JobProps): Promise<ResourceResult<Type>> {
  const tags = await actualTags(context.iot, jobArnOf(context, props.jobId)) ?? {};
  const owned = isOwnedBy(context.event, tags);
  const actual = owned ? await describeJob(context.iot, props.jobId) : undefined;
  if (!actual || differences(props, actual).length > 0) {
    throw new ResourceError(
      `Job ${props.jobId} already exists${owned ? ' with other targets, versions, document or schedule' : ', and this stack did not create it'}. ` +
      'Job ids are unique in an account and region (also for a while after deletion): choose another jobId.',
    );
  }
  await updateInPlace(context, props, settingsOf(actual));
  await updateTags(context.iot, jobArnOf(context, props.jobId), userTags(tags), props.tags);
  return result(context, props.jobId);
}


async function describeJob(iot: IoTClient, jobId: string): Promise<ActualJob | undefined> {
  const described = await ifExists(iot.send(new DescribeJobCommand({ jobId })));
  const job = described?.job;
  if (!job || job.status === 'DELETION_IN_PROGRESS') return undefined;
  // Without beforeSubstitution, the service answers with the package placeholders resolved.
  const document = described!.documentSource || job.jobTemplateArn
    ? undefined
    : (await iot.send(new GetJobDocumentCommand({ jobId, beforeSubstitution: true }))).document;
  return {
    status: job.status,
    settings: {
      targets: job.targets ?? [],
      targetSelection: (job.targetSelection ?? 'SNAPSHOT') as JobProps['targetSelection'],
      destinationPackageVersions: job.destinationPackageVersions ?? [],
      document,
      documentSource: described.documentSource ?? undefined,
      jobTemplateArn: job.jobTemplateArn ?? undefined,
      schedulingConfig: clean(normalizedScheduling(job.schedulingConfig)),
      description: job.description ?? undefined,
      presignedUrlConfig: clean(job.presignedUrlConfig),
      jobExecutionsRolloutConfig: clean(job.jobExecutionsRolloutConfig),
      abortConfig: clean(job.abortConfig),
      timeoutConfig: clean(job.timeoutConfig),
      jobExecutionsRetryConfig: clean(job.jobExecutionsRetryConfig),
    },
  };
}


async function update(context: HandlerContext<UpdateEvent<Type>>): Promise<ResourceResult<Type>> {
  const event = context.event;
  const props = parseProps(event.ResourceProperties);
  const old = parseProps(event.OldResourceProperties);
  if (props.jobId !== event.PhysicalResourceId) {
    // Another identity than the resource's: a new job id creates the new job (CloudFormation
    // deletes the old one in cleanup); a rollback returns to the previous job, which exists.
    return create(context);
  }
  // Attempted properties that named another job (the rollback of a failed replacement) say
  // nothing about this one: compare with what the service holds.
  const previous = old.jobId === props.jobId ? old : undefined;
  const changed = previous ? differences(props, previous) : [...IMMUTABLE];
  let current: JobProps | undefined = previous;
  if (changed.length > 0) {
    const actual = await describeJob(context.iot, props.jobId);
    if (!actual) throw new ResourceError(`Job ${props.jobId} does not exist any more: set a new jobId (or leave jobId unset) to create the job again.`);
    current = settingsOf(actual);
    const fixed = differences(props, actual);
    if (fixed.length > 0) {
      const message = `Job ${props.jobId}: ${fixed.join(', ')} cannot change on an existing job. Nothing was changed. ` +
        'Set a new jobId (or leave jobId unset: the generated id changes with these properties) to replace the job.';
      if (!(await isRollingBack(context.event))) throw new ForbiddenChangeError(message);
      warn(props.jobId, `Rolling back: ${fixed.join(', ')} of the job cannot change in place and stay as they are.`);
    }
  }
  await updateInPlace(context, props, current!);
  // Attempted tags of another job say nothing about this one's: read what it carries.
  const tagsBefore = previous ? previous.tags : userTags(await actualTags(context.iot, jobArnOf(context, props.jobId)) ?? {});
  await updateTags(context.iot, jobArnOf(context, props.jobId), tagsBefore, props.tags);
  return result(context, props.jobId);
}

/**
 * Applies what UpdateJob can change. The service cannot take a configuration off a job: it
 * stays. Failing here would also fail the rollback of an update that added one, and leave the
 * stack in UPDATE_ROLLBACK_FAILED.
 */
async function updateInPlace(context: HandlerContext, props: JobProps, current: JobProps): Promise<void> {
  const { applied, kept } = inPlaceChanges(props, current);
  if (kept.length > 0) {
    warn(props.jobId, `${kept.join(', ')} cannot be removed from an existing job and stays as it is; set a new jobId to replace the job without it.`);
  }
  if (applied.length > 0) {
    await context.iot.send(new UpdateJobCommand({
      jobId: props.jobId,
      ...Object.fromEntries(applied.map((key) => [key, props[key]])),
    }));
  }
}

function warn(jobId: string, warning: string): void {
  console.log(JSON.stringify({ message: 'warning', jobId, warning }));
}

/**
 * Cancels a running or scheduled job, deletes it and waits until it is gone, so that the
 * versions it references can be deleted next.
 */
async function remove(context: HandlerContext<DeleteEvent<Type>>): Promise<void> {
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

/**
 * The job's status, or undefined when it is gone. A job that the policy of this moment no
 * longer names (the old job of a replacement, one created by a rolled-back update) is reached
 * only through its owner tag: once deleted it has no tag, and IAM answers AccessDenied before
 * the service could answer that it does not exist. Either way it is no job of this stack.
 */
async function jobStatus(iot: IoTClient, jobId: string): Promise<string | undefined> {
  try {
    const { job } = await iot.send(new DescribeJobCommand({ jobId }));
    return job?.status ?? 'UNKNOWN';
  } catch (error) {
    if (isNotFound(error) || isAccessDenied(error)) return undefined;
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

/**
 * Waits until a deleted job is gone. The job is looked for among the jobs being deleted (at
 * most 10 in an account), not described: the job a replacement left is reached only through
 * its owner tag, and once gone a DescribeJob would be refused rather than answered.
 */
async function waitUntilGone(iot: IoTClient, jobId: string, deadline: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (!(await jobsInDeletion(iot)).includes(jobId)) return;
    if (Date.now() + delay(attempt) > deadline) {
      throw new ResourceError(`Job ${jobId} is still DELETION_IN_PROGRESS after waiting for its deletion; its package versions cannot be deleted yet. Retry the deletion later.`);
    }
    await sleep(delay(attempt));
  }
}

async function jobsInDeletion(iot: IoTClient): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await iot.send(new ListJobsCommand({ status: 'DELETION_IN_PROGRESS', nextToken }));
    for (const job of page.jobs ?? []) if (job.jobId) ids.push(job.jobId);
    nextToken = page.nextToken;
  } while (nextToken);
  return ids;
}

function delay(attempt: number): number {
  const ceiling = Math.min(MAX_POLL_MS, pollBaseMs() * 1.5 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}


export const jobWithPackagesHandler: ResourceHandler<Type> = {
  describe: (properties) => `job ${String(properties?.JobId ?? '')}`,
  create,
  update,
  delete: remove,
};
