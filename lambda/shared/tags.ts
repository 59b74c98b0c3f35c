import { IoTClient, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-iot';
import { tagChanges } from './properties';

/** Applies the difference between two tag sets to a resource: at most one call of each kind. */
export async function updateTags(iot: IoTClient, resourceArn: string, before: Record<string, string>, after: Record<string, string>) {
  const { toSet, toRemove } = tagChanges(before, after);
  if (toRemove.length > 0) {
    await iot.send(new UntagResourceCommand({ resourceArn, tagKeys: toRemove }));
  }
  if (toSet.length > 0) {
    await iot.send(new TagResourceCommand({ resourceArn, tags: toSet.map(([Key, Value]) => ({ Key, Value })) }));
  }
}
