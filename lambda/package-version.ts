import {
  AssociateSbomWithPackageVersionCommand,
  CreatePackageVersionCommand,
  DisassociateSbomFromPackageVersionCommand,
  DeletePackageVersionCommand,
  GetPackageCommand,
  GetPackageVersionCommand,
  PackageVersionAction,
  UpdatePackageCommand,
  UpdatePackageVersionCommand,
} from '@aws-sdk/client-iot';
import { errorName, ForbiddenChangeError, isNotFound, ResourceError } from './shared/errors';
import { packageArnOf } from './shared/event';
import { HandlerContext, ResourceHandler, ResourceResult } from './shared/handler-types';
import { nonEmpty, optionalS3Object, optionalString, requiredString, sameMap, sameS3Object, stringMap } from './shared/properties';
import { resolveObjectVersion, S3Location } from './shared/s3-client';
import { updateTags } from './shared/tags';
import { PackageVersionAttributes, PackageVersionStatusValue, S3ObjectProperty } from '../src/private/contract';

const STATUSES: readonly PackageVersionStatusValue[] = ['DRAFT', 'PUBLISHED', 'DEPRECATED'];

interface VersionProps {
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

function parseProps(properties: Record<string, unknown> | undefined): VersionProps {
  const status = requiredString(properties, 'Status') as PackageVersionStatusValue;
  if (!STATUSES.includes(status)) {
    throw new ResourceError(`Status ${JSON.stringify(status)} is not one of ${STATUSES.join(', ')}.`);
  }
  return {
    packageName: requiredString(properties, 'PackageName'),
    versionName: requiredString(properties, 'VersionName'),
    status,
    description: optionalString(properties, 'Description'),
    attributes: stringMap(properties, 'Attributes'),
    recipe: optionalString(properties, 'Recipe'),
    artifact: optionalS3Object(properties, 'Artifact'),
    sbom: optionalS3Object(properties, 'Sbom'),
    tags: stringMap(properties, 'Tags'),
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
    case 'DRAFT': throw new ForbiddenChangeError(`A ${from} version cannot return to DRAFT.`);
  }
}

function physicalId(props: VersionProps): string {
  return `${props.packageName}/${props.versionName}`;
}

function versionArn(context: HandlerContext, props: VersionProps): string {
  return `${packageArnOf(context.event, props.packageName)}/version/${props.versionName}`;
}

function result(context: HandlerContext, props: VersionProps, sbomValidationStatus?: string): ResourceResult {
  const data: PackageVersionAttributes = {
    PackageName: props.packageName,
    VersionName: props.versionName,
    PackageVersionArn: versionArn(context, props),
    Status: props.status,
    SbomValidationStatus: sbomValidationStatus,
  };
  return { physicalResourceId: physicalId(props), data: JSON.parse(JSON.stringify(data)) };
}

function s3Location(location: S3Location) {
  return { s3Location: location };
}

async function associateSbom(context: HandlerContext, props: VersionProps, sbom: S3ObjectProperty): Promise<string | undefined> {
  const location = await resolveObjectVersion(`SBOM of ${physicalId(props)}`, sbom);
  const associated = await context.iot.send(new AssociateSbomWithPackageVersionCommand({
    packageName: props.packageName,
    versionName: props.versionName,
    sbom: s3Location(location),
    clientToken: context.token('AssociateSbom'),
  }));
  return associated.sbomValidationStatus;
}

async function applyActions(context: HandlerContext, props: VersionProps, actions: PackageVersionAction[], stepPrefix = '') {
  for (const action of actions) {
    await context.iot.send(new UpdatePackageVersionCommand({
      packageName: props.packageName,
      versionName: props.versionName,
      action,
      clientToken: context.token(`${stepPrefix}UpdatePackageVersion/${action}`),
    }));
  }
}

/**
 * Moves the version from `assumed` to its desired status. When the status was assumed from
 * the previous template and the service refuses an action for the version's state, the
 * actual status is read and the move planned again from it.
 */
async function applyTransitions(context: HandlerContext, props: VersionProps, assumed: PackageVersionStatusValue, mayReplan: boolean) {
  try {
    await applyActions(context, props, transitions(assumed, props.status));
  } catch (error) {
    if (!mayReplan || !['ConflictException', 'ValidationException'].includes(errorName(error))) throw error;
    const actual = ((await getVersion(context, props)).status ?? 'DRAFT') as PackageVersionStatusValue;
    if (actual === assumed) throw error;
    await applyActions(context, props, transitions(actual, props.status), 'Replanned/');
  }
}

async function create(context: HandlerContext): Promise<ResourceResult> {
  const props = parseProps(context.event.ResourceProperties);
  const artifact = props.artifact && await resolveObjectVersion(`artifact of ${physicalId(props)}`, props.artifact);
  await context.iot.send(new CreatePackageVersionCommand({
    packageName: props.packageName,
    versionName: props.versionName,
    description: props.description,
    attributes: nonEmpty(props.attributes),
    artifact: artifact && s3Location(artifact),
    recipe: props.recipe,
    tags: nonEmpty(props.tags),
    clientToken: context.token('CreatePackageVersion'),
  }));
  let sbomValidationStatus: string | undefined;
  try {
    if (props.sbom) sbomValidationStatus = await associateSbom(context, props, props.sbom);
    await applyActions(context, props, transitions('DRAFT', props.status));
  } catch (error) {
    // Undo this request's own work so that the failed Create leaves nothing behind.
    await deleteVersion(context, props.packageName, props.versionName, 'Undo');
    throw error;
  }
  return result(context, props, sbomValidationStatus);
}

async function update(context: HandlerContext): Promise<ResourceResult> {
  const event = context.event as { OldResourceProperties?: Record<string, unknown> } & typeof context.event;
  const props = parseProps(event.ResourceProperties);
  const old = parseProps(event.OldResourceProperties);
  if (props.packageName !== old.packageName || props.versionName !== old.versionName) {
    // A new identity: create the new version; CloudFormation deletes the old one in cleanup.
    return create(context);
  }

  let attributesChanged = !sameMap(props.attributes, old.attributes);
  let artifactChanged = !sameS3Object(props.artifact, old.artifact);
  let current = old.status;
  // A change the service may refuse is checked against what the service holds, not against
  // the previous template: after a partly failed deploy the two differ, and a rollback
  // replays a change that never happened. A plain status change trusts the template and
  // reads only if the service refuses the action (see applyTransitions).
  const stateRead = attributesChanged || artifactChanged || (props.status === 'DRAFT' && old.status !== 'DRAFT');
  if (stateRead) {
    const actual = await getVersion(context, props);
    current = (actual.status ?? 'DRAFT') as PackageVersionStatusValue;
    attributesChanged = !sameMap(props.attributes, actual.attributes ?? {});
    artifactChanged = !artifactMatches(props.artifact, actual.artifact?.s3Location);
  }
  const frozen = [attributesChanged && 'attributes', artifactChanged && 'artifact'].filter((x): x is string => !!x);
  if (frozen.length > 0 && current !== 'DRAFT') {
    const what = frozen.join(' and ');
    throw new ForbiddenChangeError(
      `Version ${physicalId(props)} is ${current}: its ${what} can change only while it is DRAFT. ` +
      'To ship the change, use a new versionName.',
    );
  }
  if (props.status === 'DRAFT' && current !== 'DRAFT') {
    throw new ForbiddenChangeError(
      `Version ${physicalId(props)} is ${current} and cannot return to DRAFT. ` +
      'To start a new draft, use a new versionName.',
    );
  }
  const changed: EditableField[] = [];
  // The API cannot clear a description (it must match [^\p{C}]+): a removed one stays as it was.
  if (props.description !== undefined && props.description !== old.description) changed.push('description');
  if (props.recipe !== old.recipe) changed.push('recipe');
  if (attributesChanged) changed.push('attributes');
  if (artifactChanged) changed.push('artifact');
  if (changed.length > 0) {
    await updateFields(context, props, changed, 'UpdateFields');
  }
  let sbomValidationStatus: string | undefined;
  try {
    if (!sameS3Object(props.sbom, old.sbom)) {
      if (old.sbom) await disassociateSbom(context, props);
      if (props.sbom) sbomValidationStatus = await associateSbom(context, props, props.sbom);
    } else if (props.sbom) {
      sbomValidationStatus = (await getVersion(context, props)).sbomValidationStatus;
    }
    await applyTransitions(context, props, current, !stateRead);
  } catch (error) {
    // Leave the fields as they were, so that CloudFormation's rollback finds the previous state;
    // the rollback's own update restores the previous SBOM.
    if (changed.length > 0) await updateFields(context, old, changed, 'RevertFields');
    throw error;
  }
  await updateTags(context.iot, versionArn(context, props), old.tags, props.tags);
  return result(context, props, sbomValidationStatus);
}

type EditableField = 'description' | 'recipe' | 'attributes' | 'artifact';

/** One call that sets the given fields to their values in `props` (a removed value is cleared). */
async function updateFields(context: HandlerContext, props: VersionProps, fields: EditableField[], step: string) {
  const artifact = fields.includes('artifact') && props.artifact
    ? await resolveObjectVersion(`artifact of ${physicalId(props)}`, props.artifact)
    : undefined;
  await context.iot.send(new UpdatePackageVersionCommand({
    packageName: props.packageName,
    versionName: props.versionName,
    description: fields.includes('description') ? props.description : undefined,
    recipe: fields.includes('recipe') ? props.recipe ?? '' : undefined,
    attributes: fields.includes('attributes') ? props.attributes : undefined,
    artifact: artifact && s3Location(artifact),
    clientToken: context.token(step),
  }));
}

async function disassociateSbom(context: HandlerContext, props: VersionProps) {
  await context.iot.send(new DisassociateSbomFromPackageVersionCommand({
    packageName: props.packageName,
    versionName: props.versionName,
    clientToken: context.token('DisassociateSbom'),
  }));
}

function getVersion(context: HandlerContext, props: VersionProps) {
  return context.iot.send(new GetPackageVersionCommand({
    packageName: props.packageName,
    versionName: props.versionName,
  }));
}

/** Whether the service's artifact is the desired one; without a desired version, any version of the object is. */
function artifactMatches(desired: S3ObjectProperty | undefined, actual: { bucket?: string; key?: string; version?: string } | undefined): boolean {
  if (!desired || !actual) return !desired && !actual;
  return desired.Bucket === actual.bucket && desired.Key === actual.key && (desired.Version === undefined || desired.Version === actual.version);
}

async function remove(context: HandlerContext): Promise<void> {
  const props = parseProps(context.event.ResourceProperties);
  await deleteVersion(context, props.packageName, props.versionName, 'Delete');
}

/**
 * Deletes a version. The service refuses to delete the package's default version: when that
 * is the reason, the designation is removed first.
 */
async function deleteVersion(context: HandlerContext, packageName: string, versionName: string, step: string) {
  const send = () => context.iot.send(new DeletePackageVersionCommand({
    packageName,
    versionName,
    clientToken: context.token(`${step}/DeletePackageVersion`),
  }));
  try {
    await send();
  } catch (error) {
    if (isNotFound(error)) return;
    if (errorName(error) !== 'ValidationException' && errorName(error) !== 'ConflictException') throw error;
    const pkg = await getPackageOrUndefined(context, packageName);
    if (!pkg) return;
    if (pkg.defaultVersionName !== versionName) throw error;
    await context.iot.send(new UpdatePackageCommand({
      packageName,
      unsetDefaultVersion: true,
      clientToken: context.token(`${step}/UnsetDefaultVersion`),
    }));
    await context.iot.send(new DeletePackageVersionCommand({
      packageName,
      versionName,
      clientToken: context.token(`${step}/DeletePackageVersionAfterUnset`),
    }));
  }
}

async function getPackageOrUndefined(context: HandlerContext, packageName: string) {
  try {
    return await context.iot.send(new GetPackageCommand({ packageName }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export const packageVersionHandler: ResourceHandler = {
  describe: (properties) => `package version ${String(properties?.PackageName ?? '')}/${String(properties?.VersionName ?? '')}`,
  create,
  update,
  delete: remove,
};
