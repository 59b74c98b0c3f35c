import { Duration } from 'aws-cdk-lib';
import { validateThingName } from './names';
import { checkRange, checkText, decimals, isLiteral, isLiteralNumber, quote, wholeUnits } from './values';
import type {
  JobAbortConfig, JobPresignedUrlConfig, JobRetryConfig, JobRolloutConfig, JobSchedulingConfig, JobTimeoutConfig,
} from '../../job-config';

/**
 * Jobs and job templates against the service model
 * (iot-2015-05-28: CreateJobRequest, CreateJobTemplateRequest and their shapes) and the
 * ranges its documentation states. Unresolved tokens always pass.
 */

export const JOB_LIMITS = {
  idLength: 64,
  descriptionLength: 2028,
  documentLength: 32768,
  destinationPackageVersions: 25,
  expiresInSec: { min: 60, max: 3600 },
  perMinute: { min: 1, max: 1000 },
  incrementFactor: { min: 1.1, max: 5 },
  inProgressTimeoutMinutes: { min: 1, max: 10080 },
  retries: { min: 0, max: 10 },
  retryCriteria: 2,
  maintenanceWindowMinutes: { min: 1, max: 1430 },
  cronLength: 256,
  dateTimeLength: 64,
} as const;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;
const TARGET_ARN = /^arn:[^:]+:iot:[^:]*:[^:]*:(thing|thinggroup)\/([^/]+)$/;

/** A job or job template description. */
export function validateJobDescription(value: string | undefined): void {
  checkText('description', value, { min: 1, max: JOB_LIMITS.descriptionLength });
}

/** An inline job document: at most 32768 characters of JSON. */
export function validateJobDocument(document: string | undefined): void {
  if (!isLiteral(document)) return;
  checkText('document', document, { min: 0, max: JOB_LIMITS.documentLength, controlCharacters: true });
  try {
    JSON.parse(document);
  } catch (error) {
    throw new Error(`document must be a JSON document: ${(error as Error).message}.`);
  }
}

export function validateDestinationCount(count: number): void {
  const max = JOB_LIMITS.destinationPackageVersions;
  if (count < 1 || count > max) {
    throw new Error(`destinationPackageVersions must list 1-${max} package versions, got ${count}.`);
  }
}

export function validateTargets(targets: string[]): void {
  if (targets.length < 1) {
    throw new Error('targets must list at least 1 thing or thing group ARN, got 0.');
  }
  const seen = new Set<string>();
  for (const target of targets) {
    if (seen.has(target)) throw new Error(`targets lists ${quote(target)} twice.`);
    seen.add(target);
    if (!isLiteral(target)) continue;
    const match = TARGET_ARN.exec(target);
    if (!match) {
      throw new Error(
        `target ${quote(target)} is not a thing or thing group ARN: expected ` +
        'arn:<partition>:iot:<region>:<account>:thing/<thingName> or ...:thinggroup/<thingGroupName> (see JobTargets).',
      );
    }
    validateThingName(match[1] === 'thing' ? 'thingName' : 'thingGroupName', match[2]);
  }
}

export function validatePresignedUrlConfig(config: JobPresignedUrlConfig | undefined): number | undefined {
  if (!config?.expiresIn) return undefined;
  const seconds = wholeUnits('presignedUrlConfig.expiresIn', config.expiresIn, 'seconds');
  const { min, max } = JOB_LIMITS.expiresInSec;
  checkRange('presignedUrlConfig.expiresIn', seconds, min, max, { unit: 'seconds' });
  return seconds;
}

export function validateRolloutConfig(config: JobRolloutConfig | undefined): void {
  if (!config) return;
  const { min, max } = JOB_LIMITS.perMinute;
  checkRange('jobExecutionsRolloutConfig.maximumPerMinute', config.maximumPerMinute, min, max);
  const rate = config.exponentialRate;
  if (!rate) return;
  checkRange('jobExecutionsRolloutConfig.exponentialRate.baseRatePerMinute', rate.baseRatePerMinute, min, max);
  const factor = JOB_LIMITS.incrementFactor;
  checkRange('jobExecutionsRolloutConfig.exponentialRate.incrementFactor', rate.incrementFactor, factor.min, factor.max, { integer: false });
  if (isLiteralNumber(rate.incrementFactor) && decimals(rate.incrementFactor) > 1) {
    throw new Error(`jobExecutionsRolloutConfig.exponentialRate.incrementFactor must have at most one decimal, got ${rate.incrementFactor}.`);
  }
  const criteria = rate.rateIncreaseCriteria;
  const prefix = 'jobExecutionsRolloutConfig.exponentialRate.rateIncreaseCriteria';
  if (criteria.numberOfNotifiedThings === undefined && criteria.numberOfSucceededThings === undefined) {
    throw new Error(`${prefix} must set numberOfNotifiedThings or numberOfSucceededThings.`);
  }
  checkRange(`${prefix}.numberOfNotifiedThings`, criteria.numberOfNotifiedThings, 1, Infinity);
  checkRange(`${prefix}.numberOfSucceededThings`, criteria.numberOfSucceededThings, 1, Infinity);
}

