/**
 * One scale measurement in a fresh process:
 * `node --expose-gc bench/scale-case.js <ours|workaround|l1> <packages> <versions> <jobs> <stacks> [--count]`
 * (run.ts runs an esbuild-compiled copy). Builds an app of `packages` packages holding
 * `versions` versions between them (the last of each package its default, where the kind can
 * set one) and `jobs` jobs, split over `stacks` stacks: package p goes to stack p mod stacks,
 * job j to stack j mod stacks, on a version of that stack. Prints one JSON line: construct +
 * synth time, memory, template bytes, and each stack's resources and IAM roles.
 * `--count` lifts the 500-resource limit and prints the resources the app needs in all.
 *
 * The workaround and the L1 have no jobs: CloudFormation has no job resource (the workaround
 * would need yet another AwsCustomResource per job), so `jobs` must be 0 for them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RoleIam, roleIam } from './iam-roles';
import { synthOrResourceLimit } from './synth-or-limit';

export type ScaleKind = 'ours' | 'workaround' | 'l1';
const KINDS: readonly ScaleKind[] = ['ours', 'workaround', 'l1'];

export interface ScaleStack {
  readonly name: string;
  readonly resources: number;
  readonly templateBytes: number;
  readonly roles: RoleIam[];
}

export interface ScaleCaseResult {
  readonly kind: ScaleKind;
  readonly packages: number;
  readonly versions: number;
  readonly jobs: number;
  readonly stacks: number;
  readonly constructMs: number;
  readonly synthMs: number;
  readonly totalMs: number;
  readonly cpuMs: number;
  readonly peakRssDeltaBytes: number;
  readonly templateBytes: number;
  readonly resources: number;
  readonly perStack: ScaleStack[];
  /** Set instead of the figures when a stack holds more than 500 resources. */
  readonly unavailable?: string;
}

/** Names as long as the ones CDK generates when an app names none (as bench/iam-size.ts). */
export function scalePackageName(p: number): string {
  return `bench-iam-package-${String(p).padStart(4, '0')}-a1b2c3d4`;
}

/** Versions of package p when `versions` are spread over `packages`: the remainder goes to the first packages. */
export function versionsOf(p: number, packages: number, versions: number): number {
  return Math.floor(versions / packages) + (p < versions % packages ? 1 : 0);
}

