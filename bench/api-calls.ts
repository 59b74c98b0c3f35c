/**
 * API calls per lifecycle step, counted from the IoT emulator's call log while the deploy
 * harness plays CloudFormation: with the bundled handler (ours), with aws-cdk's AwsCustomResource
 * handler and CloudFormation's own IoT resource types (the workaround), or with those types
 * alone (L1). Run in a fresh process: `tsx bench/api-calls.ts [ours|workaround|l1]` prints one
 * JSON line.
 */
import { App, Stack } from 'aws-cdk-lib';
import { CfnSoftwarePackage, CfnSoftwarePackageVersion } from 'aws-cdk-lib/aws-iot';
import { LocalCloud } from '../local-cloud';
import { addWorkaroundPackage } from './stacks/workaround';
import { RecordedCall } from '../local-cloud/emulator/iot-emulator';
import { PackageVersionStatus, SoftwarePackage } from '../src';

const STACK = 'BenchLifecycle';
const PACKAGE = 'bench-lifecycle';
const ENV = { account: '123456789012', region: 'us-east-1' };

export type LifecycleKind = 'ours' | 'workaround' | 'l1';
export const LIFECYCLE_KINDS: readonly LifecycleKind[] = ['ours', 'workaround', 'l1'];

/** What the stack declares at one point of the lifecycle. */
interface Declared {
  readonly version?: { readonly status: PackageVersionStatus; readonly isDefault: boolean };
}

function buildApp(kind: LifecycleKind, outdir: string, declared: Declared): App {
  const app = new App({ outdir });
  const stack = new Stack(app, STACK, { env: ENV });
  const v = declared.version;
  switch (kind) {
    case 'ours': {
      const pkg = new SoftwarePackage(stack, 'Firmware', { packageName: PACKAGE });
      if (v) pkg.addVersion('V1', { versionName: '1.0.0', status: v.status, isDefaultVersion: v.isDefault });
      break;
    }
    case 'workaround':
      // Deprecating is editing the publish call's action to DEPRECATE.
      addWorkaroundPackage(stack, 'Firmware', PACKAGE, v ? [{ id: 'V1', versionName: '1.0.0', description: 'Release 1', attributes: {} }] : [], {
        defaultVersion: v?.isDefault ? 0 : -1,
        deprecated: v?.status === PackageVersionStatus.DEPRECATED ? [0] : [],
      });
      break;
    case 'l1': {
      const pkg = new CfnSoftwarePackage(stack, 'Firmware', { packageName: PACKAGE });
      if (v) new CfnSoftwarePackageVersion(stack, 'V1', { packageName: pkg.ref, versionName: '1.0.0' });
      break;
    }
  }
  return app;
}

export interface StepMinimum {
  readonly mutating: number;
  readonly reads: number;
  readonly calls: string[];
  readonly why: string;
}

export interface StepResult {
  readonly kind: LifecycleKind;
  readonly step: string;
  /** false: this kind cannot declare the step at all (nothing was deployed); `note` says why. */
  readonly expressible: boolean;
  /** What differs from the step as ours performs it (e.g. the L1's version stays DRAFT). */
  readonly note?: string;
  readonly status: string;
  readonly mutating: number;
  readonly reads: number;
  /** Calls answered with an error (throttling, conflicts, not found...). */
  readonly errors: number;
  readonly calls: string[];
  readonly minimum: StepMinimum;
  readonly atMinimum: boolean;
  readonly handlerInvocations: number;
}

interface StepSpec {
  readonly step: string;
  readonly declared?: Declared;
  /** What the L1 stack does at this step: undefined when it can do it as declared. */
  readonly l1?: { readonly expressible: boolean; readonly note: string };
  /** undefined: destroy the stack. */
  readonly minimum: StepMinimum;
}

