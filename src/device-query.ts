import { Token } from 'aws-cdk-lib';
import { IPackageVersion } from './package-version';
import { policyPackageName } from './private/internals';
import { placeholderNames, validatePackageName, validateThingName, validateVersionName } from './private/validation';
import { ISoftwarePackage } from './software-package';

/**
 * The fleet-indexing field of a package's installed version in the `$package` reserved named
 * shadow: `{ "state": { "reported": { "<packageName>": { "version": "<versionName>" } } } }`.
 */
const PACKAGE_SHADOW_FIELD = 'shadow.name.$package.reported';

/** "The maximum number of terms in a query is 12" (IoT developer guide, "Query syntax"). */
export const MAX_QUERY_TERMS = 12;

/** Characters the query syntax does not support, even escaped (IoT developer guide, "Query syntax"). */
const UNSUPPORTED_CHARACTERS = /[`@#%\\/';,]/;
/** Characters the query syntax gives a meaning, escaped with `\` in a name or value. */
const SPECIAL_CHARACTERS = /[+\-&|!(){}[\]^"~*?:=<>\s]/g;

/** What a leaf of a query states about one package, for contradiction checks. */
interface PackageFact {
  readonly packageName: string;
  /** A version the device runs; `*` for any; undefined when it runs none. */
  readonly running?: string;
  /** A version the device does not run. */
  readonly notRunning?: string;
}

type Node =
  | { readonly kind: 'term'; readonly text: string; readonly fact?: PackageFact; readonly thingType?: string }
  | { readonly kind: 'all' | 'any'; readonly children: readonly Node[] }
  | { readonly kind: 'not'; readonly child: Node };

/**
 * A fleet-indexing query of devices (things), by the package versions they report in the
 * `$package` reserved named shadow, their thing type, attributes and groups. Render it with
 * `queryString`, or use it in a `DynamicThingGroup` or `PackageAdoption`.
 *
 * Names are checked when the query is built; unresolved tokens pass through unchecked. The
 * service evaluates at most 12 terms in a query; a query with more fails when it is built.
 *
 * @example
 * import { DeviceQuery, SoftwarePackage } from 'cdk-iot-package-catalog';
 *
 * declare const firmware: SoftwarePackage;
 * const v1 = firmware.addVersion('V1', { versionName: '1.0.0' });
 * // Pump sensors that still run 1.0.0:
 * DeviceQuery.allOf(DeviceQuery.runningVersion(v1), DeviceQuery.ofThingType('pump_sensor'));
 *
 * @see https://docs.aws.amazon.com/iot/latest/developerguide/preparing-fleet-indexing.html
 * @see https://docs.aws.amazon.com/iot/latest/developerguide/query-syntax.html
 */
export class DeviceQuery {
  /** Devices that report `version` as the installed version of its package. */
  public static runningVersion(version: IPackageVersion): DeviceQuery {
    const { packageName, versionName } = versionNames(version);
    return new DeviceQuery(versionTerm(packageName, versionName));
  }

  /**
   * Devices that report a version of `pkg` other than `version`, or none: everything that a
   * rollout of `version` still has to reach.
   */
  public static notRunningVersion(version: IPackageVersion): DeviceQuery {
    const { packageName, versionName } = versionNames(version);
    return new DeviceQuery({ kind: 'not', child: versionTerm(packageName, versionName) });
  }

  /** Devices that report any version of `pkg`. */
  public static runningAnyVersionOf(pkg: ISoftwarePackage): DeviceQuery {
    return new DeviceQuery(versionTerm(packageNameOf(pkg), '*'));
  }

  /** Devices that report no version of `pkg`: never installed, or uninstalled. */
  public static runningNoVersionOf(pkg: ISoftwarePackage): DeviceQuery {
    return new DeviceQuery({ kind: 'not', child: versionTerm(packageNameOf(pkg), '*') });
  }

  /** Things of a thing type (`thingTypeName`). */
  public static ofThingType(thingTypeName: string): DeviceQuery {
    validateThingName('thingTypeName', thingTypeName);
    return new DeviceQuery({ kind: 'term', text: `thingTypeName:${escapeValue(thingTypeName)}`, thingType: thingTypeName });
  }

  /** Things in a thing group (`thingGroupNames`), directly or through a child group. */
  public static inThingGroup(thingGroupName: string): DeviceQuery {
    validateThingName('thingGroupName', thingGroupName);
    return new DeviceQuery({ kind: 'term', text: `thingGroupNames:${escapeValue(thingGroupName)}` });
  }

  /** Things whose registry attribute `name` has the value `value`. */
  public static withAttribute(name: string, value: string): DeviceQuery {
    checkQueryText('attribute name', name, /^[a-zA-Z0-9_.,@/:#-]{1,128}$/, '1-128 characters of [a-zA-Z0-9_.,@/:#-]');
    checkQueryText('attribute value', value, /^[a-zA-Z0-9_.,@/:#=[\]-]{1,800}$/, '1-800 characters of [a-zA-Z0-9_.,@/:#=[]-]');
    return new DeviceQuery({ kind: 'term', text: `attributes.${escapeField(name)}:${escapeValue(value)}` });
  }

  /** Devices that match every query. */
  public static allOf(...queries: DeviceQuery[]): DeviceQuery {
    return DeviceQuery.combine('all', queries);
  }

  /** Devices that match at least one query. */
  public static anyOf(...queries: DeviceQuery[]): DeviceQuery {
    return DeviceQuery.combine('any', queries);
  }

  /** Devices that match none of the queries. */
  public static noneOf(...queries: DeviceQuery[]): DeviceQuery {
    const any = DeviceQuery.combine('any', queries, 'noneOf');
    return new DeviceQuery({ kind: 'not', child: any.node });
  }

  private static combine(kind: 'all' | 'any', queries: DeviceQuery[], name = `${kind}Of`): DeviceQuery {
    if (queries.length === 0) throw new Error(`DeviceQuery.${name} needs at least one query.`);
    if (queries.length === 1) return queries[0];
    // (a AND b) AND c is a AND b AND c: flatten, so contradictions and terms are seen together.
    const children = queries.flatMap((q) => q.node.kind === kind ? q.node.children : [q.node]);
    if (kind === 'all') checkContradictions(children);
    return new DeviceQuery({ kind, children });
  }

  /** The query as the fleet-indexing service reads it. */
  public readonly queryString: string;
  /** The number of terms the service counts in it (at most 12). */
  public readonly termCount: number;

  private constructor(private readonly node: Node) {
    this.queryString = render(node, true);
    // A term is a field and a value: one unescaped ':' each (values escape theirs).
    this.termCount = (this.queryString.match(/(?<!\\):/g) ?? []).length;
    if (this.termCount > MAX_QUERY_TERMS) {
      throw new Error(`A fleet-indexing query can have at most ${MAX_QUERY_TERMS} terms, this one has ${this.termCount}: ${this.queryString}`);
    }
  }
}

function versionNames(version: IPackageVersion): { packageName: string; versionName: string } {
  const names = placeholderNames(version);
  validatePackageName(names.packageName);
  if (!['$default', '$null'].includes(names.versionName)) validateVersionName(names.versionName);
  else throw new Error(`A device reports the version it runs, never ${names.versionName}: query a version of the package.`);
  return names;
}

function packageNameOf(pkg: ISoftwarePackage): string {
  const name = policyPackageName(pkg);
  validatePackageName(name);
  return name;
}

function versionTerm(packageName: string, versionName: string): Node {
  const value = versionName === '*' ? '*' : escapeValue(versionName);
  return {
    kind: 'term',
    text: `${PACKAGE_SHADOW_FIELD}.${packageName}.version:${value}`,
    fact: Token.isUnresolved(packageName) || Token.isUnresolved(versionName) ? undefined : { packageName, running: versionName },
  };
}

/**
 * Escapes what the query syntax reads as an operator: a leading `-` or `+` (exclusion,
 * requirement) and the characters that are operators anywhere (`:` would start a value). A
 * `-` inside a name is part of the term, as in `telemetry-agent`. Tokens pass through.
 */
function escapeValue(value: string): string {
  if (Token.isUnresolved(value)) return value;
  return value.replace(SPECIAL_CHARACTERS, (c, offset: number) => (c === '-' || c === '+') && offset > 0 ? c : `\\${c}`);
}

/** A name inside a field path: never at the start of a term, so only `:` and the like are escaped. */
function escapeField(name: string): string {
  if (Token.isUnresolved(name)) return name;
  return name.replace(SPECIAL_CHARACTERS, (c) => c === '-' || c === '+' ? c : `\\${c}`);
}

function checkQueryText(label: string, value: string, pattern: RegExp, rule: string): void {
  if (Token.isUnresolved(value)) return;
  if (!pattern.test(value)) throw new Error(`${label} ${JSON.stringify(value)} must be ${rule}.`);
  const unsupported = UNSUPPORTED_CHARACTERS.exec(value);
  if (unsupported) {
    throw new Error(`${label} ${JSON.stringify(value)} holds ${JSON.stringify(unsupported[0])}, which fleet-indexing queries cannot search for.`);
  }
}

/** A query whose every match is by exclusion: the service needs a positive term beside it. */
function isNegative(node: Node): boolean {
  if (node.kind === 'not') return true;
  if (node.kind === 'all') return node.children.every(isNegative);
  if (node.kind === 'any') return node.children.some(isNegative);
  return false;
}

/**
 * A purely negative clause matches nothing on its own in the query syntax, so it is anchored
 * to every thing (`thingName:*`) where it stands alone: at the top, or in an OR.
 */
function render(node: Node, standalone: boolean): string {
  const anchor = (text: string) => standalone && isNegative(node) ? `thingName:* AND ${text}` : text;
  switch (node.kind) {
    case 'term': return node.text;
    case 'not': return anchor(`NOT ${group(node.child, true)}`);
    // Positive terms first, exclusions after them: `a AND NOT b`.
    case 'all': return anchor([...node.children].sort((x, y) => Number(isNegative(x)) - Number(isNegative(y))).map((c) => group(c)).join(' AND '));
    case 'any': return node.children.map((c) => isNegative(c) ? `(${render(c, true)})` : group(c)).join(' OR ');
  }
}

/** A clause as an operand: `NOT x` binds to its operand, anything longer is parenthesized. */
function group(node: Node, standalone = false): string {
  const text = render(node, standalone);
  return node.kind === 'term' || (node.kind === 'not' && !standalone) ? text : `(${text})`;
}

/** Terms a device cannot all match: two versions of one package, a version it both runs and does not, two thing types. */
function checkContradictions(children: readonly Node[]): void {
  const facts: PackageFact[] = [];
  const thingTypes = new Set<string>();
  for (const child of children) {
    if (child.kind === 'term' && child.fact) facts.push(child.fact);
    if (child.kind === 'term' && child.thingType && !Token.isUnresolved(child.thingType)) thingTypes.add(child.thingType);
    if (child.kind === 'not' && child.child.kind === 'term' && child.child.fact) {
      const { packageName, running } = child.child.fact;
      facts.push(running === '*' ? { packageName } : { packageName, notRunning: running });
    }
  }
  if (thingTypes.size > 1) {
    throw new Error(`No thing matches thingTypeName ${[...thingTypes].map((t) => JSON.stringify(t)).join(' and ')} at once: a thing has one type. Use DeviceQuery.anyOf.`);
  }
  const byPackage = new Map<string, PackageFact[]>();
  for (const fact of facts) byPackage.set(fact.packageName, [...byPackage.get(fact.packageName) ?? [], fact]);
  for (const [packageName, list] of byPackage) {
    const running = [...new Set(list.filter((f) => f.running !== undefined && f.running !== '*').map((f) => f.running!))];
    const runsAny = list.some((f) => f.running !== undefined);
    const runsNone = list.some((f) => f.running === undefined && f.notRunning === undefined);
    const notRunning = list.filter((f) => f.notRunning !== undefined).map((f) => f.notRunning!);
    const describe = `package ${JSON.stringify(packageName)}`;
    if (running.length > 1) {
      throw new Error(`No device runs versions ${running.map((v) => JSON.stringify(v)).join(' and ')} of ${describe} at once: a device reports one version of a package. Use DeviceQuery.anyOf.`);
    }
    if (runsAny && runsNone) {
      throw new Error(`No device both runs a version of ${describe} and runs none of its versions.`);
    }
    const excluded = running.find((v) => notRunning.includes(v));
    if (excluded) {
      throw new Error(`No device both runs and does not run version ${JSON.stringify(excluded)} of ${describe}.`);
    }
  }
}
