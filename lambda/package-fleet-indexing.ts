import { GetIndexingConfigurationCommand, ThingIndexingConfiguration, UpdateIndexingConfigurationCommand } from '@aws-sdk/client-iot';
import { ResourceError } from './shared/errors';
import { stackEnvironment } from './shared/event';
import { CreateEvent, DeleteEvent, HandlerContext, ResourceHandler, ResourceResult, UpdateEvent } from './shared/handler-types';
import { Delivered, PropertyReader } from './shared/properties';
import { PackageFleetIndexingProperties, RESOURCE_TYPES } from '../src/private/contract';

type Type = typeof RESOURCE_TYPES.packageFleetIndexing;

function shadowNameOf(properties: Delivered<PackageFleetIndexingProperties> | undefined): string {
  return new PropertyReader(properties).string('ShadowName');
}

/**
 * The `$package` named shadow in fleet indexing. The thing indexing configuration is one per
 * account and region and shared with others: this resource merges the shadow name into the
 * named-shadow filter, turns on what that needs, and records in its physical id what it
 * changed (a Delete event carries no attributes), so that its Delete takes back only that.
 */

/** Named shadows per indexing filter (IoT developer guide, "Managing thing indexing"). */
const MAX_NAMED_SHADOW_NAMES = 10;
const ID_PREFIX = 'package-fleet-indexing';

/** What this resource changed, as recorded in its physical id. */
interface Changes {
  /** It added the shadow name to the filter. */
  filter: boolean;
  /** It turned named-shadow indexing ON. */
  namedShadowIndexing: boolean;
  /** It raised the thing indexing mode from this one to REGISTRY_AND_SHADOW. */
  previousThingIndexingMode?: string;
}

function physicalId(context: HandlerContext, changes: Changes): string {
  const { account, region } = stackEnvironment(context.event);
  const parts = [
    ...(changes.filter ? ['filter'] : []),
    ...(changes.namedShadowIndexing ? ['named-shadow'] : []),
    ...(changes.previousThingIndexingMode ? [`mode-${changes.previousThingIndexingMode}`] : []),
  ];
  return `${ID_PREFIX}:${account}:${region}:${parts.length > 0 ? parts.join(',') : 'none'}`;
}

function parseChanges(id: string): Changes {
  const parts = id.startsWith(`${ID_PREFIX}:`) ? id.split(':').pop()!.split(',') : [];
  return {
    filter: parts.includes('filter'),
    namedShadowIndexing: parts.includes('named-shadow'),
    previousThingIndexingMode: parts.find((p) => p.startsWith('mode-'))?.slice('mode-'.length),
  };
}

async function thingIndexing(context: HandlerContext): Promise<ThingIndexingConfiguration> {
  const { thingIndexingConfiguration } = await context.iot.send(new GetIndexingConfigurationCommand({}));
  return thingIndexingConfiguration ?? { thingIndexingMode: 'OFF' };
}

/** The configuration to send back: what was read, less the fields the service manages itself. */
function writable(config: ThingIndexingConfiguration): ThingIndexingConfiguration {
  const { managedFields: _managed, ...rest } = config;
  return JSON.parse(JSON.stringify(rest));
}

async function put(context: HandlerContext, config: ThingIndexingConfiguration): Promise<void> {
  await context.iot.send(new UpdateIndexingConfigurationCommand({ thingIndexingConfiguration: config }));
}

async function create(context: HandlerContext<CreateEvent<Type>>): Promise<ResourceResult<Type>> {
  const shadowName = shadowNameOf(context.event.ResourceProperties);
  const found = await thingIndexing(context);
  const next = writable(found);
  const changes: Changes = { filter: false, namedShadowIndexing: false };
  const names = found.filter?.namedShadowNames ?? [];
  if (!names.includes(shadowName)) {
    if (names.length >= MAX_NAMED_SHADOW_NAMES) {
      throw new ResourceError(
        `Cannot index the ${shadowName} shadow: the thing indexing filter already names ${names.length} named shadows ` +
        `(${names.join(', ')}), the most it can hold is ${MAX_NAMED_SHADOW_NAMES}. The indexing configuration was left unchanged.`,
      );
    }
    next.filter = { ...next.filter, namedShadowNames: [...names, shadowName] };
    changes.filter = true;
  }
  if (found.namedShadowIndexingMode !== 'ON') {
    next.namedShadowIndexingMode = 'ON';
    changes.namedShadowIndexing = true;
  }
  // Named shadows are shadow data: they are indexed only with REGISTRY_AND_SHADOW.
  if (found.thingIndexingMode !== 'REGISTRY_AND_SHADOW') {
    changes.previousThingIndexingMode = found.thingIndexingMode ?? 'OFF';
    next.thingIndexingMode = 'REGISTRY_AND_SHADOW';
  }
  if (changes.filter || changes.namedShadowIndexing || changes.previousThingIndexingMode) {
    await put(context, next);
  }
  return { physicalResourceId: physicalId(context, changes) };
}

async function update(context: HandlerContext<UpdateEvent<Type>>): Promise<ResourceResult<Type>> {
  // The shadow name is fixed; keep what the Create recorded.
  return { physicalResourceId: context.event.PhysicalResourceId };
}

/** Takes back what the Create changed, and only that; settings others changed since stay. */
async function remove(context: HandlerContext<DeleteEvent<Type>>): Promise<void> {
  const event = context.event;
  const shadowName = shadowNameOf(event.ResourceProperties);
  const changes = parseChanges(event.PhysicalResourceId);
  const found = await thingIndexing(context);
  const next = writable(found);
  let changed = false;

  const names = found.filter?.namedShadowNames ?? [];
  if (changes.filter && names.includes(shadowName)) {
    const remaining = names.filter((n) => n !== shadowName);
    const { namedShadowNames: _names, ...otherFilters } = next.filter ?? {};
    next.filter = remaining.length > 0 ? { ...otherFilters, namedShadowNames: remaining } : otherFilters;
    if (Object.keys(next.filter).length === 0) delete next.filter;
    changed = true;
  }
  const namesLeft = next.filter?.namedShadowNames ?? [];
  if (changes.namedShadowIndexing && next.namedShadowIndexingMode === 'ON' && namesLeft.length === 0) {
    next.namedShadowIndexingMode = 'OFF';
    changed = true;
  }
  const previous = changes.previousThingIndexingMode;
  if (previous && next.namedShadowIndexingMode !== 'ON' && next.thingIndexingMode === 'REGISTRY_AND_SHADOW') {
    // Connectivity and Device Defender indexing need thing indexing: never go below REGISTRY for them.
    const needsRegistry = next.thingConnectivityIndexingMode === 'STATUS' || next.deviceDefenderIndexingMode === 'VIOLATIONS';
    next.thingIndexingMode = previous === 'OFF' && needsRegistry ? 'REGISTRY' : previous as ThingIndexingConfiguration['thingIndexingMode'];
    changed = true;
  }
  if (changed) await put(context, next);
}

export const packageFleetIndexingHandler: ResourceHandler<Type> = {
  describe: (properties) => `fleet indexing of the ${String(properties?.ShadowName ?? '')} shadow`,
  create,
  update,
  delete: remove,
};
