import {
  AssociateSbomWithPackageVersionCommand,
  CreatePackageVersionCommand,
  DisassociateSbomFromPackageVersionCommand,
  DeletePackageVersionCommand,
  GetPackageCommand,
  GetPackageVersionCommand,
  GetPackageVersionCommandOutput,
  PackageVersionAction,
  UpdatePackageCommand,
  UpdatePackageVersionCommand,
} from '@aws-sdk/client-iot';
import {
  ActualVersion, EditableField, needsActualState, planVersionUpdate, stateOf, transitions, VersionPlan, VersionProps,
} from './package-version-plan';
import { errorName, ForbiddenChangeError, ifExists, isNotFound, ResourceError } from './shared/errors';
import { packageArnOf } from './shared/event';
import { CreateEvent, DeleteEvent, HandlerContext, ResourceHandler, ResourceResult, UpdateEvent } from './shared/handler-types';
import { actualTags, isOwnedBy, userTags, withOwnerTag } from './shared/ownership';
import { Delivered, nonEmpty, PropertyReader, s3ObjectOf } from './shared/properties';
import { resolveObjectVersion, S3Location } from './shared/s3-client';
import { isRollingBack } from './shared/stack-status';
import { updateTags } from './shared/tags';
import { PackageVersionAttributes, PackageVersionProperties, PackageVersionStatusValue, RESOURCE_TYPES, S3ObjectProperty } from '../src/private/contract';

type Type = typeof RESOURCE_TYPES.packageVersion;

const STATUSES: readonly PackageVersionStatusValue[] = ['DRAFT', 'PUBLISHED', 'DEPRECATED'];

function parseProps(properties: Delivered<PackageVersionProperties> | undefined): VersionProps {
  const read = new PropertyReader(properties);
  return {
    packageName: read.string('PackageName'),
    versionName: read.string('VersionName'),
    status: read.oneOf('Status', STATUSES),
    description: read.optionalString('Description'),
    attributes: read.map('Attributes'),
    recipe: read.optionalString('Recipe'),
    artifact: s3ObjectOf(read.object('Artifact')),
    sbom: s3ObjectOf(read.object('Sbom')),
    tags: read.map('Tags'),
  };
}

function physicalId(props: Pick<VersionProps, 'packageName' | 'versionName'>): string {
  return `${props.packageName}/${props.versionName}`;
}

function versionArn(context: HandlerContext, props: VersionProps): string {
  return `${packageArnOf(context.event, props.packageName)}/version/${props.versionName}`;
}

