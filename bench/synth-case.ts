/**
 * One synth measurement in a fresh process: `node --expose-gc --import tsx bench/synth-case.ts <ours|workaround|l1> <n>`
 * (run.ts runs an esbuild-compiled copy with plain node).
 * Prints one JSON line: time to build the construct tree and to synthesize it (module loading
 * excluded, it is the same fixed cost for every N), memory, template size and resource counts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthOrResourceLimit } from './synth-or-limit';

/**
 * ours / workaround / l1: the benchmark; workaround-per-call (bench/stacks/workaround.ts), floor,
 * floor-nodeps (bench/stacks/floor.ts): investigation.
 */
export type SynthKind = 'ours' | 'workaround' | 'l1' | 'workaround-per-call' | 'floor' | 'floor-nodeps';
const KINDS: readonly SynthKind[] = ['ours', 'workaround', 'l1', 'workaround-per-call', 'floor', 'floor-nodeps'];

/** What a kind cannot synthesize (a stack past CloudFormation's 500 resources), instead of figures. */
export interface SynthCaseUnavailable {
  readonly kind: SynthKind;
  readonly n: number;
  readonly unavailable: string;
}

export interface SynthCaseResult {
  readonly kind: SynthKind;
  readonly n: number;
  /** Loading aws-cdk-lib and the constructs' modules (tsx-transpiled for ours). */
  readonly importMs: number;
  /** Constructing the app, stack and N versions. */
  readonly constructMs: number;
  /** `app.synth()`: validation, aspects, template rendering, asset staging, writing cdk.out. */
  readonly synthMs: number;
  /** constructMs + synthMs: what `cdk synth` spends on the stack itself. */
  readonly totalMs: number;
  /** CPU time (user + system, all threads incl. GC) of construct + synth: less sensitive to other load. */
  readonly cpuMs: number;
  /** Process peak RSS (high-water mark) minus RSS before constructing. */
  readonly peakRssDeltaBytes: number;
  /** Whether the peak was set during construct+synth (false: an earlier peak hides it). */
  readonly peakRssObserved: boolean;
  /** Heap still used after synth with the app alive, minus before, both after a full GC. */
  readonly retainedHeapBytes: number;
  readonly peakRssBytes: number;
  readonly templateBytes: number;
  readonly resourceCount: number;
  readonly resourceTypes: Record<string, number>;
  /** Bytes of every IAM policy document in the template (inline policies and role policies). */
  readonly policyDocumentBytes: number;
  readonly assetBytesStaged: number;
}

/** Holds the app through the retained-heap reading. */
const KEEP_ALIVE: unknown[] = [];

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) {
    collect();
    collect();
  }
}

/**
 * BENCH_SYNTH_PRELOAD=1: before measuring, both kinds build (never synthesize) a throwaway stack
 * with a Lambda function from an asset, its role and a bucket, as an app that already uses Lambda
 * and S3 would, so the modules the provider needs are loaded and measured time is what the
 * package catalog stack itself adds.
 */
function preloadLikeATypicalApp(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const cdk = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const lambda = require('aws-cdk-lib/aws-lambda') as typeof import('aws-cdk-lib/aws-lambda');
  const s3 = require('aws-cdk-lib/aws-s3') as typeof import('aws-cdk-lib/aws-s3');
  const logs = require('aws-cdk-lib/aws-logs') as typeof import('aws-cdk-lib/aws-logs');
  const iam = require('aws-cdk-lib/aws-iam') as typeof import('aws-cdk-lib/aws-iam');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const app = new cdk.App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-preload-')) });
  const stack = new cdk.Stack(app, 'Preload', { env: { account: '123456789012', region: 'us-east-1' } });
  const bucket = new s3.Bucket(stack, 'Bucket');
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(__dirname, 'stacks')),
    logGroup: new logs.LogGroup(stack, 'Logs'),
  });
  bucket.grantRead(fn);
  new iam.Policy(stack, 'Policy', { roles: [fn.role!], statements: [new iam.PolicyStatement({ actions: ['iot:GetPackage'], resources: ['*'] })] });
  fs.rmSync(app.outdir, { recursive: true, force: true });
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(full) : fs.statSync(full).size;
  }
  return total;
}

