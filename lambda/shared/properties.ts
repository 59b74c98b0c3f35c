import { ResourceError } from './errors';
import { BooleanString, S3ObjectProperty } from '../../src/private/contract';

type RawProperties = Record<string, unknown> | undefined;

/** Reads a required string property. */
export function requiredString(properties: RawProperties, name: string): string {
  const value = properties?.[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new ResourceError(`Property ${name} is required.`);
  }
  return value;
}

export function optionalString(properties: RawProperties, name: string): string | undefined {
  const value = properties?.[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ResourceError(`Property ${name} must be a string.`);
  return value;
}

/** CloudFormation delivers booleans as the strings "true" and "false". */
export function optionalBoolean(properties: RawProperties, name: string): boolean {
  const value = properties?.[name] as BooleanString | boolean | undefined;
  return value === true || value === 'true';
}

export function stringMap(properties: RawProperties, name: string): Record<string, string> {
  const value = properties?.[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ResourceError(`Property ${name} must be a map of strings.`);
  }
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

export function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

/** What to tag and untag to move a resource from `before` to `after`. */
export function tagChanges(before: Record<string, string>, after: Record<string, string>) {
  const toSet = Object.entries(after).filter(([key, value]) => before[key] !== value);
  const toRemove = Object.keys(before).filter((key) => !(key in after));
  return { toSet, toRemove };
}

/** The map, or undefined when empty: the service rejects empty tag maps. */
export function nonEmpty(map: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(map).length > 0 ? map : undefined;
}

/** An S3 object property (`{ Bucket, Key, Version? }`), or undefined. */
export function optionalS3Object(properties: RawProperties, name: string): S3ObjectProperty | undefined {
  const value = properties?.[name] as Record<string, unknown> | undefined;
  if (value === undefined || value === null) return undefined;
  return {
    Bucket: requiredString(value, 'Bucket'),
    Key: requiredString(value, 'Key'),
    Version: optionalString(value, 'Version'),
  };
}

export function sameS3Object(a: S3ObjectProperty | undefined, b: S3ObjectProperty | undefined): boolean {
  return a?.Bucket === b?.Bucket && a?.Key === b?.Key && a?.Version === b?.Version;
}
