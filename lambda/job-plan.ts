/**
 * What a job's Update must do, as pure decisions tested as a table: which create-only settings
 * differ (a replacement, or a refusal for a named job), and what UpdateJob changes in place.
 */
import type {
  AbortConfig, JobExecutionsRetryConfig, JobExecutionsRolloutConfig, PresignedUrlConfig, SchedulingConfig, TimeoutConfig,
} from '@aws-sdk/client-iot';

/** A job's properties as the SDK's CreateJob and UpdateJob take them. */
export interface JobProps {
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
  /** The tags the app gives the job (the owner tag is added on create). */
  readonly tags: Record<string, string>;
}

export /** Drops undefined members, so that rendered configurations compare and send cleanly. */
function clean<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** What UpdateJob can change in place. */
export const MUTABLE = ['description', 'presignedUrlConfig', 'jobExecutionsRolloutConfig', 'abortConfig', 'timeoutConfig', 'jobExecutionsRetryConfig'] as const;
/** What needs a new job. */
export const IMMUTABLE = ['targets', 'targetSelection', 'destinationPackageVersions', 'document', 'documentSource', 'jobTemplateArn', 'schedulingConfig'] as const;

export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function sameSet(a: string[], b: string[]): boolean {
  return same([...a].sort(), [...b].sort());
}

/** A job as the service holds it: DescribeJob, and the document as written (placeholders unresolved). */
export interface ActualJob {
  readonly status?: string;
  readonly settings: Pick<JobProps, typeof IMMUTABLE[number] | typeof MUTABLE[number]>;
}

/** A schedule without the members the service fills in with defaults. */
export function normalizedScheduling(config: SchedulingConfig | undefined): SchedulingConfig | undefined {
  if (!config) return undefined;
  const { maintenanceWindows, ...rest } = config;
  const normalized = { ...rest, ...(maintenanceWindows && maintenanceWindows.length > 0 ? { maintenanceWindows } : {}) };
  return Object.values(normalized).some((v) => v !== undefined) ? normalized : undefined;
}

export function settingsOf(actual: ActualJob): JobProps {
  return { jobId: '', forceDelete: false, tags: {}, ...actual.settings };
}

/** The settings that cannot change in place on which two jobs differ. */
export function differences(desired: JobProps, actual: Pick<JobProps, typeof IMMUTABLE[number]> | ActualJob): string[] {
  const settings = 'settings' in actual ? actual.settings : actual;
  return IMMUTABLE.filter((key) => {
    if (key === 'targets' || key === 'destinationPackageVersions') return !sameSet(desired[key], settings[key]);
    // The document of a job from S3 or a template is not compared: its source is.
    if (key === 'document' && 'settings' in actual && settings.document === undefined) return false;
    return !same(key === 'schedulingConfig' ? normalizedScheduling(desired[key]) : desired[key], settings[key]);
  });
}

/**
 * What UpdateJob applies (the changed settings) and what stays as it is: the service cannot
 * take a configuration off a job, and failing would also fail the rollback of an update that
 * added one, leaving the stack in UPDATE_ROLLBACK_FAILED.
 */
type MutableSetting = typeof MUTABLE[number];

export function inPlaceChanges(desired: JobProps, current: JobProps): { applied: MutableSetting[]; kept: MutableSetting[] } {
  const changed = MUTABLE.filter((key) => !same(desired[key], current[key]));
  return { applied: changed.filter((key) => desired[key] !== undefined), kept: changed.filter((key) => desired[key] === undefined) };
}