async function main(): Promise<void> {
  const [kindText, nText] = process.argv.slice(2);
  const kind = kindText as SynthKind;
  const n = Number(nText);
  if (!KINDS.includes(kind) || !Number.isInteger(n) || n < 0) {
    throw new Error(`usage: synth-case.ts <${KINDS.join('|')}> <n>`);
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-synth-${kind}-`));
  try {
    const t0 = process.hrtime.bigint();
    // require, not import(): the compiled copy of this file must load the compiled stacks as CommonJS.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const build: (n: number, outdir: string) => { app: import('aws-cdk-lib').App; stack: import('aws-cdk-lib').Stack } =
      kind === 'ours' ? (require('./stacks/ours') as typeof import('./stacks/ours')).buildOursApp
        : kind === 'l1' ? (require('./stacks/l1') as typeof import('./stacks/l1')).buildL1App
          : kind === 'workaround' || kind === 'workaround-per-call'
            ? (size, dir) => (require('./stacks/workaround') as typeof import('./stacks/workaround')).buildWorkaroundApp(size, dir, {
              policy: kind === 'workaround' ? 'role' : 'per-call',
            })
            : (size, dir) => (require('./stacks/floor') as typeof import('./stacks/floor')).buildFloorApp(size, dir, kind === 'floor');
    /* eslint-enable @typescript-eslint/no-require-imports */
    if (process.env.BENCH_SYNTH_PRELOAD === '1') preloadLikeATypicalApp();
    const t1 = process.hrtime.bigint();

    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage.rss();
    const maxRssBefore = process.resourceUsage().maxRSS * 1024;

    const cpu0 = process.cpuUsage();
    const t2 = process.hrtime.bigint();
    const { app, stack } = build(n, outdir);
    const t3 = process.hrtime.bigint();
    const synthesized = synthOrResourceLimit(app);
    if ('overResourceLimit' in synthesized) {
      const unavailable: SynthCaseUnavailable = { kind, n, unavailable: synthesized.overResourceLimit };
      process.stdout.write(`${JSON.stringify(unavailable)}\n`);
      return;
    }
    const { assembly } = synthesized;
    const t4 = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpu0);

    const maxRssAfter = process.resourceUsage().maxRSS * 1024;
    KEEP_ALIVE.push(app, assembly);
    gc();
    const heapAfter = process.memoryUsage().heapUsed;

    const templateFile = path.join(assembly.directory, stack.templateFile);
    const templateText = fs.readFileSync(templateFile, 'utf8');
    const template = JSON.parse(templateText) as { Resources?: Record<string, { Type: string; Properties?: any }> };
    const resources = Object.values(template.Resources ?? {});
    const resourceTypes: Record<string, number> = {};
    let policyDocumentBytes = 0;
    for (const r of resources) {
      resourceTypes[r.Type] = (resourceTypes[r.Type] ?? 0) + 1;
      if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
        policyDocumentBytes += JSON.stringify(r.Properties?.PolicyDocument ?? {}).length;
      }
      if (r.Type === 'AWS::IAM::Role') {
        for (const p of r.Properties?.Policies ?? []) policyDocumentBytes += JSON.stringify(p.PolicyDocument ?? {}).length;
      }
    }
    const assetBytesStaged = fs.readdirSync(assembly.directory)
      .filter((f) => f.startsWith('asset.'))
      .reduce((sum, f) => {
        const full = path.join(assembly.directory, f);
        return sum + (fs.statSync(full).isDirectory() ? dirBytes(full) : fs.statSync(full).size);
      }, 0);

    const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
    const result: SynthCaseResult = {
      kind,
      n,
      importMs: ms(t0, t1),
      constructMs: ms(t2, t3),
      synthMs: ms(t3, t4),
      totalMs: ms(t2, t4),
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssDeltaBytes: Math.max(0, maxRssAfter - rssBefore),
      peakRssObserved: maxRssAfter > maxRssBefore,
      retainedHeapBytes: heapAfter - heapBefore,
      peakRssBytes: maxRssAfter,
      templateBytes: Buffer.byteLength(templateText),
      resourceCount: resources.length,
      resourceTypes,
      policyDocumentBytes,
      assetBytesStaged,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
