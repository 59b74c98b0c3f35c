import * as path from 'path';
import { App, Aspects, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AwsSolutionsChecks as AwsSolutionsChecks2, NagSuppressions } from 'cdk-nag2';
import { IConstruct } from 'constructs';
import {
  DeviceQuery,
  DynamicThingGroup,
  JobDocument,
  JobTargetSelection,
  JobTargets,
  JobTemplateWithPackages,
  JobWithPackages,
  PackageAdoption,
  PackageConfiguration,
  PackageVersionArtifact,
  PackageVersionSbom,
  PackageVersionStatus,
  SoftwarePackage,
} from '../../src';
import { acknowledgeWildcardResource } from '../../src/private/nag';

const FIRMWARE = path.join(__dirname, '..', 'fixtures', 'firmware.bin');

/** A stack that uses every construct of the library, as a user's stack would. */
function everyConstruct(app: App, environmentAgnostic = false): Stack {
  const env = environmentAgnostic ? undefined : { account: '123456789012', region: 'us-east-1' };
  const stack = new Stack(app, 'EveryConstruct', { env });
  const configuration = new PackageConfiguration(stack, 'Configuration', { fleetIndexing: true });
  const pkg = new SoftwarePackage(stack, 'Firmware', { packageName: 'sensor-firmware', autoDeleteVersions: true });
  const releases = s3.Bucket.fromBucketName(stack, 'Releases', 'sensor-releases');
  const v1 = pkg.addVersion('V1', {
    versionName: '1.0.0',
    isDefaultVersion: true,
    artifact: PackageVersionArtifact.fromAsset(FIRMWARE),
    sbom: PackageVersionSbom.fromBucket(releases, 'sbom/1.0.0.zip', 'v1'),
  });
  pkg.addVersion('V2', { versionName: '1.1.0', status: PackageVersionStatus.DRAFT });
  const document = JobDocument.fromObject({ operation: 'install' });
  new JobWithPackages(stack, 'Rollout', {
    targets: [JobTargets.thingGroup(stack, 'sensors')],
    destinationPackageVersions: [v1],
    document,
  });
  new JobTemplateWithPackages(stack, 'Template', {
    description: 'Install the sensor firmware',
    destinationPackageVersions: [v1],
    document,
  });
  const stillOnOlder = new DynamicThingGroup(stack, 'NotOnV1', { query: DeviceQuery.notRunningVersion(v1) });
  new JobWithPackages(stack, 'Upgrade', {
    targets: [stillOnOlder.thingGroupArn],
    targetSelection: JobTargetSelection.CONTINUOUS,
    destinationPackageVersions: [v1],
    document,
  });
  const adoption = new PackageAdoption(stack, 'Adoption', { package: pkg, versions: [v1] });
  new cloudwatch.Dashboard(stack, 'Dashboard').addWidgets(adoption.widget());
  void configuration;
  return stack;
}

/** Every unacknowledged finding as `RuleId at path: message`. */
function findings(app: App): string[] {
  // aws-cdk-lib 2.257 gives validation plugins no construct tree: run the pack on the tree directly.
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.flatMap((violation) => violation.violatingResources.map((resource) =>
    `${violation.ruleName} at ${JSON.stringify(resource)}`));
}

/** Every AwsSolutions error and warning of cdk-nag 2, run as an Aspect, as `path: message`. */
function findings2(app: App, stack: Stack): string[] {
  Aspects.of(app).add(new AwsSolutionsChecks2({ reports: false }));
  const annotations = Annotations.fromStack(stack);
  const pattern = Match.stringLikeRegexp('AwsSolutions-');
  return [...annotations.findError('*', pattern), ...annotations.findWarning('*', pattern)]
    .map((message) => `${message.id}: ${String(message.entry.data).trim()}`);
}

/** The findings cdk-nag 2 found and then suppressed, as `path: RuleId[finding]`. */
function suppressed2(app: App, stack: Stack): string[] {
  Aspects.of(app).add(new AwsSolutionsChecks2({ reports: false, logIgnores: true }));
  return Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('^CdkNagSuppression'))
    .map((message) => {
      // `CdkNagSuppression[<finding>]: <RuleId> was triggered but suppressed.`
      const [, finding, ruleId] = /^CdkNagSuppression(\[.*\]): (\S+) /.exec(String(message.entry.data))!;
      return `${message.id}: ${ruleId}${finding}`;
    });
}