/** The steps, each from the state the previous one left, with the fewest calls the service needs. */
export const STEPS: readonly StepSpec[] = [
  {
    step: 'create package (setup)',
    declared: {},
    minimum: { mutating: 1, reads: 0, calls: ['CreatePackage'], why: 'one call creates the package with its description and tags' },
  },
  {
    step: 'create a published version',
    declared: { version: { status: PackageVersionStatus.PUBLISHED, isDefault: false } },
    l1: { expressible: true, note: 'DRAFT only: CloudFormation cannot publish (Status is read-only)' },
    minimum: {
      mutating: 2,
      reads: 0,
      calls: ['CreatePackageVersion', 'UpdatePackageVersion:PUBLISH'],
      why: 'a version is always created DRAFT; only UpdatePackageVersion(PUBLISH) publishes it',
    },
  },
  {
    step: 'make it the default',
    declared: { version: { status: PackageVersionStatus.PUBLISHED, isDefault: true } },
    l1: { expressible: false, note: 'cannot: CloudFormation has no default version setting' },
    minimum: { mutating: 1, reads: 0, calls: ['UpdatePackage:defaultVersionName'], why: 'UpdatePackage(defaultVersionName) sets the default in one call' },
  },
  {
    step: 'deprecate it',
    declared: { version: { status: PackageVersionStatus.DEPRECATED, isDefault: true } },
    l1: { expressible: false, note: 'cannot: CloudFormation cannot change a version\'s status' },
    minimum: {
      mutating: 1,
      reads: 0,
      calls: ['UpdatePackageVersion:DEPRECATE'],
      why: 'PUBLISHED -> DEPRECATED is one documented action; the old properties already say PUBLISHED',
    },
  },
  {
    step: 'delete the default version',
    declared: {},
    l1: { expressible: true, note: 'a DRAFT version, never the default' },
    minimum: {
      mutating: 2,
      reads: 1,
      calls: ['GetPackage', 'UpdatePackage:unsetDefaultVersion', 'DeletePackageVersion'],
      why: 'the service refuses to delete the default: unset it, then delete; the read confirms the default is still the one ' +
        'this stack set, so that a default chosen outside the stack is never unset',
    },
  },
  {
    step: 'delete the package',
    minimum: {
      mutating: 1,
      reads: 0,
      calls: ['DeletePackage'],
      why: 'the stack deleted its versions first; DeletePackage alone (list versions only if it fails, to name them)',
    },
  },
];

export function isRead(operation: string): boolean {
  return /^(Get|List|Describe)/.test(operation);
}

export function describeCall(call: RecordedCall): string {
  const input = call.input ?? {};
  const detail = input.action ? `:${input.action}`
    : input.defaultVersionName ? ':defaultVersionName'
      : input.unsetDefaultVersion ? ':unsetDefaultVersion' : '';
  return `${call.operation}${detail}${call.status >= 400 ? ` (${call.status} ${call.errorType})` : ''}`;
}

export async function measureApiCalls(kind: LifecycleKind = 'ours'): Promise<StepResult[]> {
  // CloudFormation's own IoT resource types run with their handlers' behaviour (the workaround and the L1).
  const cloud = await LocalCloud.start({ retryBaseDelayMs: 250, nativeIot: {} });
  const results: StepResult[] = [];
  try {
    for (const spec of STEPS) {
      const l1 = kind === 'l1' ? spec.l1 : undefined;
      if (l1 && !l1.expressible) {
        results.push({
          kind,
          step: spec.step,
          expressible: false,
          note: l1.note,
          status: 'n/a',
          mutating: 0,
          reads: 0,
          errors: 0,
          calls: [],
          minimum: spec.minimum,
          atMinimum: false,
          handlerInvocations: 0,
        });
        continue;
      }
      const before = cloud.iot.calls.length;
      let status: string;
      let invocations: number;
      if (spec.declared) {
        const dir = cloud.synth((outdir) => buildApp(kind, outdir, spec.declared!));
        const deployed = await cloud.harness.deploy(dir, STACK);
        status = deployed.failure ? `${deployed.status}: ${deployed.failure}` : deployed.status;
        invocations = deployed.events.filter((e) => e.resourceType.startsWith('Custom::') && e.status === 'IN_PROGRESS').length;
      } else {
        const destroyed = await cloud.harness.destroy(STACK);
        status = destroyed.failure ? `${destroyed.status}: ${destroyed.failure}` : destroyed.status;
        invocations = destroyed.events.filter((e) => e.resourceType.startsWith('Custom::') && e.status === 'IN_PROGRESS').length;
      }
      const calls = cloud.iot.calls.slice(before);
      const mutating = calls.filter((c) => !isRead(c.operation)).length;
      const reads = calls.filter((c) => isRead(c.operation)).length;
      results.push({
        kind,
        step: spec.step,
        expressible: true,
        note: l1?.note,
        status,
        mutating,
        reads,
        errors: calls.filter((c) => c.status >= 400).length,
        calls: calls.map(describeCall),
        minimum: spec.minimum,
        atMinimum: mutating <= spec.minimum.mutating && reads <= spec.minimum.reads,
        handlerInvocations: invocations,
      });
    }
  } finally {
    await cloud.stop();
  }
  return results;
}

if (require.main === module) {
  const kind = (process.argv[2] ?? 'ours') as LifecycleKind;
  if (!LIFECYCLE_KINDS.includes(kind)) throw new Error(`usage: api-calls.ts [${LIFECYCLE_KINDS.join('|')}]`);
  measureApiCalls(kind).then(
    (steps) => process.stdout.write(`${JSON.stringify({ steps })}\n`),
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
