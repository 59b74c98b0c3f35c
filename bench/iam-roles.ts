/**
 * The IAM policies of every role a synthesized template declares, sized as IAM counts them (the
 * documents as CloudFormation resolves them, whitespace excluded), against IAM's quotas: 10,240
 * characters of inline policies per role, 6,144 per managed policy, 10 managed policies per role.
 * No aws-cdk-lib here: it reads template JSON only, so a compiled synth child can use it.
 */
import { PolicyDocument, policySize } from '../local-cloud/emulator/iam-policy';
import { resolve, ResolveContext } from '../local-cloud/harness/intrinsics';

export const IAM_LIMITS = { inline: 10_240, managed: 6_144, managedPerRole: 10 };

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** Resolves policy documents as CloudFormation would, with names as long as the ones it generates. */
export function iamContext(stackName: string): ResolveContext {
  return {
    pseudo: {
      region: REGION,
      accountId: ACCOUNT,
      partition: 'aws',
      urlSuffix: 'amazonaws.com',
      stackName,
      stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`,
    },
    parameters: {},
    conditions: {},
    mappings: {},
    // Names of other resources are as long as CloudFormation's generated ones.
    ref: () => 'x'.repeat(60),
    getAtt: () => `arn:aws:iam::${ACCOUNT}:role/${'x'.repeat(60)}`,
  };
}

export interface RoleIam {
  readonly role: string;
  /** Inline policies: the role's own `Policies` and every `AWS::IAM::Policy` attached to it. */
  readonly inlinePolicies: number;
  readonly inlineChars: number;
  /** Managed policies attached: the template's `AWS::IAM::ManagedPolicy` ones and AWS-managed ARNs. */
  readonly managedPolicies: number;
  /** Characters of the template's managed policies attached to the role (AWS-managed ones are not the stack's). */
  readonly customerManagedChars: number;
  readonly largestManagedChars: number;
  readonly withinLimits: boolean;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
}

/** Every role of the template with the policies IAM evaluates for it. */
export function roleIam(template: { Resources?: Record<string, TemplateResource> }, stackName: string): RoleIam[] {
  const context = iamContext(stackName);
  const resources = Object.entries(template.Resources ?? {});
  const size = (document: unknown) => policySize(resolve(document, context) as PolicyDocument);
  const refersTo = (value: unknown, id: string) => JSON.stringify(value) === JSON.stringify({ Ref: id });
  const attachedTo = (r: TemplateResource, roleId: string) => ((r.Properties?.Roles ?? []) as unknown[]).some((role) => refersTo(role, roleId));
  return resources.filter(([, r]) => r.Type === 'AWS::IAM::Role').map(([roleId, role]) => {
    const inline = [
      ...((role.Properties?.Policies ?? []) as Array<{ PolicyDocument: unknown }>).map((p) => size(p.PolicyDocument)),
      ...resources.filter(([, r]) => r.Type === 'AWS::IAM::Policy' && attachedTo(r, roleId)).map(([, r]) => size(r.Properties!.PolicyDocument)),
    ];
    const arns = (role.Properties?.ManagedPolicyArns ?? []) as unknown[];
    const customer = resources.filter(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy'
      && (attachedTo(r, roleId) || arns.some((arn) => refersTo(arn, id))));
    const customerSizes = customer.map(([, r]) => size(r.Properties!.PolicyDocument));
    const awsManaged = arns.filter((arn) => !customer.some(([id]) => refersTo(arn, id))).length;
    const inlineChars = inline.reduce((a, b) => a + b, 0);
    const managedPolicies = customer.length + awsManaged;
    const largestManagedChars = Math.max(0, ...customerSizes);
    return {
      role: roleId,
      inlinePolicies: inline.length,
      inlineChars,
      managedPolicies,
      customerManagedChars: customerSizes.reduce((a, b) => a + b, 0),
      largestManagedChars,
      withinLimits: inlineChars <= IAM_LIMITS.inline && largestManagedChars <= IAM_LIMITS.managed && managedPolicies <= IAM_LIMITS.managedPerRole,
    };
  });
}