/** Every `cdk_nag` suppression with applies_to in the tree, as `path: RuleId[appliesTo]`. */
function suppressions2(scope: IConstruct): string[] {
  return scope.node.findAll().filter(CfnResource.isCfnResource).flatMap((resource) =>
    (resource.getMetadata('cdk_nag')?.rules_to_suppress ?? []).flatMap((rule: { id: string; applies_to?: string[] }) =>
      (rule.applies_to ?? []).map((appliesTo) => `/${resource.node.path}: ${rule.id}[${appliesTo}]`)));
}

/** The `cdk_nag` suppressions of one CfnResource. */
function rulesToSuppress(resource: IConstruct): Array<Record<string, unknown>> {
  return (resource.node.defaultChild as CfnResource).getMetadata('cdk_nag')?.rules_to_suppress ?? [];
}

/** A policy with a wildcard resource, attached to a role, as a user would write it. */
function wildcardPolicy(stack: Stack): iam.Policy {
  const policy = new iam.Policy(stack, 'Wildcard', {
    statements: [new iam.PolicyStatement({ actions: ['iot:DescribeEndpoint'], resources: ['*'] })],
  });
  policy.attachToRole(new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') }));
  return policy;
}

describe('cdk-nag AwsSolutions', () => {
  test.each([
    ['an environment', false],
    ['no environment (region and account as intrinsics)', true],
  ])('a stack with every construct, in %s, has no unacknowledged finding', (_name, environmentAgnostic) => {
    const app = new App();
    everyConstruct(app, environmentAgnostic);
    expect(findings(app)).toEqual([]);
  });

  test('the check can fail: an unacknowledged finding is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new s3.Bucket(stack, 'UnencryptedLogsOff');
    expect(findings(app).join('\n')).toMatch(/AwsSolutions-S1/);
  });
});

