/**
 * Evaluation of identity-based IAM policies, after the IAM User Guide ("Policy evaluation logic",
 * "IAM JSON policy elements: Condition operators", "Policy variables"). Pure and dependency-free,
 * so the emulator can decide requests exactly as IAM would for the policies a stack deploys.
 */

/** An IAM policy document as CloudFormation resolves it (values may be strings or arrays). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Condition context: key names are matched case-insensitively; a missing key is absent. */
export type ContextValue = string | boolean | number | readonly string[];

export interface AuthorizationRequest {
  /** e.g. 'iot:DeletePackage' */
  readonly action: string;
  /** an ARN, or '*' for actions without resource-level scope */
  readonly resource: string;
  readonly context?: Readonly<Record<string, ContextValue | undefined>>;
}

export type Decision = 'Allow' | 'ImplicitDeny' | 'ExplicitDeny';

export interface Evaluation {
  readonly decision: Decision;
  /** the statement that decided (Allow or Deny), if any */
  readonly statement?: PolicyStatement;
}

/** Only this version recognizes `${...}` policy variables; older or absent versions read them literally. */
const VARIABLES_VERSION = '2012-10-17';

/** Evaluates identity-based policies as IAM does: an explicit Deny wins, else any Allow, else implicit deny. */
export function evaluate(policies: readonly PolicyDocument[], request: AuthorizationRequest): Evaluation {
  const context = new RequestContext(request.context);
  let allow: PolicyStatement | undefined;
  let deny: PolicyStatement | undefined;
  // Every statement is checked (not just up to the first match) so a malformed one always throws.
  for (const policy of policies) {
    const variables = policy.Version === VARIABLES_VERSION;
    for (const statement of statementsOf(policy)) {
      validateStatement(statement);
      if (!statementApplies(statement, request, context, variables)) continue;
      if (statement.Effect === 'Deny') deny ??= statement;
      else allow ??= statement;
    }
  }
  if (deny) return { decision: 'ExplicitDeny', statement: deny };
  if (allow) return { decision: 'Allow', statement: allow };
  return { decision: 'ImplicitDeny' };
}

/** Whether an IAM wildcard pattern (`*` any run of characters, `?` one character) matches a value. */
export function wildcardMatch(pattern: string, value: string, options?: { ignoreCase?: boolean }): boolean {
  const regex = compile(pattern, { wildcards: true, ignoreCase: options?.ignoreCase ?? false });
  return regex !== undefined && regex.test(value);
}

/** Total characters of policy documents as IAM counts them for size limits: JSON with all whitespace removed. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

// ---------------------------------------------------------------------------------------------
// Statements

function statementsOf(policy: PolicyDocument): readonly PolicyStatement[] {
  return isList(policy.Statement) ? policy.Statement : [policy.Statement as PolicyStatement];
}

/** IAM rejects these documents outright; here they are test-suite bugs, so they must not pass silently. */
function validateStatement(s: PolicyStatement): void {
  const name = s.Sid ? `statement '${s.Sid}'` : 'statement';
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new Error(`${name}: invalid Effect ${JSON.stringify(s.Effect)}`);
  if (s.Action !== undefined && s.NotAction !== undefined) throw new Error(`${name}: has both Action and NotAction`);
  if (s.Action === undefined && s.NotAction === undefined) throw new Error(`${name}: has neither Action nor NotAction`);
  if (s.Resource !== undefined && s.NotResource !== undefined) throw new Error(`${name}: has both Resource and NotResource`);
  for (const op of Object.keys(s.Condition ?? {})) parseOperator(op);
}

function statementApplies(s: PolicyStatement, request: AuthorizationRequest, context: RequestContext, variables: boolean): boolean {
  return actionApplies(s, request.action)
    && resourceApplies(s, request.resource, context, variables)
    && conditionHolds(s.Condition, context, variables);
}

function actionApplies(s: PolicyStatement, action: string): boolean {
  // Actions are not case-sensitive, and policy variables are not recognized in them.
  const matches = (patterns: string | readonly string[]) =>
    listOf(patterns).some(p => wildcardMatch(p, action, { ignoreCase: true }));
  return s.Action !== undefined ? matches(s.Action) : !matches(s.NotAction!);
}

