import {
  CreatePackageVersionCommand,
  DeletePackageVersionCommand,
  GetPackageCommand,
  GetPackageVersionCommand,
  PackageVersionAction,
  UpdatePackageCommand,
  UpdatePackageVersionCommand,
} from '@aws-sdk/client-iot';
import { PackageVersionAttributes, PackageVersionStatusValue } from '../src/private/contract';
import { errorName, ForbiddenChangeError, isNotFound, ResourceError } from './shared/errors';
import { packageArnOf } from './shared/event';
import { HandlerContext, ResourceHandler, ResourceResult } from './shared/handler-types';
import { nonEmpty, optionalString, requiredString, sameMap, stringMap } from './shared/properties';
import { updateTags } from './shared/tags';

const STATUSES: readonly PackageVersionStatusValue[] = ['DRAFT', 'PUBLISHED', 'DEPRECATED'];

interface VersionProps {
  readonly packageName: string;
  readonly versionName: string;
  readonly status: PackageVersionStatusValue;
  readonly description?: string;
  readonly attributes: Record<string, string>;
  readonly recipe?: string;
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

function result(context: HandlerContext, props: VersionProps, arn?: string): ResourceResult {
  const data: PackageVersionAttributes = {
    PackageName: props.packageName,
    VersionName: props.versionName,
    PackageVersionArn: arn ?? `${packageArnOf(context.event, props.packageName)}/version/${props.versionName}`,
    Status: props.status,
  };
  return { physicalResourceId: physicalId(props), data: { ...data } };
}

async function applyActions(context: HandlerContext, props: VersionProps, actions: PackageVersionAction[]) {
  for (const action of actions) {
    await context.iot.send(new UpdatePackageVersionCommand({
      packageName: props.packageName,
      versionName: props.versionName,
      action,
      clientToken: context.token(`UpdatePackageVersion/${action}`),
    }));
  }
}

async function create(context: HandlerContext): Promise<ResourceResult> {
  const props = parseProps(context.event.ResourceProperties);
  const created = await context.iot.send(new CreatePackageVersionCommand({
    packageName: props.packageName,
    versionName: props.versionName,
    description: props.description,
    attributes: nonEmpty(props.attributes),
    recipe: props.recipe,
    tags: nonEmpty(props.tags),
    clientToken: context.token('CreatePackageVersion'),
  }));
  try {
    await applyActions(context, props, transitions('DRAFT', props.status));
  } catch (error) {
    // Undo this request's own work so that the failed Create leaves nothing behind.
    await deleteVersion(context, props.packageName, props.versionName, 'Undo');
    throw error;
  }
  return result(context, props, created.packageVersionArn);
}

async function update(context: HandlerContext): Promise<ResourceResult> {
  const event = context.event as { OldResourceProperties?: Record<string, unknown> } & typeof context.event;
  const props = parseProps(event.ResourceProperties);
  const old = parseProps(event.OldResourceProperties);
  if (props.packageName !== old.packageName || props.versionName !== old.versionName) {
    // A new identity: create the new version; CloudFormation deletes the old one in cleanup.
    return create(context);
  }

  const attributesChanged = !sameMap(props.attributes, old.attributes);
  // The actual status decides, not the previous template: after a partly failed deploy the two differ.
  const current = attributesChanged || props.status !== old.status
    ? await currentStatus(context, props)
    : old.status;
  if (attributesChanged && current !== 'DRAFT') {
    throw new ForbiddenChangeError(
      `Version ${physicalId(props)} is ${current}: its attributes can change only while it is DRAFT. ` +
      'To ship different attributes, use a new versionName.',
    );
  }
  if (props.status === 'DRAFT' && current !== 'DRAFT') {
    throw new ForbiddenChangeError(
      `Version ${physicalId(props)} is ${current} and cannot return to DRAFT. ` +
      'To start a new draft, use a new versionName.',
    );
  }
  const actions = transitions(current, props.status);

  const changed: EditableField[] = [];
  if (props.description !== old.description) changed.push('description');
  if (props.recipe !== old.recipe) changed.push('recipe');
  if (attributesChanged) changed.push('attributes');
  if (changed.length > 0) {
    await updateFields(context, props, changed, 'UpdateFields');
  }
  try {
    await applyActions(context, props, actions);
  } catch (error) {
    // Leave the version as it was, so that CloudFormation's rollback finds the previous state.
    if (changed.length > 0) await updateFields(context, old, changed, 'RevertFields');
    throw error;
  }
  await updateTags(context.iot, result(context, props).data!.PackageVersionArn, old.tags, props.tags);
  return result(context, props);
}

type EditableField = 'description' | 'recipe' | 'attributes';

/** One call that sets the given fields to their values in `props` (a removed value is cleared). */
async function updateFields(context: HandlerContext, props: VersionProps, fields: EditableField[], step: string) {
  await context.iot.send(new UpdatePackageVersionCommand({
    packageName: props.packageName,
    versionName: props.versionName,
    description: fields.includes('description') ? props.description ?? '' : undefined,
    recipe: fields.includes('recipe') ? props.recipe ?? '' : undefined,
    attributes: fields.includes('attributes') ? props.attributes : undefined,
    clientToken: context.token(step),
  }));
}

async function currentStatus(context: HandlerContext, props: VersionProps): Promise<PackageVersionStatusValue> {
  const version = await context.iot.send(new GetPackageVersionCommand({
    packageName: props.packageName,
    versionName: props.versionName,
  }));
  return (version.status ?? 'DRAFT') as PackageVersionStatusValue;
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