describe('cdk-nag 2 AwsSolutions (Aspect)', () => {
  test.each([
    ['an environment', false],
    ['no environment (region and account as intrinsics)', true],
  ])('a stack with every construct, in %s, has no unacknowledged finding', (_name, environmentAgnostic) => {
    const app = new App();
    const stack = everyConstruct(app, environmentAgnostic);
    expect(findings2(app, stack)).toEqual([]);
  });

  test('each suppression names a finding exactly as cdk-nag 2 renders it', () => {
    const app = new App();
    const stack = everyConstruct(app, true);
    const suppressed = suppressed2(app, stack);
    // No suppression is left unmatched: each applies_to is the id of a finding on its resource.
    expect([...suppressed].sort()).toEqual(suppressions2(stack).sort());
    const arn = 'arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>';
    expect(suppressed).toEqual(expect.arrayContaining([
      '/EveryConstruct/Configuration/Role/Resource: AwsSolutions-IAM5[Resource::*]',
      `/EveryConstruct/Configuration/Role/Resource: AwsSolutions-IAM5[Resource::${arn}:thing/*/$package]`,
      '/EveryConstruct/IotPackageCatalogProvider/Policy/Resource: AwsSolutions-IAM5[Resource::*]',
      `/EveryConstruct/IotPackageCatalogProvider/Policy/Resource: AwsSolutions-IAM5[Resource::${arn}:package/sensor-firmware/version/*]`,
    ]));
  });

  test('the check can fail: an unacknowledged wildcard resource is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    wildcardPolicy(stack);
    expect(findings2(app, stack)).toEqual([
      expect.stringMatching(/^\/Bad\/Wildcard\/Resource: AwsSolutions-IAM5\[Resource::\*\]: /),
    ]);
  });

  test('the suppression joins those of the user, once per finding', () => {
    const app = new App();
    const stack = new Stack(app, 'Mixed');
    const policy = wildcardPolicy(stack);
    NagSuppressions.addResourceSuppressions(policy, [{ id: 'AwsSolutions-IAM4', reason: 'Managed policy chosen by the user.' }]);
    acknowledgeWildcardResource(policy, '*', 'iot:DescribeEndpoint supports no resource-level scope.');
    acknowledgeWildcardResource(policy, '*', 'iot:DescribeEndpoint supports no resource-level scope.');
    expect(rulesToSuppress(policy)).toEqual([
      { reason: 'Managed policy chosen by the user.', id: 'AwsSolutions-IAM4' },
      { reason: 'iot:DescribeEndpoint supports no resource-level scope.', id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'] },
    ]);
    expect(findings2(app, stack)).toEqual([]);
  });

  test('intrinsics of a wildcard resource render as both majors render them', () => {
    const app = new App();
    const stack = new Stack(app, 'Intrinsics');
    const bucket = new s3.Bucket(stack, 'Bucket');
    const resources = [bucket.arnForObjects('*'), Fn.sub('arn:${AWS::Partition}:s3:::releases/*')];
    const policy = new iam.Policy(stack, 'Objects', {
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources })],
    });
    policy.attachToRole(new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') }));
    for (const resource of resources) acknowledgeWildcardResource(policy, resource, 'Objects of one bucket only.');
    expect(rulesToSuppress(policy).map((rule) => rule.applies_to)).toEqual([
      [`Resource::<${stack.getLogicalId(bucket.node.defaultChild as CfnResource)}.Arn>/*`],
      ['Resource::arn:<AWS::Partition>:s3:::releases/*'],
    ]);
    const iam5 = /AwsSolutions-IAM5/;
    expect(findings(app).filter((finding) => iam5.test(finding))).toEqual([]);
    expect(findings2(app, stack).filter((finding) => iam5.test(finding))).toEqual([]);
  });

  test.each([
    ['an ASCII reason', 'iot:DescribeEndpoint supports no resource-level scope.'],
    ['a reason beyond Latin-1', 'iot:DescribeEndpoint \u2014 no resource-level scope.'],
  ])('the suppression is the one NagSuppressions writes, for %s', (_name, reason) => {
    const stack = new Stack(new App(), 'Parity');
    const written = wildcardPolicy(stack);
    acknowledgeWildcardResource(written, '*', reason);
    const expected = new iam.Policy(stack, 'Expected');
    NagSuppressions.addResourceSuppressions(expected, [{ id: 'AwsSolutions-IAM5', reason, appliesTo: ['Resource::*'] }]);
    expect(rulesToSuppress(written)).toEqual(rulesToSuppress(expected));
  });

  test.each([
    ['an iam.Policy', (stack: Stack, statement: iam.PolicyStatement) =>
      new iam.Policy(stack, 'Scope', { statements: [statement], roles: [role(stack)] })],
    ['an iam.ManagedPolicy', (stack: Stack, statement: iam.PolicyStatement) =>
      new iam.ManagedPolicy(stack, 'Scope', { statements: [statement], roles: [role(stack)] })],
    ['an iam.Role with an inline policy', (stack: Stack, statement: iam.PolicyStatement) =>
      role(stack, new iam.PolicyDocument({ statements: [statement] }))],
    ['the CfnPolicy itself', (stack: Stack, statement: iam.PolicyStatement) =>
      new iam.Policy(stack, 'Scope', { statements: [statement], roles: [role(stack)] }).node.defaultChild!],
  ])('the suppression lands on the CfnResource of %s', (_name, scopeOf) => {
    const app = new App();
    const stack = new Stack(app, 'Scopes');
    const scope = scopeOf(stack, new iam.PolicyStatement({ actions: ['iot:DescribeEndpoint'], resources: ['*'] }));
    acknowledgeWildcardResource(scope, '*', 'iot:DescribeEndpoint supports no resource-level scope.');
    expect(findings(app)).toEqual([]);
    expect(findings2(app, stack)).toEqual([]);
  });
});

function role(stack: Stack, inlinePolicy?: iam.PolicyDocument): iam.Role {
  return new iam.Role(stack, 'Role', {
    assumedBy: new iam.ServicePrincipal('iot.amazonaws.com'),
    inlinePolicies: inlinePolicy && { Inline: inlinePolicy },
  });
}
