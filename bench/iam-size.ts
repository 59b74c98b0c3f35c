/**
 * IAM characters the provider's role needs, as IAM counts them (the policy documents as
 * CloudFormation resolves them, whitespace excluded): fixed per stack, per package and per job,
 * and whether a stack of 300 packages of 3 versions and 50 jobs fits IAM's limits (10,240
 * characters of inline policies per role, 6,144 per managed policy, 10 managed policies per
 * role). Run as a child of run.ts; prints JSON.
 */
import { App, Stack } from 'aws-cdk-lib';
import { IPackageVersion, JobDocument, JobTargets, JobWithPackages, PackageConfiguration, SoftwarePackage } from '../src';
import { BENCH_ENV } from './stacks/spec';
import { PolicyDocument, policySize } from '../local-cloud/emulator/iam-policy';
import { resolve, ResolveContext } from '../local-cloud/harness/intrinsics';

export interface IamSizeResult {
  /** Characters of every policy of the provider's role, for a stack of one package. */
  readonly fixedChars: number;
  readonly charsPerPackage: number;
  readonly charsPerJob: number;
  readonly scale: ScaleResult[];
}

export interface ScaleResult {
  readonly packages: number;
  readonly versions: number;
  readonly jobs: number;
  readonly inlineChars: number;
  readonly managedPolicies: number;
  readonly largestManagedChars: number;
  readonly withinLimits: boolean;
}

export const LIMITS = { inline: 10_240, managed: 6_144, managedPerRole: 10 };

const CONTEXT: ResolveContext = {
  pseudo: {
    region: BENCH_ENV.region,
    accountId: BENCH_ENV.account,
    partition: 'aws',
    urlSuffix: 'amazonaws.com',
    stackName: 'BenchIam',
    stackId: `arn:aws:cloudformation:${BENCH_ENV.region}:${BENCH_ENV.account}:stack/BenchIam/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`,
  },
  parameters: {},
  conditions: {},
  mappings: {},
  // Names of other resources are as long as CloudFormation's generated ones.
  ref: () => 'x'.repeat(60),
  getAtt: () => `arn:aws:iam::${BENCH_ENV.account}:role/${'x'.repeat(60)}`,
};

/**
 * A stack of `packages` packages of `versionsEach` versions and `jobs` jobs, each job on one
 * version; with jobs, also the package configuration with `$package` fleet indexing, as a
 * rollout stack has.
 */
function buildStack(packages: number, versionsEach: number, jobs: number): Stack {
  const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'BenchIam', { env: BENCH_ENV });
  if (jobs > 0) new PackageConfiguration(stack, 'Configuration', { fleetIndexing: true });
  const versions: IPackageVersion[] = [];
  for (let p = 0; p < packages; p++) {
    // Names as long as the ones CDK generates when an app names none.
    const pkg = new SoftwarePackage(stack, `Package${p}`, { packageName: `bench-iam-package-${String(p).padStart(4, '0')}-a1b2c3d4` });
    // A fractional count spreads the remainder over the first packages (1,000 versions over 300 packages).
    const count = Math.floor(versionsEach) + (p < Math.round((versionsEach % 1) * packages) ? 1 : 0);
    for (let v = 0; v < count; v++) versions.push(pkg.addVersion(`V${v}`, { versionName: `1.${v}.0` }));
  }
  for (let j = 0; j < jobs; j++) {
    new JobWithPackages(stack, `Rollout${j}`, {
      targets: [JobTargets.thingGroup(stack, `fleet-group-${j}`)],
      destinationPackageVersions: [versions[(j * 17) % versions.length]],
      document: JobDocument.fromObject({ operation: 'install' }),
    });
  }
  return stack;
}

/** The resolved sizes of the provider role's inline and managed policies. */
function policySizes(stack: Stack): { inline: number[]; managed: number[] } {
  const template = stack.node.root instanceof App
    ? (stack.node.root.synth().getStackByName(stack.stackName).template as { Resources: Record<string, any> })
    : { Resources: {} };
  const resources = Object.entries(template.Resources);
  const roleId = resources.find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('IotPackageCatalogProviderRole'))![0];
  const attached = (r: any) => ((r.Properties.Roles ?? []) as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }));
  const size = (r: any) => policySize(resolve(r.Properties.PolicyDocument, CONTEXT) as PolicyDocument);
  return {
    inline: resources.filter(([, r]) => r.Type === 'AWS::IAM::Policy' && attached(r)).map(([, r]) => size(r)),
    managed: resources.filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && attached(r)).map(([, r]) => size(r)),
  };
}

const total = (sizes: { inline: number[]; managed: number[] }) => [...sizes.inline, ...sizes.managed].reduce((a, b) => a + b, 0);

function scale(packages: number, versionsEach: number, jobs: number): ScaleResult {
  const sizes = policySizes(buildStack(packages, versionsEach, jobs));
  const inlineChars = sizes.inline.reduce((a, b) => a + b, 0);
  const largestManagedChars = Math.max(0, ...sizes.managed);
  return {
    packages,
    versions: Math.round(packages * versionsEach),
    jobs,
    inlineChars,
    managedPolicies: sizes.managed.length,
    largestManagedChars,
    withinLimits: inlineChars <= LIMITS.inline && largestManagedChars <= LIMITS.managed && sizes.managed.length <= LIMITS.managedPerRole,
  };
}

/** Measures the role's policies: per stack, per package, per job, and at scale. */
export function measureIamSize(): IamSizeResult {
  const fixedChars = total(policySizes(buildStack(1, 1, 0)));
  const charsPerPackage = (total(policySizes(buildStack(41, 1, 0))) - total(policySizes(buildStack(1, 1, 0)))) / 40;
  const charsPerJob = (total(policySizes(buildStack(1, 1, 41))) - total(policySizes(buildStack(1, 1, 1)))) / 40;
  // 300 packages of 3 versions and 50 jobs; and 1,000 versions over 300 packages.
  const result: IamSizeResult = {
    fixedChars,
    charsPerPackage: Math.round(charsPerPackage),
    charsPerJob: Math.round(charsPerJob),
    scale: [scale(300, 3, 50), scale(300, 10 / 3, 50)],
  };
  return result;
}

if (require.main === module) process.stdout.write(`${JSON.stringify(measureIamSize())}\n`);
