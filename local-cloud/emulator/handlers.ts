/**
 * Operation handlers: the service rules. Each rule names its source in a comment:
 *  [model]  reference/iot-2015-05-28.service-2.json (shapes, errors, operation documentation)
 *  [guide]  IoT developer guide, "Preparing to use Software Package Catalog" (package version
 *           lifecycle), "Managing thing indexing", Jobs chapters
 *  [seed]   shared/seed-iot-package-catalog-api.txt (API reference text of the catalog APIs)
 *  [cfn]    reference/AWS_IoT_SoftwarePackageVersion.json (CloudFormation schema)
 *  [design] shared/DESIGN.md "Service rules"
 * Every handler checks everything first and changes state only when the request succeeds.
 */
import { ErrorFactory, ServiceError } from './errors';
import { EmulatorState, JobState, PackageState, S3Location, VersionState } from './state';

export interface EmulatorOptions {
  region: string;
  accountId: string;
  /** page size when the caller gives no maxResults (default 25) */
  defaultPageSize: number;
  /** delay before a DELETION_IN_PROGRESS job disappears (default 100 ms) */
  jobDeletionDelayMs: number;
  /** outcome of SBOM validation on the read after the association (default SUCCEEDED); MANUAL: stays IN_PROGRESS until a test sets it */
  sbomValidationResult: 'SUCCEEDED' | 'FAILED' | 'MANUAL';
  /** require s3Location.version for artifacts and SBOMs (default true, as the CloudFormation schema does) */
  requireS3ObjectVersion: boolean;
  quotas: { packages: number; versionsPerPackage: number };
}

export interface Ctx {
  op: string;
  input: Record<string, any>;
  state: EmulatorState;
  opts: EmulatorOptions;
  err: ErrorFactory;
  now: number;
}

export type Handler = (ctx: Ctx) => unknown;

// ---- helpers --------------------------------------------------------------------------------

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function arnPrefix(o: EmulatorOptions): string {
  return `arn:${partitionOf(o.region)}:iot:${o.region}:${o.accountId}`;
}
export const packageArn = (o: EmulatorOptions, p: string) => `${arnPrefix(o)}:package/${p}`;
export const versionArn = (o: EmulatorOptions, p: string, v: string) => `${arnPrefix(o)}:package/${p}/version/${v}`;
export const jobArn = (o: EmulatorOptions, id: string) => `${arnPrefix(o)}:job/${id}`;
export const jobTemplateArn = (o: EmulatorOptions, id: string) => `${arnPrefix(o)}:jobtemplate/${id}`;

type ParsedArn =
  | { type: 'package'; packageName: string }
  | { type: 'version'; packageName: string; versionName: string }
  | { type: 'job'; jobId: string }
  | { type: 'jobtemplate'; jobTemplateId: string }
  | { type: 'other'; resource: string };

/** Parses an IoT ARN of this account and region; undefined when malformed. */
function parseArn(o: EmulatorOptions, arn: string): ParsedArn | { type: 'foreign' } | undefined {
  const m = /^arn:(aws|aws-cn|aws-us-gov):iot:([a-z0-9-]+):(\d{12}):(.+)$/.exec(arn);
  if (!m) return undefined;
  if (m[1] !== partitionOf(o.region) || m[2] !== o.region || m[3] !== o.accountId) return { type: 'foreign' };
  const resource = m[4];
  let r: RegExpExecArray | null;
  if ((r = /^package\/([^/]+)\/version\/([^/]+)$/.exec(resource))) return { type: 'version', packageName: r[1], versionName: r[2] };
  if ((r = /^package\/([^/]+)$/.exec(resource))) return { type: 'package', packageName: r[1] };
  if ((r = /^job\/([^/]+)$/.exec(resource))) return { type: 'job', jobId: r[1] };
  if ((r = /^jobtemplate\/([^/]+)$/.exec(resource))) return { type: 'jobtemplate', jobTemplateId: r[1] };
  return { type: 'other', resource };
}

/** Tag keys cannot start with `aws:` (reserved) [cfn: Tag.Key description; AWS tagging rules]. */
function checkTagKeys(ctx: Ctx, keys: string[]): void {
  const reserved = keys.filter((k) => k.toLowerCase().startsWith('aws:'));
  if (reserved.length) throw ctx.err.validation(`Tag keys cannot start with the reserved prefix 'aws:': ${reserved.join(', ')}`);
}

/** ≤ 50 tags per resource [design: "≤ 50 tags"; model: TagMap max 50]. */
const MAX_TAGS = 50;

function tagListToMap(list: { Key: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) out[t.Key] = t.Value ?? '';
  return out;
}

/** "The combined size of all the attributes on a package version is limited to 3KB." [seed] */
const MAX_ATTRIBUTES_BYTES = 3 * 1024;
function checkAttributes(ctx: Ctx, attributes: Record<string, string> | undefined): void {
  if (!attributes) return;
  let size = 0;
  for (const [k, v] of Object.entries(attributes)) size += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(v, 'utf8');
  if (size > MAX_ATTRIBUTES_BYTES) {
    throw ctx.err.validation(`The combined size of all the attributes on a package version is limited to 3KB (${MAX_ATTRIBUTES_BYTES} bytes); got ${size} bytes`);
  }
}

/** An artifact or SBOM names an S3 object: bucket, key and object version [cfn: S3Location required Bucket, Key, Version]. */
function checkS3Location(ctx: Ctx, what: 'artifact' | 'sbom', value: { s3Location?: S3Location } | undefined): void {
  if (value === undefined) return;
  const loc = value.s3Location;
  const missing: string[] = [];
  if (!loc) {missing.push('s3Location');} else {
    if (!loc.bucket) missing.push('s3Location.bucket');
    if (!loc.key) missing.push('s3Location.key');
    if (ctx.opts.requireS3ObjectVersion && !loc.version) missing.push('s3Location.version');
  }
  if (missing.length) throw ctx.err.validation(`${what} must name an S3 object: missing ${missing.join(', ')}`);
}