function resourceApplies(s: PolicyStatement, resource: string, context: RequestContext, variables: boolean): boolean {
  // An entry naming an unresolvable policy variable matches nothing.
  const matches = (patterns: string | readonly string[]) => listOf(patterns).some(p => {
    const regex = compile(p, { wildcards: true, ignoreCase: false, context: variables ? context : undefined });
    return regex !== undefined && regex.test(resource);
  });
  if (s.Resource !== undefined) return matches(s.Resource);
  if (s.NotResource !== undefined) return !matches(s.NotResource);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Request context

/** The request's condition keys, looked up case-insensitively. */
class RequestContext {
  private readonly values = new Map<string, readonly string[]>();
  private readonly multivalued = new Set<string>();

  constructor(context: AuthorizationRequest['context']) {
    for (const [key, value] of Object.entries(context ?? {})) {
      if (value === undefined) continue;
      const k = key.toLowerCase();
      if (isList(value)) {
        // A multivalued key with no values is not in the request at all.
        if (value.length === 0) continue;
        this.values.set(k, value.map(String));
        this.multivalued.add(k);
      } else {
        // Booleans and numbers reach IAM as their string forms.
        this.values.set(k, [String(value)]);
      }
    }
  }

  /** The key's values, or undefined when the request does not carry it. */
  get(key: string): readonly string[] | undefined {
    return this.values.get(key.toLowerCase());
  }

  /** The value a policy variable resolves to: single-valued keys only. */
  variable(key: string): string | undefined {
    const k = key.toLowerCase();
    if (this.multivalued.has(k)) return undefined;
    return this.values.get(k)?.[0];
  }
}

// ---------------------------------------------------------------------------------------------
// Patterns and policy variables

interface CompileOptions {
  /** `*` and `?` are wildcards (else literal characters). */
  readonly wildcards: boolean;
  readonly ignoreCase: boolean;
  /** Resolve `${...}` policy variables against this context (else they are literal text). */
  readonly context?: RequestContext;
}

/** `${aws:username}` or `${aws:PrincipalTag/team, 'default value'}` */
const VARIABLE = /^\s*([^,\s]+)\s*(?:,\s*'([^']*)'\s*)?$/;
/** Escapes that yield characters which would otherwise be wildcards or variable syntax. */
const SPECIAL_VARIABLES: Record<string, string> = { '*': '*', '?': '?', '$': '$' };

/**
 * Compiles an IAM string to an anchored regular expression, or undefined when it names a policy
 * variable the request cannot resolve (such a pattern matches nothing). Substituted values are
 * literal: a `*` in a context value is not a wildcard.
 */
function compile(pattern: string, options: CompileOptions): RegExp | undefined {
  let source = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (options.context && c === '$' && pattern[i + 1] === '{') {
      const end = pattern.indexOf('}', i + 2);
      if (end >= 0) {
        const inner = pattern.slice(i + 2, end);
        const literal = resolveVariable(inner, options.context);
        if (literal === undefined) return undefined;
        source += escapeRegex(literal);
        i = end + 1;
        continue;
      }
    }
    if (options.wildcards && c === '*') source += '.*';
    else if (options.wildcards && c === '?') source += '.';
    else source += escapeRegex(c);
    i++;
  }
  return new RegExp(`^${source}$`, options.ignoreCase ? 'isu' : 'su');
}

