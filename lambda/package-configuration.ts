import { GetPackageConfigurationCommand, UpdatePackageConfigurationCommand } from '@aws-sdk/client-iot';
import { ResourceError } from './shared/errors';
import { stackEnvironment } from './shared/event';
import { CreateEvent, DeleteEvent, HandlerContext, ResourceHandler, ResourceResult, UpdateEvent } from './shared/handler-types';
import { Delivered, PropertyReader } from './shared/properties';
import { PackageConfigurationAttributes, PackageConfigurationProperties, RESOURCE_TYPES } from '../src/private/contract';

type Type = typeof RESOURCE_TYPES.packageConfiguration;

/**
 * The account-and-region package configuration: `{ enabled, roleArn }`. This resource owns it
 * while it holds this resource's role; a configuration enabled with any other role belongs to
 * someone else and is never changed.
 */
interface ConfigurationProps {
  readonly roleArn: string;
  readonly versionUpdateByJobs: boolean;
}

function parseProps(properties: Delivered<PackageConfigurationProperties> | undefined): ConfigurationProps {
  const read = new PropertyReader(properties);
  return {
    roleArn: read.string('RoleArn'),
    versionUpdateByJobs: read.boolean('VersionUpdateByJobs'),
  };
}

interface CurrentConfiguration {
  readonly enabled: boolean;
  readonly roleArn?: string;
}

async function current(context: HandlerContext): Promise<CurrentConfiguration> {
  const { versionUpdateByJobsConfig: config } = await context.iot.send(new GetPackageConfigurationCommand({}));
  return { enabled: config?.enabled === true, roleArn: config?.roleArn || undefined };
}

function physicalId(context: HandlerContext): string {
  const { account, region } = stackEnvironment(context.event);
  return `package-configuration:${account}:${region}`;
}

/** Fails, before any change, when the configuration is enabled with a role not in `ours`. */
function assertNotForeign(context: HandlerContext, found: CurrentConfiguration, ours: string[]): void {
  if (found.enabled && found.roleArn !== undefined && !ours.includes(found.roleArn)) {
    const { account, region } = stackEnvironment(context.event);
    throw new ResourceError(
      `The package configuration of account ${account} in region ${region} is owned by someone else; ` +
      `it is enabled with role ${found.roleArn}. It was left unchanged. Remove the PackageConfiguration ` +
      'from this stack, or disable the other configuration first (UpdatePackageConfiguration with enabled: false).',
    );
  }
}

async function apply(context: HandlerContext, props: ConfigurationProps, step: string): Promise<void> {
  await context.iot.send(new UpdatePackageConfigurationCommand({
    versionUpdateByJobsConfig: { enabled: props.versionUpdateByJobs, roleArn: props.roleArn },
    clientToken: context.token(step),
  }));
}

function result(context: HandlerContext, previous: CurrentConfiguration): ResourceResult<Type> {
  const data: PackageConfigurationAttributes = {
    PreviousEnabled: previous.enabled ? 'true' : 'false',
    PreviousRoleArn: previous.roleArn ?? '',
  };
  return { physicalResourceId: physicalId(context), data };
}

async function create(context: HandlerContext<CreateEvent<Type>>): Promise<ResourceResult<Type>> {
  const props = parseProps(context.event.ResourceProperties);
  const found = await current(context);
  assertNotForeign(context, found, [props.roleArn]);
  await apply(context, props, 'UpdatePackageConfiguration');
  return result(context, found);
}

async function update(context: HandlerContext<UpdateEvent<Type>>): Promise<ResourceResult<Type>> {
  const event = context.event;
  const props = parseProps(event.ResourceProperties);
  const old = parseProps(event.OldResourceProperties);
  const found = await current(context);
  assertNotForeign(context, found, [props.roleArn, old.roleArn]);
  if (found.enabled !== props.versionUpdateByJobs || found.roleArn !== props.roleArn) {
    await apply(context, props, 'UpdatePackageConfiguration');
  }
  return result(context, found);
}

/** Disables the configuration, only while it still holds this resource's role. */
async function remove(context: HandlerContext<DeleteEvent<Type>>): Promise<void> {
  const props = parseProps(context.event.ResourceProperties);
  const found = await current(context);
  // Disabled or not, a configuration that names this resource's role is this resource's: it is
  // cleared, so that it does not keep naming a role that is about to be deleted.
  if (found.roleArn !== props.roleArn) return;
  await context.iot.send(new UpdatePackageConfigurationCommand({
    versionUpdateByJobsConfig: { enabled: false },
    clientToken: context.token('DisablePackageConfiguration'),
  }));
}

export const packageConfigurationHandler: ResourceHandler<Type> = {
  describe: () => 'package configuration',
  create,
  update,
  delete: remove,
};
