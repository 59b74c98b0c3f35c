import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export const ENV = { account: '123456789012', region: 'us-east-1' };

export function newStack(id = 'TestStack'): Stack {
  const app = new App();
  return new Stack(app, id, { env: ENV });
}

/** The stack's template with asset hashes replaced, so snapshots survive handler changes. */
export function stableTemplate(stack: Stack): unknown {
  const json = JSON.stringify(Template.fromStack(stack).toJSON());
  return JSON.parse(json.replace(/[0-9a-f]{64}(\.zip)?/g, (_m, zip) => `[ASSET HASH]${zip ?? ''}`));
}

/** `arn:<partition>:iot:us-east-1:123456789012:<resource>` as the template renders it in ENV. */
export function iotArn(resource: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iot:us-east-1:123456789012:${resource}`]] };
}

/** The provider's IAM policies (inline and managed) by logical id. */
export function providerPolicies(template: Template): Record<string, any> {
  return {
    ...template.findResources('AWS::IAM::Policy'),
    ...template.findResources('AWS::IAM::ManagedPolicy'),
  };
}

/** The logical id of the one provider policy whose document names `text` (an ARN fragment). */
export function policyHolding(template: Template, text: string): string {
  const holders = Object.entries(providerPolicies(template))
    .filter(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes(text))
    .map(([id]) => id);
  if (holders.length !== 1) throw new Error(`Expected one policy naming ${text}, found ${holders.length}: ${holders.join(', ')}`);
  return holders[0];
}

/** The logical id of the one resource of `type` whose logical id starts with `prefix`. */
export function logicalIdOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`Expected one ${type} starting with ${prefix}, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0];
}

/** The cdk-nag 2 `AwsSolutions-IAM5` findings acknowledged on a resource, as `Resource::...` ids. */
export function acknowledgedWildcards(resource: any): string[] {
  const rules: any[] = resource.Metadata?.cdk_nag?.rules_to_suppress ?? [];
  return rules.filter((rule) => rule.id === 'AwsSolutions-IAM5').flatMap((rule) => rule.applies_to);
}

/**
 * The text of a construct's validation error after the construct path that
 * prefixes it (`TestStack/Job: ...`); first-contact.test.ts pins the prefix.
 */
export function messageAfterPath(error: unknown): string | undefined {
  return (error as Error | undefined)?.message.replace(/^TestStack\/\w+: /, '');
}
