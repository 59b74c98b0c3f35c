/**
 * What an Update of a package version must do: a pure decision from the desired properties,
 * the previous ones (when they describe this same version) and the service's actual state
 * (when it was read), tested as a table. The handler executes the steps.
 *
 * The service's rules: a version is created DRAFT; PUBLISH moves DRAFT or DEPRECATED to
 * PUBLISHED, DEPRECATE moves PUBLISHED to DEPRECATED, and nothing returns to DRAFT; attributes
 * and the artifact change only while DRAFT; description, recipe, SBOM and tags always.
 */
import type { PackageVersionAction } from '@aws-sdk/client-iot';
import { sameMap, sameS3Object as sameObject } from './shared/properties';
import { PackageVersionStatusValue, S3ObjectProperty } from '../src/private/contract';

export interface VersionProps {
  readonly packageName: string;
  readonly versionName: string;
  readonly status: PackageVersionStatusValue;
  readonly description?: string;
  readonly attributes: Record<string, string>;
  readonly recipe?: string;
  readonly artifact?: S3ObjectProperty;
  readonly sbom?: S3ObjectProperty;
  readonly tags: Record<string, string>;
}

/** An S3 object as the service reports it. */
export interface ActualObject {
  readonly bucket?: string;
  readonly key?: string;
  readonly version?: string;
}

/** The version as the service holds it. */
export interface ActualVersion {
  readonly status: PackageVersionStatusValue;
  readonly description?: string;
  readonly attributes: Record<string, string>;
  readonly recipe?: string;
  readonly artifact?: ActualObject;
  readonly sbom?: ActualObject;
  /** The user's tags (the owner tag left out); undefined when they were not read. */
  readonly tags?: Record<string, string>;
}

export type EditableField = 'description' | 'recipe' | 'attributes' | 'artifact';

export interface VersionPlan {
  /** Fields set in one UpdatePackageVersion call, to their desired values. */
  readonly fields: EditableField[];
  /** Whether the current SBOM is removed, and whether the desired one is associated. */
  readonly disassociateSbom: boolean;
  readonly associateSbom: boolean;
  /** The status the moves start from, and the actions that reach the target status. */
  readonly from: PackageVersionStatusValue;
  readonly actions: PackageVersionAction[];
  /** The status the version has once the plan ran. */
  readonly resultStatus: PackageVersionStatusValue;
  /** Whether `from` was read from the service (else assumed from the previous properties). */
  readonly statusKnown: boolean;
  /** The user's tags the version has now, to move to the desired ones; undefined: leave the tags. */
  readonly tagsBefore?: Record<string, string>;
  /** Set when the desired state needs a change the service forbids; nothing may run then. */
  readonly refusal?: string;
  /** Differences a rollback leaves as they are, because the service cannot undo them. */
  readonly kept: string[];
}

/**
 * Whether the plan needs the service's actual state: when the previous properties are not
 * this version's, or a change the service may refuse is asked (frozen fields, a return to
 * DRAFT), or the SBOM changes (a failed swap may have left none).
 */
export function needsActualState(desired: VersionProps, previous: VersionProps | undefined): boolean {
  if (!previous) return true;
  return !sameMap(desired.attributes, previous.attributes)
    || !sameObject(desired.artifact, previous.artifact)
    || (desired.status === 'DRAFT' && previous.status !== 'DRAFT')
    || !sameObject(desired.sbom, previous.sbom);
}

/**
 * Plans the update. Without `actual`, `previous` stands for the service's state. During a
 * rollback, a change the service forbids is left undone instead of refused.
 */
export function planVersionUpdate(
  desired: VersionProps, previous: VersionProps | undefined, actual: ActualVersion | undefined, rollingBack: boolean,
): VersionPlan {
  const known: ActualVersion | undefined = actual ?? (previous && stateOf(previous));
  if (!known) throw new Error('planVersionUpdate needs the previous properties or the actual state');
  const id = `${desired.packageName}/${desired.versionName}`;
  const current = known.status;

  const attributesDiffer = !sameMap(desired.attributes, known.attributes);
  const artifactDiffers = !objectMatches(desired.artifact, known.artifact);
  const frozen = current === 'DRAFT' ? [] : [attributesDiffer && 'attributes', artifactDiffers && 'artifact'].filter((x): x is string => !!x);
  const backToDraft = desired.status === 'DRAFT' && current !== 'DRAFT';
  const kept: string[] = [];
  let refusal: string | undefined;
  if (frozen.length > 0) {
    refusal = `Version ${id} is ${current}: its ${frozen.join(' and ')} can change only while it is DRAFT. To ship the change, use a new versionName.`;
    kept.push(`${frozen.join(' and ')} of the ${current} version`);
  } else if (backToDraft) {
    refusal = `Version ${id} is ${current} and cannot return to DRAFT. To start a new draft, use a new versionName.`;
  }
  if (backToDraft) kept.push(`status ${current} (DRAFT cannot be re-entered)`);

  const fields: EditableField[] = [];
  // The API cannot clear a description (it must match [^\p{C}]+): a removed one stays as it was.
  if (desired.description !== undefined && desired.description !== known.description) fields.push('description');
  if ((desired.recipe ?? '') !== (known.recipe ?? '')) fields.push('recipe');
  if (current === 'DRAFT' && attributesDiffer) fields.push('attributes');
  if (current === 'DRAFT' && artifactDiffers) fields.push('artifact');

  const sbomDiffers = !objectMatches(desired.sbom, known.sbom);
  const hasSbom = known.sbom !== undefined;

  const target = backToDraft ? current : desired.status;
  const actions = transitions(current, target);

  const forbidden = refusal !== undefined && !rollingBack;
  return {
    fields: forbidden ? [] : fields,
    disassociateSbom: !forbidden && sbomDiffers && hasSbom,
    associateSbom: !forbidden && sbomDiffers && desired.sbom !== undefined,
    from: current,
    actions: forbidden ? [] : actions,
    resultStatus: target,
    statusKnown: actual !== undefined,
    tagsBefore: forbidden ? undefined : known.tags ?? {},
    refusal: forbidden ? refusal : undefined,
    kept: refusal !== undefined ? kept : [],
  };
}

/**
 * The documented actions that move a version between two statuses, in order. A version
 * never returns to DRAFT.
 */
export function transitions(from: PackageVersionStatusValue, to: PackageVersionStatusValue): PackageVersionAction[] {
  if (from === to) return [];
  switch (to) {
    case 'PUBLISHED': return ['PUBLISH'];
    case 'DEPRECATED': return from === 'DRAFT' ? ['PUBLISH', 'DEPRECATE'] : ['DEPRECATE'];
    case 'DRAFT': throw new Error(`A ${from} version cannot return to DRAFT.`);
  }
}

/** The state the previous properties describe, as the service would report it. */
export function stateOf(props: VersionProps): ActualVersion {
  return {
    status: props.status,
    description: props.description,
    attributes: props.attributes,
    recipe: props.recipe,
    artifact: props.artifact && objectOf(props.artifact),
    sbom: props.sbom && objectOf(props.sbom),
    tags: props.tags,
  };
}

export function objectOf(object: S3ObjectProperty): ActualObject {
  return { bucket: object.Bucket, key: object.Key, version: object.Version };
}

/** Whether the service's object is the desired one; without a desired version, any version of the object is. */
export function objectMatches(desired: S3ObjectProperty | undefined, actual: ActualObject | undefined): boolean {
  if (!desired || !actual) return !desired && !actual;
  return desired.Bucket === actual.bucket && desired.Key === actual.key && (desired.Version === undefined || desired.Version === actual.version);
}
