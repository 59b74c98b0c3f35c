import type { Context } from 'aws-lambda';
import { defaultVersionHandler } from './default-version';
import { jobWithPackagesHandler } from './job';
import { packageConfigurationHandler } from './package-configuration';
import { packageFleetIndexingHandler } from './package-fleet-indexing';
import { packageVersionHandler } from './package-version';
import { describeFailure, ResourceError } from './shared/errors';
import { clientToken, CustomResourceEvent, failedCreatePhysicalId, isFailedCreatePhysicalId, loggableEvent } from './shared/event';
import { ResourceHandler, ResourceResult } from './shared/handler-types';
import { iotClient } from './shared/iot-client';
import { renderResponse, sendResponse } from './shared/response';
import { softwarePackageHandler } from './software-package';
import { isResourceType, RESOURCE_TYPES, ResourceType } from '../src/private/contract';

/** Every resource type's handler: a type missing here fails to compile. */
const HANDLERS: { readonly [T in ResourceType]: ResourceHandler<T> } = {
  [RESOURCE_TYPES.softwarePackage]: softwarePackageHandler,
  [RESOURCE_TYPES.packageVersion]: packageVersionHandler,
  [RESOURCE_TYPES.defaultVersion]: defaultVersionHandler,
  [RESOURCE_TYPES.packageConfiguration]: packageConfigurationHandler,
  [RESOURCE_TYPES.packageFleetIndexing]: packageFleetIndexingHandler,
  [RESOURCE_TYPES.jobWithPackages]: jobWithPackagesHandler,
};

/**
 * The Lambda entry point: runs one CloudFormation custom-resource event and answers
 * CloudFormation at the event's ResponseURL, whatever happens.
 */
export async function handler(event: CustomResourceEvent, lambdaContext?: Context): Promise<void> {
  console.log(JSON.stringify({ message: 'event', event: loggableEvent(event) }));
  let body: string;
  try {
    const result = await run(event, lambdaContext);
    body = renderResponse(event, { status: 'SUCCESS', ...result });
  } catch (error) {
    const type = event.ResourceType;
    const name = isResourceType(type) ? handlerOf(type).describe(event.ResourceProperties) : type;
    const what = `${event.RequestType} ${name} (${event.LogicalResourceId})`;
    const reason = describeFailure(what, error);
    console.log(JSON.stringify({ message: 'failed', logicalResourceId: event.LogicalResourceId, reason }));
    body = renderResponse(event, {
      status: 'FAILED',
      reason,
      // A failed Create has created nothing to keep: its id tells the rollback's Delete so.
      physicalResourceId: event.RequestType === 'Create' ? failedCreatePhysicalId(event) : event.PhysicalResourceId,
    });
  }
  await sendResponse(event.ResponseURL, body);
}

/** Runs the event and returns the physical id and attributes to answer with. */
export async function run(event: CustomResourceEvent, lambdaContext?: Context): Promise<ResourceResult<ResourceType>> {
  const type = event.ResourceType;
  if (!isResourceType(type)) {
    throw new ResourceError(`Unknown resource type ${type}.`);
  }
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
      if (!isFailedCreatePhysicalId(event.PhysicalResourceId)) {
        await resourceHandler.delete({ ...common, event });
      }
      return { physicalResourceId: event.PhysicalResourceId };
  }
}

/** The handler of a resource type, seen through the operations every handler has. */
function handlerOf(type: ResourceType): ResourceHandler<ResourceType> {
  return HANDLERS[type];
}