function resolveVariable(inner: string, context: RequestContext): string | undefined {
  if (Object.hasOwn(SPECIAL_VARIABLES, inner)) return SPECIAL_VARIABLES[inner];
  const m = VARIABLE.exec(inner);
  if (!m) return undefined;
  return context.variable(m[1]) ?? m[2];
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Conditions

type SetOperator = 'ForAnyValue' | 'ForAllValues' | undefined;

interface ParsedOperator {
  readonly base: string;
  readonly set: SetOperator;
  readonly ifExists: boolean;
}

/**
 * A negated operator is the negation of its `positive` comparator: StringNotEquals holds when the
 * value equals none of the policy values.
 */
interface OperatorDef {
  readonly positive: string;
  readonly negated: boolean;
}

/**
 * Compares one request value to one policy value; undefined when the policy value cannot be
 * compared (it names a policy variable the request cannot resolve).
 */
type Comparator = (requestValue: string, policyValue: string, context: RequestContext | undefined) => boolean | undefined;

const COMPARATORS: Record<string, Comparator> = {
  StringEquals: (v, p, ctx) => compile(p, { wildcards: false, ignoreCase: false, context: ctx })?.test(v),
  StringEqualsIgnoreCase: (v, p, ctx) => compile(p, { wildcards: false, ignoreCase: true, context: ctx })?.test(v),
  StringLike: (v, p, ctx) => compile(p, { wildcards: true, ignoreCase: false, context: ctx })?.test(v),
  // ArnEquals and ArnLike are the same: case-sensitive, with wildcards (over the whole ARN here).
  ArnLike: (v, p, ctx) => compile(p, { wildcards: true, ignoreCase: false, context: ctx })?.test(v),
  // Policy variables are recognized in Bool values, not in numeric or date values.
  Bool: (v, p, ctx) => compile(p, { wildcards: false, ignoreCase: true, context: ctx })?.test(v),
  NumericEquals: (v, p) => compareNumbers(v, p, (a, b) => a === b),
  NumericLessThan: (v, p) => compareNumbers(v, p, (a, b) => a < b),
  NumericLessThanEquals: (v, p) => compareNumbers(v, p, (a, b) => a <= b),
  NumericGreaterThan: (v, p) => compareNumbers(v, p, (a, b) => a > b),
  NumericGreaterThanEquals: (v, p) => compareNumbers(v, p, (a, b) => a >= b),
  DateEquals: (v, p) => compareDates(v, p, (a, b) => a === b),
  DateLessThan: (v, p) => compareDates(v, p, (a, b) => a < b),
  DateLessThanEquals: (v, p) => compareDates(v, p, (a, b) => a <= b),
  DateGreaterThan: (v, p) => compareDates(v, p, (a, b) => a > b),
  DateGreaterThanEquals: (v, p) => compareDates(v, p, (a, b) => a >= b),
};

const OPERATORS: Record<string, OperatorDef> = {
  StringEquals: { positive: 'StringEquals', negated: false },
  StringNotEquals: { positive: 'StringEquals', negated: true },
  StringEqualsIgnoreCase: { positive: 'StringEqualsIgnoreCase', negated: false },
  StringNotEqualsIgnoreCase: { positive: 'StringEqualsIgnoreCase', negated: true },
  StringLike: { positive: 'StringLike', negated: false },
  StringNotLike: { positive: 'StringLike', negated: true },
  NumericEquals: { positive: 'NumericEquals', negated: false },
  NumericNotEquals: { positive: 'NumericEquals', negated: true },
  NumericLessThan: { positive: 'NumericLessThan', negated: false },
  NumericLessThanEquals: { positive: 'NumericLessThanEquals', negated: false },
  NumericGreaterThan: { positive: 'NumericGreaterThan', negated: false },
  NumericGreaterThanEquals: { positive: 'NumericGreaterThanEquals', negated: false },
  DateEquals: { positive: 'DateEquals', negated: false },
  DateNotEquals: { positive: 'DateEquals', negated: true },
  DateLessThan: { positive: 'DateLessThan', negated: false },
  DateLessThanEquals: { positive: 'DateLessThanEquals', negated: false },
  DateGreaterThan: { positive: 'DateGreaterThan', negated: false },
  DateGreaterThanEquals: { positive: 'DateGreaterThanEquals', negated: false },
  Bool: { positive: 'Bool', negated: false },
  ArnEquals: { positive: 'ArnLike', negated: false },
  ArnLike: { positive: 'ArnLike', negated: false },
  ArnNotEquals: { positive: 'ArnLike', negated: true },
  ArnNotLike: { positive: 'ArnLike', negated: true },
};

/** Operators whose values may contain policy variables. */
const VARIABLE_OPERATORS = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnLike', 'Bool']);

const OPERATOR_NAME = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/;

function parseOperator(name: string): ParsedOperator {
  const m = OPERATOR_NAME.exec(name);
  const base = m?.[2] ?? '';
  const parsed: ParsedOperator = { base, set: m?.[1] as SetOperator, ifExists: m?.[3] !== undefined };
  // Null takes neither IfExists nor a set operator.
  const known = base === 'Null' ? !parsed.ifExists && !parsed.set : Object.hasOwn(OPERATORS, base);
  if (!known) throw new Error(`unsupported IAM condition operator '${name}'`);
  return parsed;
}

/** Every operator block holds, and within a block every key holds. */
function conditionHolds(condition: PolicyStatement['Condition'], context: RequestContext, variables: boolean): boolean {
  for (const [operator, block] of Object.entries(condition ?? {})) {
    const op = parseOperator(operator);
    for (const [key, raw] of Object.entries(block ?? {})) {
      const policyValues = conditionValues(operator, key, raw);
      if (!keyHolds(op, context.get(key), policyValues, context, variables)) return false;
    }
  }
  return true;
}

function keyHolds(
  op: ParsedOperator,
  requestValues: readonly string[] | undefined,
  policyValues: readonly string[],
  context: RequestContext,
  variables: boolean,
): boolean {
  if (op.base === 'Null') {
    // The values are ORed: { key: ['true', 'false'] } always holds.
    return policyValues.some(p => {
      const absent = p.toLowerCase();
      if (absent !== 'true' && absent !== 'false') throw new Error(`Null: invalid value '${p}' (expected true or false)`);
      return absent === String(requestValues === undefined);
    });
  }
  const def = OPERATORS[op.base];
  if (requestValues === undefined) {
    if (op.ifExists) return true;
    if (op.set === 'ForAllValues') return true;
    if (op.set === 'ForAnyValue') return false;
    return def.negated;
  }
  const comparator = COMPARATORS[def.positive];
  const ctx = variables && VARIABLE_OPERATORS.has(def.positive) ? context : undefined;
  // Policy values are ORed for positive operators; a negated operator holds when none matches
  // (NOR), and an unresolvable policy value can show neither.
  const positive = (v: string) => policyValues.some(p => comparator(v, p, ctx) === true);
  const negative = (v: string) => policyValues.every(p => comparator(v, p, ctx) === false);
  const test = def.negated ? negative : positive;
  switch (op.set) {
    case 'ForAllValues': return requestValues.every(test);
    case 'ForAnyValue': return requestValues.some(test);
    // Without a set operator, a multivalued key holds for a positive operator when any value
    // matches, and for a negated one when no value matches.
    default: return def.negated ? requestValues.every(negative) : requestValues.some(positive);
  }
}

/** CloudFormation may render condition values as strings, numbers or booleans, alone or in a list. */
function conditionValues(operator: string, key: string, raw: unknown): readonly string[] {
  const values = isList(raw) ? raw : [raw];
  return values.map(v => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new Error(`${operator}: unsupported value ${JSON.stringify(v)} for condition key '${key}'`);
  });
}

