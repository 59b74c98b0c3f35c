import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

const RULE = 'AwsSolutions-IAM5';

/**
 * Acknowledges the cdk-nag finding `AwsSolutions-IAM5` for one wildcard resource of a policy
 * this library writes, with the reason the wildcard is the narrowest scope. The finding id
 * names the resource as cdk-nag renders it: intrinsics as `<Ref>` / `<LogicalId.Attr>`.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const findingId = `${RULE}[Resource::${renderForNag(Stack.of(scope).resolve(resource))}]`;
  if (findingId.split('::').length === 2) {
    Validations.of(scope).acknowledge({ id: findingId, reason });
  } else {
    // Validations.acknowledge reserves '::' for its own prefix, and a resource with an
    // intrinsic (`<AWS::Partition>`) holds more: record the same acknowledgement entry directly.
    scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [findingId]: reason });
  }
}

function renderForNag(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, any>;
  if (intrinsic['Fn::Join']) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(renderForNag).join(separator);
  }
  if (intrinsic.Ref) return `<${intrinsic.Ref}>`;
  if (intrinsic['Fn::GetAtt']) return `<${(intrinsic['Fn::GetAtt'] as string[]).join('.')}>`;
  return JSON.stringify(value);
}
