/**
 * INVESTIGATION: the floor of the custom-resource design — the same template as the L2 stack
 * (one provider Lambda with role and policy, one custom resource per package and version with
 * ServiceToken, a GetAtt of the package name and a DependsOn on the policy), written with bare
 * `CfnResource`s, so the gap ours → floor is construct overhead and floor → L1 is inherent.
 * `withDependsOn: false` drops the per-resource DependsOn (the function depends on the policy instead).
 */
import * as path from 'path';
import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BENCH_ENV, PACKAGE_NAME, versionSpec } from './spec';

export function buildFloorApp(n: number, outdir: string, withDependsOn = true): { app: App; stack: Stack } {
  const app = new App({ outdir });
  const stack = new Stack(app, 'BenchFloor', { env: BENCH_ENV });
  const providerScope = new Construct(stack, 'IotPackageCatalogProvider');
  const role = new iam.Role(providerScope, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const logGroup = new logs.LogGroup(providerScope, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
  const policy = new iam.Policy(providerScope, 'Policy', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      new iam.PolicyStatement({ actions: ['iot:GetIndexingConfiguration'], resources: ['*'] }),
      new iam.PolicyStatement({
        actions: ['iot:CreatePackageVersion', 'iot:GetPackageVersion', 'iot:UpdatePackageVersion', 'iot:DeletePackageVersion'],
        resources: [stack.formatArn({ service: 'iot', resource: 'package', resourceName: `${PACKAGE_NAME}/*` })],
      }),
    ],
  });
  const fn = new lambda.Function(providerScope, 'Handler', {
    runtime: lambda.Runtime.NODEJS_22_X,
    code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', 'lambda', 'index')),
    handler: 'index.handler',
    timeout: Duration.minutes(14),
    memorySize: 256,
    role,
    logGroup,
  });
  const policyResource = policy.node.defaultChild as CfnResource;
  if (!withDependsOn) fn.node.addDependency(policy);
  const pkgScope = new Construct(stack, 'Firmware');
  const pkg = new CfnResource(pkgScope, 'Resource', {
    type: 'Custom::IotSoftwarePackage',
    properties: { ServiceToken: fn.functionArn, PackageName: PACKAGE_NAME, Description: 'Firmware of the bench fleet' },
  });
  if (withDependsOn) pkg.addDependency(policyResource);
  const packageName = pkg.getAtt('PackageName').toString();
  for (let i = 0; i < n; i++) {
    const spec = versionSpec(i);
    const version = new CfnResource(new Construct(pkgScope, spec.id), 'Resource', {
      type: 'Custom::IotPackageVersion',
      properties: {
        ServiceToken: fn.functionArn,
        PackageName: packageName,
        VersionName: spec.versionName,
        Status: 'PUBLISHED',
        Description: spec.description,
        Attributes: spec.attributes,
      },
    });
    if (withDependsOn) version.addDependency(policyResource);
  }
  return { app, stack };
}
