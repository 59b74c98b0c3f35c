import type { Context } from 'aws-lambda';
import { defaultVersionHandler } from './default-version';
import { jobWithPackagesHandler } from './job';
import { packageConfigurationHandler } from './package-configuration';
import { packageFleetIndexingHandler } from './package-fleet-indexing';
import { packageVersionHandler } from './package-version';
import { clientToken, CustomResourceEvent } from './shared/event';
import { ResourceHandler, ResourceResult } from './shared/handler-types';
import { iotClient } from './shared/iot-client';
import { softwarePackageHandler } from './software-package';
import { RESOURCE_TYPES, ResourceType } from '../src/private/contract';

/**
 * The resource handlers and everything that uses the AWS SDK. `index.ts` loads this module only
 * once it knows the runtime's SDK can run it.
 */

/** Every resource type's handler: a type missing here fails to compile. */
const HANDLERS: { readonly [T in ResourceType]: ResourceHandler<T> } = {
  [RESOURCE_TYPES.softwarePackage]: softwarePackageHandler,
  [RESOURCE_TYPES.packageVersion]: packageVersionHandler,
  [RESOURCE_TYPES.defaultVersion]: defaultVersionHandler,
  [RESOURCE_TYPES.packageConfiguration]: packageConfigurationHandler,
  [RESOURCE_TYPES.packageFleetIndexing]: packageFleetIndexingHandler,
  [RESOURCE_TYPES.jobWithPackages]: jobWithPackagesHandler,
};

/** Runs the event of a known resource type and returns the physical id and attributes to answer with. */
export async function dispatch(type: ResourceType, event: CustomResourceEvent, lambdaContext?: Context): Promise<ResourceResult<ResourceType>> {
  const resourceHandler = handlerOf(type);
  const common = {
    iot: iotClient(),
    token: (step: string) => clientToken(event, step),
    remainingTimeMs: () => lambdaContext?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY,
  };
  // Each request type narrows the event to what the handler's operation is given.
  switch (event.RequestType) {
    case 'Create':
      return resourceHandler.create({ ...common, event });
    case 'Update':
      return resourceHandler.update({ ...common, event });
    case 'Delete':
      await resourceHandler.delete({ ...common, event });
      return { physicalResourceId: event.PhysicalResourceId };
  }
}

/** The resource's name as its handler describes it, for failure messages. */
export function describeResource(type: ResourceType, properties: CustomResourceEvent['ResourceProperties']): string {
  return handlerOf(type).describe(properties);
}

/** The handler of a resource type, seen through the operations every handler has. */
function handlerOf(type: ResourceType): ResourceHandler<ResourceType> {
  return HANDLERS[type];
}