/* eslint-disable @typescript-eslint/no-require-imports */
/** The modules a kind uses, loaded before the clock starts (module loading is the same fixed cost at every size). */
function load(kind: ScaleKind) {
  return {
    cdk: require('aws-cdk-lib') as typeof import('aws-cdk-lib'),
    spec: require('./stacks/spec') as typeof import('./stacks/spec'),
    lib: kind === 'ours' ? require('../src') as typeof import('../src') : undefined,
    workaround: kind === 'workaround' ? require('./stacks/workaround') as typeof import('./stacks/workaround') : undefined,
    iot: kind === 'l1' ? require('aws-cdk-lib/aws-iot') as typeof import('aws-cdk-lib/aws-iot') : undefined,
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */

function buildApp(
  modules: ReturnType<typeof load>, kind: ScaleKind, packages: number, versions: number, jobs: number, stackCount: number,
  outdir: string, count: boolean,
) {
  const { cdk } = modules;
  const { BENCH_ENV } = modules.spec;
  const app = new cdk.App({ outdir, context: count ? { '@aws-cdk/core:stackResourceLimit': 0 } : {} });
  const stacks = Array.from({ length: stackCount }, (_, i) => new cdk.Stack(app, `BenchScale${i}`, { env: BENCH_ENV }));
  if (kind === 'ours') {
    const lib = modules.lib!;
    if (jobs > 0) new lib.PackageConfiguration(stacks[0], 'Configuration', { fleetIndexing: true });
    const byStack: import('../src').IPackageVersion[][] = stacks.map(() => []);
    for (let p = 0; p < packages; p++) {
      const pkg = new lib.SoftwarePackage(stacks[p % stackCount], `Package${p}`, { packageName: scalePackageName(p) });
      const n = versionsOf(p, packages, versions);
      for (let v = 0; v < n; v++) byStack[p % stackCount].push(pkg.addVersion(`V${v}`, { versionName: `1.${v}.0`, isDefaultVersion: v === n - 1 }));
    }
    for (let j = 0; j < jobs; j++) {
      const stack = stacks[j % stackCount];
      const list = byStack[j % stackCount];
      new lib.JobWithPackages(stack, `Rollout${j}`, {
        targets: [lib.JobTargets.thingGroup(stack, `fleet-group-${j}`)],
        destinationPackageVersions: [list[(j * 17) % list.length]],
        document: lib.JobDocument.fromObject({ operation: 'install' }),
      });
    }
  } else if (kind === 'workaround') {
    const { addWorkaroundPackage } = modules.workaround!;
    for (let p = 0; p < packages; p++) {
      const specs = Array.from({ length: versionsOf(p, packages, versions) }, (_, v) => ({
        id: `V${v}`, versionName: `1.${v}.0`, description: `Release ${v}`, attributes: {},
      }));
      addWorkaroundPackage(stacks[p % stackCount], `Package${p}`, scalePackageName(p), specs);
    }
  } else {
    const iot = modules.iot!;
    for (let p = 0; p < packages; p++) {
      const pkg = new iot.CfnSoftwarePackage(stacks[p % stackCount], `Package${p}`, { packageName: scalePackageName(p) });
      for (let v = 0; v < versionsOf(p, packages, versions); v++) {
        new iot.CfnSoftwarePackageVersion(stacks[p % stackCount], `Package${p}V${v}`, { packageName: pkg.ref, versionName: `1.${v}.0` });
      }
    }
  }
  return { app, stacks };
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
}

function main(): void {
  const [kindText, ...rest] = process.argv.slice(2);
  const count = rest.includes('--count');
  const [packages, versions, jobs, stackCount] = rest.filter((a) => a !== '--count').map(Number);
  const kind = kindText as ScaleKind;
  if (!KINDS.includes(kind) || ![packages, versions, jobs, stackCount].every((n) => Number.isInteger(n) && n >= 0) || stackCount < 1) {
    throw new Error(`usage: scale-case.ts <${KINDS.join('|')}> <packages> <versions> <jobs> <stacks> [--count]`);
  }
  if (kind !== 'ours' && jobs > 0) throw new Error(`${kind} has no jobs: CloudFormation has no job resource`);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-scale-${kind}-`));
  try {
    const modules = load(kind);
    gc();
    const rssBefore = process.memoryUsage.rss();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const { app, stacks } = buildApp(modules, kind, packages, versions, jobs, stackCount, outdir, count);
    const t1 = process.hrtime.bigint();
    const synthesized = synthOrResourceLimit(app);
    if ('overResourceLimit' in synthesized) {
      process.stdout.write(`${JSON.stringify({ kind, packages, versions, jobs, stacks: stackCount, unavailable: synthesized.overResourceLimit })}\n`);
      return;
    }
    const { assembly } = synthesized;
    const t2 = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpu0);
    const peakRss = process.resourceUsage().maxRSS * 1024;
    const perStack = stacks.map((stack): ScaleStack => {
      const text = fs.readFileSync(path.join(assembly.directory, stack.templateFile), 'utf8');
      const template = JSON.parse(text) as { Resources?: Record<string, any> };
      return {
        name: stack.stackName,
        resources: Object.keys(template.Resources ?? {}).length,
        templateBytes: Buffer.byteLength(text),
        roles: roleIam(template, stack.stackName),
      };
    });
    const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
    const result: ScaleCaseResult = {
      kind,
      packages,
      versions,
      jobs,
      stacks: stackCount,
      constructMs: ms(t0, t1),
      synthMs: ms(t1, t2),
      totalMs: ms(t0, t2),
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssDeltaBytes: Math.max(0, peakRss - rssBefore),
      templateBytes: perStack.reduce((sum, s) => sum + s.templateBytes, 0),
      resources: perStack.reduce((sum, s) => sum + s.resources, 0),
      perStack,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

main();
