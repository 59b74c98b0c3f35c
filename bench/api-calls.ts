/**
 * API calls per lifecycle step, counted from the IoT emulator's call log while the deploy
 * harness plays CloudFormation with the bundled handler. Run in a fresh process:
 * `tsx bench/api-calls.ts` prints one JSON line.
 */
import { App, Stack } from 'aws-cdk-lib';
import { LocalCloud } from '../local-cloud';
import { RecordedCall } from '../local-cloud/emulator/iot-emulator';
import { PackageVersionStatus, SoftwarePackage } from '../src';

const STACK = 'BenchLifecycle';
const PACKAGE = 'bench-lifecycle';

/** What the stack declares at one point of the lifecycle. */
interface Declared {
  readonly version?: { readonly status: PackageVersionStatus; readonly isDefault: boolean };
}

function buildApp(outdir: string, declared: Declared): App {
  const app = new App({ outdir });
  const stack = new Stack(app, STACK, { env: { account: '123456789012', region: 'us-east-1' } });
  const pkg = new SoftwarePackage(stack, 'Firmware', { packageName: PACKAGE });
  if (declared.version) {
    pkg.addVersion('V1', { versionName: '1.0.0', status: declared.version.status, isDefaultVersion: declared.version.isDefault });
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
  readonly step: string;
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
    minimum: { mutating: 1, reads: 0, calls: ['UpdatePackage:defaultVersionName'], why: 'UpdatePackage(defaultVersionName) sets the default in one call' },
  },
  {
    step: 'deprecate it',
    declared: { version: { status: PackageVersionStatus.DEPRECATED, isDefault: true } },
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
    minimum: {
      mutating: 2,
      reads: 0,
      calls: ['UpdatePackage:unsetDefaultVersion', 'DeletePackageVersion'],
      why: 'the service refuses to delete the default: unset it, then delete (the stack knows it set the default)',
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

export async function measureApiCalls(): Promise<StepResult[]> {
  const cloud = await LocalCloud.start({ retryBaseDelayMs: 250 });
  const results: StepResult[] = [];
  try {
    for (const spec of STEPS) {
      const before = cloud.iot.calls.length;
      let status: string;
      let invocations: number;
      if (spec.declared) {
        const dir = cloud.synth((outdir) => buildApp(outdir, spec.declared!));
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
        step: spec.step,
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
  measureApiCalls().then(
    (steps) => process.stdout.write(`${JSON.stringify({ steps })}\n`),
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
