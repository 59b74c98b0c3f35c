/**
 * `npm run bench`: measures, side by side in one run, the library ("ours"), the same stack as a
 * team writes it today without it ("workaround": L1 resources plus an AwsCustomResource per
 * version to publish it and one for the default, bench/stacks/workaround.ts) and the bare L1
 * resources, which cannot publish a version ("L1"): synth time and memory, template bytes,
 * resources, Lambdas and IAM per stack, API calls per lifecycle step, a large deploy under a
 * rate-limited emulator against calls / TPS, and an app of 1,000 versions over 300 packages with
 * 50 jobs split over stacks, with how each figure grows. Also the handler bundle, and the IAM
 * policy characters per package and per job against IAM's limits. Prints a three-column table
 * and the goals, and writes .bench/report.json (`columns` holds the table as data).
 *
 * Figures are reported, never asserted: a missed goal does not fail the run.
 *
 * Options: --reps <n> (synth repetitions, default 5), --loads <n> (bundle loads, default 21),
 * --sizes 1,50,200,480, --kinds workaround-per-call,floor,floor-nodeps (add investigation stacks
 * to the synth comparison), --versions <n> --tps <n> --burst <n> --concurrency <n> --base-delay-ms <n>
 * (throttled deploy), --scale-reps <n> (default 5), --skip <synth,bundle,api,throttled,iam,scale>,
 * --tsx (synth through tsx instead of a compiled copy), --preload (synth as in an app that already
 * uses Lambda and S3; N=200 is measured in the other mode too, for both synth goals),
 * --quick (reps 2, loads 7, scale reps 1, 50 throttled versions).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LIFECYCLE_KINDS, LifecycleKind, StepResult } from './api-calls';
import { BundleResult, measureBundle } from './bundle';
import type { IamSizeResult, StackIam } from './iam-size';
import type { ScaleCaseResult, ScaleKind } from './scale-case';
import type { SynthCaseResult, SynthCaseUnavailable, SynthKind } from './synth-case';
import type { ThrottledResult } from './throttled-deploy';
import {
  fmtBytes, fmtMs, fmtRatio, median, ROOT, round, Row, renderTable, runJsonChild, runTsxChild,
} from './util';

/** The synth goals, at N = 200 versions: ours / L1 in a bare app, and in an app that already uses Lambda. */
const SYNTH_GOAL_N = 200;
const SYNTH_GOAL_BARE = 1.5;
const SYNTH_GOAL_PRELOAD = 1.25;
/** Synth time per extra version, ours / workaround. */
const SYNTH_PER_VERSION_GOAL = 1.1;
const THROTTLED_RATIO_GOAL = 1.3;
const BUNDLE_BYTES_GOAL = 60 * 1024;
/** The three columns, in order. */
const COLUMNS: readonly LifecycleKind[] = LIFECYCLE_KINDS;
const COLUMN_TITLES: Record<LifecycleKind, string> = { ours: 'ours', workaround: 'workaround', l1: 'L1' };
/** The scale app: 1,000 versions over 300 packages with 50 jobs (the workaround and the L1 have no jobs). */
const SCALE = { packages: 300, versions: 1000, jobs: 50 };

interface Args {
  readonly reps: number;
  readonly loads: number;
  readonly sizes: number[];
  /** ours, workaround and l1, plus the investigation stacks when asked for. */
  readonly kinds: SynthKind[];
  readonly versions: number;
  readonly tps: number;
  readonly burst: number;
  readonly concurrency: number;
  readonly baseDelayMs: number;
  readonly scaleReps: number;
  readonly skip: Set<string>;
  readonly tsx: boolean;
  /** Synth children first build a throwaway Lambda/S3 stack (see synth-case.ts). */
  readonly preload: boolean;
}

function parseArgs(argv: string[]): Args {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, fallback: number) => (value(name) === undefined ? fallback : Number(value(name)));
  const quick = argv.includes('--quick');
  return {
    reps: num('reps', quick ? 2 : 5),
    loads: num('loads', quick ? 7 : 21),
    sizes: (value('sizes') ?? '1,50,200,480').split(',').map(Number),
    kinds: [...new Set([...COLUMNS, ...(value('kinds') ?? '').split(',').filter(Boolean)])] as SynthKind[],
    versions: num('versions', quick ? 50 : 200),
    tps: num('tps', 10),
    burst: num('burst', 10),
    concurrency: num('concurrency', 16),
    baseDelayMs: num('base-delay-ms', 250),
    scaleReps: num('scale-reps', quick ? 1 : 5),
    skip: new Set((value('skip') ?? '').split(',').filter(Boolean)),
    tsx: argv.includes('--tsx'),
    preload: argv.includes('--preload'),
  };
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---- environment ---------------------------------------------------------------------------

interface Environment {
  readonly node: string;
  readonly cpus: number;
  readonly loadAverage: number[];
  readonly awsCdkLib: string;
  /** Whether this aws-cdk-lib validates the template on every synth (2.276 does, 2.257 not). */
  readonly validatesTemplateOnSynth: boolean;
  readonly clientIot: string;
  readonly synthRunner: string;
}

