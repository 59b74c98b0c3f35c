import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** IAM's limit on the characters (whitespace excluded) of one managed policy. */
export const MANAGED_POLICY_MAX_CHARS = 6_144;
/** IAM's limit on the total characters of a role's inline policies. */
export const INLINE_POLICIES_MAX_CHARS = 10_240;
/** Managed policies a role may have attached, by default. */
export const MANAGED_POLICIES_PER_ROLE = 10;

/** One statement of a grant: the kind says which statement of a policy it joins. */
export interface StatementGrant {
  /** Statements of one kind share actions and conditions, and merge their resources. */
  readonly kind: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/** A policy that grants hold, and what is left of its size budget. */
interface Container {
  readonly policy: iam.Policy | iam.ManagedPolicy;
  readonly budget: number;
  used: number;
  /** Each kind's statement, and the resources it holds (rendered once however often granted). */
  readonly statements: Map<string, { readonly statement: iam.PolicyStatement; readonly resources: Set<string> }>;
}

/** The managed policies of one role, counted across the pools that attach to it. */
export interface ManagedPolicyCount {
  count: number;
}

/**
 * Policies filled with grants up to IAM's size limits. A grant (the statements one resource
 * needs) lives in one policy, so that the resource can depend on that policy alone; a policy
 * that is full is followed by a new managed policy attached to the same role. Sizes are
 * estimated at synth from the literal parts of each ARN, with unresolved parts counted at
 * their longest, so a policy never outgrows its limit once CloudFormation resolves it.
 */
export class GrantPool {
  private readonly containers: Container[] = [];
  private readonly placed = new Map<string, Container>();

  /**
   * @param scope where new managed policies are created
   * @param role the role every policy attaches to
   * @param first an existing policy to fill first, with the characters it may still use
   */
  constructor(
    private readonly scope: Construct,
    private readonly idPrefix: string,
    private readonly role: iam.IRole,
    private readonly attached: ManagedPolicyCount,
    first?: { readonly policy: iam.Policy; readonly budget: number },
  ) {
    if (first) this.containers.push({ policy: first.policy, budget: first.budget, used: 0, statements: new Map() });
  }

  /**
   * Places a grant once per key and returns the policy that holds it: the first policy with
   * room for it, else a new one.
   */
  public grant(key: string, statements: readonly StatementGrant[]): iam.Policy | iam.ManagedPolicy {
    const existing = this.placed.get(key);
    if (existing) return existing.policy;
    let container = this.containers.find((c) => c.used + this.cost(c, statements) <= c.budget);
    if (!container) {
      container = this.addManagedPolicy();
      const cost = this.cost(container, statements);
      if (cost > container.budget) {
        throw new Error(`The IAM statements of ${key} need about ${cost} characters, more than the ${MANAGED_POLICY_MAX_CHARS} of a managed policy.`);
      }
    }
    container.used += this.cost(container, statements);
    for (const grant of statements) {
      let held = container.statements.get(grant.kind);
      if (!held) {
        held = { statement: new iam.PolicyStatement({ actions: [...grant.actions], conditions: grant.conditions }), resources: new Set() };
        container.statements.set(grant.kind, held);
        container.policy.addStatements(held.statement);
      }
      const added = grant.resources.filter((r) => !held!.resources.has(r));
      for (const resource of added) held.resources.add(resource);
      if (added.length > 0) held.statement.addResources(...added);
    }
    this.placed.set(key, container);
    return container.policy;
  }

  /** The managed policies this pool created. */
  public get managedPolicies(): iam.ManagedPolicy[] {
    return this.containers.flatMap((c) => (c.policy instanceof iam.ManagedPolicy ? [c.policy] : []));
  }

