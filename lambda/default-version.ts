import { GetPackageCommand, UpdatePackageCommand } from '@aws-sdk/client-iot';
import { ifExists } from './shared/errors';
import { CreateEvent, DeleteEvent, HandlerContext, ResourceHandler, ResourceResult, UpdateEvent } from './shared/handler-types';
import { Delivered, PropertyReader } from './shared/properties';
import { DefaultVersionProperties, RESOURCE_TYPES } from '../src/private/contract';

type Type = typeof RESOURCE_TYPES.defaultVersion;

/**
 * The default-version pointer of a package. One resource per package, so that moving the
 * default from one version to another is a single UpdatePackage call: the package never has
 * two defaults, and the old default is never deleted while it is still the default (its
 * Delete comes in CloudFormation's cleanup, after the pointer moved).
 */
interface PointerProps {
  readonly packageName: string;
  readonly versionName: string;
}

function parseProps(properties: Delivered<DefaultVersionProperties> | undefined): PointerProps {
  const read = new PropertyReader(properties);
  return {
    packageName: read.string('PackageName'),
    versionName: read.string('VersionName'),
  };
}

async function setDefault(context: HandlerContext<CreateEvent<Type> | UpdateEvent<Type>>): Promise<ResourceResult<Type>> {
  const props = parseProps(context.event.ResourceProperties);
  await context.iot.send(new UpdatePackageCommand({
    packageName: props.packageName,
    defaultVersionName: props.versionName,
    clientToken: context.token('SetDefaultVersion'),
  }));
  return { physicalResourceId: `${props.packageName}/default-version` };
}

/** Unsets the default only while it is still the version this pointer set. */
async function unsetDefault(context: HandlerContext<DeleteEvent<Type>>): Promise<void> {
  const props = parseProps(context.event.ResourceProperties);
  const pkg = await ifExists(context.iot.send(new GetPackageCommand({ packageName: props.packageName })));
  if (pkg?.defaultVersionName !== props.versionName) return;
  await context.iot.send(new UpdatePackageCommand({
    packageName: props.packageName,
    unsetDefaultVersion: true,
    clientToken: context.token('UnsetDefaultVersion'),
  }));
}

export const defaultVersionHandler: ResourceHandler<Type> = {
  describe: (properties) => `default version of package ${String(properties?.PackageName ?? '')}`,
  create: setDefault,
  // A changed package name yields a new physical id: CloudFormation then deletes the old pointer.
  update: setDefault,
  delete: unsetDefault,
};
