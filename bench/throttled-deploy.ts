/**
 * Deploys and destroys one package with N versions (the last one the default) through the
 * deploy harness while the IoT emulator is rate-limited (token bucket), and compares the wall
 * time with the lower bound calls / TPS. `--kind ours` runs the bundled handler with its
 * production retry settings; `--kind workaround` the same stack as L1 resources plus
 * AwsCustomResource calls (aws-cdk's handler with the SDK's default retries), `--kind l1` the
 * L1 resources alone (DRAFT versions, no default). CloudFormation's own IoT resource types retry
 * throttling with the same backoff as our handler (`--base-delay-ms`, 30 attempts).
 * `tsx bench/throttled-deploy.ts [--kind ours] [--versions 200] [--tps 10] [--burst 10] [--concurrency 16] [--base-delay-ms 250]`
 * prints one JSON line. Investigation only: `--handler-bundle <file>` runs another handler bundle
 * instead of the staged one (to measure a change before it lands), `--env K=V` adds handler environment.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { isRead, LIFECYCLE_KINDS, LifecycleKind } from './api-calls';
import { LocalCloud } from '../local-cloud';
import { buildL1App } from './stacks/l1';
import { buildOursApp } from './stacks/ours';
import { buildWorkaroundApp } from './stacks/workaround';
import { RecordedCall } from '../local-cloud/emulator/iot-emulator';

const STACK = 'BenchThrottled';

export interface ThrottledOptions {
  readonly kind: LifecycleKind;
  readonly versions: number;
  readonly tps: number;
  readonly burst: number;
  readonly concurrency: number;
  /** The handler's retry base delay (IOT_RETRY_BASE_DELAY_MS); production default 250. */
  readonly baseDelayMs: number;
  /** Investigation only: a prototype handler bundle run in place of the staged one. */
  readonly handlerBundle?: string;
  /** Investigation only: extra handler environment. */
  readonly env?: Record<string, string>;
}

export interface PhaseResult {
  readonly status: string;
  readonly failure?: string;
  readonly wallMs: number;
  /** Calls that got through the rate limit (whatever the service then answered). */
  readonly admittedCalls: number;
  readonly mutatingCalls: number;
  readonly readCalls: number;
  /** Calls refused with ThrottlingException (retried by the handler). */
  readonly throttledCalls: number;
  readonly otherErrors: number;
  /** admittedCalls / TPS: no client can finish sooner. */
  readonly lowerBoundMs: number;
  /** The fewest calls the service needs for this phase, / TPS. */
  readonly minimumCalls: number;
  readonly minimumBoundMs: number;
  readonly ratio: number;
  readonly failedResources: number;
  /** admitted calls per second over the phase, / TPS. */
  readonly utilization: number;
  /** Seconds in which no call was admitted although work remained. */
  readonly idleSeconds: number;
  /** Longest time one logical call (same operation and resource) spent from first attempt to success. */
  readonly maxCallLatencyMs: number;
  readonly maxAttemptsOfOneCall: number;
}

export interface ThrottledResult {
  readonly options: ThrottledOptions;
  readonly deploy: PhaseResult;
  readonly destroy: PhaseResult;
  readonly failures: number;
  /** The catalog after the deploy: versions, how many PUBLISHED, the default version. */
  readonly afterDeploy: { readonly versions: number; readonly published: number; readonly defaultVersion?: string };
  /** Packages and versions the emulator still holds after the destroy. */
  readonly leftAfterDestroy: number;
  readonly totalWallMs: number;
  readonly totalLowerBoundMs: number;
  readonly ratio: number;
}

function buildApp(outdir: string, kind: LifecycleKind, versions: number): App {
  const options = { stackName: STACK, packageName: 'bench-throttled' };
  return (kind === 'ours' ? buildOursApp : kind === 'workaround' ? buildWorkaroundApp : buildL1App)(versions, outdir, options).app;
}

/** The fewest calls the service needs: CreatePackage, a create (and a publish) per version, the default; the reverse on destroy. */
function fewestCalls(kind: LifecycleKind, versions: number): { deploy: number; destroy: number } {
  const hasDefault = kind !== 'l1' && versions > 0 ? 1 : 0;
  return { deploy: 1 + (kind === 'l1' ? 1 : 2) * versions + hasDefault, destroy: hasDefault + versions + 1 };
}