function packageVersion(name: string): string {
  return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

function environment(args: Args): Environment {
  const cdkDir = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const appTypes = ['app.d.ts', 'stage.d.ts'].map((f) => path.join(cdkDir, 'core', 'lib', f)).filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  return {
    node: process.version,
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((l) => round(l)),
    awsCdkLib: packageVersion('aws-cdk-lib'),
    validatesTemplateOnSynth: /builtinCloudFormationValidation/.test(appTypes),
    clientIot: packageVersion('@aws-sdk/client-iot'),
    synthRunner: args.tsx ? 'tsx (TypeScript transpiled on load, source maps on)' : 'node on an esbuild-compiled copy of src/ and bench/stacks, installed under node_modules as the npm package is',
  };
}

// ---- synth ---------------------------------------------------------------------------------

/**
 * Where the compiled copy goes: under node_modules, where an app has the package installed. It
 * matters to synth time: aws-cdk-lib records a stack trace for each resource it creates and
 * renders only the app's own frames, skipping those of packages under node_modules.
 */
const BUILD_DIR = path.join(ROOT, '.bench', 'build', 'node_modules', 'cdk-iot-package-catalog');

/** Compiles src/, the bench stacks and the synth children file by file (no bundling: aws-cdk-lib stays one shared copy). */
function compileForSynth(): void {
  fs.rmSync(path.join(ROOT, '.bench', 'build'), { recursive: true, force: true });
  const list = (dir: string): string[] => fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? list(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []);
  const entries = [
    ...list('src'), ...list(path.join('bench', 'stacks')),
    ...['synth-case.ts', 'scale-case.ts', 'iam-roles.ts', 'synth-or-limit.ts'].map((f) => path.join('bench', f)),
    // What iam-roles.ts sizes policies with (no aws-cdk-lib, no imports of their own).
    path.join('local-cloud', 'emulator', 'iam-policy.ts'), path.join('local-cloud', 'harness', 'intrinsics.ts'),
  ];
  const esbuild = require.resolve('esbuild/bin/esbuild');
  const isScript = fs.readFileSync(esbuild).subarray(0, 2).toString() === '#!';
  execFileSync(isScript ? process.execPath : esbuild, [
    ...(isScript ? [esbuild] : []), ...entries, '--outbase=.', `--outdir=${BUILD_DIR}`, '--format=cjs', '--platform=node',
    '--target=node20', '--log-level=error',
  ], { cwd: ROOT, stdio: 'pipe' });
  // The provider finds the handler bundle at <src>/../assets/lambda/index.
  fs.symlinkSync(path.join(ROOT, 'assets'), path.join(BUILD_DIR, 'assets'), 'dir');
}

/** Runs a synth child (synth-case, scale-case) compiled, or through tsx with --tsx. */
function runSynthChild<T>(args: Args, script: 'synth-case' | 'scale-case', childArgs: string[], env: Record<string, string> = {}): Promise<T> {
  return (args.tsx
    ? runTsxChild<T>(`${script}.ts`, childArgs, { nodeOptions: ['--expose-gc'], env, timeoutMs: 5 * 60_000 })
    : runJsonChild<T>(process.execPath, ['--expose-gc', path.join(BUILD_DIR, 'bench', `${script}.js`), ...childArgs], { env, timeoutMs: 5 * 60_000 })
  ).then((r) => r.result);
}

interface SynthSummary {
  readonly kind: SynthKind;
  readonly n: number;
  /** Whether the children preloaded a Lambda/S3 stack (an app that already uses Lambda). */
  readonly preload: boolean;
  /** Why this kind has no figures at this size (a stack past 500 resources); the figures are then NaN. */
  readonly unavailable?: string;
  readonly reps: number;
  readonly totalMsMedian: number;
  readonly cpuMsMedian: number;
  readonly constructMsMedian: number;
  readonly synthMsMedian: number;
  readonly peakRssDeltaBytesMedian: number;
  readonly retainedHeapBytesMedian: number;
  readonly templateBytes: number;
  readonly resourceCount: number;
  readonly resourceTypes: Record<string, number>;
  readonly policyDocumentBytes: number;
  /** Bytes of the Lambda code assets the stack stages (the handlers it deploys). */
  readonly assetBytesStaged: number;
  readonly samplesTotalMs: number[];
}

async function measureSynth(args: Args, preload: boolean, sizes: readonly number[], kinds: readonly SynthKind[]): Promise<SynthSummary[]> {
  const samples = new Map<string, SynthCaseResult[]>();
  const unavailable = new Map<string, SynthCaseUnavailable>();
  // Interleaved (rep, size, kind) so that drift in machine load hits every kind alike.
  for (let rep = 0; rep < args.reps; rep++) {
    for (const n of sizes) {
      for (const kind of kinds) {
        const key = `${kind}:${n}`;
        if (unavailable.has(key)) continue;
        const result = await runSynthChild<SynthCaseResult | SynthCaseUnavailable>(args, 'synth-case', [kind, String(n)], {
          BENCH_SYNTH_PRELOAD: preload ? '1' : '0',
        });
        if ('unavailable' in result) unavailable.set(key, result);
        else samples.set(key, [...(samples.get(key) ?? []), result]);
      }
    }
    log(`synth${preload ? ' (preloaded)' : ''}: repetition ${rep + 1}/${args.reps} done`);
  }
  const none = { reps: 0, totalMsMedian: NaN, cpuMsMedian: NaN, constructMsMedian: NaN, synthMsMedian: NaN, peakRssDeltaBytesMedian: NaN };
  return [
    ...[...unavailable.values()].map((u): SynthSummary => ({
      ...none,
      kind: u.kind,
      n: u.n,
      preload,
      unavailable: u.unavailable,
      retainedHeapBytesMedian: NaN,
      templateBytes: NaN,
      resourceCount: NaN,
      resourceTypes: {},
      policyDocumentBytes: NaN,
      assetBytesStaged: NaN,
      samplesTotalMs: [],
    })),
    ...[...samples.values()].map((list): SynthSummary => {
      const first = list[0];
      return {
        kind: first.kind,
        n: first.n,
        preload,
        reps: list.length,
        totalMsMedian: median(list.map((r) => r.totalMs)),
        cpuMsMedian: median(list.map((r) => r.cpuMs)),
        constructMsMedian: median(list.map((r) => r.constructMs)),
        synthMsMedian: median(list.map((r) => r.synthMs)),
        peakRssDeltaBytesMedian: median(list.map((r) => r.peakRssDeltaBytes)),
        retainedHeapBytesMedian: median(list.map((r) => r.retainedHeapBytes)),
        templateBytes: first.templateBytes,
        resourceCount: first.resourceCount,
        resourceTypes: first.resourceTypes,
        policyDocumentBytes: first.policyDocumentBytes,
        assetBytesStaged: first.assetBytesStaged,
        samplesTotalMs: list.map((r) => round(r.totalMs, 1)),
      };
    }),
  ].sort((a, b) => a.n - b.n || kinds.indexOf(a.kind) - kinds.indexOf(b.kind));
}

// ---- scale ---------------------------------------------------------------------------------

/** One variant of the scale app: the base, or one dimension smaller, to measure growth. */
interface ScaleVariant {
  readonly name: 'base' | 'fewer packages' | 'fewer versions' | 'more jobs';
  readonly packages: number;
  readonly versions: number;
  readonly jobs: number;
}

interface ScaleSummary {
  readonly variant: ScaleVariant['name'];
  readonly packages: number;
  readonly versions: number;
  readonly jobs: number;
  readonly stacks: number;
  readonly reps: number;
  readonly totalMsMedian: number;
  readonly cpuMsMedian: number;
  readonly peakRssDeltaBytesMedian: number;
  readonly templateBytes: number;
  readonly resources: number;
  /** Inline and customer-managed policy characters of every role in the app. */
  readonly iamChars: number;
  /** Per stack: resources, and its roles' IAM (the one that needs most). */
  readonly perStack: Array<{
    readonly name: string;
    readonly resources: number;
    readonly inlineChars: number;
    readonly managedPolicies: number;
    readonly largestManagedChars: number;
    readonly withinLimits: boolean;
  }>;
}

/** What one more package, version or job adds (differences between variants with the same stacks). */
interface ScaleGrowth {
  readonly per: 'package' | 'version' | 'job';
  readonly ms: number;
  readonly cpuMs: number;
  readonly peakRssBytes: number;
  readonly templateBytes: number;
  readonly resources: number;
  readonly iamChars: number;
}

interface ScaleKindResult {
  readonly kind: ScaleKind;
  /** How the app is split: packages round-robin over the stacks, jobs likewise, each on a version of its stack. */
  readonly split: string;
  readonly variants: ScaleSummary[];
  readonly growth: ScaleGrowth[];
  /** Whether every role of the base app fits IAM's quotas. */
  readonly withinLimits: boolean;
  readonly note?: string;
}

async function measureScale(args: Args): Promise<ScaleKindResult[]> {
  const kinds: ScaleKind[] = ['ours', 'workaround', 'l1'];
  const variantsOf = (kind: ScaleKind): ScaleVariant[] => {
    const jobs = kind === 'ours' ? SCALE.jobs : 0;
    return [
      { name: 'base', packages: SCALE.packages, versions: SCALE.versions, jobs },
      { name: 'fewer packages', packages: SCALE.packages / 2, versions: SCALE.versions, jobs },
      { name: 'fewer versions', packages: SCALE.packages, versions: SCALE.versions - 400, jobs },
      // A job costs little next to the noise of a loaded machine: 100 more of them, rather than 40 fewer.
      ...(jobs > 0 ? [{ name: 'more jobs' as const, packages: SCALE.packages, versions: SCALE.versions, jobs: jobs + 100 }] : []),
    ];
  };
  // The fewest stacks of at most 500 resources: counted with the limit lifted, then checked.
  const stacksOf = new Map<ScaleKind, number>();
  for (const kind of kinds) {
    const base = variantsOf(kind)[0];
    const counted = await runSynthChild<ScaleCaseResult>(args, 'scale-case', [kind, String(base.packages), String(base.versions), String(base.jobs), '1', '--count']);
    let stacks = Math.ceil(counted.resources / 480);
    for (; ; stacks++) {
      const probe = await runSynthChild<ScaleCaseResult>(args, 'scale-case', [kind, String(base.packages), String(base.versions), String(base.jobs), String(stacks)]);
      if (!probe.unavailable) break;
    }
    stacksOf.set(kind, stacks);
    log(`scale: ${kind} needs ${stacks} stacks (${counted.resources} resources in one)`);
  }
  const samples = new Map<string, ScaleCaseResult[]>();
  for (let rep = 0; rep < args.scaleReps; rep++) {
    for (const kind of kinds) {
      for (const v of variantsOf(kind)) {
        const result = await runSynthChild<ScaleCaseResult>(args, 'scale-case', [kind, String(v.packages), String(v.versions), String(v.jobs), String(stacksOf.get(kind))]);
        if (result.unavailable) throw new Error(`scale ${kind} ${v.name}: ${result.unavailable}`);
        const key = `${kind}:${v.name}`;
        samples.set(key, [...(samples.get(key) ?? []), result]);
      }
    }
    log(`scale: repetition ${rep + 1}/${args.scaleReps} done`);
  }
  return kinds.map((kind): ScaleKindResult => {
    const variants = variantsOf(kind).map((v): ScaleSummary => {
      const list = samples.get(`${kind}:${v.name}`)!;
      const first = list[0];
      const roles = first.perStack.flatMap((st) => st.roles);
      return {
        variant: v.name,
        packages: v.packages,
        versions: v.versions,
        jobs: v.jobs,
        stacks: first.stacks,
        reps: list.length,
        totalMsMedian: median(list.map((r) => r.totalMs)),
        cpuMsMedian: median(list.map((r) => r.cpuMs)),
        peakRssDeltaBytesMedian: median(list.map((r) => r.peakRssDeltaBytes)),
        templateBytes: first.templateBytes,
        resources: first.resources,
        iamChars: roles.reduce((sum, r) => sum + r.inlineChars + r.customerManagedChars, 0),
        perStack: first.perStack.map((st) => ({
          name: st.name,
          resources: st.resources,
          inlineChars: Math.max(0, ...st.roles.map((r) => r.inlineChars)),
          managedPolicies: Math.max(0, ...st.roles.map((r) => r.managedPolicies)),
          largestManagedChars: Math.max(0, ...st.roles.map((r) => r.largestManagedChars)),
          withinLimits: st.roles.every((r) => r.withinLimits),
        })),
      };
    });
    const [base] = variants;
    const growth = variants.slice(1).map((v): ScaleGrowth => {
      const [per, delta] = v.variant === 'fewer packages' ? ['package', v.packages - base.packages] as const
        : v.variant === 'fewer versions' ? ['version', v.versions - base.versions] as const : ['job', v.jobs - base.jobs] as const;
      const d = (f: (s: ScaleSummary) => number) => round((f(v) - f(base)) / delta, 2);
      return {
        per,
        ms: d((s) => s.totalMsMedian),
        cpuMs: d((s) => s.cpuMsMedian),
        peakRssBytes: d((s) => s.peakRssDeltaBytesMedian),
        templateBytes: d((s) => s.templateBytes),
        resources: d((s) => s.resources),
        iamChars: d((s) => s.iamChars),
      };
    });
    return {
      kind,
      split: `${base.stacks} stacks: package p in stack p mod ${base.stacks}${base.jobs ? `, job j in stack j mod ${base.stacks} on a version of that stack` : ''}`,
      variants,
      growth,
      withinLimits: base.perStack.every((st) => st.withinLimits),
      note: kind === 'ours' ? undefined : 'no jobs: CloudFormation has no job resource',
    };
  });
}

// ---- report --------------------------------------------------------------------------------

interface Report {
  readonly generatedAt: string;
  readonly environment: Environment;
  readonly args: Omit<Args, 'skip'> & { skip: string[] };
  readonly synth?: {
    readonly cases: SynthSummary[];
    /** N = 200 in the other mode (preloaded when the run is not, and the reverse), for both synth goals. */
    readonly otherMode: SynthSummary[];
    readonly comparison: SynthComparison[];
    readonly perVersion?: PerVersion;
  };
  readonly bundle?: BundleResult;
  /** Every kind's steps (StepResult.kind). */
  readonly apiCalls?: StepResult[];
  readonly throttled?: Partial<Record<LifecycleKind, ThrottledResult>>;
  readonly iam?: IamSizeResult;
  readonly scale?: ScaleKindResult[];
  /** The three-column table: ours, the workaround and the L1 side by side. */
  readonly columns: ColumnTable;
  /** Goals with verdicts, and figures of ours alone. */
  readonly rows: Row[];
  readonly goals: { readonly met: number; readonly missed: number };
  readonly errors: string[];
}

interface SynthComparison {
  readonly n: number;
  readonly preload: boolean;
  /** Median construct + synth ms by kind (NaN where the kind cannot synthesize this size). */
  readonly ms: Record<string, number>;
  readonly cpuMs: Record<string, number>;
  readonly peakRssDeltaBytes: Record<string, number>;
  readonly oursVsL1: number;
  readonly oursVsWorkaround: number;
}

/** What one more version costs, between the smallest and the largest size both kinds synthesize. */
interface PerVersion {
  readonly from: number;
  readonly to: number;
  readonly msPerVersion: Record<string, number>;
  readonly bytesPerVersion: Record<string, number>;
  /** Over the sizes every column synthesizes (the workaround stops short of 500 resources). */
  readonly common: {
    readonly from: number;
    readonly to: number;
    readonly msPerVersion: Record<string, number>;
    readonly bytesPerVersion: Record<string, number>;
  };
}

function compareSynth(cases: SynthSummary[]): SynthComparison[] {
  const sizes = [...new Set(cases.map((c) => c.n))].sort((a, b) => a - b);
  return sizes.map((n) => {
    const at = (f: (c: SynthSummary) => number) => Object.fromEntries(cases.filter((c) => c.n === n).map((c) => [c.kind, f(c)]));
    const ms = at((c) => round(c.totalMsMedian, 1));
    return {
      n,
      preload: cases[0]?.preload ?? false,
      ms,
      cpuMs: at((c) => round(c.cpuMsMedian, 1)),
      peakRssDeltaBytes: at((c) => c.peakRssDeltaBytesMedian),
      oursVsL1: round(ms.ours / ms.l1, 3),
      oursVsWorkaround: round(ms.ours / ms.workaround, 3),
    };
  });
}

function perVersion(cases: SynthSummary[]): PerVersion | undefined {
  const ok = (kind: string) => cases.filter((c) => c.kind === kind && !c.unavailable).map((c) => c.n).sort((a, b) => a - b);
  const slope = (kind: string, lo: number, hi: number, f: (c: SynthSummary) => number) => {
    const [a, b] = [cases.find((c) => c.kind === kind && c.n === lo), cases.find((c) => c.kind === kind && c.n === hi)];
    return a && b && !a.unavailable && !b.unavailable ? round((f(b) - f(a)) / (hi - lo), 3) : NaN;
  };
  const all = ok('ours');
  if (all.length < 2) return undefined;
  const common = all.filter((n) => COLUMNS.every((k) => ok(k).includes(n)));
  const figures = (lo: number, hi: number) => ({
    from: lo,
    to: hi,
    msPerVersion: Object.fromEntries(COLUMNS.map((k) => [k, slope(k, lo, hi, (c) => c.totalMsMedian)])),
    bytesPerVersion: Object.fromEntries(COLUMNS.map((k) => [k, slope(k, lo, hi, (c) => c.templateBytes)])),
  });
  const [lo, hi] = [all[0], all[all.length - 1]];
  return {
    ...figures(lo, hi),
    common: common.length >= 2 ? figures(common[0], common[common.length - 1]) : { from: NaN, to: NaN, msPerVersion: {}, bytesPerVersion: {} },
  };
}

function verdict(ok: boolean): 'met' | 'MISSED' {
  return ok ? 'met' : 'MISSED';
}

// ---- the three-column table -----------------------------------------------------------------

/** One figure for each column: a number (null: none) and how it prints. */
interface Cell {
  readonly value: number | null;
  readonly text: string;
}

interface ColumnRow {
  readonly section: string;
  readonly figure: string;
  readonly ours: Cell;
  readonly workaround: Cell;
  readonly l1: Cell;
  /** ours / workaround and ours / L1, where both are numbers. */
  readonly oursVsWorkaround: number | null;
  readonly oursVsL1: number | null;
  readonly note?: string;
}

interface ColumnTable {
  readonly columns: readonly LifecycleKind[];
  readonly rows: ColumnRow[];
}

const cell = (value: number | null | undefined, text?: string): Cell => {
  const v = value === undefined || value === null || !Number.isFinite(value) ? null : value;
  return { value: v, text: text ?? (v === null ? 'n/a' : String(v)) };
};
const textCell = (text: string): Cell => ({ value: null, text });

function columnRow(section: string, figure: string, cells: Record<LifecycleKind, Cell>, note?: string): ColumnRow {
  const ratio = (a: Cell, b: Cell) => (a.value !== null && b.value !== null && b.value !== 0 ? round(a.value / b.value, 3) : null);
  return {
    section,
    figure,
    ...cells,
    oursVsWorkaround: ratio(cells.ours, cells.workaround),
    oursVsL1: ratio(cells.ours, cells.l1),
    ...(note ? { note } : {}),
  };
}

const msCell = (ms: number | undefined) => cell(ms === undefined ? null : round(ms, 1), ms === undefined || !Number.isFinite(ms) ? 'n/a' : fmtMs(ms));
const bytesCell = (bytes: number | undefined) => cell(bytes, bytes === undefined || !Number.isFinite(bytes) ? 'n/a' : fmtBytes(bytes));

function buildColumns(report: Omit<Report, 'rows' | 'goals' | 'columns'>): ColumnTable {
  const rows: ColumnRow[] = [];
  const byKind = (f: (kind: LifecycleKind) => Cell): Record<LifecycleKind, Cell> => ({ ours: f('ours'), workaround: f('workaround'), l1: f('l1') });
  const synth = report.synth;
  if (synth) {
    const mode = (preload: boolean) => (preload ? '--preload' : 'bare app');
    const section = `synth, ${mode(synth.cases[0]?.preload ?? false)}`;
    const find = (list: SynthSummary[], kind: string, n: number) => list.find((c) => c.kind === kind && c.n === n);
    const unavailableCell = (c: SynthSummary | undefined, f: (c: SynthSummary) => Cell) => (!c ? textCell('not run') : c.unavailable
      ? textCell(`cannot: ${/: (\d+) is greater/.exec(c.unavailable)?.[1] ?? 'over 500'} resources > 500`) : f(c));
    const sizes = [...new Set(synth.cases.map((c) => c.n))].sort((a, b) => a - b);
    for (const n of sizes) {
      rows.push(columnRow(section, `N=${n}: construct + synth time`, byKind((k) => unavailableCell(find(synth.cases, k, n), (c) => msCell(c.totalMsMedian)))));
    }
    for (const c of synth.otherMode.filter((o) => o.kind === 'ours')) {
      rows.push(columnRow(`synth, ${mode(c.preload)}`, `N=${c.n}: construct + synth time`,
        byKind((k) => unavailableCell(find(synth.otherMode, k, c.n), (x) => msCell(x.totalMsMedian)))));
    }
    const big = sizes.includes(SYNTH_GOAL_N) ? SYNTH_GOAL_N : sizes[sizes.length - 1];
    rows.push(columnRow(section, `N=${big}: CPU time`, byKind((k) => unavailableCell(find(synth.cases, k, big), (c) => msCell(c.cpuMsMedian)))));
    for (const n of [...new Set([big, sizes[sizes.length - 1]])]) {
      rows.push(columnRow(section, `N=${n}: peak RSS growth`, byKind((k) => unavailableCell(find(synth.cases, k, n), (c) => bytesCell(c.peakRssDeltaBytesMedian)))));
    }
    const pv = synth.perVersion;
    if (pv) {
      const range = `N=${pv.common.from}..${pv.common.to}`;
      rows.push(columnRow(section, `synth time per extra version (${range})`, byKind((k) => {
        const v = pv.common.msPerVersion[k];
        return cell(v, Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');
      })));
      rows.push(columnRow(section, `template bytes per extra version (${range})`, byKind((k) => bytesCell(pv.common.bytesPerVersion[k]))));
    }
    rows.push(columnRow(section, `N=${big}: template bytes`, byKind((k) => unavailableCell(find(synth.cases, k, big), (c) => bytesCell(c.templateBytes)))));
    rows.push(columnRow(section, `N=${big}: resources`, byKind((k) => unavailableCell(find(synth.cases, k, big), (c) => cell(c.resourceCount)))));
    // resources = a + b N, from the two smallest sizes each kind synthesizes.
    rows.push(columnRow(section, 'most versions in one stack (500 resources)', byKind((k) => {
      const ok = synth.cases.filter((c) => c.kind === k && !c.unavailable).sort((a, b) => a.n - b.n);
      if (ok.length < 2) return textCell('n/a');
      const b = (ok[1].resourceCount - ok[0].resourceCount) / (ok[1].n - ok[0].n);
      const a = ok[0].resourceCount - b * ok[0].n;
      return cell(Math.floor((500 - a) / b), `${Math.floor((500 - a) / b)} (${round(b, 2)} per version)`);
    }), 'one package; the workaround adds an AwsCustomResource per version'));
    rows.push(columnRow('per stack', 'Lambda functions', byKind((k) => unavailableCell(find(synth.cases, k, big), (c) => {
      const count = c.resourceTypes['AWS::Lambda::Function'] ?? 0;
      return textCell(String(count));
    }))));
    rows.push(columnRow('per stack', 'Lambda code staged', byKind((k) => unavailableCell(find(synth.cases, k, big), (c) => bytesCell(c.assetBytesStaged))),
      'ours: the handler bundle; workaround: aws-cdk\'s AwsCustomResource handler; both use the runtime\'s SDK'));
  }
  const iam = report.iam;
  if (iam?.perStack) {
    for (const n of [...new Set(iam.perStack.map((s) => s.n))]) {
      const at = (k: LifecycleKind): StackIam | undefined => iam.perStack!.find((s) => s.kind === k && s.n === n);
      rows.push(columnRow('per stack', `N=${n}: IAM roles / inline policies / managed policies`, byKind((k) => {
        const s = at(k);
        if (!s) return textCell('n/a');
        const sum = (f: (r: StackIam['roles'][number]) => number) => s.roles.reduce((a, r) => a + f(r), 0);
        return textCell(`${s.roles.length} / ${sum((r) => r.inlinePolicies)} / ${sum((r) => r.managedPolicies)}`);
      }), 'workaround: its managed policy is AWS\'s AWSLambdaBasicExecutionRole'));
      rows.push(columnRow('per stack', `N=${n}: IAM policy characters (resolved)`, byKind((k) => cell(at(k)?.totalChars)),
        'inline and customer-managed, as IAM counts them'));
    }
    const q = iam.workaroundPerCall;
    if (q) {
      rows.push(columnRow('per stack', 'workaround with a policy per AwsCustomResource (the docs\' form)', {
        ours: textCell('-'), workaround: cell(q.maxVersions, `at most ${q.maxVersions} versions`), l1: textCell('-'),
      }, `one inline policy per version on the singleton role: ${q.inlineCharsAt1} + ${q.inlineCharsPerVersion} characters per version `
        + `against IAM's 10,240; ${q.resourcesPerVersion} resources per version. The workaround column uses one role scoped to the package instead`));
    }
  }
  if (report.apiCalls) {
    const steps = [...new Set(report.apiCalls.map((s) => s.step))];
    for (const step of steps) {
      const notes: string[] = [];
      rows.push(columnRow('API calls (m + r)', step, byKind((k) => {
        const s = report.apiCalls!.find((r) => r.kind === k && r.step === step);
        if (!s) return textCell('not run');
        if (s.note) notes.push(`${COLUMN_TITLES[k]}: ${s.note}`);
        if (!s.expressible) return textCell('cannot');
        const ok = /^(CREATE|UPDATE|DELETE)_COMPLETE/.test(s.status);
        return cell(s.mutating + s.reads, `${s.mutating} + ${s.reads}${ok ? '' : ` [${s.status.split(':')[0]}]`}`);
      }), notes.join('; ') || undefined));
    }
  }
  if (report.throttled) {
    const t = report.throttled;
    const o = (t.ours ?? t.workaround ?? t.l1)?.options;
    const section = o ? `deploy @ ${o.tps} TPS` : 'deploy';
    const ran = (k: LifecycleKind) => t[k];
    const phaseCell = (k: LifecycleKind, phase: 'deploy' | 'destroy') => {
      const r = ran(k);
      if (!r) return textCell('not run');
      const p = r[phase];
      if (!/_COMPLETE$/.test(p.status) || /ROLLBACK/.test(p.status)) return cell(null, `${p.status} after ${fmtMs(p.wallMs)}`);
      return cell(round(p.wallMs), `${fmtMs(p.wallMs)} (${fmtRatio(p.ratio)} of calls/TPS)`);
    };
    const deployNotes = COLUMNS.flatMap((k) => {
      const r = ran(k);
      if (!r) return [];
      if (r.deploy.failure) return [`${COLUMN_TITLES[k]}: ${r.deploy.failure.replace(/ \(RequestId: [^)]*\)/, '').slice(0, 160)}`];
      return k === 'l1' ? ['L1: DRAFT versions only, no default'] : [];
    });
    rows.push(columnRow(section, `deploy ${o?.versions ?? '?'} versions: wall time`, byKind((k) => phaseCell(k, 'deploy')), deployNotes.join('; ') || undefined));
    rows.push(columnRow(section, 'destroy them: wall time', byKind((k) => {
      const r = ran(k);
      return r && /ROLLBACK/.test(r.deploy.status) ? textCell('nothing to destroy') : phaseCell(k, 'destroy');
    })));
    rows.push(columnRow(section, 'calls admitted / throttled (deploy + destroy)', byKind((k) => {
      const r = ran(k);
      return r ? cell(r.deploy.admittedCalls + r.destroy.admittedCalls,
        `${r.deploy.admittedCalls + r.destroy.admittedCalls} / ${r.deploy.throttledCalls + r.destroy.throttledCalls}`) : textCell('not run');
    })));
    rows.push(columnRow(section, 'after deploy: versions PUBLISHED / default', byKind((k) => {
      const r = ran(k);
      return textCell(r ? `${r.afterDeploy.published} of ${r.afterDeploy.versions} / ${r.afterDeploy.defaultVersion ?? 'none'}` : 'not run');
    })));
    rows.push(columnRow(section, 'failed resources / left after destroy', byKind((k) => {
      const r = ran(k);
      return textCell(r ? `${r.failures} / ${r.leftAfterDestroy}` : 'not run');
    }), 'the workaround\'s handler retries with the SDK\'s defaults (3 attempts)'));
  }
  if (report.scale) {
    const base = (k: LifecycleKind) => report.scale!.find((s) => s.kind === k)?.variants[0];
    const section = 'scale';
    rows.push(columnRow(section, `${SCALE.versions.toLocaleString('en-US')} versions, ${SCALE.packages} packages: stacks (<= 500 resources)`,
      byKind((k) => cell(base(k)?.stacks)), report.scale.map((s) => `${COLUMN_TITLES[s.kind]}: ${s.split}`).join('; ')));
    rows.push(columnRow(section, 'jobs', byKind((k) => textCell(String(base(k)?.jobs ?? 'not run'))), 'no job resource in CloudFormation: the workaround and the L1 have none'));
    rows.push(columnRow(section, 'resources in all', byKind((k) => cell(base(k)?.resources))));
    rows.push(columnRow(section, 'construct + synth time', byKind((k) => msCell(base(k)?.totalMsMedian))));
    rows.push(columnRow(section, 'peak RSS growth', byKind((k) => bytesCell(base(k)?.peakRssDeltaBytesMedian))));
    rows.push(columnRow(section, 'template bytes in all', byKind((k) => bytesCell(base(k)?.templateBytes))));
    rows.push(columnRow(section, 'largest inline policy characters of a role', byKind((k) => {
      const b = base(k);
      return b ? cell(Math.max(0, ...b.perStack.map((s) => s.inlineChars))) : textCell('not run');
    }), 'IAM allows 10,240 per role'));
    rows.push(columnRow(section, 'managed policies of a role (largest)', byKind((k) => {
      const b = base(k);
      if (!b) return textCell('not run');
      const count = Math.max(0, ...b.perStack.map((s) => s.managedPolicies));
      return cell(count, `${count} (${Math.max(0, ...b.perStack.map((s) => s.largestManagedChars))})`);
    }), 'IAM allows 10 per role (more on request) of 6,144 characters'));
    rows.push(columnRow(section, 'every role within IAM\'s quotas', byKind((k) => {
      const s = report.scale!.find((x) => x.kind === k);
      return textCell(s ? (s.withinLimits ? 'yes' : 'NO') : 'not run');
    })));
    const growth = (k: LifecycleKind, per: ScaleGrowth['per']) => report.scale!.find((s) => s.kind === k)?.growth.find((g) => g.per === per);
    for (const per of ['package', 'version', 'job'] as const) {
      rows.push(columnRow(section, `per ${per}: synth time / template bytes / IAM characters`, byKind((k) => {
        const g = growth(k, per);
        return g ? cell(g.ms, `${g.ms.toFixed(2)} ms / ${Math.round(g.templateBytes)} B / ${Math.round(g.iamChars)}`) : textCell('-');
      })));
    }
  }
  return { columns: COLUMNS, rows };
}

function renderColumns(table: ColumnTable): string {
  const header = ['section', 'figure', ...table.columns.map((k) => COLUMN_TITLES[k]), 'ours/workaround', 'ours/L1'];
  const ratio = (r: number | null) => (r === null ? '' : fmtRatio(r));
  const lines = table.rows.map((r) => [r.section, r.figure, r.ours.text, r.workaround.text, r.l1.text, ratio(r.oursVsWorkaround), ratio(r.oursVsL1)]);
  const widths = header.map((_, i) => Math.max(header[i].length, ...lines.map((l) => l[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let previous = '';
  table.rows.forEach((r, i) => {
    if (previous && r.section !== previous) out.push('');
    out.push(line(lines[i]));
    previous = r.section;
  });
  const notes = [...new Set(table.rows.filter((r) => r.note).map((r) => `- ${r.figure.replace(/^N=\d+: /, '')}: ${r.note}`))];
  return [...out, ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}

// ---- goals and figures of ours alone ----------------------------------------------------------

function buildRows(report: Omit<Report, 'rows' | 'goals' | 'columns'>): Row[] {
  const rows: Row[] = [];
  const synth = report.synth;
  if (synth) {
    const all = [...synth.cases, ...synth.otherMode];
    for (const preload of [false, true]) {
      const [ours, l1] = ['ours', 'l1'].map((k) => all.find((c) => c.kind === k && c.n === SYNTH_GOAL_N && c.preload === preload));
      const goal = preload ? SYNTH_GOAL_PRELOAD : SYNTH_GOAL_BARE;
      const ratio = ours && l1 ? ours.totalMsMedian / l1.totalMsMedian : NaN;
      rows.push({
        section: '1 synth',
        figure: `N=${SYNTH_GOAL_N}: time ours / L1, ${preload ? 'app already using Lambda (--preload)' : 'bare app'}`,
        value: ours && l1 ? `${fmtMs(ours.totalMsMedian)} / ${fmtMs(l1.totalMsMedian)} = ${fmtRatio(ratio)} (CPU ${fmtRatio(ours.cpuMsMedian / l1.cpuMsMedian)})` : 'not measured',
        goal: `<= ${goal}x`,
        verdict: ours && l1 ? verdict(ratio <= goal) : 'info',
      });
    }
    const pv = synth.perVersion?.common;
    if (pv && Number.isFinite(pv.from)) {
      const [o, w] = [pv.msPerVersion.ours, pv.msPerVersion.workaround];
      rows.push({
        section: '1 synth',
        figure: `time per extra version ours / workaround (N=${pv.from}..${pv.to})`,
        value: `${o.toFixed(2)} ms / ${w.toFixed(2)} ms = ${fmtRatio(o / w)}`,
        goal: `<= ${SYNTH_PER_VERSION_GOAL}x`,
        verdict: verdict(o / w <= SYNTH_PER_VERSION_GOAL),
      });
    }
    const full = synth.perVersion;
    if (full && full.to !== full.common.to) {
      rows.push({
        section: '1 synth',
        figure: `time / template bytes per extra version ours / L1 (N=${full.from}..${full.to})`,
        value: `${full.msPerVersion.ours.toFixed(2)} ms / ${full.msPerVersion.l1.toFixed(2)} ms = ${fmtRatio(full.msPerVersion.ours / full.msPerVersion.l1)}; `
          + `${Math.round(full.bytesPerVersion.ours)} B / ${Math.round(full.bytesPerVersion.l1)} B`,
        goal: '(reported)',
        verdict: 'info',
      });
    }
    for (const extra of synth.cases.filter((c) => !(COLUMNS as readonly string[]).includes(c.kind))) {
      const l1 = synth.cases.find((c) => c.kind === 'l1' && c.n === extra.n);
      if (!l1) continue;
      rows.push({
        section: '1 synth',
        figure: `N=${extra.n}: time ${extra.kind} / L1 (investigation)`,
        value: extra.unavailable ? extra.unavailable.slice(0, 80)
          : `${fmtMs(extra.totalMsMedian)} / ${fmtMs(l1.totalMsMedian)} = ${fmtRatio(extra.totalMsMedian / l1.totalMsMedian)}; ${extra.templateBytes} B`,
        goal: '(reported)',
        verdict: 'info',
      });
    }
  }
  if (report.bundle) {
    const b = report.bundle;
    rows.push({ section: '2 bundle', figure: 'handler bundle raw / gzip', value: `${fmtBytes(b.rawBytes)} / ${fmtBytes(b.gzipBytes)}`, goal: '(reported)', verdict: 'info' });
    const top = b.composition.slice(0, 3).map((c) => `${c.source.replace(/^@aws-sdk\//, '')} ${fmtBytes(c.bytes)}`).join(', ');
    if (top) rows.push({ section: '2 bundle', figure: 'largest parts', value: top, goal: '(reported)', verdict: 'info' });
    rows.push({
      section: '2 bundle',
      figure: 'handler bundle minified',
      value: `${fmtBytes(b.rawBytes)} (the runtime provides ${b.externals.join(', ') || 'nothing'})`,
      goal: `<= ${fmtBytes(BUNDLE_BYTES_GOAL)}`,
      verdict: verdict(b.rawBytes <= BUNDLE_BYTES_GOAL),
    });
    rows.push({
      section: '2 bundle',
      figure: `cold load of the bundle (median of ${b.loads})`,
      value: `${fmtMs(b.loadMsMedian)} (min ${fmtMs(b.loadMsMin)}, max ${fmtMs(b.loadMsMax)})`,
      goal: '(reported)',
      verdict: 'info',
    });
    rows.push({
      section: '2 bundle',
      figure: 'cold load with the runtime\'s IoT client (every event) / with S3 and CloudFormation too',
      value: `${fmtMs(b.loadWithIotMsMedian)} / ${fmtMs(b.loadWithAllClientsMsMedian)}`,
      goal: '(reported; 80 ms with the SDK bundled)',
      verdict: 'info',
    });
  }
  for (const s of (report.apiCalls ?? []).filter((r) => r.kind === 'ours')) {
    const ok = /^(CREATE|UPDATE|DELETE)_COMPLETE/.test(s.status);
    rows.push({
      section: '3 API calls',
      figure: `${s.step}: mutating + reads`,
      value: `${s.mutating} + ${s.reads}${s.errors ? ` (+${s.errors} errors)` : ''}${ok ? '' : ` [${s.status.slice(0, 40)}]`}`,
      goal: `${s.minimum.mutating} + ${s.minimum.reads}`,
      verdict: verdict(ok && s.atMinimum),
    });
  }
  const t = report.throttled?.ours;
  if (t) {
    const o = t.options;
    for (const [name, p] of [['deploy', t.deploy], ['destroy', t.destroy]] as const) {
      rows.push({
        section: '4 throttled',
        figure: `${name} ${o.versions} versions @ ${o.tps} TPS: wall / (calls / TPS)`,
        value: `${fmtMs(p.wallMs)} / ${fmtMs(p.lowerBoundMs)} = ${fmtRatio(p.ratio)}`,
        goal: `<= ${THROTTLED_RATIO_GOAL}x`,
        verdict: verdict(p.ratio <= THROTTLED_RATIO_GOAL),
      });
      rows.push({
        section: '4 throttled',
        figure: `${name}: calls admitted / throttled; max attempts`,
        value: `${p.admittedCalls} / ${p.throttledCalls}; ${p.maxAttemptsOfOneCall} (handler allows 30)`,
        goal: `(min ${p.minimumCalls} calls)`,
        verdict: 'info',
      });
    }
    rows.push({
      section: '4 throttled',
      figure: `deploy + destroy (concurrency ${o.concurrency}, base delay ${o.baseDelayMs} ms)`,
      value: `${fmtMs(t.totalWallMs)} / ${fmtMs(t.totalLowerBoundMs)} = ${fmtRatio(t.ratio)}`,
      goal: `<= ${THROTTLED_RATIO_GOAL}x`,
      verdict: verdict(t.ratio <= THROTTLED_RATIO_GOAL),
    });
    rows.push({ section: '4 throttled', figure: 'failed resources', value: String(t.failures), goal: '0', verdict: verdict(t.failures === 0) });
  }
  if (synth) {
    const ours = synth.cases.filter((c) => c.kind === 'ours' && (c.n === 1 || c.n === SYNTH_GOAL_N));
    for (const r of ours) {
      const lambdas = r.resourceTypes['AWS::Lambda::Function'] ?? 0;
      rows.push({ section: '5 per stack', figure: `N=${r.n}: Lambda functions`, value: String(lambdas), goal: '1', verdict: verdict(lambdas === 1) });
    }
    const shape = (c: SynthSummary) => [c.resourceTypes['AWS::IAM::Role'] ?? 0, (c.resourceTypes['AWS::IAM::Policy'] ?? 0) + (c.resourceTypes['AWS::IAM::ManagedPolicy'] ?? 0)];
    const constant = ours.length > 1 && ours.every((r) => JSON.stringify(shape(r)) === JSON.stringify(shape(ours[0])));
    for (const r of ours) {
      const [roles, policies] = shape(r);
      rows.push({
        section: '5 per stack',
        figure: `N=${r.n}: IAM roles / policies (policy bytes)`,
        value: `${roles} / ${policies} (${fmtBytes(r.policyDocumentBytes)})`,
        goal: 'constant in N',
        verdict: ours.length > 1 ? verdict(constant) : 'info',
      });
    }
  }
  if (report.iam) {
    const { fixedChars, charsPerPackage, charsPerJob, scale } = report.iam;
    rows.push({ section: '6 IAM size', figure: 'policy characters: fixed (1 package)', value: String(fixedChars), goal: '(reported)', verdict: 'info' });
    rows.push({ section: '6 IAM size', figure: 'policy characters per package', value: String(charsPerPackage), goal: '(reported)', verdict: 'info' });
    rows.push({ section: '6 IAM size', figure: 'policy characters per job', value: String(charsPerJob), goal: '(reported)', verdict: 'info' });
    for (const s of scale) {
      rows.push({
        section: '6 IAM size',
        figure: `${s.packages} packages, ${s.versions} versions, ${s.jobs} jobs in one stack (limit lifted): inline / managed policies (largest)`,
        value: `${s.inlineChars} / ${s.managedPolicies} (${s.largestManagedChars})`,
        goal: '<= 10,240 / <= 10 (<= 6,144)',
        verdict: verdict(s.withinLimits),
      });
    }
  }
  const scaled = report.scale?.find((s) => s.kind === 'ours');
  if (scaled) {
    const base = scaled.variants[0];
    const worst = base.perStack.reduce((a, b) => (b.inlineChars > a.inlineChars ? b : a));
    rows.push({
      section: '7 scale',
      figure: `${base.packages} packages, ${base.versions} versions, ${base.jobs} jobs over ${base.stacks} stacks: each role's inline / managed policies (largest)`,
      value: `at most ${worst.inlineChars} / ${Math.max(...base.perStack.map((s) => s.managedPolicies))} (${Math.max(...base.perStack.map((s) => s.largestManagedChars))})`,
      goal: '<= 10,240 / <= 10 (<= 6,144)',
      verdict: verdict(scaled.withinLimits),
    });
  }
  return rows;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const env = environment(args);
  const errors: string[] = [];
  log(`node ${env.node}, ${env.cpus} CPUs, load ${env.loadAverage.join(' ')}; aws-cdk-lib ${env.awsCdkLib} `
    + `(${env.validatesTemplateOnSynth ? 'validates templates on synth' : 'no template validation on synth'})`);

  const attempt = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
    if (args.skip.has(name.split(':')[0])) return undefined;
    const t = Date.now();
    log(`${name}: started`);
    try {
      const result = await run();
      log(`${name}: done in ${fmtMs(Date.now() - t)}`);
      return result;
    } catch (error) {
      const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      errors.push(message);
      log(`FAILED ${message}`);
      return undefined;
    }
  };

  if (!args.tsx && !(args.skip.has('synth') && args.skip.has('scale'))) compileForSynth();
  const cases = await attempt('synth', () => measureSynth(args, args.preload, args.sizes, args.kinds));
  // Both synth goals are at N = 200: measure that size in the other mode too.
  const otherMode = cases && args.sizes.includes(SYNTH_GOAL_N)
    ? await attempt('synth:other-mode', () => measureSynth(args, !args.preload, [SYNTH_GOAL_N], COLUMNS)) : [];
  const bundle = await attempt('bundle', () => measureBundle(args.loads));
  const apiCalls: StepResult[] = [];
  for (const kind of COLUMNS) {
    const steps = await attempt(`api:${kind}`, async () => (await runTsxChild<{ steps: StepResult[] }>('api-calls.ts', [kind], { timeoutMs: 120_000 })).result.steps);
    apiCalls.push(...(steps ?? []));
  }
  const throttled: Partial<Record<LifecycleKind, ThrottledResult>> = {};
  for (const kind of COLUMNS) {
    const result = await attempt(`throttled:${kind}`, async () => (await runTsxChild<ThrottledResult>('throttled-deploy.ts', [
      '--kind', kind, '--versions', String(args.versions), '--tps', String(args.tps), '--burst', String(args.burst),
      '--concurrency', String(args.concurrency), '--base-delay-ms', String(args.baseDelayMs),
    ], { timeoutMs: 8 * 60_000 })).result);
    if (result) throttled[kind] = result;
  }
  const iam = await attempt('iam', async () => (await runTsxChild<IamSizeResult>('iam-size.ts', [], { timeoutMs: 5 * 60_000 })).result);
  const scale = await attempt('scale', () => measureScale(args));

  const synth = cases && { cases, otherMode: otherMode ?? [], comparison: compareSynth(cases), perVersion: perVersion(cases) };
  const partial = {
    generatedAt: new Date().toISOString(),
    environment: env,
    args: { ...args, skip: [...args.skip] },
    synth,
    bundle,
    apiCalls: apiCalls.length ? apiCalls : undefined,
    throttled: Object.keys(throttled).length ? throttled : undefined,
    iam,
    scale,
    errors,
  };
  const columns = buildColumns(partial);
  const rows = buildRows(partial);
  const report: Report = {
    ...partial,
    columns,
    rows,
    goals: { met: rows.filter((r) => r.verdict === 'met').length, missed: rows.filter((r) => r.verdict === 'MISSED').length },
  };

  const outFile = path.join(ROOT, '.bench', 'report.json');
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);

  const out = [
    '',
    `cdk-iot-package-catalog bench — ${report.generatedAt}`,
    `node ${env.node}, ${env.cpus} CPUs (load ${env.loadAverage.join(' ')} at start, ${os.loadavg().map((l) => round(l)).join(' ')} at end), aws-cdk-lib ${env.awsCdkLib}`
      + ` (${env.validatesTemplateOnSynth ? 'validates templates on synth' : 'no built-in template validation on synth'}), client-iot ${env.clientIot}`,
    `synth: ${env.synthRunner}; median of ${args.reps} fresh processes per case; time = construct + app.synth(), module loading excluded`
      + `${args.preload ? '; children preloaded a Lambda/S3 stack first' : ''}`,
    'stacks: one package, N versions, the last one the default; workaround = L1 + an AwsCustomResource per version (publish) and one for the default,'
      + ' with one role scoped to the package; L1 = CfnSoftwarePackage(Version) alone: DRAFT versions, no default',
    '',
    renderColumns(columns),
    '',
    renderTable(rows),
    '',
    `goals: ${report.goals.met} met, ${report.goals.missed} missed`
      + `${errors.length ? `; ${errors.length} part(s) failed to run: ${errors.map((e) => e.split(':').slice(0, 2).join(':')).join(', ')}` : ''}`,
    `report: ${path.relative(ROOT, outFile)} (${fmtMs(Date.now() - started)} in all)`,
    '',
  ];
  process.stdout.write(out.join('\n'));
  for (const e of errors) process.stderr.write(`\n${e}\n`);
  // A missed goal is a figure, not a failure; only a part that could not run fails the bench.
  process.exitCode = errors.length > 0 ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
