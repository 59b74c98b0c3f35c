/**
 * IAM characters the provider's role needs, as IAM counts them (the policy documents as
 * CloudFormation resolves them, whitespace excluded): fixed per stack, per package and per job,
 * and whether a stack of 300 packages of 3 versions and 50 jobs fits IAM's limits (10,240
 * characters of inline policies per role, 6,144 per managed policy, 10 managed policies per
 * role). Also the roles and policies of each benchmark stack (ours, the workaround, the L1) at
 * 1 and 200 versions, and where the workaround written with a policy per AwsCustomResource
 * reaches IAM's quota. Run as a child of run.ts; prints JSON.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { IAM_LIMITS, iamContext, roleIam, RoleIam } from './iam-roles';
import { buildL1App } from './stacks/l1';
import { buildOursApp } from './stacks/ours';
import { BENCH_ENV } from './stacks/spec';
import { buildWorkaroundApp, WorkaroundPolicy } from './stacks/workaround';
import { PolicyDocument, policySize } from '../local-cloud/emulator/iam-policy';
import { resolve } from '../local-cloud/harness/intrinsics';
import { IPackageVersion, JobDocument, JobTargets, JobWithPackages, PackageConfiguration, SoftwarePackage } from '../src';

export interface IamSizeResult {
  /** Characters of every policy of the provider's role, for a stack of one package. */
  readonly fixedChars: number;
  readonly charsPerPackage: number;
  readonly charsPerJob: number;
  readonly scale: ScaleResult[];
  /** The roles of each benchmark stack, at 1 and 200 versions (with `benchStacks`). */
  readonly perStack?: StackIam[];
  readonly workaroundPerCall?: PerCallQuota;
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

export interface StackIam {
  readonly kind: 'ours' | 'workaround' | 'l1';
  readonly n: number;
  readonly roles: RoleIam[];
  /** Inline and customer-managed characters of every role of the stack. */
  readonly totalChars: number;
}

/** The workaround with `AwsCustomResourcePolicy` per call: one inline policy per version on one role. */
export interface PerCallQuota {
  readonly inlineCharsAt1: number;
  readonly inlineCharsPerVersion: number;
  readonly resourcesPerVersion: number;
  /** The most versions whose policies fit the singleton role's 10,240 inline characters. */
  readonly maxVersions: number;
}

export const LIMITS = IAM_LIMITS;

const CONTEXT = iamContext('BenchIam');

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

/** Synthesizes a benchmark stack into a scratch directory and sizes its roles. */
function benchStackIam(kind: StackIam['kind'] | 'workaround-per-call', n: number): { roles: RoleIam[]; resources: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-iam-'));
  try {
    const policy: WorkaroundPolicy = kind === 'workaround-per-call' ? 'per-call' : 'role';
    const { app, stack } = kind === 'ours' ? buildOursApp(n, outdir) : kind === 'l1' ? buildL1App(n, outdir) : buildWorkaroundApp(n, outdir, { policy });
    const template = app.synth().getStackByName(stack.stackName).template as { Resources?: Record<string, any> };
    return { roles: roleIam(template, stack.stackName), resources: Object.keys(template.Resources ?? {}).length };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function perStack(): StackIam[] {
  return (['ours', 'workaround', 'l1'] as const).flatMap((kind) => [1, 200].map((n) => {
    const { roles } = benchStackIam(kind, n);
    return { kind, n, roles, totalChars: roles.reduce((sum, r) => sum + r.inlineChars + r.customerManagedChars, 0) };
  }));
}

function perCallQuota(): PerCallQuota {
  const inline = (n: number) => {
    const { roles, resources } = benchStackIam('workaround-per-call', n);
    return { chars: Math.max(0, ...roles.map((r) => r.inlineChars)), resources };
  };
  const [one, eleven] = [inline(1), inline(11)];
  const perVersion = (eleven.chars - one.chars) / 10;
  let maxVersions = Math.max(1, Math.floor(1 + (IAM_LIMITS.inline - one.chars) / perVersion));
  // Version names grow by a character past 1.0.9: confirm at the estimate and step.
  while (inline(maxVersions + 1).chars <= IAM_LIMITS.inline) maxVersions++;
  while (maxVersions > 0 && inline(maxVersions).chars > IAM_LIMITS.inline) maxVersions--;
  return {
    inlineCharsAt1: one.chars,
    inlineCharsPerVersion: Math.round(perVersion),
    resourcesPerVersion: (eleven.resources - one.resources) / 10,
    maxVersions,
  };
}

/**
 * Measures the role's policies: per stack, per package, per job, and at scale; with
 * `benchStacks`, also the roles of the benchmark stacks and the workaround's quota.
 */
export function measureIamSize(options: { benchStacks?: boolean } = {}): IamSizeResult {
  const fixedChars = total(policySizes(buildStack(1, 1, 0)));
  const charsPerPackage = (total(policySizes(buildStack(41, 1, 0))) - total(policySizes(buildStack(1, 1, 0)))) / 40;
  const charsPerJob = (total(policySizes(buildStack(1, 1, 41))) - total(policySizes(buildStack(1, 1, 1)))) / 40;
  // 300 packages of 3 versions and 50 jobs; and 1,000 versions over 300 packages.
  const result: IamSizeResult = {
    fixedChars,
    charsPerPackage: Math.round(charsPerPackage),
    charsPerJob: Math.round(charsPerJob),
    scale: [scale(300, 3, 50), scale(300, 10 / 3, 50)],
    ...(options.benchStacks ? { perStack: perStack(), workaroundPerCall: perCallQuota() } : {}),
  };
  return result;
}

if (require.main === module) process.stdout.write(`${JSON.stringify(measureIamSize({ benchStacks: true }))}\n`);
