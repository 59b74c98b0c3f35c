import { Duration, Token, Tokenization } from 'aws-cdk-lib';
import type {
  JobAbortConfig, JobPresignedUrlConfig, JobRetryConfig, JobRolloutConfig, JobSchedulingConfig, JobTimeoutConfig,
} from '../job-config';
import type { IPackageVersion } from '../package-version';
import { declaredVersion } from './internals';
import { CONTROL_CHARACTER, describeControlCharacter, isLiteral, quote } from './validation';

/**
 * Synth-time checks of jobs and job templates against the service model
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

const ID_PATTERN = /^[a-zA-Z0-9_-]+$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;
const TARGET_ARN = /^arn:[^:]+:iot:[^:]*:[^:]*:(thing|thinggroup)\/([^/]+)$/;
const TARGET_NAME = /^[a-zA-Z0-9:_-]+$/;

function isLiteralNumber(value: number | undefined): value is number {
  return value !== undefined && !Token.isUnresolved(value);
}

/** `jobId` / `jobTemplateId`: 1-64 characters of `[a-zA-Z0-9_-]`. */
export function validateJobIdentifier(label: string, value: string | undefined): void {
  if (!isLiteral(value)) return;
  if (value.length < 1 || value.length > JOB_LIMITS.idLength) {
    throw new Error(`${label} ${quote(value)} must be 1-${JOB_LIMITS.idLength} characters long, got ${value.length}.`);
  }
  if (!ID_PATTERN.test(value)) {
    throw new Error(`${label} ${quote(value)} must match [a-zA-Z0-9_-]+: letters, digits, '-' and '_' only.`);
  }
}

/** A job or job template description: 1-2028 characters, no control characters. */
export function validateJobDescription(value: string | undefined): void {
  if (!isLiteral(value)) return;
  if (value.length < 1 || value.length > JOB_LIMITS.descriptionLength) {
    throw new Error(`description must be 1-${JOB_LIMITS.descriptionLength} characters long, got ${value.length}.`);
  }
  if (CONTROL_CHARACTER.test(value)) {
    throw new Error(`description ${quote(value)} must not contain control characters (found ${describeControlCharacter(value)}).`);
  }
}

/** An inline job document: at most 32768 characters of JSON. */
export function validateJobDocument(document: string | undefined): void {
  if (!isLiteral(document)) return;
  if (document.length > JOB_LIMITS.documentLength) {
    throw new Error(`document must be at most ${JOB_LIMITS.documentLength} characters, got ${document.length}.`);
  }
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
    const name = match[2];
    if (!Token.isUnresolved(name) && (name.length > 128 || !TARGET_NAME.test(name))) {
      throw new Error(`target ${quote(target)} names ${match[1]} ${quote(name)}: names are 1-128 characters of [a-zA-Z0-9:_-].`);
    }
  }
}

function checkRange(label: string, value: number | undefined, min: number, max: number, options: { integer?: boolean; unit?: string } = {}) {
  if (!isLiteralNumber(value)) return;
  const unit = options.unit ? ` ${options.unit}` : '';
  if (options.integer !== false && !Number.isInteger(value)) {
    throw new Error(`${label} must be a whole number${unit ? ` of${unit}` : ''}, got ${value}.`);
  }
  if (!(value >= min && value <= max)) {
    const range = max === Infinity ? `at least ${min}` : `${min}-${max}`;
    throw new Error(`${label} must be ${range}${unit}, got ${value}${unit}.`);
  }
}

function decimals(value: number): number {
  const text = String(value);
  const dot = text.indexOf('.');
  return dot < 0 || text.includes('e') ? 0 : text.length - dot - 1;
}

/** Whole units of a duration, or an error naming the label when it is not whole. */
function wholeUnits(label: string, duration: Duration, unit: 'seconds' | 'minutes'): number | undefined {
  if (duration.isUnresolved()) return undefined;
  const value = unit === 'seconds' ? duration.toSeconds({ integral: false }) : duration.toMinutes({ integral: false });
  if (!Number.isInteger(value)) {
    throw new Error(`${label} must be a whole number of ${unit}, got ${duration.toHumanString()}.`);
  }
  return value;
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

/*
 * Job-document placeholders (IoT developer guide, "Preparing AWS IoT Jobs"):
 *
 *   ${aws:iot:package:<packageName>:version:<versionName>:attributes:<key>}   one attribute
 *   ${aws:iot:package:<packageName>:version:<versionName>:attributes}         all attributes (JSON)
 *   ${aws:iot:package:<packageName>:version:<versionName>:artifact-location:s3-presigned-url}
 *   ${aws:iot:package::version::attributes[:<key>]}   names filled in from destinationPackageVersions
 *
 * "Confirm the software package and package version referenced in the job document match the
 * software package and package version stated in the destinationPackageVersions parameter";
 * `$null` is a version name for destinationPackageVersions only (it uninstalls the package).
 */

/** Attribute keys of package versions: `[a-zA-Z0-9:_-]+`. */
export const ATTRIBUTE_KEY = /^[a-zA-Z0-9:_-]+$/;

/**
 * The package and version names to write in a placeholder: as the version declares them
 * (literal names, or the tokens the app gave), else the version's own attributes (which
 * render as part of an `Fn::Join`).
 */
export function placeholderNames(version: IPackageVersion): { packageName: string; versionName: string } {
  const declared = declaredVersion(version);
  return {
    packageName: declared?.packageName ?? version.packageName,
    versionName: declared?.versionName ?? version.versionName,
  };
}

function literal(value: string): string | undefined {
  return Token.isUnresolved(value) ? undefined : value;
}

/** What the app knows of a destination version at synth time; undefined means unknown. */
interface VersionFacts {
  readonly packageName?: string;
  readonly versionName?: string;
  /** The attribute keys, when the version is of this app and its attributes are literal. */
  readonly attributeKeys?: readonly string[];
  /** Whether it has an artifact, when the version is of this app. */
  readonly hasArtifact?: boolean;
}

function versionFacts(version: IPackageVersion): VersionFacts {
  const names = placeholderNames(version);
  const declared = declaredVersion(version);
  return {
    packageName: literal(names.packageName),
    versionName: literal(names.versionName),
    attributeKeys: declared?.attributeKeys,
    hasArtifact: declared?.hasArtifact,
  };
}

/** Stands for a token inside the document text: never part of a literal name. */
const TOKEN_MARK = '\u0000';
const PLACEHOLDER = /\$\{aws:iot:package:([^:}]*):version:([^:}]*):([^}]*)\}/g;
const ARTIFACT_URL = 'artifact-location:s3-presigned-url';

