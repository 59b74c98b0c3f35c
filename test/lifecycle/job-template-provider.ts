import {
  CreateJobTemplateCommand,
  CreateJobTemplateRequest,
  DeleteJobTemplateCommand,
  DescribeJobTemplateCommand,
  IoTClient,
} from '@aws-sdk/client-iot';
import { ResourceProvider, ResourceProviderRequest, ResourceProviderResult } from '../../local-cloud/harness/deploy-harness';

/**
 * Real behaviour for `AWS::IoT::JobTemplate` in the deploy harness: CloudFormation's resource
 * handler, in short. Create maps the CloudFormation properties (PascalCase, as in
 * reference/AWS_IoT_JobTemplate.json) to CreateJobTemplate; every property is create-only, so
 * an update is a replacement (a new template; the old one is deleted in cleanup, and the same
 * explicit id fails as it would in CloudFormation); Delete calls DeleteJobTemplate and
 * tolerates a template that is already gone. `client` is read at each call, so the provider can
 * be given to the harness before the emulator it talks to has started.
 */
export function jobTemplateProvider(client: () => IoTClient): ResourceProvider {
  const create = async (request: ResourceProviderRequest): Promise<ResourceProviderResult> => {
    const input = createJobTemplateInput(request);
    const { jobTemplateArn, jobTemplateId } = await retrying(() => client().send(new CreateJobTemplateCommand(input)));
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
      try {
        await retrying(() => client().send(new DeleteJobTemplateCommand({ jobTemplateId: request.physicalId! })));
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      }
    },
  };

  /** The template is there with these settings. */
  async function exists(wanted: CreateJobTemplateRequest): Promise<boolean> {
    try {
      const found = await retrying(() => client().send(new DescribeJobTemplateCommand({ jobTemplateId: wanted.jobTemplateId })));
      return found.description === wanted.description && found.document === wanted.document
        && JSON.stringify(found.destinationPackageVersions ?? []) === JSON.stringify(wanted.destinationPackageVersions ?? []);
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return false;
      throw error;
    }
  }
}

type Props = Record<string, any>;

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

/** CloudFormation retries throttling and server errors of the service it calls. */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
      const retryable = (error as Error).name === 'ThrottlingException' || status >= 500;
      if (!retryable || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
    }
  }
}

function num(value: unknown): number | undefined {
  return value === undefined || value === null ? undefined : Number(value);
}
