import { ArnComponents, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The resource name of an IoT ARN, `arn:<partition>:iot:<region>:<account>:<resource>/<name>`,
 * for the imports from ARNs. A literal ARN of another shape fails with a message that names
 * it and the expected format (`expected`); the parts of an unresolved ARN are tokens and pass.
 */
export function iotResourceName(scope: IConstruct, arn: string, resource: string, kind: string, expected: string): string {
  let components: ArnComponents | undefined;
  try {
    components = Stack.of(scope).splitArn(arn, ArnFormat.SLASH_RESOURCE_NAME);
  } catch {
    // Not an ARN at all (fewer than six components): reported below like any other shape.
  }
  if (!components || !isTokenOrEqual(components.service, 'iot') || !isTokenOrEqual(components.resource, resource) || !components.resourceName) {
    throw new Error(`${JSON.stringify(arn)} is not a ${kind} ARN: expected ${expected}.`);
  }
  return components.resourceName;
}

function isTokenOrEqual(value: string, expected: string): boolean {
  return value === expected || Token.isUnresolved(value);
}
