import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

const RULE = 'AwsSolutions-IAM5';

/** The CfnResource metadata key cdk-nag 2.x reads its suppressions from. */
const NAG2_METADATA_KEY = 'cdk_nag';

/**
 * Acknowledges the cdk-nag finding `AwsSolutions-IAM5` for one wildcard resource of a policy
 * this library writes, with the reason the wildcard is the narrowest scope. The finding id
 * names the resource as cdk-nag renders it: intrinsics as `<Ref>` / `<LogicalId.Attr>`.
 *
 * Both majors see it: 3.x (validation plugin) through the Validations acknowledgement, 2.x
 * (Aspect) through a `cdk_nag` suppression on the CfnResource that holds the policy, which is
 * `scope` itself or its `node.defaultChild`.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const finding = `Resource::${renderForNag(Stack.of(scope).resolve(resource))}`;
  const findingId = `${RULE}[${finding}]`;
  if (findingId.split('::').length === 2) {
    Validations.of(scope).acknowledge({ id: findingId, reason });
  } else {
    // Validations.acknowledge reserves '::' for its own prefix, and a resource with an
    // intrinsic (`<AWS::Partition>`) holds more: record the same acknowledgement entry directly.
    scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [findingId]: reason });
  }
  suppressForNag2(policyResource(scope), finding, reason);
}

/** The CfnResource cdk-nag checks for the policy: the scope itself, or its default child. */
function policyResource(scope: IConstruct): CfnResource {
  if (CfnResource.isCfnResource(scope)) return scope;
  const child = scope.node.defaultChild;
  if (child && CfnResource.isCfnResource(child)) return child;
  throw new Error(`${scope.node.path}: no CfnResource holds this policy, to acknowledge ${RULE} on`);
}

/**
 * Adds `{ reason, id, applies_to }` to the resource's `cdk_nag` metadata, in the form
 * cdk-nag 2's NagSuppressions.addResourceSuppressions writes, keeping existing entries.
 * Written directly so that the library needs no runtime dependency on cdk-nag.
 */
function suppressForNag2(resource: CfnResource, finding: string, reason: string): void {
  // cdk-nag 2 rejects every suppression of the resource if one has a shorter reason.
  if (reason.length < 10) throw new Error(`The reason for ${RULE}[${finding}] needs at least 10 characters`);
  const found = resource.getMetadata(NAG2_METADATA_KEY);
  const existing = typeof found === 'object' && found !== null ? found : {};
  const rules: any[] = Array.isArray(existing.rules_to_suppress) ? [...existing.rules_to_suppress] : [];
  const covered = rules.some((rule) => rule?.id === RULE && Array.isArray(rule.applies_to) &&
    rule.applies_to.includes(finding));
  if (covered) return;
  // Reasons beyond Latin-1 are stored base64-encoded, as cdk-nag 2 stores and reads them.
  const encode = [...reason].some((c) => c.codePointAt(0)! > 255);
  rules.push({
    reason: encode ? Buffer.from(reason).toString('base64') : reason,
    id: RULE,
    applies_to: [finding],
    ...(encode ? { is_reason_encoded: true } : {}),
  });
  resource.addMetadata(NAG2_METADATA_KEY, { ...existing, rules_to_suppress: rules });
}

/**
 * A resolved value as cdk-nag 2.x and 3.x flatten it into a finding id (flattenCfnReference):
 * `${` and `}` of strings become `<` and `>`, Ref and Fn::GetAtt become `<...>`, Fn::Join is
 * joined, Fn::Sub and Fn::ImportValue give their argument, anything else its JSON.
 */
function renderForNag(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\${/g, '<').replace(/}/g, '>');
  const intrinsic = value as Record<string, any>;
  if (intrinsic['Fn::Join']) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(renderForNag).join(separator);
  }
  if (intrinsic['Fn::Sub']) return renderForNag(intrinsic['Fn::Sub']);
  if (intrinsic['Fn::GetAtt']) {
    const [logicalId, attribute] = intrinsic['Fn::GetAtt'] as [unknown, unknown];
    return `<${renderForNag(logicalId)}.${renderForNag(attribute)}>`;
  }
  if (intrinsic['Fn::ImportValue']) return renderForNag(intrinsic['Fn::ImportValue']);
  if (intrinsic.Ref) return `<${renderForNag(intrinsic.Ref)}>`;
  return JSON.stringify(value);
}