function getPackage(ctx: Ctx, name: string): PackageState {
  const p = ctx.state.packages.get(name);
  if (!p) throw ctx.err.notFound(`Package ${name} does not exist`);
  return p;
}

function getVersion(ctx: Ctx, packageName: string, versionName: string): { pkg: PackageState; ver: VersionState } {
  const pkg = ctx.state.packages.get(packageName);
  const ver = pkg?.versions.get(versionName);
  if (!pkg || !ver) throw ctx.err.notFound(`Package version ${packageName}/${versionName} does not exist`);
  return { pkg, ver };
}

/** Resolves a pending SBOM validation on read: IN_PROGRESS on the association, the result on the next read. */
function settleSbom(ver: VersionState): void {
  if (ver.sbomValidationStatus === 'IN_PROGRESS' && ver.sbomPendingResult) {
    ver.sbomValidationStatus = ver.sbomPendingResult;
    ver.sbomPendingResult = undefined;
  }
}

interface PageToken { o: string; f: string; k: string }

/** Key-based pagination (stable when items are deleted between pages); the token is bound to the operation and filters. */
function paginate<T>(ctx: Ctx, items: T[], key: (t: T) => string, filterKey = ''): { page: T[]; nextToken?: string } {
  const max: number = ctx.input.maxResults ?? ctx.opts.defaultPageSize;
  let start = 0;
  if (ctx.input.nextToken !== undefined) {
    let tok: PageToken | undefined;
    try {
      tok = JSON.parse(Buffer.from(ctx.input.nextToken, 'base64url').toString('utf8'));
    } catch {
      tok = undefined;
    }
    if (!tok || tok.o !== ctx.op || tok.f !== filterKey || typeof tok.k !== 'string') throw ctx.err.validation('The nextToken is not valid for this request');
    start = items.findIndex((t) => key(t) > tok!.k);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + max);
  const more = start + max < items.length;
  const nextToken = more ? Buffer.from(JSON.stringify({ o: ctx.op, f: filterKey, k: key(page[page.length - 1]) })).toString('base64url') : undefined;
  return { page, nextToken };
}