/** The document as JSON with its tokens kept as token strings, or undefined when it cannot be serialized. */
export function jsonWithTokens(obj: unknown): string | undefined {
  try {
    return JSON.stringify(obj);
  } catch {
    return undefined;
  }
}

export interface DocumentPlaceholderCheck {
  /** The `JobDocument` (to read the text of object documents). */
  readonly document?: { _text(): string | undefined };
  /** The document as bound: a literal, a string with tokens, or a token. */
  readonly text?: string;
  readonly destinationPackageVersions: IPackageVersion[];
  readonly hasPresignedUrlRole: boolean;
}

/**
 * Checks the package placeholders of an inline document against the job's destination
 * versions. Only the literal parts of the document are read: a placeholder whose package or
 * version name is a token is checked as far as its literal parts go, and a document that is
 * a token (or in S3) is not checked.
 */
export function validateDocumentPlaceholders(check: DocumentPlaceholderCheck): void {
  const raw = check.document?._text() ?? check.text;
  if (raw === undefined) return;
  const text = Tokenization.reverseString(raw)
    .mapTokens({ mapToken: () => TOKEN_MARK })
    .join({ join: (left: unknown, right: unknown) => `${left ?? ''}${right ?? ''}` }) as string | undefined;
  if (!text) return;

  const versions = check.destinationPackageVersions;
  const facts = versions.map(versionFacts);
  for (const match of text.matchAll(PLACEHOLDER)) {
    const [found, packagePart, versionPart, rest] = match;
    const placeholder = JSON.stringify(found.split(TOKEN_MARK).join('<token>'));
    if (versionPart === '$null') {
      throw new Error(
        `document placeholder ${placeholder} names version $null: $null belongs in destinationPackageVersions ` +
        '(a version ARN ending in /version/$null uninstalls the package), and a document cannot read it.',
      );
    }
    const packageName = packagePart === '' ? undefined : packagePart;
    const versionName = versionPart === '' ? undefined : versionPart;
    if ((packageName === undefined || versionName === undefined) && versions.length > 1) {
      const left = packageName === undefined && versionName === undefined ? 'the package and version names'
        : packageName === undefined ? 'the package name' : 'the version name';
      throw new Error(
        `document placeholder ${placeholder} leaves out ${left}, which the job fills in only when ` +
        `destinationPackageVersions lists exactly one version (it lists ${versions.length}): name the version, ` +
        'e.g. with PackagePlaceholder.attribute(version, key).',
      );
    }
    const named = facts.filter((f) => mayBe(f.packageName, packageName) && mayBe(f.versionName, versionName));
    if (named.length === 0) {
      const name = `${packageName ?? facts[0].packageName ?? '<token>'}/${versionName ?? facts[0].versionName ?? '<token>'}`
        .split(TOKEN_MARK).join('<token>');
      throw new Error(
        `document placeholder ${placeholder} names version ${name}, which destinationPackageVersions does not list ` +
        `(it lists ${facts.map(describeVersion).join(', ')}): the job service substitutes only the versions the job deploys.`,
      );
    }
    const target = named.length === 1 ? named[0] : undefined;
    if (rest === ARTIFACT_URL) {
      if (!check.hasPresignedUrlRole) {
        throw new Error('document uses an artifact pre-signed URL placeholder: set presignedUrlConfig with a role that can read the artifacts.');
      }
      if (target?.hasArtifact === false) {
        throw new Error(
          `document placeholder ${placeholder} needs the artifact of version ${describeVersion(target)}, which has no artifact: ` +
          'set the version\'s artifact (PackageVersionArtifact.fromAsset or fromBucket).',
        );
      }
    }
    const key = rest.startsWith('attributes:') ? rest.slice('attributes:'.length) : undefined;
    if (key !== undefined && !key.includes(TOKEN_MARK) && target?.attributeKeys && !target.attributeKeys.includes(key)) {
      const has = target.attributeKeys.length === 0 ? 'it has no attributes' : `its attributes: ${target.attributeKeys.join(', ')}`;
      throw new Error(
        `document placeholder ${placeholder} reads attribute ${JSON.stringify(key)} of version ${describeVersion(target)}, ` +
        `which does not have it (${has}).`,
      );
    }
  }
}

/** Whether a known (or unknown) name may be the wanted one; an unwanted (short form) part matches anything. */
function mayBe(known: string | undefined, wanted: string | undefined): boolean {
  return wanted === undefined || wanted.includes(TOKEN_MARK) || known === undefined || known === wanted;
}

function describeVersion(facts: VersionFacts): string {
  return `${facts.packageName ?? '<token>'}/${facts.versionName ?? '<token>'}`;
}
