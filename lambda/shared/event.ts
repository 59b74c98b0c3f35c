import { createHash } from 'crypto';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/** Any event, its properties not yet read: each handler narrows it to its contract. */
export type CustomResourceEvent = CloudFormationCustomResourceEvent<Record<string, unknown>>;

/** Physical id of a Create that failed and left nothing behind: its Delete has nothing to do. */
const FAILED_CREATE_PREFIX = 'create-failed:';

export function failedCreatePhysicalId(event: CustomResourceEvent): string {
  return `${FAILED_CREATE_PREFIX}${event.RequestId}`;
}

export function isFailedCreatePhysicalId(physicalId: string): boolean {
  return physicalId.startsWith(FAILED_CREATE_PREFIX);
}

/**
 * A client token for one call of one request. A redelivered request derives the same tokens,
 * so the service answers a repeated call as it answered the first one.
 */
export function clientToken(event: CustomResourceEvent, step: string): string {
  return createHash('sha256')
    .update([event.StackId, event.LogicalResourceId, event.RequestId, step].join('\n'))
    .digest('hex');
}

/** Partition, region and account of the stack that sent the event. */
export function stackEnvironment(event: CustomResourceEvent): { partition: string; region: string; account: string } {
  const [, partition, , region, account] = event.StackId.split(':');
  return { partition, region, account };
}

/** `arn:<partition>:iot:<region>:<account>:<resource>` in the stack's account and region. */
export function iotArnOf(event: CustomResourceEvent, resource: string): string {
  const { partition, region, account } = stackEnvironment(event);
  return `arn:${partition}:iot:${region}:${account}:${resource}`;
}

export function packageArnOf(event: CustomResourceEvent, packageName: string): string {
  return iotArnOf(event, `package/${packageName}`);
}

/** Fields whose values the service marks as sensitive: logged by name only. */
const SENSITIVE_PROPERTIES = new Set(['Description', 'Attributes', 'Recipe']);

/** The event as it may be logged: no ResponseURL (a pre-signed URL), no sensitive values. */
export function loggableEvent(event: CustomResourceEvent): Record<string, unknown> {
  const { ResponseURL: _responseUrl, ...rest } = event;
  const masked: Record<string, unknown> = { ...rest, ResponseURL: '[redacted]' };
  for (const key of ['ResourceProperties', 'OldResourceProperties'] as const) {
    const properties = (event as any)[key] as Record<string, unknown> | undefined;
    if (!properties) continue;
    masked[key] = Object.fromEntries(Object.entries(properties).map(([name, value]) =>
      [name, SENSITIVE_PROPERTIES.has(name) && value !== undefined ? '[sensitive]' : value]));
  }
  return masked;
}

/** A positive integer from the environment (tests shorten waits with it), else the fallback. */
export function positiveIntegerSetting(name: string, fallback: number): number {
  const parsed = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}
