import type { Context } from 'aws-lambda';
import type * as Dispatch from './dispatch';
import { describeFailure, ResourceError } from './shared/errors';
import { CustomResourceEvent, failedCreatePhysicalId, isFailedCreatePhysicalId, loggableEvent } from './shared/event';
import { ResourceResult } from './shared/handler-types';
import { renderResponse, sendResponse } from './shared/response';
import { runtimeSdkProblem } from './shared/runtime-sdk';
import { isResourceType, ResourceType } from '../src/private/contract';

/*
 * The entry point loads no AWS SDK: the handlers (`dispatch.ts`) run on the SDK of the Lambda
 * runtime, and are loaded only once that SDK is known to serve them. Whatever happens,
 * CloudFormation gets an answer.
 */

/** The handlers, once loaded. */
let handlers: typeof Dispatch | undefined;

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
    const name = handlers && isResourceType(type) ? handlers.describeResource(type, event.ResourceProperties) : type;
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
  // The rollback of a failed Create has nothing to delete, and needs no SDK to say so.
  if (event.RequestType === 'Delete' && isFailedCreatePhysicalId(event.PhysicalResourceId)) {
    return { physicalResourceId: event.PhysicalResourceId };
  }
  const problem = runtimeSdkProblem();
  if (problem) throw new ResourceError(`${event.RequestType} ${type} (${event.LogicalResourceId}): ${problem}`);
  // A require, not a static import: the bundler then evaluates the module, and the SDK it
  // loads, only here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handlers ??= require('./dispatch') as typeof Dispatch;
  return handlers.dispatch(type, event, lambdaContext);
}