const sortBy = <T>(items: T[], key: (t: T) => string) => [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

// ---- packages -------------------------------------------------------------------------------

function packageView(ctx: Ctx, p: PackageState) {
  return {
    packageName: p.packageName,
    packageArn: packageArn(ctx.opts, p.packageName),
    description: p.description,
    defaultVersionName: p.defaultVersionName,
    creationDate: p.creationDate,
    lastModifiedDate: p.lastModifiedDate,
  };
}

const CreatePackage: Handler = (ctx) => {
  const { packageName, description, tags } = ctx.input;
  checkTagKeys(ctx, Object.keys(tags ?? {}));
  // A second create of an existing name (without the same clientToken) conflicts [model: ConflictException "A resource with the same name already exists"].
  if (ctx.state.packages.has(packageName)) throw ctx.err.alreadyExists(`Package ${packageName} already exists`, packageName);
  if (ctx.state.packages.size >= ctx.opts.quotas.packages) throw ctx.err.quota(`Quota of ${ctx.opts.quotas.packages} software packages per account reached`);
  const pkg: PackageState = {
    packageName, description, tags: { ...(tags ?? {}) }, versions: new Map(), creationDate: ctx.now, lastModifiedDate: ctx.now,
  };
  ctx.state.packages.set(packageName, pkg);
  return { packageName, packageArn: packageArn(ctx.opts, packageName), description };
};

const GetPackage: Handler = (ctx) => packageView(ctx, getPackage(ctx, ctx.input.packageName));

const UpdatePackage: Handler = (ctx) => {
  const { packageName, description, defaultVersionName, unsetDefaultVersion } = ctx.input;
  // "You cannot name a defaultVersion and set unsetDefaultVersion equal to true at the same time." [seed][model]
  if (defaultVersionName !== undefined && unsetDefaultVersion === true) {
    throw ctx.err.validation('You cannot name a defaultVersionName and set unsetDefaultVersion to true in the same request');
  }
  const pkg = getPackage(ctx, packageName);
  if (defaultVersionName !== undefined) {
    const ver = pkg.versions.get(defaultVersionName);
    if (!ver) throw ctx.err.notFound(`Package version ${packageName}/${defaultVersionName} does not exist`);
    // Only a published (or deprecated) version can be the default: "While in this state [published], you can choose to identify
    // the package version as the default version"; "You can also name a deprecated package version as the default version" [guide][design].
    if (ver.status === 'DRAFT') {
      throw ctx.err.stateConflict(`Package version ${packageName}/${defaultVersionName} is DRAFT; only a PUBLISHED or DEPRECATED version can be the default version. Publish it first (UpdatePackageVersion action PUBLISH)`, defaultVersionName);
    }
  }
  if (description !== undefined) pkg.description = description;
  if (defaultVersionName !== undefined) pkg.defaultVersionName = defaultVersionName;
  if (unsetDefaultVersion === true) pkg.defaultVersionName = undefined;
  pkg.lastModifiedDate = ctx.now;
  return {};
};

const DeletePackage: Handler = (ctx) => {
  const pkg = ctx.state.packages.get(ctx.input.packageName);
  // The model lists no ResourceNotFoundException for DeletePackage (an idempotent operation): deleting a missing package succeeds [model].
  if (!pkg) return {};
  // "All package versions must be deleted before deleting the software package." [model][seed] DeletePackage lists no
  // ConflictException, so the state conflict is a ValidationException (400).
  if (pkg.versions.size > 0) {
    const names = sortBy([...pkg.versions.keys()], (n) => n);
    throw ctx.err.stateConflict(`Package ${pkg.packageName} still has ${names.length} version(s) (${names.join(', ')}); all package versions must be deleted before deleting the software package`, pkg.packageName);
  }
  ctx.state.packages.delete(pkg.packageName);
  return {};
};

const ListPackages: Handler = (ctx) => {
  const all = sortBy([...ctx.state.packages.values()], (p) => p.packageName);
  const { page, nextToken } = paginate(ctx, all, (p) => p.packageName);
  return {
    packageSummaries: page.map((p) => ({
      packageName: p.packageName, defaultVersionName: p.defaultVersionName, creationDate: p.creationDate, lastModifiedDate: p.lastModifiedDate,
    })),
    nextToken,
  };
};

// ---- package versions -------------------------------------------------------------------------

function versionView(ctx: Ctx, packageName: string, v: VersionState) {
  return {
    packageVersionArn: versionArn(ctx.opts, packageName, v.versionName),
    packageName,
    versionName: v.versionName,
    description: v.description,
    attributes: v.attributes,
    artifact: v.artifact,
    status: v.status,
    creationDate: v.creationDate,
    lastModifiedDate: v.lastModifiedDate,
    sbom: v.sbom,
    sbomValidationStatus: v.sbomValidationStatus,
    recipe: v.recipe,
  };
}

const CreatePackageVersion: Handler = (ctx) => {
  const { packageName, versionName, description, attributes, artifact, recipe, tags } = ctx.input;
  checkTagKeys(ctx, Object.keys(tags ?? {}));
  checkAttributes(ctx, attributes);
  checkS3Location(ctx, 'artifact', artifact);
  // "Creates a new version for an existing IoT software package." [seed] CreatePackageVersion lists no
  // ResourceNotFoundException: a missing package is a ValidationException.
  const pkg = getPackage(ctx, packageName);
  if (pkg.versions.has(versionName)) throw ctx.err.alreadyExists(`Package version ${packageName}/${versionName} already exists`, versionName);
  if (pkg.versions.size >= ctx.opts.quotas.versionsPerPackage) throw ctx.err.quota(`Quota of ${ctx.opts.quotas.versionsPerPackage} versions per package reached for ${packageName}`);
  // "When you create a package version, it's in a draft state." [guide]
  const ver: VersionState = {
    versionName,
    status: 'DRAFT',
    description,
    attributes: { ...(attributes ?? {}) },
    artifact,
    recipe,
    tags: { ...(tags ?? {}) },
    creationDate: ctx.now,
    lastModifiedDate: ctx.now,
  };
  pkg.versions.set(versionName, ver);
  return {
    packageVersionArn: versionArn(ctx.opts, packageName, versionName),
    packageName,
    versionName,
    description,
    attributes: ver.attributes,
    status: ver.status,
  };
};

const GetPackageVersion: Handler = (ctx) => {
  const { ver } = getVersion(ctx, ctx.input.packageName, ctx.input.versionName);
  settleSbom(ver);
  return versionView(ctx, ctx.input.packageName, ver);
};

const UpdatePackageVersion: Handler = (ctx) => {
  const { packageName, versionName, description, attributes, artifact, action, recipe } = ctx.input;
  const { ver } = getVersion(ctx, packageName, versionName);
  checkAttributes(ctx, attributes);
  checkS3Location(ctx, 'artifact', artifact);
  // "Attributes can be updated only when the package version is in a draft state." [seed][model];
  // published/deprecated: "you can edit only the description and tags" [guide]; the artifact likewise [design].
  // The version's state forbids it → ConflictException (409), nothing changed.
  if (ver.status !== 'DRAFT') {
    const fields = [attributes !== undefined ? 'attributes' : undefined, artifact !== undefined ? 'artifact' : undefined].filter(Boolean);
    if (fields.length) {
      throw ctx.err.stateConflict(`Package version ${packageName}/${versionName} is ${ver.status}: ${fields.join(' and ')} can be changed only while the version is DRAFT; create a new versionName instead`, versionName);
    }
  }
  // Lifecycle [guide][design]: PUBLISH moves DRAFT → PUBLISHED and DEPRECATED → PUBLISHED; DEPRECATE moves PUBLISHED → DEPRECATED.
  // Nothing returns to DRAFT; DEPRECATE of a DRAFT is a state conflict. Repeating the current state is a no-op (idempotent operation [model]).
  let newStatus = ver.status;
  if (action === 'PUBLISH') {
    newStatus = 'PUBLISHED';
  } else if (action === 'DEPRECATE') {
    if (ver.status === 'DRAFT') {
      throw ctx.err.stateConflict(`Package version ${packageName}/${versionName} is DRAFT and cannot be deprecated; only a PUBLISHED version can be deprecated (publish it first)`, versionName);
    }
    newStatus = 'DEPRECATED';
  }
  if (description !== undefined) ver.description = description;
  if (attributes !== undefined) ver.attributes = { ...attributes };
  if (artifact !== undefined) ver.artifact = artifact;
  if (recipe !== undefined) ver.recipe = recipe;
  ver.status = newStatus;
  ver.lastModifiedDate = ctx.now;
  return {};
};

const DeletePackageVersion: Handler = (ctx) => {
  const { packageName, versionName } = ctx.input;
  const pkg = ctx.state.packages.get(packageName);
  const ver = pkg?.versions.get(versionName);
  // No ResourceNotFoundException in the model for this idempotent delete: a missing version (or package) is a success [model].
  if (!pkg || !ver) return {};
  // "If a package version is designated as default, you must remove the designation from the software package using the
  // UpdatePackage action." [model][seed] DeletePackageVersion lists no ConflictException → ValidationException (400).
  if (pkg.defaultVersionName === versionName) {
    throw ctx.err.stateConflict(`Package version ${packageName}/${versionName} is the default version of ${packageName}; unset it first (UpdatePackage unsetDefaultVersion or a new defaultVersionName)`, versionName);
  }
  pkg.versions.delete(versionName);
  return {};
};

const ListPackageVersions: Handler = (ctx) => {
  const pkg = getPackage(ctx, ctx.input.packageName);
  const status: string | undefined = ctx.input.status;
  const all = sortBy([...pkg.versions.values()].filter((v) => !status || v.status === status), (v) => v.versionName);
  const { page, nextToken } = paginate(ctx, all, (v) => v.versionName, `${pkg.packageName}|${status ?? ''}`);
  return {
    packageVersionSummaries: page.map((v) => ({
      packageName: pkg.packageName, versionName: v.versionName, status: v.status, creationDate: v.creationDate, lastModifiedDate: v.lastModifiedDate,
    })),
    nextToken,
  };
};

// ---- SBOM -------------------------------------------------------------------------------------

const AssociateSbomWithPackageVersion: Handler = (ctx) => {
  const { packageName, versionName, sbom } = ctx.input;
  checkS3Location(ctx, 'sbom', sbom);
  const { ver } = getVersion(ctx, packageName, versionName);
  // The SBOM stays editable in every state [design]. Validation runs asynchronously: IN_PROGRESS first.
  ver.sbom = sbom;
  ver.sbomValidationStatus = 'IN_PROGRESS';
  ver.sbomPendingResult = ctx.opts.sbomValidationResult === 'MANUAL' ? undefined : ctx.opts.sbomValidationResult;
  ver.lastModifiedDate = ctx.now;
  return { packageName, versionName, sbom, sbomValidationStatus: 'IN_PROGRESS' };
};

const DisassociateSbomFromPackageVersion: Handler = (ctx) => {
  const { ver } = getVersion(ctx, ctx.input.packageName, ctx.input.versionName);
  // With no SBOM there is nothing to disassociate: the request conflicts with the version's state
  // [model: ConflictException "The request conflicts with the current state of the resource"].
  if (!ver.sbom) throw ctx.err.stateConflict(`Package version ${ctx.input.packageName}/${ctx.input.versionName} has no SBOM to disassociate`);
  ver.sbom = undefined;
  ver.sbomValidationStatus = undefined;
  ver.sbomPendingResult = undefined;
  ver.lastModifiedDate = ctx.now;
  return {};
};

const ListSbomValidationResults: Handler = (ctx) => {
  const { ver } = getVersion(ctx, ctx.input.packageName, ctx.input.versionName);
  settleSbom(ver);
  const results: any[] = [];
  if (ver.sbom && (ver.sbomValidationStatus === 'SUCCEEDED' || ver.sbomValidationStatus === 'FAILED')) {
    const fileName = (ver.sbom.s3Location?.key ?? '').split('/').pop();
    results.push(ver.sbomValidationStatus === 'SUCCEEDED'
      ? { fileName, validationResult: 'SUCCEEDED' }
      : { fileName, validationResult: 'FAILED', errorCode: 'INCOMPATIBLE_FORMAT', errorMessage: 'The SBOM is not in a supported format (SPDX or CycloneDX)' });
  }
  const filtered = results.filter((r) => !ctx.input.validationResult || r.validationResult === ctx.input.validationResult);
  const { page, nextToken } = paginate(ctx, filtered, (r) => r.fileName, `${ctx.input.packageName}|${ctx.input.versionName}|${ctx.input.validationResult ?? ''}`);
  return { validationResultSummaries: page, nextToken };
};

// ---- package configuration ----------------------------------------------------------------------

const GetPackageConfiguration: Handler = (ctx) => ({ versionUpdateByJobsConfig: { ...ctx.state.packageConfiguration.versionUpdateByJobsConfig } });

const IAM_ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role\/[\w+=,.@\/-]+$/;

const UpdatePackageConfiguration: Handler = (ctx) => {
  const cfg = ctx.input.versionUpdateByJobsConfig;
  if (cfg === undefined) return {};
  // roleArn: "the role that grants permission to the IoT jobs service to update the reserved named shadow" [seed]: an IAM role ARN;
  // enabling the update needs that role [design].
  if (cfg.roleArn !== undefined && !IAM_ROLE_ARN.test(cfg.roleArn)) throw ctx.err.validation(`roleArn ${cfg.roleArn} is not an IAM role ARN`);
  if (cfg.enabled === true && !cfg.roleArn) throw ctx.err.validation('versionUpdateByJobsConfig.roleArn is required when enabled is true');
  ctx.state.packageConfiguration = { versionUpdateByJobsConfig: { enabled: cfg.enabled ?? false, ...(cfg.roleArn ? { roleArn: cfg.roleArn } : {}) } };
  return {};
};

// ---- tags ---------------------------------------------------------------------------------------

function taggable(ctx: Ctx, arn: string): { tags: Record<string, string> } {
  const parsed = parseArn(ctx.opts, arn);
  if (!parsed) throw ctx.err.validation(`resourceArn ${arn} is not a valid ARN`);
  const missing = () => ctx.err.notFound(`Resource ${arn} does not exist`);
  switch (parsed.type) {
    case 'package': {
      const p = ctx.state.packages.get(parsed.packageName);
      if (!p) throw missing();
      return p;
    }
    case 'version': {
      const v = ctx.state.packages.get(parsed.packageName)?.versions.get(parsed.versionName);
      if (!v) throw missing();
      return v;
    }
    case 'job': {
      const j = ctx.state.jobs.get(parsed.jobId);
      if (!j) throw missing();
      return j;
    }
    case 'jobtemplate': {
      const t = ctx.state.jobTemplates.get(parsed.jobTemplateId);
      if (!t) throw missing();
      return t;
    }
    default:
      throw missing();
  }
}

const TagResource: Handler = (ctx) => {
  const res = taggable(ctx, ctx.input.resourceArn);
  const add = tagListToMap(ctx.input.tags);
  checkTagKeys(ctx, Object.keys(add));
  const merged = { ...res.tags, ...add };
  if (Object.keys(merged).length > MAX_TAGS) throw ctx.err.named('LimitExceededException', `A resource can have at most ${MAX_TAGS} tags; this request would give ${ctx.input.resourceArn} ${Object.keys(merged).length}`);
  res.tags = merged;
  return {};
};

const UntagResource: Handler = (ctx) => {
  const res = taggable(ctx, ctx.input.resourceArn);
  const next = { ...res.tags };
  for (const k of ctx.input.tagKeys as string[]) delete next[k];
  res.tags = next;
  return {};
};

const ListTagsForResource: Handler = (ctx) => {
  const res = taggable(ctx, ctx.input.resourceArn);
  const all = sortBy(Object.entries(res.tags).map(([Key, Value]) => ({ Key, Value })), (t) => t.Key);
  const { page, nextToken } = paginate({ ...ctx, input: { ...ctx.input, maxResults: MAX_TAGS } }, all, (t) => t.Key, ctx.input.resourceArn);
  return { tags: page, nextToken };
};

// ---- fleet indexing -----------------------------------------------------------------------------

/** Named shadows per indexing filter [guide: "Managing thing indexing" — up to 10 named shadow names]. */
const MAX_NAMED_SHADOW_NAMES = 10;

const GetIndexingConfiguration: Handler = (ctx) => JSON.parse(JSON.stringify(ctx.state.indexing));

const UpdateIndexingConfiguration: Handler = (ctx) => {
  const thing = ctx.input.thingIndexingConfiguration;
  const group = ctx.input.thingGroupIndexingConfiguration;
  if (thing) {
    const mode = thing.thingIndexingMode;
    const problems: string[] = [];
    // Connectivity, Device Defender and named-shadow indexing add to thing indexing: they need thingIndexingMode other than OFF [guide].
    if (mode === 'OFF') {
      if (thing.thingConnectivityIndexingMode === 'STATUS') problems.push('thingConnectivityIndexingMode STATUS requires thingIndexingMode REGISTRY or REGISTRY_AND_SHADOW');
      if (thing.deviceDefenderIndexingMode === 'VIOLATIONS') problems.push('deviceDefenderIndexingMode VIOLATIONS requires thingIndexingMode REGISTRY or REGISTRY_AND_SHADOW');
    }
    // Named shadows are shadow data: namedShadowIndexingMode ON needs thingIndexingMode REGISTRY_AND_SHADOW [guide].
    if (thing.namedShadowIndexingMode === 'ON' && mode !== 'REGISTRY_AND_SHADOW') problems.push('namedShadowIndexingMode ON requires thingIndexingMode REGISTRY_AND_SHADOW');
    const names: string[] = thing.filter?.namedShadowNames ?? [];
    // filter.namedShadowNames selects the named shadows to index: only with namedShadowIndexingMode ON, at most 10 [guide].
    if (names.length > 0 && thing.namedShadowIndexingMode !== 'ON') problems.push('filter.namedShadowNames requires namedShadowIndexingMode ON');
    if (names.length > MAX_NAMED_SHADOW_NAMES) problems.push(`filter.namedShadowNames can list at most ${MAX_NAMED_SHADOW_NAMES} names (got ${names.length})`);
    if (new Set(names).size !== names.length) problems.push('filter.namedShadowNames contains duplicates');
    // Geolocation indexing: one geolocation field [guide: "Indexing location data"].
    if ((thing.filter?.geoLocations ?? []).length > 1) problems.push('filter.geoLocations can list at most 1 location field');
    if (problems.length) throw ctx.err.validation(`Invalid thingIndexingConfiguration: ${problems.join('; ')}`);
  }
  if (thing) ctx.state.indexing.thingIndexingConfiguration = JSON.parse(JSON.stringify(thing));
  if (group) ctx.state.indexing.thingGroupIndexingConfiguration = JSON.parse(JSON.stringify(group));
  return {};
};

// ---- jobs ---------------------------------------------------------------------------------------

/** "destinationPackageVersions: 1 to 25 (the seed API text said 5; the service now takes 25)" [design]. */
const MAX_DESTINATION_PACKAGE_VERSIONS = 25;
/** "Only 10 jobs may have status DELETION_IN_PROGRESS at the same time, or a LimitExceededException will occur." [model] */
const MAX_JOBS_DELETION_IN_PROGRESS = 10;

/**
 * Package versions a job (or template) installs: version ARNs of this account/region, that exist, and are not DRAFT
 * ("While the package version in this state [draft], you can't deploy it"; published and deprecated versions can be deployed) [guide].
 */
function checkDestinationPackageVersions(ctx: Ctx, arns: string[] | undefined): void {
  if (!arns) return;
  if (arns.length === 0 || arns.length > MAX_DESTINATION_PACKAGE_VERSIONS) {
    throw ctx.err.validation(`destinationPackageVersions must list 1 to ${MAX_DESTINATION_PACKAGE_VERSIONS} package version ARNs (got ${arns.length})`);
  }
  if (new Set(arns).size !== arns.length) throw ctx.err.validation('destinationPackageVersions contains duplicate ARNs');
  for (const arn of arns) {
    const parsed = parseArn(ctx.opts, arn);
    if (!parsed || parsed.type !== 'version') throw ctx.err.validation(`${arn} is not a package version ARN of ${ctx.opts.accountId} in ${ctx.opts.region}`);
    const pkg = ctx.state.packages.get(parsed.packageName);
    // "$null" uninstalls the package; "$default" installs the package's default version [guide].
    if (parsed.versionName === '$null') {
      if (!pkg) throw ctx.err.notFound(`Package ${parsed.packageName} does not exist`);
      continue;
    }
    const versionName = parsed.versionName === '$default' ? pkg?.defaultVersionName : parsed.versionName;
    if (parsed.versionName === '$default' && pkg && !versionName) {
      throw ctx.err.validation(`Package ${parsed.packageName} has no default version to deploy as $default`);
    }
    const ver = versionName === undefined ? undefined : pkg?.versions.get(versionName);
    if (!ver) throw ctx.err.notFound(`Package version ${parsed.packageName}/${parsed.versionName} does not exist`);
    if (ver.status === 'DRAFT') throw ctx.err.validation(`Package version ${parsed.packageName}/${parsed.versionName} is DRAFT and cannot be deployed; publish it first`);
  }
}

/**
 * The job document must be a JSON document. A pre-signed URL placeholder
 * `${aws:iot:package:<p>:version:<v>:artifact-location:s3-presigned-url}` needs presignedUrlConfig.roleArn [design].
 */
function checkDocument(ctx: Ctx, document: string | undefined, presignedUrlConfig: any): void {
  if (document === undefined) return;
  try {
    JSON.parse(document);
  } catch {
    throw ctx.err.validation('The job document is not valid JSON');
  }
  if (/\$\{aws:iot:package:[^}]*:artifact-location:s3-presigned-url\}/.test(document) && !presignedUrlConfig?.roleArn) {
    throw ctx.err.validation('The job document uses an artifact pre-signed URL placeholder; presignedUrlConfig.roleArn is required');
  }
}

