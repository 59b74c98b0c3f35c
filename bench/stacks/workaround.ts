/**
 * The same stack as a team writes it today without this library: the L1
 * `CfnSoftwarePackage` / `CfnSoftwarePackageVersion`, one `AwsCustomResource` per version that
 * publishes it (`IoT.updatePackageVersion` with action PUBLISH) and one that sets the default
 * version (`IoT.updatePackage`, unset again on delete: the service refuses to delete a default
 * version), as the AwsCustomResource documentation shows them.
 *
 * IAM, as it has to be for the calls to pass: `iot:UpdatePackageVersion` on the package ARN and
 * on the version ARN, `iot:UpdatePackage` on the package, and `iot:GetIndexingConfiguration`
 * (no resource scope), which the service also checks on every create and update call.
 *
 * `policy: 'role'` (the default): every AwsCustomResource runs with one role the stack declares,
 * scoped to the package (`package/<name>` and `package/<name>/version/*`), which keeps the
 * role's policy one size whatever the number of versions. `policy: 'per-call'`: each
 * AwsCustomResource gets its own `AwsCustomResourcePolicy.fromStatements` policy scoped to its
 * version, as the documentation's examples do; each is an `AWS::IAM::Policy` of its own, all
 * attached to the one singleton role, so the resources grow by 3 per version and the role's
 * inline policies by one policy per version (see bench/iam-size.ts for where IAM's quota stops it).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnSoftwarePackage, CfnSoftwarePackageVersion } from 'aws-cdk-lib/aws-iot';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { BENCH_ENV, BenchStackOptions, PACKAGE_NAME, VersionSpec, versionSpec } from './spec';

export type WorkaroundPolicy = 'role' | 'per-call';

export interface WorkaroundOptions extends BenchStackOptions {
  /** Indexes of versions deprecated (the publish call's action changed to DEPRECATE). */
  readonly deprecated?: readonly number[];
  /** @default 'role' */
  readonly policy?: WorkaroundPolicy;
  /** Versions 0..n-1 from spec.ts; or these. */
  readonly versions?: readonly VersionSpec[];
}

export function buildWorkaroundApp(n: number, outdir: string, options: WorkaroundOptions = {}): { app: App; stack: Stack } {
  const app = new App({ outdir });
  const stack = new Stack(app, options.stackName ?? 'BenchWorkaround', { env: BENCH_ENV });
  addWorkaroundPackage(stack, 'Firmware', options.packageName ?? PACKAGE_NAME, options.versions ?? Array.from({ length: n }, (_, i) => versionSpec(i)), options);
  return { app, stack };
}

/**
 * One package with its versions, published, and its default. With `policy: 'role'` the
 * package's statements go on the stack's one publisher role (created with the first package).
 */
export function addWorkaroundPackage(
  stack: Stack, id: string, packageName: string, versions: readonly VersionSpec[], options: WorkaroundOptions = {},
): CfnSoftwarePackage {
  const scope = new Construct(stack, id);
  const pkg = new CfnSoftwarePackage(scope, 'Resource', { packageName, description: 'Firmware of the bench fleet' });
  const packageArn = stack.formatArn({ service: 'iot', resource: 'package', resourceName: packageName });
  const versionArn = (name: string) => `${packageArn}/version/${name}`;
  const perCall = options.policy === 'per-call';
  const role = perCall ? undefined : publisherRole(stack);
  role?.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iot:UpdatePackageVersion'], resources: [packageArn, versionArn('*')] }));
  role?.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iot:UpdatePackage'], resources: [packageArn] }));

  const deprecated = new Set(options.deprecated ?? []);
  const cfnVersions = versions.map((spec, i) => {
    const version = new CfnSoftwarePackageVersion(scope, spec.id, {
      packageName: pkg.ref,
      versionName: spec.versionName,
      description: spec.description,
      attributes: spec.attributes,
    });
    const call = {
      service: 'IoT',
      action: 'updatePackageVersion',
      parameters: { packageName, versionName: spec.versionName, action: deprecated.has(i) ? 'DEPRECATE' : 'PUBLISH' },
      physicalResourceId: PhysicalResourceId.of(versionArn(spec.versionName)),
    };
    const publish = new AwsCustomResource(scope, `${spec.id}Publish`, {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      ...(role ? { role } : {
        policy: AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({ actions: ['iot:UpdatePackageVersion'], resources: [packageArn, versionArn(spec.versionName)] }),
          new iam.PolicyStatement({ actions: ['iot:GetIndexingConfiguration'], resources: ['*'] }),
        ]),
      }),
    });
    publish.node.addDependency(version);
    return { version, publish };
  });

  const defaultIndex = options.defaultVersion ?? versions.length - 1;
  if (defaultIndex >= 0 && defaultIndex < versions.length) {
    const setDefault = {
      service: 'IoT',
      action: 'updatePackage',
      parameters: { packageName, defaultVersionName: versions[defaultIndex].versionName },
      physicalResourceId: PhysicalResourceId.of(`${packageName}-default-version`),
    };
    const defaultVersion = new AwsCustomResource(scope, 'DefaultVersion', {
      onCreate: setDefault,
      onUpdate: setDefault,
      // The service refuses to delete the default version: unset it before the version goes.
      onDelete: { service: 'IoT', action: 'updatePackage', parameters: { packageName, unsetDefaultVersion: true } },
      installLatestAwsSdk: false,
      ...(role ? { role } : {
        policy: AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({ actions: ['iot:UpdatePackage'], resources: [packageArn] }),
          new iam.PolicyStatement({ actions: ['iot:GetIndexingConfiguration'], resources: ['*'] }),
        ]),
      }),
    });
    // Only a published version can be the default.
    defaultVersion.node.addDependency(cfnVersions[defaultIndex].publish);
  }
  return pkg;
}

/** The stack's one role for every AwsCustomResource, with what every call needs. */
function publisherRole(stack: Stack): iam.Role {
  const existing = stack.node.tryFindChild('PackagePublisherRole') as iam.Role | undefined;
  if (existing) return existing;
  const role = new iam.Role(stack, 'PackagePublisherRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iot:GetIndexingConfiguration'], resources: ['*'] }));
  return role;
}