function compareNumbers(requestValue: string, policyValue: string, cmp: (a: number, b: number) => boolean): boolean {
  const p = parseNumber(policyValue);
  if (p === undefined) throw new Error(`invalid numeric condition value '${policyValue}'`);
  const v = parseNumber(requestValue);
  return v !== undefined && cmp(v, p);
}

function parseNumber(s: string): number | undefined {
  if (s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function compareDates(requestValue: string, policyValue: string, cmp: (a: number, b: number) => boolean): boolean {
  const p = parseDate(policyValue);
  if (p === undefined) throw new Error(`invalid date condition value '${policyValue}'`);
  const v = parseDate(requestValue);
  return v !== undefined && cmp(v, p);
}

/** Dates are ISO 8601 or epoch (UNIX) seconds, compared in milliseconds. */
function parseDate(s: string): number | undefined {
  const t = s.trim();
  if (/^-?\d+(?:\.\d+)?$/.test(t)) return Number(t) * 1000;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** `Array.isArray` does not narrow readonly arrays out of a union. */
function isList<T>(value: T | readonly T[]): value is readonly T[];
function isList(value: unknown): value is readonly unknown[];
function isList(value: unknown): boolean {
  return Array.isArray(value);
}

function listOf(value: string | readonly string[]): readonly string[] {
  return isList(value) ? value : [value];
}