/** Targets are thing or thing-group ARNs of this account and region [model: JobTargets doc "A list of things and thing groups"]. */
function checkTargets(ctx: Ctx, targets: string[]): void {
  for (const t of targets) {
    const parsed = parseArn(ctx.opts, t);
    if (!parsed || parsed.type !== 'other' || !/^(thing|thinggroup)\/[a-zA-Z0-9:_-]+$/.test(parsed.resource)) {
      throw ctx.err.validation(`Target ${t} is not a thing or thing group ARN of ${ctx.opts.accountId} in ${ctx.opts.region}`);
    }
  }
}

function jobView(ctx: Ctx, j: JobState) {
  return {
    jobArn: jobArn(ctx.opts, j.jobId),
    jobId: j.jobId,
    targetSelection: j.targetSelection,
    status: j.status,
    forceCanceled: j.forceCanceled,
    reasonCode: j.reasonCode,
    comment: j.comment,
    targets: j.targets,
    description: j.description,
    presignedUrlConfig: j.presignedUrlConfig,
    jobExecutionsRolloutConfig: j.jobExecutionsRolloutConfig,
    abortConfig: j.abortConfig,
    createdAt: j.createdAt,
    lastUpdatedAt: j.lastUpdatedAt,
    completedAt: j.completedAt,
    jobProcessDetails: {
      numberOfCanceledThings: 0,
      numberOfSucceededThings: 0,
      numberOfFailedThings: 0,
      numberOfRejectedThings: 0,
      numberOfQueuedThings: 0,
      numberOfInProgressThings: 0,
      numberOfRemovedThings: 0,
      numberOfTimedOutThings: 0,
    },
    timeoutConfig: j.timeoutConfig,
    namespaceId: j.namespaceId,
    jobTemplateArn: j.jobTemplateArn,
    jobExecutionsRetryConfig: j.jobExecutionsRetryConfig,
    documentParameters: j.documentParameters,
    isConcurrent: false,
    schedulingConfig: j.schedulingConfig,
    destinationPackageVersions: j.destinationPackageVersions,
  };
}

