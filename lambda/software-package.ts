import {
  CreatePackageCommand,
  DeletePackageCommand,
  DeletePackageVersionCommand,
  GetPackageCommand,
  IoTClient,
  ListPackageVersionsCommand,
  UpdatePackageCommand,
} from '@aws-sdk/client-iot';
import { errorName, ifExists, isNotFound, ResourceError } from './shared/errors';
import { packageArnOf } from './shared/event';
import { CreateEvent, DeleteEvent, HandlerContext, ResourceHandler, ResourceResult, UpdateEvent } from './shared/handler-types';
import { actualTags, isOwnedBy, userTags, withOwnerTag } from './shared/ownership';
import { Delivered, PropertyReader } from './shared/properties';
import { updateTags } from './shared/tags';
import { RESOURCE_TYPES, SoftwarePackageAttributes, SoftwarePackageProperties } from '../src/private/contract';

type Type = typeof RESOURCE_TYPES.softwarePackage;
/** A Create, or an Update that creates (a new identity). */
type CreatingContext = HandlerContext<CreateEvent<Type> | UpdateEvent<Type>>;

interface PackageProps {
  readonly packageName: string;
  readonly description?: string;
  readonly tags: Record<string, string>;
  readonly autoDeleteVersions: boolean;
}

function parseProps(properties: Delivered<SoftwarePackageProperties> | undefined): PackageProps {
  const read = new PropertyReader(properties);
  return {
    packageName: read.string('PackageName'),
    description: read.optionalString('Description'),
    tags: read.map('Tags'),
    autoDeleteVersions: read.boolean('AutoDeleteVersions'),
  };
}

function result(context: HandlerContext, packageName: string, packageArn?: string): ResourceResult<Type> {
  const data: SoftwarePackageAttributes = {
    PackageName: packageName,
    PackageArn: packageArn ?? packageArnOf(context.event, packageName),
  };
  return { physicalResourceId: packageName, data };
}

async function create(context: CreatingContext): Promise<ResourceResult<Type>> {
  const props = parseProps(context.event.ResourceProperties);
  try {
    const created = await context.iot.send(new CreatePackageCommand({
      packageName: props.packageName,
      description: props.description,
      tags: withOwnerTag(context.event, props.tags),
      clientToken: context.token('CreatePackage'),
    }));
    return result(context, props.packageName, created.packageArn);
  } catch (error) {
    if (errorName(error) !== 'ConflictException') throw error;
    return adopt(context, props);
  }
}

/**
 * A package of that name exists. When this stack created it (a rollback returning to it, a
 * redelivered request), it is brought to the desired state; anyone else's is refused.
 */
async function adopt(context: HandlerContext, props: PackageProps): Promise<ResourceResult<Type>> {
  const arn = packageArnOf(context.event, props.packageName);
  const tags = await actualTags(context.iot, arn);
  if (!isOwnedBy(context.event, tags)) {
    throw new ResourceError(
      `Package ${props.packageName} already exists in this account and region, and this stack did not create it. ` +
      `To use it, import it with SoftwarePackage.fromPackageName(this, 'Package', '${props.packageName}'); ` +
      'to create a new package, choose another packageName.',
    );
  }
  const actual = await context.iot.send(new GetPackageCommand({ packageName: props.packageName }));
  if (props.description !== undefined && props.description !== actual.description) {
    await context.iot.send(new UpdatePackageCommand({
      packageName: props.packageName,
      description: props.description,
      clientToken: context.token('ConvergeDescription'),
    }));
  }
  await updateTags(context.iot, arn, userTags(tags ?? {}), props.tags);
  return result(context, props.packageName, arn);
}

async function update(context: HandlerContext<UpdateEvent<Type>>): Promise<ResourceResult<Type>> {
  const event = context.event;
  const props = parseProps(event.ResourceProperties);
  const old = parseProps(event.OldResourceProperties);
  if (props.packageName !== event.PhysicalResourceId) {
    // Another identity than the resource's: a rename creates the new package (CloudFormation
    // deletes the old one in cleanup); a rollback returns to the previous one, which exists.
    return create(context);
  }
  if (props.packageName !== old.packageName) {
    // The attempted properties named another package: converge on what the service holds.
    return adopt(context, props);
  }
  // The API cannot clear a description (it must match [^\p{C}]+): a removed one stays as it was.
  if (props.description !== undefined && props.description !== old.description) {
    await context.iot.send(new UpdatePackageCommand({
      packageName: props.packageName,
      description: props.description,
      clientToken: context.token('UpdatePackage'),
    }));
  }
  await updateTags(context.iot, packageArnOf(event, props.packageName), old.tags, props.tags);
  return result(context, props.packageName);
}

async function remove(context: HandlerContext<DeleteEvent<Type>>): Promise<void> {
  const props = parseProps(context.event.ResourceProperties);
  const packageName = props.packageName;
  if (props.autoDeleteVersions) {
    await deleteAllVersions(context, packageName);
  }
  try {
    // The service refuses to delete a package that still has versions (a missing package is
    // a success): only then are the versions listed, to name them.
    await context.iot.send(new DeletePackageCommand({ packageName, clientToken: context.token('DeletePackage') }));
  } catch (error) {
    if (isNotFound(error)) return;
    if (!['ValidationException', 'ConflictException'].includes(errorName(error))) throw error;
    const versions = await listVersionNames(context.iot, packageName);
    if (versions.length === 0) throw error;
    throw new ResourceError(
      `Package ${packageName} still has versions that this stack does not manage: ${versions.join(', ')}. ` +
      'Delete them first, or set autoDeleteVersions: true on the SoftwarePackage to delete them with it.',
    );
  }
}

/** Deletes every version of the package, after removing the default designation. */
async function deleteAllVersions(context: HandlerContext, packageName: string) {
  let versions: string[];
  try {
    versions = await listVersionNames(context.iot, packageName);
  } catch (error) {
    // ListPackageVersions reports a missing package as a validation error: confirm it is gone.
    if (isNotFound(error) || !(await ifExists(context.iot.send(new GetPackageCommand({ packageName }))))) return;
    throw error;
  }
  if (versions.length === 0) return;
  const pkg = await context.iot.send(new GetPackageCommand({ packageName }));
  if (pkg.defaultVersionName) {
    await context.iot.send(new UpdatePackageCommand({
      packageName,
      unsetDefaultVersion: true,
      clientToken: context.token('UnsetDefaultVersion'),
    }));
  }
  for (const versionName of versions) {
    await context.iot.send(new DeletePackageVersionCommand({
      packageName,
      versionName,
      clientToken: context.token(`DeletePackageVersion/${versionName}`),
    }));
  }
}

export async function listVersionNames(iot: IoTClient, packageName: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await iot.send(new ListPackageVersionsCommand({ packageName, nextToken }));
    for (const summary of page.packageVersionSummaries ?? []) {
      if (summary.versionName) names.push(summary.versionName);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return names.sort();
}

export const softwarePackageHandler: ResourceHandler<Type> = {
  describe: (properties) => `package ${String(properties?.PackageName ?? '')}`,
  create,
  update,
  delete: remove,
};