  private addManagedPolicy(): Container {
    const policy = new iam.ManagedPolicy(this.scope, `${this.idPrefix}${this.managedPolicies.length + 1}`, { roles: [this.role] });
    if (++this.attached.count === MANAGED_POLICIES_PER_ROLE + 1) {
      Annotations.of(this.scope).addWarningV2('cdk-iot-package-catalog:managed-policy-quota',
        `The custom-resource provider needs more than ${MANAGED_POLICIES_PER_ROLE} managed policies to grant this stack's packages and jobs, ` +
        'the default IAM quota of managed policies per role: split the packages and jobs over more stacks, or raise the quota before deploying.');
    }
    // Room for the policy document's own JSON around the statements.
    const container: Container = { policy, budget: MANAGED_POLICY_MAX_CHARS - 50, used: 0, statements: new Map() };
    this.containers.push(container);
    return container;
  }

  /** Characters the grant adds to a container: its new resources, and a statement's frame when the kind is new there. */
  private cost(container: Container, statements: readonly StatementGrant[]): number {
    const stack = Stack.of(this.scope);
    let cost = 0;
    const counted = new Map<string, Set<string>>();
    for (const grant of statements) {
      const held = container.statements.get(grant.kind)?.resources;
      let resources = counted.get(grant.kind);
      if (!resources) {
        resources = new Set();
        counted.set(grant.kind, resources);
        if (!held) cost += statementFrameLength(stack, grant);
      }
      for (const resource of grant.resources) {
        if (held?.has(resource) || resources.has(resource)) continue;
        resources.add(resource);
        cost += estimatedLength(stack, resource) + 3;
      }
    }
    return cost;
  }
}

/** `{"Action":[...],"Effect":"Allow","Resource":[],"Condition":{...}}` without its resources. */
function statementFrameLength(stack: Stack, grant: StatementGrant): number {
  const actions = grant.actions.reduce((sum, action) => sum + action.length + 3, 0);
  const conditions = grant.conditions ? estimatedLength(stack, JSON.stringify(grant.conditions)) + 14 : 0;
  return 40 + actions + conditions;
}

/** Longest values CloudFormation may resolve a pseudo parameter to, when the stack does not fix it. */
const PSEUDO_LENGTHS: Record<string, number> = {
  'AWS::Partition': 'aws-us-gov'.length,
  'AWS::Region': 'ap-southeast-5'.length,
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 'amazonaws.com.cn'.length,
};
/**
 * The partitions of region name prefixes (the AWS General Reference, "Regions and Zones"). A
 * table rather than aws-cdk-lib's RegionInfo, whose facts of every region cost a synth about
 * 70 ms to load (`npm run bench`). An unknown prefix counts as the longest partition name.
 */
const PARTITION_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
  ['eusc-', 'aws-eusc'],
];
const COMMERCIAL_REGION = /^(af|ap|ca|eu|il|me|mx|sa|us)-[a-z]+-\d+$/;

export function partitionOf(region: string): string {
  const special = PARTITION_PREFIXES.find(([prefix]) => region.startsWith(prefix));
  if (special) return special[1];
  return COMMERCIAL_REGION.test(region) ? 'aws' : 'aws-us-gov';
}

/** Any other unresolved value: counted as a long name, since it cannot be known at synth. */
const UNKNOWN_TOKEN_LENGTH = 128;

/** The resolved length of a string, its unresolved parts counted at their longest. */
export function estimatedLength(stack: Stack, value: string): number {
  return Token.isUnresolved(value) ? resolvedLength(stack, stack.resolve(value)) : value.length;
}

function resolvedLength(stack: Stack, resolved: unknown): number {
  if (typeof resolved === 'string') return resolved.length;
  const intrinsic = resolved as Record<string, unknown>;
  const join = intrinsic?.['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].reduce<number>((sum, part) => sum + resolvedLength(stack, part), join[0].length * Math.max(0, join[1].length - 1));
  const ref = intrinsic?.Ref;
  if (ref === 'AWS::Region' && !Token.isUnresolved(stack.region)) return stack.region.length;
  // A stack in a known region is in that region's partition.
  if (ref === 'AWS::Partition' && !Token.isUnresolved(stack.region)) return partitionOf(stack.region).length;
  if (ref === 'AWS::AccountId' && !Token.isUnresolved(stack.account)) return stack.account.length;
  if (typeof ref === 'string' && ref in PSEUDO_LENGTHS) return PSEUDO_LENGTHS[ref];
  return UNKNOWN_TOKEN_LENGTH;
}