function getJob(ctx: Ctx, jobId: string): JobState {
  const j = ctx.state.jobs.get(jobId);
  if (!j) throw ctx.err.notFound(`Job ${jobId} does not exist`);
  return j;
}

const CreateJob: Handler = (ctx) => {
  const i = ctx.input;
  if (ctx.state.jobs.has(i.jobId)) throw ctx.err.alreadyExists(`Job ${i.jobId} already exists`, i.jobId, jobArn(ctx.opts, i.jobId));
  checkTargets(ctx, i.targets);
  const sources = ['document', 'documentSource', 'jobTemplateArn'].filter((k) => i[k] !== undefined);
  // One job document: inline, from S3, or from a job template.
  if (sources.length !== 1) throw ctx.err.validation(`Specify exactly one of document, documentSource or jobTemplateArn (got ${sources.length ? sources.join(', ') : 'none'})`);
  let template;
  if (i.jobTemplateArn !== undefined) {
    const parsed = parseArn(ctx.opts, i.jobTemplateArn);
    template = parsed?.type === 'jobtemplate' ? ctx.state.jobTemplates.get(parsed.jobTemplateId) : undefined;
    if (!template) throw ctx.err.notFound(`Job template ${i.jobTemplateArn} does not exist`);
  }
  // "documentParameters can only be used when creating jobs from Amazon Web Services managed templates." [seed]
  if (i.documentParameters !== undefined) throw ctx.err.validation('documentParameters can only be used with AWS managed job templates');
  const presignedUrlConfig = i.presignedUrlConfig ?? template?.presignedUrlConfig;
  checkDocument(ctx, i.document ?? template?.document, presignedUrlConfig);
  const destinationPackageVersions = i.destinationPackageVersions ?? template?.destinationPackageVersions;
  checkDestinationPackageVersions(ctx, destinationPackageVersions);
  const tags = tagListToMap(i.tags);
  checkTagKeys(ctx, Object.keys(tags));
  if (Object.keys(tags).length > MAX_TAGS) throw ctx.err.validation(`At most ${MAX_TAGS} tags`);
  const job: JobState = {
    jobId: i.jobId,
    // A job with a scheduled start is SCHEDULED until then; otherwise it starts IN_PROGRESS [model: JobStatus, SchedulingConfig].
    status: i.schedulingConfig?.startTime ? 'SCHEDULED' : 'IN_PROGRESS',
    targets: [...i.targets],
    targetSelection: i.targetSelection ?? 'SNAPSHOT',
    description: i.description,
    document: i.document ?? template?.document,
    documentSource: i.documentSource ?? template?.documentSource,
    jobTemplateArn: i.jobTemplateArn,
    presignedUrlConfig,
    jobExecutionsRolloutConfig: i.jobExecutionsRolloutConfig ?? template?.jobExecutionsRolloutConfig,
    abortConfig: i.abortConfig ?? template?.abortConfig,
    timeoutConfig: i.timeoutConfig ?? template?.timeoutConfig,
    jobExecutionsRetryConfig: i.jobExecutionsRetryConfig ?? template?.jobExecutionsRetryConfig,
    schedulingConfig: i.schedulingConfig,
    namespaceId: i.namespaceId,
    destinationPackageVersions: destinationPackageVersions ? [...destinationPackageVersions] : [],
    tags,
    createdAt: ctx.now,
    lastUpdatedAt: ctx.now,
  };
  ctx.state.jobs.set(job.jobId, job);
  return { jobArn: jobArn(ctx.opts, job.jobId), jobId: job.jobId, description: job.description };
};

