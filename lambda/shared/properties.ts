import { ResourceError } from './errors';
import { S3ObjectProperty } from '../../src/private/contract';

/**
 * Properties as CloudFormation delivers them for a contract `P`: the contract's names, with
 * values not yet checked (every scalar arrives as a string, also inside nested objects).
 */
export type Delivered<P> = { readonly [K in keyof P]?: unknown } & { readonly [name: string]: unknown };

type Key<P> = keyof P & string;
/** The element type of a list property. */
type ElementOf<T> = T extends ReadonlyArray<infer E> ? E : never;

/**
 * Reads the properties of one contract by its names: renaming a property in the contract
 * fails to compile here. Every read checks the delivered value and names the property (with
 * its path, inside nested objects) when it is not what the contract says.
 */
export class PropertyReader<P> {
  constructor(private readonly properties: Delivered<P> | undefined, private readonly path = '') {}

  /** A required, non-empty string. */
  public string(name: Key<P>): string {
    const value = this.raw(name);
    if (typeof value !== 'string' || value.length === 0) throw this.error(name, 'is required');
    return value;
  }

  public optionalString(name: Key<P>): string | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw this.error(name, 'must be a string');
    return value;
  }

  /** One of `allowed`; `fallback` when absent. */
  public oneOf<V extends string>(name: Key<P>, allowed: readonly V[], fallback?: V): V {
    const value = this.optionalString(name) ?? fallback;
    if (value === undefined || !allowed.includes(value as V)) {
      throw this.error(name, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
    }
    return value as V;
  }

  /** CloudFormation delivers booleans as the strings "true" and "false"; absent is false. */
  public boolean(name: Key<P>): boolean {
    const value = this.raw(name);
    return value === true || value === 'true';
  }

  /** A number, delivered as a string; undefined when absent or empty. */
  public number(name: Key<P>): number | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null || value === '') return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw this.error(name, `must be a number, got ${JSON.stringify(value)}`);
    return parsed;
  }

  /** A map of strings; empty when absent. */
  public map(name: Key<P>): Record<string, string> {
    const value = this.raw(name);
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw this.error(name, 'must be a map of strings');
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }

  /** A list of strings; empty when absent. */
  public list(name: Key<P>): string[] {
    const value = this.raw(name);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw this.error(name, 'must be a list of strings');
    return value.map(String);
  }

  /** A nested object, read by its own contract; undefined when absent. */
  public object<K extends Key<P>>(name: K): PropertyReader<NonNullable<P[K]>> | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw this.error(name, 'must be an object');
    return new PropertyReader<NonNullable<P[K]>>(value as Delivered<NonNullable<P[K]>>, this.at(name));
  }

  /** A list of nested objects, each read by its own contract; empty when absent. */
  public objects<K extends Key<P>>(name: K): Array<PropertyReader<ElementOf<NonNullable<P[K]>>>> {
    const value = this.raw(name);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw this.error(name, 'must be a list');
    return value.map((item, i) => new PropertyReader<ElementOf<NonNullable<P[K]>>>(item as Delivered<ElementOf<NonNullable<P[K]>>>, `${this.at(name)}[${i}]`));
  }

  private raw(name: Key<P>): unknown {
    return (this.properties as Record<string, unknown> | undefined)?.[name];
  }

  private at(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  private error(name: string, problem: string): ResourceError {
    return new ResourceError(`Property ${this.at(name)} ${problem}.`);
  }
}

/** An S3 object property (`{ Bucket, Key, Version? }`) read from `read.object(name)`, or undefined. */
export function s3ObjectOf(object: PropertyReader<S3ObjectProperty> | undefined): S3ObjectProperty | undefined {
  return object && { Bucket: object.string('Bucket'), Key: object.string('Key'), Version: object.optionalString('Version') };
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

export function sameS3Object(a: S3ObjectProperty | undefined, b: S3ObjectProperty | undefined): boolean {
  return a?.Bucket === b?.Bucket && a?.Key === b?.Key && a?.Version === b?.Version;
}
