import { GetPackageCommand, UpdatePackageCommand } from '@aws-sdk/client-iot';
import { isNotFound } from './shared/errors';
import { HandlerContext, ResourceHandler, ResourceResult } from './shared/handler-types';
import { requiredString } from './shared/properties';

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

function parseProps(properties: Record<string, unknown> | undefined): PointerProps {
  return {
    packageName: requiredString(properties, 'PackageName'),
    versionName: requiredString(properties, 'VersionName'),
  };
}

async function setDefault(context: HandlerContext): Promise<ResourceResult> {
  const props = parseProps(context.event.ResourceProperties);
  await context.iot.send(new UpdatePackageCommand({
    packageName: props.packageName,
    defaultVersionName: props.versionName,
    clientToken: context.token('SetDefaultVersion'),
  }));
  return { physicalResourceId: `${props.packageName}/default-version` };
}

/** Unsets the default only while it is still the version this pointer set. */
async function unsetDefault(context: HandlerContext): Promise<void> {
  const props = parseProps(context.event.ResourceProperties);
  let defaultVersionName: string | undefined;
  try {
    ({ defaultVersionName } = await context.iot.send(new GetPackageCommand({ packageName: props.packageName })));
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  if (defaultVersionName !== props.versionName) return;
  await context.iot.send(new UpdatePackageCommand({
    packageName: props.packageName,
    unsetDefaultVersion: true,
    clientToken: context.token('UnsetDefaultVersion'),
  }));
}

export const defaultVersionHandler: ResourceHandler = {
  describe: (properties) => `default version of package ${String(properties?.PackageName ?? '')}`,
  create: setDefault,
  // A changed package name yields a new physical id: CloudFormation then deletes the old pointer.
  update: setDefault,
  delete: unsetDefault,
};