function result(
  context: HandlerContext, props: VersionProps, status: PackageVersionStatusValue, sbomValidationStatus?: string,
): ResourceResult<Type> {
  const data: PackageVersionAttributes = {
    PackageName: props.packageName,
    VersionName: props.versionName,
    PackageVersionArn: versionArn(context, props),
    Status: status,
    // An absent SBOM status is left out, not answered as undefined.
    ...(sbomValidationStatus !== undefined ? { SbomValidationStatus: sbomValidationStatus } : {}),
  };
  return { physicalResourceId: physicalId(props), data };
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
 * Moves the version to its planned status. When the starting status was assumed from the
 * previous template and the service refuses an action for the version's state, the actual
 * status is read and the move planned again from it.
 */
async function applyTransitions(context: HandlerContext, props: VersionProps, plan: VersionPlan) {
  try {
    await applyActions(context, props, plan.actions);
  } catch (error) {
    if (plan.statusKnown || !['ConflictException', 'ValidationException'].includes(errorName(error))) throw error;
    const actual = ((await getVersion(context, props)).status ?? 'DRAFT') as PackageVersionStatusValue;
    if (actual === plan.from) throw error;
    await applyActions(context, props, transitions(actual, plan.resultStatus), 'Replanned/');
  }
}

async function create(context: HandlerContext<CreateEvent<Type> | UpdateEvent<Type>>): Promise<ResourceResult<Type>> {
  const props = parseProps(context.event.ResourceProperties);
  const artifact = props.artifact && await resolveObjectVersion(`artifact of ${physicalId(props)}`, props.artifact);
  try {
    await context.iot.send(new CreatePackageVersionCommand({
      packageName: props.packageName,
      versionName: props.versionName,
      description: props.description,
      attributes: nonEmpty(props.attributes),
      artifact: artifact && s3Location(artifact),
      recipe: props.recipe,
      tags: withOwnerTag(context.event, props.tags),
      clientToken: context.token('CreatePackageVersion'),
    }));
  } catch (error) {
    if (errorName(error) !== 'ConflictException') throw error;
    return adopt(context, props);
  }
  let sbomValidationStatus: string | undefined;
  try {
    if (props.sbom) sbomValidationStatus = await associateSbom(context, props, props.sbom);
    await applyActions(context, props, transitions('DRAFT', props.status));
  } catch (error) {
    // Undo this request's own work so that the failed Create leaves nothing behind.
    await deleteVersion(context, props.packageName, props.versionName, 'Undo');
    throw error;
  }
  return result(context, props, props.status, sbomValidationStatus);
}

/**
 * A version of that name exists. When this stack created it (a rollback returning to it after
 * a replacement), it converges on the desired state; anyone else's is refused.
 */
async function adopt(context: HandlerContext, props: VersionProps): Promise<ResourceResult<Type>> {
  const tags = await actualTags(context.iot, versionArn(context, props));
  if (!isOwnedBy(context.event, tags)) {
    throw new ResourceError(
      `Version ${physicalId(props)} already exists, and this stack did not create it. To use it, import it with ` +
      'PackageVersion.fromPackageVersionArn; to create a new version, choose another versionName.',
    );
  }
  return converge(context, props, undefined, userTags(tags ?? {}));
}

async function update(context: HandlerContext<UpdateEvent<Type>>): Promise<ResourceResult<Type>> {
  const event = context.event;
  const props = parseProps(event.ResourceProperties);
  const old = parseProps(event.OldResourceProperties);
  if (physicalId(props) !== event.PhysicalResourceId) {
    // Another identity than the resource's: a new versionName creates the new version
    // (CloudFormation deletes the old one in cleanup); a rollback returns to the previous one.
    return create(context);
  }
  // Attempted properties that named another version (the rollback of a failed replacement)
  // say nothing about this one: converge on what the service holds.
  const previous = physicalId(old) === physicalId(props) ? old : undefined;
  return converge(context, props, previous);
}

/**
 * Brings an existing version to the desired state, from the previous properties when they
 * describe it, else from what the service holds (read only when needed).
 */
async function converge(
  context: HandlerContext, props: VersionProps, previous: VersionProps | undefined, knownTags?: Record<string, string>,
): Promise<ResourceResult<Type>> {
  let read: GetPackageVersionCommandOutput | undefined;
  let actual: ActualVersion | undefined;
  if (needsActualState(props, previous)) {
    read = await getVersion(context, props);
    actual = {
      status: (read.status ?? 'DRAFT') as PackageVersionStatusValue,
      description: read.description,
      attributes: read.attributes ?? {},
      recipe: read.recipe,
      artifact: read.artifact?.s3Location,
      sbom: read.sbom?.s3Location,
      tags: previous ? previous.tags : knownTags ?? userTags(await actualTags(context.iot, versionArn(context, props)) ?? {}),
    };
  }
  let plan = planVersionUpdate(props, previous, actual, false);
  if (plan.refusal) {
    if (!(await isRollingBack(context.event))) throw new ForbiddenChangeError(plan.refusal);
    plan = planVersionUpdate(props, previous, actual, true);
    console.log(JSON.stringify({
      message: 'warning',
      logicalResourceId: context.event.LogicalResourceId,
      warning: `Rolling back ${physicalId(props)}: the service cannot undo the ${plan.kept.join(' nor the ')}, which stay as they are.`,
    }));
  }

  if (plan.fields.length > 0) await updateFields(context, props, plan.fields, 'UpdateFields');
  let sbomValidationStatus: string | undefined;
  try {
    if (plan.disassociateSbom) await disassociateSbom(context, props);
    if (plan.associateSbom) {
      sbomValidationStatus = await associateSbom(context, props, props.sbom!);
    } else if (props.sbom) {
      sbomValidationStatus = (read ?? await getVersion(context, props)).sbomValidationStatus;
    }
    await applyTransitions(context, props, plan);
  } catch (error) {
    // Put the fields back, so that CloudFormation's rollback finds the previous state; the
    // rollback's own update converges the SBOM on what the service then holds.
    const before = actual ?? (previous && stateOf(previous));
    if (plan.fields.length > 0 && before) await updateFields(context, { ...props, ...propsOf(before) }, plan.fields, 'RevertFields');
    throw error;
  }
  if (plan.tagsBefore) await updateTags(context.iot, versionArn(context, props), plan.tagsBefore, props.tags);
  return result(context, props, plan.resultStatus, sbomValidationStatus);
}

/** The editable fields of a state, as properties to set them back with. */
function propsOf(state: ActualVersion): Pick<VersionProps, 'description' | 'recipe' | 'attributes' | 'artifact'> {
  const artifact = state.artifact?.bucket && state.artifact.key
    ? { Bucket: state.artifact.bucket, Key: state.artifact.key, Version: state.artifact.version }
    : undefined;
  return { description: state.description, recipe: state.recipe, attributes: state.attributes, artifact };
}

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

async function remove(context: HandlerContext<DeleteEvent<Type>>): Promise<void> {
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
    const pkg = await ifExists(context.iot.send(new GetPackageCommand({ packageName })));
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

export const packageVersionHandler: ResourceHandler<Type> = {
  describe: (properties) => `package version ${String(properties?.PackageName ?? '')}/${String(properties?.VersionName ?? '')}`,
  create,
  update,
  delete: remove,
};
