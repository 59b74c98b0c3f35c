/**
 * CloudFormation intrinsic functions, conditions and reference extraction, as the local deploy
 * harness needs them. Pure functions: the harness supplies resource lookups through
 * `ResolveContext`.
 */

/** A template error: CloudFormation would reject the template or fail the resource. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export interface PseudoParameters {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly stackName: string;
  readonly stackId: string;
}

export interface ResolveContext {
  readonly pseudo: PseudoParameters;
  /** Resolved parameter values by name. */
  readonly parameters: Record<string, string>;
  /** Condition definitions of the template (`Conditions` section). */
  readonly conditions: Record<string, unknown>;
  readonly mappings: Record<string, Record<string, Record<string, unknown>>>;
  /** `Ref` of a resource: its physical id. Throws `TemplateError` when it has none yet. */
  ref(logicalId: string): string;
  /** `Fn::GetAtt` of a resource. Throws `TemplateError` for an attribute it lacks. */
  getAtt(logicalId: string, attribute: string): unknown;
}

/** Marker for `Ref: AWS::NoValue`: the enclosing property or list element disappears. */
const NO_VALUE = Symbol('AWS::NoValue');

/** Resolves every intrinsic in `value`. `AWS::NoValue` removes keys and list elements. */
export function resolve(value: unknown, ctx: ResolveContext): unknown {
  const resolved = resolveValue(value, ctx, new Map());
  return resolved === NO_VALUE ? undefined : resolved;
}

/** Evaluates a named condition of the template. */
export function evaluateCondition(name: string, ctx: ResolveContext): boolean {
  return conditionValue(name, ctx, new Map());
}

/**
 * Logical ids of resources that `value` references through `Ref`, `Fn::GetAtt` or `Fn::Sub`
 * (both branches of `Fn::If` count, as they do for CloudFormation's dependency graph).
 */
export function referencedResources(value: unknown, resourceIds: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (!isObject(v)) {
      return;
    }
    const intrinsic = singleKey(v);
    if (intrinsic === 'Ref' && typeof v.Ref === 'string' && resourceIds.has(v.Ref)) {
      found.add(v.Ref);
    } else if (intrinsic === 'Fn::GetAtt') {
      const [target] = getAttArgs(v['Fn::GetAtt']);
      if (resourceIds.has(target)) {
        found.add(target);
      }
    } else if (intrinsic === 'Fn::Sub') {
      const [text, variables] = subArgs(v['Fn::Sub']);
      const local = new Set(Object.keys(variables));
      for (const name of subReferences(text)) {
        const target = name.split('.')[0];
        if (!local.has(name) && resourceIds.has(target)) {
          found.add(target);
        }
      }
      visit(variables);
      return;
    }
    Object.values(v).forEach(visit);
  };
  visit(value);
  return found;
}

/**
 * CloudFormation hands custom resources every scalar as a string: numbers and booleans are
 * stringified, recursively inside objects and lists.
 */
export function stringifyScalars(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(stringifyScalars);
  }
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyScalars(v)]));
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return value;
}

function resolveValue(value: unknown, ctx: ResolveContext, conditionCache: Map<string, boolean>): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolveValue(item, ctx, conditionCache)).filter((item) => item !== NO_VALUE);
  }
  if (!isObject(value)) {
    return value;
  }
  const intrinsic = singleKey(value);
  if (intrinsic !== undefined && (intrinsic === 'Ref' || intrinsic.startsWith('Fn::'))) {
    return resolveIntrinsic(intrinsic, value[intrinsic], ctx, conditionCache);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = resolveValue(item, ctx, conditionCache);
    if (resolved !== NO_VALUE) {
      out[key] = resolved;
    }
  }
  return out;
}

function resolveIntrinsic(name: string, arg: unknown, ctx: ResolveContext, cache: Map<string, boolean>): unknown {
  const r = (v: unknown) => resolveValue(v, ctx, cache);
  switch (name) {
    case 'Ref':
      return resolveRef(String(arg), ctx);
    case 'Fn::GetAtt': {
      const [target, attribute] = getAttArgs(arg);
      return ctx.getAtt(target, String(r(attribute)));
    }
    case 'Fn::Join': {
      const [separator, list] = expectArray(name, arg, 2);
      return expectList(name, r(list)).map((item) => String(item)).join(String(separator));
    }
    case 'Fn::Sub': {
      const [text, variables] = subArgs(arg);
      const values = r(variables) as Record<string, unknown>;
      return text.replace(/\$\{([^}]+)\}/g, (_match, ref: string) => {
        if (ref.startsWith('!')) {
          return '${' + ref.slice(1) + '}';
        }
        if (ref in values) {
          return String(values[ref]);
        }
        const dot = ref.indexOf('.');
        return String(dot < 0 ? resolveRef(ref, ctx) : ctx.getAtt(ref.slice(0, dot), ref.slice(dot + 1)));
      });
    }
    case 'Fn::Select': {
      const [index, list] = expectArray(name, arg, 2);
      const items = expectList(name, r(list));
      const i = Number(r(index));
      if (!Number.isInteger(i) || i < 0 || i >= items.length) {
        throw new TemplateError(`Fn::Select: index ${String(index)} is out of bounds for a list of ${items.length}`);
      }
      return items[i];
    }
    case 'Fn::Split': {
      const [separator, text] = expectArray(name, arg, 2);
      return String(r(text)).split(String(separator));
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = expectArray(name, arg, 3);
      return r(conditionValue(String(condition), ctx, cache) ? whenTrue : whenFalse);
    }
    case 'Fn::Equals':
    case 'Fn::Not':
    case 'Fn::And':
    case 'Fn::Or':
      return conditionFunction(name, arg, ctx, cache);
    case 'Fn::GetAZs': {
      const region = String(r(arg)) || ctx.pseudo.region;
      return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = expectArray(name, arg, 3).map((part) => String(r(part)));
      const found = ctx.mappings[map]?.[top]?.[second];
      if (found === undefined) {
        throw new TemplateError(`Fn::FindInMap: no value at ${map}.${top}.${second}`);
      }
      return found;
    }
    case 'Fn::Base64':
      return Buffer.from(String(r(arg))).toString('base64');
    case 'Fn::ImportValue':
      throw new TemplateError(`Fn::ImportValue (${JSON.stringify(arg)}): cross-stack references are not supported by the deploy harness`);
    default:
      throw new TemplateError(`Unsupported intrinsic function ${name}`);
  }
}

