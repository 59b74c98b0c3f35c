import type * as CloudFormation from '@aws-sdk/client-cloudformation';
import { errorName, messageOf } from './errors';
import { CustomResourceEvent } from './event';
import { runtimeClient } from './runtime-sdk';

/** The runtime's CloudFormation client, loaded by the first event that needs the stack's status (most never do). */
let sdk: typeof CloudFormation | undefined;
let client: CloudFormation.CloudFormationClient | undefined;

function cloudFormation(): { client: CloudFormation.CloudFormationClient; sdk: typeof CloudFormation } {
  sdk ??= runtimeClient('@aws-sdk/client-cloudformation') as unknown as typeof CloudFormation;
  // A few quick attempts: the answer only decides whether a refused change is a rollback.
  client ??= new sdk.CloudFormationClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } });
  return { client, sdk };
}

/**
 * Whether CloudFormation is rolling the event's stack back. A rollback Update asks for the
 * previous properties, which may name a change the service cannot make (a published version
 * back to DRAFT): the handler then accepts the resource as it is rather than fail the rollback
 * and leave the stack in UPDATE_ROLLBACK_FAILED. The same request outside a rollback is a
 * forward update, and is refused. When the status cannot be read, the request counts as a
 * forward update.
 */
export async function isRollingBack(event: CustomResourceEvent): Promise<boolean> {
  try {
    const { client: cfn, sdk: { DescribeStacksCommand } } = cloudFormation();
    const { Stacks: stacks } = await cfn.send(new DescribeStacksCommand({ StackName: event.StackId }));
    return stacks?.[0]?.StackStatus === 'UPDATE_ROLLBACK_IN_PROGRESS';
  } catch (error) {
    console.log(JSON.stringify({
      message: 'warning',
      logicalResourceId: event.LogicalResourceId,
      warning: `The stack's status could not be read (${errorName(error)}: ${messageOf(error)}): the change is handled as a forward update.`,
    }));
    return false;
  }
}