const DescribeJob: Handler = (ctx) => {
  const j = getJob(ctx, ctx.input.jobId);
  return { documentSource: j.documentSource, job: jobView(ctx, j) };
};

/**
 * The job document; unless `beforeSubstitution` is true, with its package placeholders resolved:
 * attributes to their values, the artifact location to a pre-signed URL [model: GetJobDocument
 * beforeSubstitution "a view of the job document before and after the substitution parameters
 * have been resolved"].
 */
const GetJobDocument: Handler = (ctx) => {
  const document = getJob(ctx, ctx.input.jobId).document;
  if (document === undefined || ctx.input.beforeSubstitution === true) return { document };
  const resolved = document.replace(/\$\{aws:iot:package:([^:}]+):version:([^:}]+):(attributes:([^}]+)|artifact-location:s3-presigned-url)\}/g,
    (placeholder, packageName: string, versionName: string, _what: string, attribute?: string) => {
      const version = ctx.state.packages.get(packageName)?.versions.get(versionName);
      if (!version) return placeholder;
      if (attribute !== undefined) return version.attributes[attribute] ?? placeholder;
      const location = version.artifact?.s3Location;
      return location ? `https://${location.bucket}.s3.amazonaws.com/${location.key}?versionId=${location.version}&X-Amz-Signature=emulated` : placeholder;
    });
  return { document: resolved };
};

