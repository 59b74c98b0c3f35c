import { IoTClient } from '@aws-sdk/client-iot';
import { CustomResourceEvent } from './event';

export interface ResourceResult {
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
}

export interface HandlerContext {
  readonly event: CustomResourceEvent;
  readonly iot: IoTClient;
  /** The client token of one named step of this request. */
  token(step: string): string;
  /** Milliseconds left before the Lambda function times out. */
  remainingTimeMs(): number;
}

/** The three lifecycle operations of one custom resource type. */
export interface ResourceHandler {
  /** A human name of the resource for error messages, from its properties. */
  describe(properties: Record<string, unknown> | undefined): string;
  create(context: HandlerContext): Promise<ResourceResult>;
  update(context: HandlerContext): Promise<ResourceResult>;
  delete(context: HandlerContext): Promise<void>;
}