export function validateAbortConfig(config: JobAbortConfig | undefined): void {
  if (!config) return;
  if (config.criteria.length < 1) {
    throw new Error('abortConfig.criteria must list at least 1 criterion, got 0.');
  }
  config.criteria.forEach((criterion, i) => {
    const label = `abortConfig.criteria[${i}]`;
    checkRange(`${label}.thresholdPercentage`, criterion.thresholdPercentage, 0, 100, { integer: false });
    if (isLiteralNumber(criterion.thresholdPercentage) && decimals(criterion.thresholdPercentage) > 2) {
      throw new Error(`${label}.thresholdPercentage must have at most two decimals, got ${criterion.thresholdPercentage}.`);
    }
    checkRange(`${label}.minNumberOfExecutedThings`, criterion.minNumberOfExecutedThings, 1, Infinity);
  });
}

export function validateTimeoutConfig(config: JobTimeoutConfig | undefined): number | undefined {
  if (!config) return undefined;
  const minutes = wholeUnits('timeoutConfig.inProgressTimeout', config.inProgressTimeout, 'minutes');
  const { min, max } = JOB_LIMITS.inProgressTimeoutMinutes;
  checkRange('timeoutConfig.inProgressTimeout', minutes, min, max, { unit: 'minutes' });
  return minutes;
}

export function validateRetryConfig(config: JobRetryConfig | undefined): void {
  if (!config) return;
  const count = config.criteria.length;
  if (count < 1 || count > JOB_LIMITS.retryCriteria) {
    throw new Error(`jobExecutionsRetryConfig.criteria must list 1-${JOB_LIMITS.retryCriteria} criteria, got ${count}.`);
  }
  const { min, max } = JOB_LIMITS.retries;
  config.criteria.forEach((criterion, i) => {
    checkRange(`jobExecutionsRetryConfig.criteria[${i}].numberOfRetries`, criterion.numberOfRetries, min, max);
  });
}

function parseDateTime(label: string, value: string | undefined): number | undefined {
  if (!isLiteral(value)) return undefined;
  if (value.length < 1 || value.length > JOB_LIMITS.dateTimeLength || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new Error(`${label} ${quote(value)} must be a date and time as YYYY-MM-DDTHH:MM (UTC).`);
  }
  return Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(value) ? value : `${value}Z`);
}

const THIRTY_MINUTES_MS = 30 * 60 * 1000;
const TWO_YEARS_MS = 2 * 366 * 24 * 60 * 60 * 1000;

export function validateSchedulingConfig(config: JobSchedulingConfig | undefined): void {
  if (!config) return;
  const start = parseDateTime('schedulingConfig.startTime', config.startTime);
  const end = parseDateTime('schedulingConfig.endTime', config.endTime);
  if (start !== undefined && end !== undefined) {
    if (end - start < THIRTY_MINUTES_MS) {
      throw new Error(`schedulingConfig.endTime ${quote(config.endTime!)} must be at least 30 minutes after startTime ${quote(config.startTime!)}.`);
    }
    if (end - start > TWO_YEARS_MS) {
      throw new Error(`schedulingConfig.endTime ${quote(config.endTime!)} must be at most two years after startTime ${quote(config.startTime!)}.`);
    }
  }
  if (config.endBehavior !== undefined && config.endTime === undefined) {
    throw new Error(`schedulingConfig.endBehavior ${config.endBehavior} needs an endTime.`);
  }
  (config.maintenanceWindows ?? []).forEach((window, i) => validateMaintenanceWindow(`schedulingConfig.maintenanceWindows[${i}]`, window));
}

export function validateMaintenanceWindow(label: string, window: { startTime: string; duration: Duration }): number | undefined {
  if (isLiteral(window.startTime) && (window.startTime.length < 1 || window.startTime.length > JOB_LIMITS.cronLength)) {
    throw new Error(`${label}.startTime must be a cron expression of 1-${JOB_LIMITS.cronLength} characters, got ${window.startTime.length}.`);
  }
  const minutes = wholeUnits(`${label}.duration`, window.duration, 'minutes');
  const { min, max } = JOB_LIMITS.maintenanceWindowMinutes;
  checkRange(`${label}.duration`, minutes, min, max, { unit: 'minutes' });
  return minutes;
}