const UpdateJob: Handler = (ctx) => {
  const i = ctx.input;
  const j = getJob(ctx, i.jobId);
  if (j.status === 'DELETION_IN_PROGRESS') throw ctx.err.validation(`Job ${j.jobId} is being deleted`);
  // UpdateJob changes only description, presignedUrlConfig, rollout, abort, timeout and retry configuration [model: UpdateJobRequest].
  if (i.presignedUrlConfig !== undefined) checkDocument(ctx, j.document, i.presignedUrlConfig ?? j.presignedUrlConfig);
  for (const k of ['description', 'presignedUrlConfig', 'jobExecutionsRolloutConfig', 'abortConfig', 'timeoutConfig', 'jobExecutionsRetryConfig'] as const) {
    if (i[k] !== undefined) (j as any)[k] = i[k];
  }
  j.lastUpdatedAt = ctx.now;
  return {};
};

const CancelJob: Handler = (ctx) => {
  const i = ctx.input;
  const j = getJob(ctx, i.jobId);
  // Only a running (or scheduled) job can be canceled; "Attempting to delete or cancel a job whose status is already
  // DELETION_IN_PROGRESS will result in an error." [model] CancelJob lists no state error → InvalidRequestException.
  if (j.status !== 'IN_PROGRESS' && j.status !== 'SCHEDULED') throw ctx.err.validation(`Job ${j.jobId} is ${j.status} and cannot be canceled`);
  j.status = 'CANCELED';
  j.forceCanceled = i.force === true ? true : undefined;
  j.reasonCode = i.reasonCode;
  j.comment = i.comment;
  j.lastUpdatedAt = ctx.now;
  j.completedAt = ctx.now;
  return { jobArn: jobArn(ctx.opts, j.jobId), jobId: j.jobId, description: j.description };
};

const DeleteJob: Handler = (ctx) => {
  const i = ctx.input;
  const j = getJob(ctx, i.jobId);
  // [model] DeleteJob doc and InvalidStateTransitionException ("deleting a job ... which is IN_PROGRESS without setting the force parameter").
  if (j.status === 'DELETION_IN_PROGRESS') throw ctx.err.named('InvalidStateTransitionException', `Job ${j.jobId} is already DELETION_IN_PROGRESS`);
  if (j.status === 'IN_PROGRESS' && i.force !== true) throw ctx.err.named('InvalidStateTransitionException', `Job ${j.jobId} is IN_PROGRESS; cancel it first or delete it with force=true`);
  const deleting = [...ctx.state.jobs.values()].filter((x) => x.status === 'DELETION_IN_PROGRESS').length;
  if (deleting >= MAX_JOBS_DELETION_IN_PROGRESS) throw ctx.err.named('LimitExceededException', `Only ${MAX_JOBS_DELETION_IN_PROGRESS} jobs may have status DELETION_IN_PROGRESS at the same time`);
  if (ctx.opts.jobDeletionDelayMs <= 0) {
    ctx.state.jobs.delete(j.jobId);
  } else {
    j.status = 'DELETION_IN_PROGRESS';
    j.lastUpdatedAt = ctx.now;
    j.deleteAt = ctx.now + ctx.opts.jobDeletionDelayMs;
  }
  return {};
};

const ListJobs: Handler = (ctx) => {
  const { status, targetSelection, thingGroupName, namespaceId } = ctx.input;
  const all = sortBy([...ctx.state.jobs.values()].filter((j) =>
    (!status || j.status === status) && (!targetSelection || j.targetSelection === targetSelection)
    && (!namespaceId || j.namespaceId === namespaceId)
    && (!thingGroupName || j.targets.some((t) => t.endsWith(`:thinggroup/${thingGroupName}`)))), (j) => j.jobId);
  const { page, nextToken } = paginate(ctx, all, (j) => j.jobId, JSON.stringify([status, targetSelection, thingGroupName, namespaceId]));
  return {
    jobs: page.map((j) => ({
      jobArn: jobArn(ctx.opts, j.jobId),
      jobId: j.jobId,
      targetSelection: j.targetSelection,
      status: j.status,
      createdAt: j.createdAt,
      lastUpdatedAt: j.lastUpdatedAt,
      completedAt: j.completedAt,
      isConcurrent: false,
    })),
    nextToken,
  };
};

