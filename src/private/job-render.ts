import { Duration } from 'aws-cdk-lib';
import {
  JobAbortAction, JobAbortConfig, JobPresignedUrlConfig, JobRetryConfig, JobRolloutConfig, JobSchedulingConfig,
  JobTimeoutConfig, JobWithPackagesOptionsBase,
} from '../job-config';
import { PackageVersion, PackageVersionStatus } from '../package-version';
import {
  JobAbortConfigProperty, JobPresignedUrlConfigProperty, JobRetryConfigProperty, JobRolloutConfigProperty,
  JobSchedulingConfigProperty, JobTimeoutConfigProperty,
} from './contract';
import {
  validateAbortConfig, validateDestinationCount, validatePresignedUrlConfig, validateRetryConfig, validateRolloutConfig,
  validateSchedulingConfig, validateTimeoutConfig,
} from './validation';

/** The configurations shared by jobs and job templates, rendered with the service's (PascalCase) names. */
export interface RenderedJobConfigs {
  readonly PresignedUrlConfig?: JobPresignedUrlConfigProperty;
  readonly JobExecutionsRolloutConfig?: JobRolloutConfigProperty;
  readonly AbortConfig?: JobAbortConfigProperty;
  readonly TimeoutConfig?: JobTimeoutConfigProperty;
  readonly JobExecutionsRetryConfig?: JobRetryConfigProperty;
}

/**
 * Validates the destination versions (count, duplicates, DRAFT versions of this app) and the
 * shared configurations, and renders the configurations.
 */
export function validateAndRenderShared(options: JobWithPackagesOptionsBase): RenderedJobConfigs {
  const versions = options.destinationPackageVersions;
  validateDestinationCount(versions.length);
  const seen = new Set<unknown>();
  for (const version of versions) {
    if (seen.has(version) || seen.has(version.packageVersionArn)) {
      throw new Error(`destinationPackageVersions lists ${version.node.path} twice.`);
    }
    seen.add(version);
    seen.add(version.packageVersionArn);
    if (version instanceof PackageVersion && version.status === PackageVersionStatus.DRAFT) {
      throw new Error(
        `destinationPackageVersions includes ${version.node.path}, whose status is DRAFT: a job can deploy only a ` +
        'PUBLISHED or DEPRECATED version. Set its status to PUBLISHED.',
      );
    }
  }
  const expiresInSec = validatePresignedUrlConfig(options.presignedUrlConfig);
  validateRolloutConfig(options.jobExecutionsRolloutConfig);
  validateAbortConfig(options.abortConfig);
  const timeoutMinutes = validateTimeoutConfig(options.timeoutConfig);
  validateRetryConfig(options.jobExecutionsRetryConfig);
  return {
    PresignedUrlConfig: renderPresigned(options.presignedUrlConfig, expiresInSec),
    JobExecutionsRolloutConfig: renderRollout(options.jobExecutionsRolloutConfig),
    AbortConfig: renderAbort(options.abortConfig),
    TimeoutConfig: renderTimeout(options.timeoutConfig, timeoutMinutes),
    JobExecutionsRetryConfig: renderRetry(options.jobExecutionsRetryConfig),
  };
}

function renderPresigned(config: JobPresignedUrlConfig | undefined, expiresInSec: number | undefined): JobPresignedUrlConfigProperty | undefined {
  if (!config) return undefined;
  return {
    RoleArn: config.role.roleArn,
    ExpiresInSec: config.expiresIn ? expiresInSec ?? config.expiresIn.toSeconds() : undefined,
  };
}

function renderRollout(config: JobRolloutConfig | undefined): JobRolloutConfigProperty | undefined {
  if (!config) return undefined;
  const rate = config.exponentialRate;
  return {
    MaximumPerMinute: config.maximumPerMinute,
    ExponentialRate: rate && {
      BaseRatePerMinute: rate.baseRatePerMinute,
      IncrementFactor: rate.incrementFactor,
      RateIncreaseCriteria: {
        NumberOfNotifiedThings: rate.rateIncreaseCriteria.numberOfNotifiedThings,
        NumberOfSucceededThings: rate.rateIncreaseCriteria.numberOfSucceededThings,
      },
    },
  };
}

function renderAbort(config: JobAbortConfig | undefined): JobAbortConfigProperty | undefined {
  if (!config) return undefined;
  return {
    CriteriaList: config.criteria.map((c) => ({
      FailureType: c.failureType,
      Action: c.action ?? JobAbortAction.CANCEL,
      ThresholdPercentage: c.thresholdPercentage,
      MinNumberOfExecutedThings: c.minNumberOfExecutedThings,
    })),
  };
}

function renderTimeout(config: JobTimeoutConfig | undefined, minutes: number | undefined): JobTimeoutConfigProperty | undefined {
  if (!config) return undefined;
  return { InProgressTimeoutInMinutes: minutes ?? config.inProgressTimeout.toMinutes() };
}

function renderRetry(config: JobRetryConfig | undefined): JobRetryConfigProperty | undefined {
  if (!config) return undefined;
  return { CriteriaList: config.criteria.map((c) => ({ FailureType: c.failureType, NumberOfRetries: c.numberOfRetries })) };
}

export function renderMaintenanceWindows(windows: ReadonlyArray<{ startTime: string; duration: Duration }> | undefined) {
  return windows?.map((w) => ({ StartTime: w.startTime, DurationInMinutes: w.duration.toMinutes() }));
}

export function validateAndRenderScheduling(config: JobSchedulingConfig | undefined): JobSchedulingConfigProperty | undefined {
  validateSchedulingConfig(config);
  if (!config) return undefined;
  return {
    StartTime: config.startTime,
    EndTime: config.endTime,
    EndBehavior: config.endBehavior,
    MaintenanceWindows: renderMaintenanceWindows(config.maintenanceWindows),
  };
}