function phaseFigures(
  calls: RecordedCall[], startedAt: number, wallMs: number, options: ThrottledOptions, minimumCalls: number,
): Omit<PhaseResult, 'status' | 'failure' | 'failedResources'> {
  const throttled = calls.filter((c) => c.errorType === 'ThrottlingException');
  const admitted = calls.filter((c) => c.errorType !== 'ThrottlingException');
  const lowerBoundMs = (admitted.length / options.tps) * 1000;
  const seconds = Math.ceil(wallMs / 1000);
  const perSecond = new Array<number>(seconds).fill(0);
  for (const c of admitted) perSecond[Math.min(seconds - 1, Math.max(0, Math.floor((c.at - startedAt) / 1000)))]++;
  // A logical call: the same operation on the same resource with the same client token (or input).
  const attempts = new Map<string, RecordedCall[]>();
  for (const c of calls) {
    const key = `${c.operation} ${c.path} ${c.input?.clientToken ?? JSON.stringify(c.query)} ${c.input?.action ?? ''}`;
    attempts.set(key, [...(attempts.get(key) ?? []), c]);
  }
  let maxLatency = 0;
  let maxAttempts = 0;
  for (const list of attempts.values()) {
    maxAttempts = Math.max(maxAttempts, list.length);
    maxLatency = Math.max(maxLatency, list[list.length - 1].at - list[0].at);
  }
  return {
    wallMs,
    admittedCalls: admitted.length,
    mutatingCalls: admitted.filter((c) => !isRead(c.operation)).length,
    readCalls: admitted.filter((c) => isRead(c.operation)).length,
    throttledCalls: throttled.length,
    otherErrors: admitted.filter((c) => c.status >= 400).length,
    lowerBoundMs,
    minimumCalls,
    minimumBoundMs: (minimumCalls / options.tps) * 1000,
    ratio: wallMs / lowerBoundMs,
    utilization: admitted.length / options.tps / (wallMs / 1000),
    idleSeconds: perSecond.slice(0, -1).filter((n) => n === 0).length,
    maxCallLatencyMs: maxLatency,
    maxAttemptsOfOneCall: maxAttempts,
  };
}

export async function measureThrottledDeploy(options: ThrottledOptions): Promise<ThrottledResult> {
  const cloud = await LocalCloud.start({
    retryBaseDelayMs: options.baseDelayMs,
    nativeIot: { baseDelayMs: options.baseDelayMs, maxAttempts: 30 },
    // Lambda keeps warm execution environments between invocations of a busy function.
    harness: { concurrency: options.concurrency, coldStartEveryInvocation: false, env: options.env },
  });
  try {
    const dir = cloud.synth((outdir) => buildApp(outdir, options.kind, options.versions));
    const minimum = fewestCalls(options.kind, options.versions);
    if (options.handlerBundle) {
      for (const entry of fs.readdirSync(dir)) {
        const staged = path.join(dir, entry, 'index.js');
        if (entry.startsWith('asset.') && fs.existsSync(staged)) fs.copyFileSync(options.handlerBundle, staged);
      }
    }
    cloud.iot.faults.rateLimit(options.tps, options.burst);

    let mark = cloud.iot.calls.length;
    let started = Date.now();
    const deployed = await cloud.harness.deploy(dir, STACK);
    const deployWall = Date.now() - started;
    const deployCalls = cloud.iot.calls.slice(mark);
    const catalog = cloud.iot.snapshot().packages;
    const versions = catalog.flatMap((p) => p.versions);
    const afterDeploy = {
      versions: versions.length,
      published: versions.filter((v) => v.status === 'PUBLISHED').length,
      defaultVersion: catalog[0]?.defaultVersionName,
    };
    const deploy: PhaseResult = {
      status: deployed.status,
      failure: deployed.failure,
      failedResources: deployed.events.filter((e) => e.status === 'FAILED').length,
      ...phaseFigures(deployCalls, started, deployWall, options, minimum.deploy),
    };

    // Let the bucket refill so both phases start alike.
    await new Promise((resolve) => setTimeout(resolve, Math.ceil((options.burst / options.tps) * 1000)));
    mark = cloud.iot.calls.length;
    started = Date.now();
    const destroyed = await cloud.harness.destroy(STACK);
    const destroyWall = Date.now() - started;
    const destroy: PhaseResult = {
      status: destroyed.status,
      failure: destroyed.failure,
      failedResources: destroyed.events.filter((e) => e.status === 'FAILED').length,
      ...phaseFigures(cloud.iot.calls.slice(mark), started, destroyWall, options, minimum.destroy),
    };
    const totalWallMs = deploy.wallMs + destroy.wallMs;
    const totalLowerBoundMs = deploy.lowerBoundMs + destroy.lowerBoundMs;
    const left = cloud.iot.snapshot().packages;
    return {
      options,
      afterDeploy,
      leftAfterDestroy: left.length + left.flatMap((p) => p.versions).length,
      deploy,
      destroy,
      failures: deploy.failedResources + destroy.failedResources,
      totalWallMs,
      totalLowerBoundMs,
      ratio: totalWallMs / totalLowerBoundMs,
    };
  } finally {
    await cloud.stop();
  }
}

export function parseThrottledArgs(argv: string[]): ThrottledOptions {
  const get = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const kind = (argv.includes('--kind') ? argv[argv.indexOf('--kind') + 1] : 'ours') as LifecycleKind;
  if (!LIFECYCLE_KINDS.includes(kind)) throw new Error(`--kind must be one of ${LIFECYCLE_KINDS.join(', ')}`);
  return {
    kind,
    versions: get('versions', 200),
    tps: get('tps', 10),
    burst: get('burst', 10),
    concurrency: get('concurrency', 16),
    baseDelayMs: get('base-delay-ms', 250),
    handlerBundle: argv.includes('--handler-bundle') ? path.resolve(argv[argv.indexOf('--handler-bundle') + 1]) : undefined,
    env: Object.fromEntries(argv.flatMap((a, i) => (a === '--env' ? [argv[i + 1].split('=') as [string, string]] : []))),
  };
}

if (require.main === module) {
  measureThrottledDeploy(parseThrottledArgs(process.argv.slice(2))).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
