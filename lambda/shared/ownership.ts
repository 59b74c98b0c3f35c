import { IoTClient, ListTagsForResourceCommand } from '@aws-sdk/client-iot';
import { ifExists } from './errors';
import { CustomResourceEvent } from './event';
import { OWNER_TAG_KEY } from '../../src/private/contract';

/** The user's tags plus the tag that marks the resource as created by the event's stack. */
export function withOwnerTag(event: CustomResourceEvent, tags: Record<string, string>): Record<string, string> {
  return { ...tags, [OWNER_TAG_KEY]: event.StackId };
}

/**
 * The tags of an existing resource, or undefined when it does not exist. Every page is read:
 * the owner tag may be on any of them.
 */
export async function actualTags(iot: IoTClient, resourceArn: string): Promise<Record<string, string> | undefined> {
  const tags: Record<string, string> = {};
  let nextToken: string | undefined;
  do {
    const page = await ifExists(iot.send(new ListTagsForResourceCommand({ resourceArn, nextToken })));
    if (!page) return undefined;
    for (const tag of page.tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
    nextToken = page.nextToken;
  } while (nextToken);
  return tags;
}

/** Whether tags mark a resource as created by the event's stack. */
export function isOwnedBy(event: CustomResourceEvent, tags: Record<string, string> | undefined): boolean {
  return tags?.[OWNER_TAG_KEY] === event.StackId;
}

/** The user's part of a resource's tags: all but the owner tag. */
export function userTags(tags: Record<string, string>): Record<string, string> {
  const { [OWNER_TAG_KEY]: _owner, ...rest } = tags;
  return rest;
}
