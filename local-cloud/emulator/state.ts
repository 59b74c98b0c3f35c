/** In-memory state of the emulated account and region, and its deterministic snapshot. */

export type VersionStatus = 'DRAFT' | 'PUBLISHED' | 'DEPRECATED';
export type SbomStatus = 'IN_PROGRESS' | 'FAILED' | 'SUCCEEDED';
export type JobStatus = 'IN_PROGRESS' | 'CANCELED' | 'COMPLETED' | 'DELETION_IN_PROGRESS' | 'SCHEDULED';

export interface S3Location { bucket?: string; key?: string; version?: string }

export interface VersionState {
  versionName: string;
  status: VersionStatus;
  description?: string;
  attributes: Record<string, string>;
  artifact?: { s3Location?: S3Location };
  recipe?: string;
  sbom?: { s3Location?: S3Location };
  sbomValidationStatus?: SbomStatus;
  /** SBOM status the next read will report (IN_PROGRESS → this) */
  sbomPendingResult?: 'SUCCEEDED' | 'FAILED';
  tags: Record<string, string>;
  creationDate: number;
  lastModifiedDate: number;
}

export interface PackageState {
  packageName: string;
  description?: string;
  defaultVersionName?: string;
  tags: Record<string, string>;
  versions: Map<string, VersionState>;
  creationDate: number;
  lastModifiedDate: number;
}

export interface JobState {
  jobId: string;
  status: JobStatus;
  targets: string[];
  targetSelection: 'SNAPSHOT' | 'CONTINUOUS';
  description?: string;
  document?: string;
  documentSource?: string;
  jobTemplateArn?: string;
  presignedUrlConfig?: any;
  jobExecutionsRolloutConfig?: any;
  abortConfig?: any;
  timeoutConfig?: any;
  jobExecutionsRetryConfig?: any;
  schedulingConfig?: any;
  documentParameters?: Record<string, string>;
  namespaceId?: string;
  destinationPackageVersions: string[];
  tags: Record<string, string>;
  forceCanceled?: boolean;
  reasonCode?: string;
  comment?: string;
  createdAt: number;
  lastUpdatedAt: number;
  completedAt?: number;
  /** when DELETION_IN_PROGRESS: the job disappears at this time (epoch ms) */
  deleteAt?: number;
}

export interface JobTemplateState {
  jobTemplateId: string;
  description: string;
  document?: string;
  documentSource?: string;
  jobArn?: string;
  presignedUrlConfig?: any;
  jobExecutionsRolloutConfig?: any;
  abortConfig?: any;
  timeoutConfig?: any;
  jobExecutionsRetryConfig?: any;
  maintenanceWindows?: any[];
  destinationPackageVersions: string[];
  tags: Record<string, string>;
  createdAt: number;
}

export interface IndexingConfiguration {
  thingIndexingConfiguration: Record<string, any>;
  thingGroupIndexingConfiguration: Record<string, any>;
}

export class EmulatorState {
  packages = new Map<string, PackageState>();
  packageConfiguration: { versionUpdateByJobsConfig: { enabled: boolean; roleArn?: string } } = { versionUpdateByJobsConfig: { enabled: false } };
  // Defaults of an account that never configured fleet indexing.
  indexing: IndexingConfiguration = {
    thingIndexingConfiguration: { thingIndexingMode: 'OFF' },
    thingGroupIndexingConfiguration: { thingGroupIndexingMode: 'OFF' },
  };
  jobs = new Map<string, JobState>();
  jobTemplates = new Map<string, JobTemplateState>();
  /** `${operation}\n${clientToken}` → the first request's input fingerprint and response */
  idempotency = new Map<string, { fingerprint: string; response: unknown }>();
}

// ---- snapshot -------------------------------------------------------------------------------

/** A version as the service shows it: its state without timestamps and pending results. */
export type VersionSnapshot = Omit<VersionState, 'sbomPendingResult' | 'creationDate' | 'lastModifiedDate'>;

export type PackageSnapshot = Omit<PackageState, 'versions' | 'creationDate' | 'lastModifiedDate'> & { versions: VersionSnapshot[] };

export interface JobSnapshot {
  jobId: string;
  status: JobStatus;
  targets: string[];
  targetSelection: string;
  description?: string;
  document?: string;
  documentSource?: string;
  jobTemplateArn?: string;
  destinationPackageVersions: string[];
  presignedUrlConfig?: any;
  jobExecutionsRolloutConfig?: any;
  abortConfig?: any;
  timeoutConfig?: any;
  jobExecutionsRetryConfig?: any;
  schedulingConfig?: any;
  forceCanceled?: boolean;
  tags: Record<string, string>;
}

export interface JobTemplateSnapshot {
  jobTemplateId: string;
  description: string;
  document?: string;
  documentSource?: string;
  destinationPackageVersions: string[];
  tags: Record<string, string>;
}

export interface CatalogSnapshot {
  packages: PackageSnapshot[];
  packageConfiguration: { versionUpdateByJobsConfig: { enabled: boolean; roleArn?: string } };
  indexingConfiguration: IndexingConfiguration;
  jobs: JobSnapshot[];
  jobTemplates: JobTemplateSnapshot[];
}

const byKey = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

function sortedRecord(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}

/** Plain JSON with keys and lists in a stable order; undefined members left out. */
function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = v[k];
      return out;
    }
    return v;
  }));
}

export function snapshotOf(state: EmulatorState): CatalogSnapshot {
  const packages = [...state.packages.values()].sort(byKey((p) => p.packageName)).map((p): PackageSnapshot => ({
    packageName: p.packageName,
    description: p.description,
    defaultVersionName: p.defaultVersionName,
    tags: sortedRecord(p.tags),
    versions: [...p.versions.values()].sort(byKey((v) => v.versionName)).map((v): VersionSnapshot => ({
      versionName: v.versionName,
      status: v.status,
      description: v.description,
      attributes: sortedRecord(v.attributes),
      artifact: v.artifact,
      recipe: v.recipe,
      sbom: v.sbom,
      sbomValidationStatus: v.sbomValidationStatus,
      tags: sortedRecord(v.tags),
    })),
  }));
  const jobs = [...state.jobs.values()].sort(byKey((j) => j.jobId)).map((j): JobSnapshot => ({
    jobId: j.jobId,
    status: j.status,
    targets: j.targets,
    targetSelection: j.targetSelection,
    description: j.description,
    document: j.document,
    documentSource: j.documentSource,
    jobTemplateArn: j.jobTemplateArn,
    destinationPackageVersions: j.destinationPackageVersions,
    presignedUrlConfig: j.presignedUrlConfig,
    jobExecutionsRolloutConfig: j.jobExecutionsRolloutConfig,
    abortConfig: j.abortConfig,
    timeoutConfig: j.timeoutConfig,
    jobExecutionsRetryConfig: j.jobExecutionsRetryConfig,
    schedulingConfig: j.schedulingConfig,
    forceCanceled: j.forceCanceled,
    tags: sortedRecord(j.tags),
  }));
  const jobTemplates = [...state.jobTemplates.values()].sort(byKey((t) => t.jobTemplateId)).map((t): JobTemplateSnapshot => ({
    jobTemplateId: t.jobTemplateId,
    description: t.description,
    document: t.document,
    documentSource: t.documentSource,
    destinationPackageVersions: t.destinationPackageVersions,
    tags: sortedRecord(t.tags),
  }));
  return clean({
    packages,
    packageConfiguration: state.packageConfiguration,
    indexingConfiguration: state.indexing,
    jobs,
    jobTemplates,
  });
}