// ---- job templates --------------------------------------------------------------------------------

const CreateJobTemplate: Handler = (ctx) => {
  const i = ctx.input;
  if (ctx.state.jobTemplates.has(i.jobTemplateId)) throw ctx.err.alreadyExists(`Job template ${i.jobTemplateId} already exists`, i.jobTemplateId);
  const sources = ['document', 'documentSource', 'jobArn'].filter((k) => i[k] !== undefined);
  if (sources.length !== 1) throw ctx.err.validation(`Specify exactly one of document, documentSource or jobArn (got ${sources.length ? sources.join(', ') : 'none'})`);
  let fromJob: JobState | undefined;
  if (i.jobArn !== undefined) {
    const parsed = parseArn(ctx.opts, i.jobArn);
    fromJob = parsed?.type === 'job' ? ctx.state.jobs.get(parsed.jobId) : undefined;
    if (!fromJob) throw ctx.err.notFound(`Job ${i.jobArn} does not exist`);
  }
  checkDocument(ctx, i.document, i.presignedUrlConfig);
  const destinationPackageVersions = i.destinationPackageVersions ?? fromJob?.destinationPackageVersions;
  checkDestinationPackageVersions(ctx, i.destinationPackageVersions);
  const tags = tagListToMap(i.tags);
  checkTagKeys(ctx, Object.keys(tags));
  ctx.state.jobTemplates.set(i.jobTemplateId, {
    jobTemplateId: i.jobTemplateId,
    description: i.description,
    document: i.document ?? fromJob?.document,
    documentSource: i.documentSource ?? fromJob?.documentSource,
    jobArn: i.jobArn,
    presignedUrlConfig: i.presignedUrlConfig ?? fromJob?.presignedUrlConfig,
    jobExecutionsRolloutConfig: i.jobExecutionsRolloutConfig ?? fromJob?.jobExecutionsRolloutConfig,
    abortConfig: i.abortConfig ?? fromJob?.abortConfig,
    timeoutConfig: i.timeoutConfig ?? fromJob?.timeoutConfig,
    jobExecutionsRetryConfig: i.jobExecutionsRetryConfig ?? fromJob?.jobExecutionsRetryConfig,
    maintenanceWindows: i.maintenanceWindows,
    destinationPackageVersions: destinationPackageVersions ? [...destinationPackageVersions] : [],
    tags,
    createdAt: ctx.now,
  });
  return { jobTemplateArn: jobTemplateArn(ctx.opts, i.jobTemplateId), jobTemplateId: i.jobTemplateId };
};

const DescribeJobTemplate: Handler = (ctx) => {
  const t = ctx.state.jobTemplates.get(ctx.input.jobTemplateId);
  if (!t) throw ctx.err.notFound(`Job template ${ctx.input.jobTemplateId} does not exist`);
  return {
    jobTemplateArn: jobTemplateArn(ctx.opts, t.jobTemplateId),
    jobTemplateId: t.jobTemplateId,
    description: t.description,
    documentSource: t.documentSource,
    document: t.document,
    createdAt: t.createdAt,
    presignedUrlConfig: t.presignedUrlConfig,
    jobExecutionsRolloutConfig: t.jobExecutionsRolloutConfig,
    abortConfig: t.abortConfig,
    timeoutConfig: t.timeoutConfig,
    jobExecutionsRetryConfig: t.jobExecutionsRetryConfig,
    maintenanceWindows: t.maintenanceWindows,
    destinationPackageVersions: t.destinationPackageVersions,
  };
};

const DeleteJobTemplate: Handler = (ctx) => {
  if (!ctx.state.jobTemplates.has(ctx.input.jobTemplateId)) throw ctx.err.notFound(`Job template ${ctx.input.jobTemplateId} does not exist`);
  ctx.state.jobTemplates.delete(ctx.input.jobTemplateId);
  return {};
};

const ListJobTemplates: Handler = (ctx) => {
  const all = sortBy([...ctx.state.jobTemplates.values()], (t) => t.jobTemplateId);
  const { page, nextToken } = paginate(ctx, all, (t) => t.jobTemplateId);
  return {
    jobTemplates: page.map((t) => ({
      jobTemplateArn: jobTemplateArn(ctx.opts, t.jobTemplateId), jobTemplateId: t.jobTemplateId, description: t.description, createdAt: t.createdAt,
    })),
    nextToken,
  };
};

export const HANDLERS: Record<string, Handler> = {
  CreatePackage,
  GetPackage,
  UpdatePackage,
  DeletePackage,
  ListPackages,
  CreatePackageVersion,
  GetPackageVersion,
  UpdatePackageVersion,
  DeletePackageVersion,
  ListPackageVersions,
  AssociateSbomWithPackageVersion,
  DisassociateSbomFromPackageVersion,
  ListSbomValidationResults,
  GetPackageConfiguration,
  UpdatePackageConfiguration,
  TagResource,
  UntagResource,
  ListTagsForResource,
  GetIndexingConfiguration,
  UpdateIndexingConfiguration,
  CreateJob,
  DescribeJob,
  GetJobDocument,
  UpdateJob,
  CancelJob,
  DeleteJob,
  ListJobs,
  CreateJobTemplate,
  DescribeJobTemplate,
  DeleteJobTemplate,
  ListJobTemplates,
};

/** Identifiers of the resource a call addresses, for `failOperation(..., { resource })`. */
export function resourcesOf(input: Record<string, any>): string[] {
  const out: string[] = [];
  if (input.packageName) out.push(input.packageName);
  if (input.packageName && input.versionName) out.push(`${input.packageName}/${input.versionName}`);
  if (input.jobId) out.push(input.jobId);
  if (input.jobTemplateId) out.push(input.jobTemplateId);
  if (input.resourceArn) out.push(input.resourceArn);
  return out;
}

export { ServiceError };