function resolveRef(name: string, ctx: ResolveContext): unknown {
  const p = ctx.pseudo;
  const pseudo: Record<string, unknown> = {
    'AWS::Region': p.region,
    'AWS::AccountId': p.accountId,
    'AWS::Partition': p.partition,
    'AWS::URLSuffix': p.urlSuffix,
    'AWS::StackName': p.stackName,
    'AWS::StackId': p.stackId,
    'AWS::NoValue': NO_VALUE,
    'AWS::NotificationARNs': [],
  };
  if (name in pseudo) {
    return pseudo[name];
  }
  if (name in ctx.parameters) {
    return ctx.parameters[name];
  }
  return ctx.ref(name);
}

function conditionValue(name: string, ctx: ResolveContext, cache: Map<string, boolean>): boolean {
  const cached = cache.get(name);
  if (cached !== undefined) {
    return cached;
  }
  if (!(name in ctx.conditions)) {
    throw new TemplateError(`Template format error: unresolved condition ${name}`);
  }
  const value = evaluateBoolean(ctx.conditions[name], ctx, cache);
  cache.set(name, value);
  return value;
}

function evaluateBoolean(expression: unknown, ctx: ResolveContext, cache: Map<string, boolean>): boolean {
  if (isObject(expression) && singleKey(expression) === 'Condition') {
    return conditionValue(String(expression.Condition), ctx, cache);
  }
  const value = resolveValue(expression, ctx, cache);
  if (typeof value === 'boolean') {
    return value;
  }
  if (value === 'true' || value === 'false') {
    return value === 'true';
  }
  throw new TemplateError(`Condition expression does not evaluate to a boolean: ${JSON.stringify(expression)}`);
}

function conditionFunction(name: string, arg: unknown, ctx: ResolveContext, cache: Map<string, boolean>): boolean {
  const args = expectArray(name, arg);
  switch (name) {
    case 'Fn::Equals': {
      const [a, b] = args.map((item) => resolveValue(item, ctx, cache));
      return JSON.stringify(stringifyScalars(a)) === JSON.stringify(stringifyScalars(b));
    }
    case 'Fn::Not':
      return !evaluateBoolean(args[0], ctx, cache);
    case 'Fn::And':
      return args.every((item) => evaluateBoolean(item, ctx, cache));
    default:
      return args.some((item) => evaluateBoolean(item, ctx, cache));
  }
}

function subArgs(arg: unknown): [string, Record<string, unknown>] {
  if (typeof arg === 'string') {
    return [arg, {}];
  }
  const [text, variables] = expectArray('Fn::Sub', arg, 2);
  if (typeof text !== 'string' || !isObject(variables)) {
    throw new TemplateError('Fn::Sub expects a string or [string, { variables }]');
  }
  return [text, variables];
}

/** Names referenced as `${Name}` in a `Fn::Sub` string (literals `${!...}` excluded). */
function subReferences(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]).filter((ref) => !ref.startsWith('!'));
}

function getAttArgs(arg: unknown): [string, unknown] {
  if (typeof arg === 'string') {
    const dot = arg.indexOf('.');
    return [arg.slice(0, dot), arg.slice(dot + 1)];
  }
  const [target, attribute] = expectArray('Fn::GetAtt', arg, 2);
  return [String(target), attribute];
}

function expectArray(name: string, arg: unknown, length?: number): unknown[] {
  if (!Array.isArray(arg) || (length !== undefined && arg.length !== length)) {
    throw new TemplateError(`${name} expects a list${length !== undefined ? ` of ${length} elements` : ''}, got ${JSON.stringify(arg)}`);
  }
  return arg;
}

function expectList(name: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) {
    throw new TemplateError(`${name} expects a list, got ${JSON.stringify(value)}`);
  }
  return value;
}

function singleKey(value: Record<string, unknown>): string | undefined {
  const keys = Object.keys(value);
  return keys.length === 1 ? keys[0] : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
