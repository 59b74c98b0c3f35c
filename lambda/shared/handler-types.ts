import { IoTClient } from '@aws-sdk/client-iot';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { CustomResourceEvent } from './event';
import { Delivered } from './properties';
import { AttributesOf, PropertiesOf, ResourceType } from '../../src/private/contract';

/** The events of one resource type, each with its properties as delivered. */
export type CreateEvent<T extends ResourceType> = CloudFormationCustomResourceCreateEvent<Delivered<PropertiesOf<T>>>;
export type UpdateEvent<T extends ResourceType> = CloudFormationCustomResourceUpdateEvent<Delivered<PropertiesOf<T>>, Delivered<PropertiesOf<T>>>;
export type DeleteEvent<T extends ResourceType> = CloudFormationCustomResourceDeleteEvent<Delivered<PropertiesOf<T>>>;

export interface ResourceResult<T extends ResourceType> {
  readonly physicalResourceId: string;
  readonly data?: AttributesOf<T>;
}

export interface HandlerContext<E extends CustomResourceEvent = CustomResourceEvent> {
  readonly event: E;
  readonly iot: IoTClient;
  /** The client token of one named step of this request. */
  token(step: string): string;
  /** Milliseconds left before the Lambda function times out. */
  remainingTimeMs(): number;
}

/** The three lifecycle operations of one custom resource type, each given its own event. */
export interface ResourceHandler<T extends ResourceType> {
  /** A human name of the resource for error messages, from its properties. */
  describe(properties: Delivered<PropertiesOf<T>> | undefined): string;
  create(context: HandlerContext<CreateEvent<T>>): Promise<ResourceResult<T>>;
  update(context: HandlerContext<UpdateEvent<T>>): Promise<ResourceResult<T>>;
  delete(context: HandlerContext<DeleteEvent<T>>): Promise<void>;
}
