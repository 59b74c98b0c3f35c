import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { IPackageVersion } from './package-version';
import { jsonWithTokens, validateThingName } from './private/validation';

/**
 * Whether a job ends once its targets have run it, or keeps running on things that join a
 * target group later.
 */
export enum JobTargetSelection {
  /** The job completes when every thing targeted at creation has run it. */
  SNAPSHOT = 'SNAPSHOT',
  /** The job keeps running: things added to a target group later run it too. */
  CONTINUOUS = 'CONTINUOUS',
}

/** Job execution failures that can abort a job. */
export enum JobExecutionFailureType {
  /** Executions that failed. */
  FAILED = 'FAILED',
  /** Executions that the device rejected. */
  REJECTED = 'REJECTED',
  /** Executions that timed out. */
  TIMED_OUT = 'TIMED_OUT',
  /** Any failure. */
  ALL = 'ALL',
}

/** What an abort does. */
export enum JobAbortAction {
  /** Cancels the job. */
  CANCEL = 'CANCEL',
}

/** Job execution failures that can be retried. */
export enum JobRetryFailureType {
  /** Executions that failed. */
  FAILED = 'FAILED',
  /** Executions that timed out. */
  TIMED_OUT = 'TIMED_OUT',
  /** Any failure. */
  ALL = 'ALL',
}

/** What happens to job executions when a scheduled job reaches its end time. */
export enum JobEndBehavior {
  /** Stops the rollout; executions already notified go on. */
  STOP_ROLLOUT = 'STOP_ROLLOUT',
  /** Cancels executions that are queued. */
  CANCEL = 'CANCEL',
  /** Cancels queued and in-progress executions. */
  FORCE_CANCEL = 'FORCE_CANCEL',
}

/** Typed helpers for the targets of a job: thing and thing-group ARNs of the scope's stack. */
export class JobTargets {
  /** `arn:<partition>:iot:<region>:<account>:thing/<thingName>` of the scope's stack. */
  public static thing(scope: IConstruct, thingName: string): string {
    validateThingName('thingName', thingName);
    return Stack.of(scope).formatArn({ service: 'iot', resource: 'thing', resourceName: thingName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  }

  /** `arn:<partition>:iot:<region>:<account>:thinggroup/<thingGroupName>` of the scope's stack. */
  public static thingGroup(scope: IConstruct, thingGroupName: string): string {
    validateThingName('thingGroupName', thingGroupName);
    return Stack.of(scope).formatArn({ service: 'iot', resource: 'thinggroup', resourceName: thingGroupName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  }

  private constructor() {}
}

/** What a `JobDocument` renders: an inline document, or the S3 object that holds it. */
export interface JobDocumentConfig {
  /**
   * The job document (JSON), inline.
   * @default - the document is read from `documentSource`
   */
  readonly document?: string;

  /**
   * The S3 object URL of the job document.
   * @default - the document is inline
   */
  readonly documentSource?: string;

  /**
   * The bucket that holds the document: the handler needs to read it.
   * @default - the document is inline
   */
  readonly bucket?: s3.IBucket;

  /**
   * The key of the document in `bucket`.
   * @default - the document is inline
   */
  readonly key?: string;
}

/**
 * The job document: what devices receive. It can name the package versions' attributes and
 * artifacts with placeholders such as `${aws:iot:package:<p>:version:<v>:attributes:<key>}`,
 * written with `PackagePlaceholder`.
 *
 * The placeholders of an inline document (`fromObject`, `fromString`), whether written with
 * `PackagePlaceholder` or by hand, are checked at synth time against the job's
 * `destinationPackageVersions`. Parts that are tokens, and documents in S3, are not checked.
 */
export abstract class JobDocument {
  /**
   * A document given as a JSON-serializable object; it may hold tokens.
   *
   * @example
   * import { JobDocument, PackagePlaceholder, PackageVersion } from 'cdk-iot-package-catalog';
   *
   * declare const firmware: PackageVersion; // with an artifact and the attribute sha256
   * JobDocument.fromObject({
   *   operation: 'install',
   *   url: PackagePlaceholder.artifactUrl(firmware), // needs presignedUrlConfig on the job
   *   sha256: PackagePlaceholder.attribute(firmware, 'sha256'),
   * });
   */
  public static fromObject(obj: { [key: string]: any }): JobDocument {
    return new ObjectDocument(obj);
  }

  /** A document given as a JSON string (at most 32768 characters). */
  public static fromString(document: string): JobDocument {
    return new StringDocument(document);
  }

  /**
   * A document stored in S3. The job names it by its object URL, and the handler that creates
   * the job is granted `s3:GetObject` on it.
   */
  public static fromS3(bucket: s3.IBucket, key: string): JobDocument {
    return new S3Document(bucket, key);
  }

  /** Renders the document for a job or job template in `scope`. */
  public abstract bind(scope: Construct): JobDocumentConfig;

  /**
   * The document's text with its tokens as token strings, for the synth-time checks of its
   * placeholders; undefined when the bound form is that text already, or not inline.
   *
   * @internal
   */
  public _text(): string | undefined {
    return undefined;
  }
}

class ObjectDocument extends JobDocument {
  constructor(private readonly obj: { [key: string]: any }) {
    super();
  }

  /**
   * The rendered document is a token; the synth-time placeholder checks read this text.
   *
   * @internal
   */
  public _text(): string | undefined {
    return jsonWithTokens(this.obj);
  }

  public bind(scope: Construct): JobDocumentConfig {
    return { document: Stack.of(scope).toJsonString(this.obj) };
  }
}

class StringDocument extends JobDocument {
  constructor(private readonly document: string) {
    super();
  }

  public bind(_scope: Construct): JobDocumentConfig {
    return { document: this.document };
  }
}

class S3Document extends JobDocument {
  constructor(private readonly bucket: s3.IBucket, private readonly key: string) {
    super();
  }

  public bind(_scope: Construct): JobDocumentConfig {
    return { documentSource: this.bucket.urlForObject(this.key), bucket: this.bucket, key: this.key };
  }
}

/** Pre-signed S3 URLs that the job document's artifact placeholders become. */
export interface JobPresignedUrlConfig {
  /**
   * The role IoT assumes to pre-sign the URLs: it must trust `iot.amazonaws.com` and be
   * allowed to read the objects. The handler is granted `iam:PassRole` on it towards IoT only.
   */
  readonly role: iam.IRole;

  /**
   * How long the URLs stay valid: 60 to 3600 seconds.
   * @default Duration.hours(1)
   */
  readonly expiresIn?: Duration;
}

/** When the exponential rollout rate increases. Set one of the two thresholds. */
export interface JobRateIncreaseCriteria {
  /**
   * Raise the rate once this many things have been notified (at least 1).
   * @default - no threshold on notified things
   */
  readonly numberOfNotifiedThings?: number;

  /**
   * Raise the rate once this many things have succeeded (at least 1).
   * @default - no threshold on succeeded things
   */
  readonly numberOfSucceededThings?: number;
}

/** An exponentially increasing rollout rate. */
export interface JobExponentialRolloutRate {
  /** Things notified per minute at the start: 1 to 1000. */
  readonly baseRatePerMinute: number;
  /** The factor the rate grows by: 1.1 to 5, at most one decimal. */
  readonly incrementFactor: number;
  /** When the rate grows. */
  readonly rateIncreaseCriteria: JobRateIncreaseCriteria;
}

/** How fast the job reaches its targets. */
export interface JobRolloutConfig {
  /**
   * Things notified per minute at most: 1 to 1000.
   * @default - no limit
   */
  readonly maximumPerMinute?: number;

  /**
   * An exponentially increasing rate.
   * @default - a constant rate
   */
  readonly exponentialRate?: JobExponentialRolloutRate;
}

/** One condition that aborts the job. */
export interface JobAbortCriteria {
  /** The kind of failure counted. */
  readonly failureType: JobExecutionFailureType;

  /**
   * What the abort does.
   * @default JobAbortAction.CANCEL
   */
  readonly action?: JobAbortAction;

  /** The percentage of failed executions that aborts the job: 0 to 100, at most two decimals. */
  readonly thresholdPercentage: number;

  /** How many things must have run the job before it can abort (at least 1). */
  readonly minNumberOfExecutedThings: number;
}

/** When the job is aborted. */
export interface JobAbortConfig {
  /** The abort conditions (at least one). */
  readonly criteria: JobAbortCriteria[];
}

/** How long each device has to finish. */
export interface JobTimeoutConfig {
  /**
   * The time a job execution may stay IN_PROGRESS before it times out: 1 minute to 7 days,
   * in whole minutes.
   */
  readonly inProgressTimeout: Duration;
}

/** How often one kind of failed execution is retried. */
export interface JobRetryCriteria {
  /** The kind of failure retried. */
  readonly failureType: JobRetryFailureType;
  /** Retries: 0 to 10. */
  readonly numberOfRetries: number;
}

/** Retries of failed job executions. */
export interface JobRetryConfig {
  /** One or two retry criteria. */
  readonly criteria: JobRetryCriteria[];
}

/** A recurring window in which the job rolls out. */
export interface JobMaintenanceWindow {
  /** A cron expression for the start of the window, e.g. `cron(0 0 ? * SUN *)` (1-256 characters). */
  readonly startTime: string;
  /** The length of the window: 1 to 1430 minutes, in whole minutes. */
  readonly duration: Duration;
}

/** When the job rolls out. */
export interface JobSchedulingConfig {
  /**
   * When the rollout starts, as `YYYY-MM-DDTHH:MM` (UTC); 30 minutes to one year ahead at
   * deployment. The job is SCHEDULED until then.
   * @default - the job starts when it is created
   */
  readonly startTime?: string;

  /**
   * When the rollout ends, as `YYYY-MM-DDTHH:MM` (UTC); at least 30 minutes after the start
   * and at most two years after it.
   * @default - no end
   */
  readonly endTime?: string;

  /**
   * What happens to executions at `endTime`; needs `endTime`.
   * @default - the service's default (STOP_ROLLOUT)
   */
  readonly endBehavior?: JobEndBehavior;

  /**
   * Recurring windows in which the job rolls out.
   * @default - no maintenance windows
   */
  readonly maintenanceWindows?: JobMaintenanceWindow[];
}

/** What jobs and job templates that install package versions share. */
export interface JobWithPackagesOptionsBase {
  /**
   * The package versions a successful job records as installed on each device: 1 to 25, each
   * PUBLISHED or DEPRECATED when the job is created.
   */
  readonly destinationPackageVersions: IPackageVersion[];

  /**
   * Pre-signed URLs for artifact placeholders in the document (`PackagePlaceholder.artifactUrl`);
   * required when the document has one.
   * @default - no pre-signed URLs
   */
  readonly presignedUrlConfig?: JobPresignedUrlConfig;

  /**
   * The rollout rate.
   * @default - the service's default rate
   */
  readonly jobExecutionsRolloutConfig?: JobRolloutConfig;

  /**
   * When the job aborts.
   * @default - it never aborts on its own
   */
  readonly abortConfig?: JobAbortConfig;

  /**
   * How long each device has to finish.
   * @default - no timeout
   */
  readonly timeoutConfig?: JobTimeoutConfig;

  /**
   * Retries of failed executions.
   * @default - no retries
   */
  readonly jobExecutionsRetryConfig?: JobRetryConfig;
}
