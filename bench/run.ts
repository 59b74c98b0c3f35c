/**
 * `npm run bench`: measures, side by side in one run, synth time and memory against the L1
 * resources, template bytes per version, the handler bundle, API calls per lifecycle step
 * against the minimum, a large deploy under a rate-limited emulator against calls / TPS,
 * Lambdas and IAM resources per stack, and the IAM policy characters per package and per job
 * against IAM's limits. Prints a table and writes .bench/report.json.
 *
 * Figures are reported, never asserted: a missed goal does not fail the run.
 *
 * Options: --reps <n> (synth repetitions, default 5), --loads <n> (bundle loads, default 21),
 * --sizes 1,50,200,480, --kinds floor,floor-nodeps (add the investigation stacks of
 * bench/stacks/floor.ts to the synth comparison), --versions <n> --tps <n> --burst <n> --concurrency <n> --base-delay-ms <n>
 * (throttled deploy), --skip <synth,bundle,api,throttled,iam>, --tsx (synth through tsx instead of
 * a compiled copy), --preload (synth as in an app that already uses Lambda and S3), --quick (reps 2, loads 7, 50 throttled versions).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StepResult } from './api-calls';
import { BundleResult, measureBundle } from './bundle';
import type { IamSizeResult } from './iam-size';
import type { SynthCaseResult, SynthKind } from './synth-case';
import type { ThrottledResult } from './throttled-deploy';
import {
  fmtBytes, fmtMs, fmtRatio, median, ROOT, round, Row, renderTable, runJsonChild, runTsxChild,
} from './util';

const SYNTH_RATIO_GOAL = 1.25;
const THROTTLED_RATIO_GOAL = 1.3;
const BUNDLE_BYTES_GOAL = 60 * 1024;

interface Args {
  readonly reps: number;
  readonly loads: number;
  readonly sizes: number[];
  /** ours and l1, plus the investigation stacks floor / floor-nodeps when asked for. */
  readonly kinds: SynthKind[];
  readonly versions: number;
  readonly tps: number;
  readonly burst: number;
  readonly concurrency: number;
  readonly baseDelayMs: number;
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
    kinds: [...new Set(['ours', 'l1', ...(value('kinds') ?? '').split(',').filter(Boolean)])] as SynthKind[],
    versions: num('versions', quick ? 50 : 200),
    tps: num('tps', 10),
    burst: num('burst', 10),
    concurrency: num('concurrency', 16),
    baseDelayMs: num('base-delay-ms', 250),
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
    synthRunner: args.tsx ? 'tsx (TypeScript transpiled on load, source maps on)' : 'node on an esbuild-compiled copy of src/ and bench/stacks (as the npm package ships JS)',
  };
}

// ---- synth ---------------------------------------------------------------------------------

const BUILD_DIR = path.join(ROOT, '.bench', 'build');

/** Compiles src/ and the bench stacks file by file (no bundling: aws-cdk-lib stays one shared copy). */
function compileForSynth(): void {
  fs.rmSync(BUILD_DIR, { recursive: true, force: true });
  const list = (dir: string): string[] => fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? list(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []);
  const entries = [...list('src'), ...list(path.join('bench', 'stacks')), path.join('bench', 'synth-case.ts')];
  const esbuild = require.resolve('esbuild/bin/esbuild');
  const isScript = fs.readFileSync(esbuild).subarray(0, 2).toString() === '#!';
  execFileSync(isScript ? process.execPath : esbuild, [
    ...(isScript ? [esbuild] : []), ...entries, '--outbase=.', `--outdir=${BUILD_DIR}`, '--format=cjs', '--platform=node',
    '--target=node20', '--log-level=error',
  ], { cwd: ROOT, stdio: 'pipe' });
  // The provider finds the handler bundle at <src>/../assets/lambda/index.
  fs.symlinkSync(path.join(ROOT, 'assets'), path.join(BUILD_DIR, 'assets'), 'dir');
}

interface SynthSummary {
  readonly kind: SynthKind;
  readonly n: number;
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
  readonly samplesTotalMs: number[];
}

async function measureSynth(args: Args): Promise<SynthSummary[]> {
  if (!args.tsx) compileForSynth();
  const samples = new Map<string, SynthCaseResult[]>();
  // Interleaved (rep, size, kind) so that drift in machine load hits both kinds alike.
  for (let rep = 0; rep < args.reps; rep++) {
    for (const n of args.sizes) {
      for (const kind of args.kinds) {
        const env = { BENCH_SYNTH_PRELOAD: args.preload ? '1' : '0' };
        const { result } = args.tsx
          ? await runTsxChild<SynthCaseResult>('synth-case.ts', [kind, String(n)], { nodeOptions: ['--expose-gc'], env })
          : await runJsonChild<SynthCaseResult>(process.execPath, ['--expose-gc', path.join(BUILD_DIR, 'bench', 'synth-case.js'), kind, String(n)], { env });
        const key = `${kind}:${n}`;
        samples.set(key, [...(samples.get(key) ?? []), result]);
      }
    }
    log(`synth: repetition ${rep + 1}/${args.reps} done`);
  }
  return [...samples].map(([, list]) => {
    const first = list[0];
    return {
      kind: first.kind,
      n: first.n,
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
      samplesTotalMs: list.map((r) => round(r.totalMs, 1)),
    };
  });
}

// ---- report --------------------------------------------------------------------------------

interface Report {
  readonly generatedAt: string;
  readonly environment: Environment;
  readonly args: Omit<Args, 'skip'> & { skip: string[] };
  readonly synth?: { readonly cases: SynthSummary[]; readonly comparison: SynthComparison[]; readonly bytesPerVersion?: BytesPerVersion };
  readonly bundle?: BundleResult;
  readonly apiCalls?: StepResult[];
  readonly throttled?: ThrottledResult;
  readonly stackResources?: StackResources[];
  readonly iam?: IamSizeResult;
  readonly rows: Row[];
  readonly goals: { readonly met: number; readonly missed: number };
  readonly errors: string[];
}

interface SynthComparison {
  readonly n: number;
  readonly oursMs: number;
  readonly l1Ms: number;
  readonly timeRatio: number;
  readonly cpuRatio: number;
  readonly oursPeakRssDeltaBytes: number;
  readonly l1PeakRssDeltaBytes: number;
  readonly memoryRatio: number;
  readonly oursRetainedHeapBytes: number;
  readonly l1RetainedHeapBytes: number;
}

interface BytesPerVersion {
  /** (bytes(Nmax) - bytes(Nmin)) / (Nmax - Nmin): what one more version adds. */
  readonly oursMarginal: number;
  readonly l1Marginal: number;
  readonly ratio: number;
  /** (ms(Nmax) - ms(Nmin)) / (Nmax - Nmin). */
  readonly oursMsPerVersion: number;
  readonly l1MsPerVersion: number;
}

interface StackResources {
  readonly kind: SynthKind;
  readonly n: number;
  readonly lambdas: number;
  readonly roles: number;
  readonly policies: number;
  readonly policyDocumentBytes: number;
  readonly resources: number;
}

function compareSynth(cases: SynthSummary[]): { comparison: SynthComparison[]; bytesPerVersion?: BytesPerVersion } {
  const find = (kind: string, n: number) => cases.find((c) => c.kind === kind && c.n === n);
  const sizes = [...new Set(cases.map((c) => c.n))].sort((a, b) => a - b);
  const comparison = sizes.flatMap((n) => {
    const ours = find('ours', n);
    const l1 = find('l1', n);
    if (!ours || !l1) return [];
    return [{
      n,
      oursMs: round(ours.totalMsMedian, 1),
      l1Ms: round(l1.totalMsMedian, 1),
      timeRatio: round(ours.totalMsMedian / l1.totalMsMedian, 3),
      cpuRatio: round(ours.cpuMsMedian / l1.cpuMsMedian, 3),
      oursPeakRssDeltaBytes: ours.peakRssDeltaBytesMedian,
      l1PeakRssDeltaBytes: l1.peakRssDeltaBytesMedian,
      memoryRatio: round(ours.peakRssDeltaBytesMedian / l1.peakRssDeltaBytesMedian, 3),
      oursRetainedHeapBytes: ours.retainedHeapBytesMedian,
      l1RetainedHeapBytes: l1.retainedHeapBytesMedian,
    }];
  });
  if (sizes.length < 2) return { comparison };
  const [lo, hi] = [sizes[0], sizes[sizes.length - 1]];
  const [oLo, oHi, lLo, lHi] = [find('ours', lo)!, find('ours', hi)!, find('l1', lo)!, find('l1', hi)!];
  const oursMarginal = (oHi.templateBytes - oLo.templateBytes) / (hi - lo);
  const l1Marginal = (lHi.templateBytes - lLo.templateBytes) / (hi - lo);
  return {
    comparison,
    bytesPerVersion: {
      oursMarginal: round(oursMarginal, 1),
      l1Marginal: round(l1Marginal, 1),
      ratio: round(oursMarginal / l1Marginal, 3),
      oursMsPerVersion: round((oHi.totalMsMedian - oLo.totalMsMedian) / (hi - lo), 3),
      l1MsPerVersion: round((lHi.totalMsMedian - lLo.totalMsMedian) / (hi - lo), 3),
    },
  };
}

function stackResources(cases: SynthSummary[]): StackResources[] {
  return cases.filter((c) => c.n === 1 || c.n === 200).map((c) => ({
    kind: c.kind,
    n: c.n,
    lambdas: c.resourceTypes['AWS::Lambda::Function'] ?? 0,
    roles: c.resourceTypes['AWS::IAM::Role'] ?? 0,
    policies: (c.resourceTypes['AWS::IAM::Policy'] ?? 0) + (c.resourceTypes['AWS::IAM::ManagedPolicy'] ?? 0),
    policyDocumentBytes: c.policyDocumentBytes,
    resources: c.resourceCount,
  })).sort((a, b) => a.kind.localeCompare(b.kind) || a.n - b.n);
}

function verdict(ok: boolean): 'met' | 'MISSED' {
  return ok ? 'met' : 'MISSED';
}

function buildRows(report: Omit<Report, 'rows' | 'goals'>): Row[] {
  const rows: Row[] = [];
  if (report.synth) {
    for (const c of report.synth.comparison) {
      rows.push({
        section: '1 synth',
        figure: `N=${c.n}: time ours / L1`,
        value: `${fmtMs(c.oursMs)} / ${fmtMs(c.l1Ms)} = ${fmtRatio(c.timeRatio)} (CPU ${fmtRatio(c.cpuRatio)})`,
        goal: `<= ${SYNTH_RATIO_GOAL}x`,
        verdict: verdict(c.timeRatio <= SYNTH_RATIO_GOAL),
      });
    }
    for (const c of report.synth.comparison) {
      rows.push({
        section: '1 synth',
        figure: `N=${c.n}: peak RSS growth ours / L1`,
        value: `${fmtBytes(c.oursPeakRssDeltaBytes)} / ${fmtBytes(c.l1PeakRssDeltaBytes)} = ${fmtRatio(c.memoryRatio)}`,
        goal: '(reported)',
        verdict: 'info',
      });
    }
    for (const extra of report.synth.cases.filter((c) => c.kind !== 'ours' && c.kind !== 'l1')) {
      const l1 = report.synth.cases.find((c) => c.kind === 'l1' && c.n === extra.n);
      if (!l1) continue;
      rows.push({
        section: '1 synth',
        figure: `N=${extra.n}: time ${extra.kind} / L1 (investigation)`,
        value: `${fmtMs(extra.totalMsMedian)} / ${fmtMs(l1.totalMsMedian)} = ${fmtRatio(extra.totalMsMedian / l1.totalMsMedian)}; ${extra.templateBytes} B`,
        goal: '(reported)',
        verdict: 'info',
      });
    }
    const b = report.synth.bytesPerVersion;
    if (b) {
      rows.push({
        section: '1 synth',
        figure: 'template bytes per version ours / L1',
        value: `${Math.round(b.oursMarginal)} B / ${Math.round(b.l1Marginal)} B = ${fmtRatio(b.ratio)}`,
        goal: '(reported)',
        verdict: 'info',
      });
      rows.push({
        section: '1 synth',
        figure: 'synth time per extra version ours / L1',
        value: `${b.oursMsPerVersion.toFixed(2)} ms / ${b.l1MsPerVersion.toFixed(2)} ms = ${fmtRatio(b.oursMsPerVersion / b.l1MsPerVersion)}`,
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
  if (report.apiCalls) {
    for (const s of report.apiCalls) {
      const ok = s.status.startsWith('CREATE_COMPLETE') || s.status.startsWith('UPDATE_COMPLETE') || s.status.startsWith('DELETE_COMPLETE');
      rows.push({
        section: '3 API calls',
        figure: `${s.step}: mutating + reads`,
        value: `${s.mutating} + ${s.reads}${s.errors ? ` (+${s.errors} errors)` : ''}${ok ? '' : ` [${s.status.slice(0, 40)}]`}`,
        goal: `${s.minimum.mutating} + ${s.minimum.reads}`,
        verdict: verdict(ok && s.atMinimum),
      });
    }
  }
  if (report.throttled) {
    const t = report.throttled;
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
  if (report.stackResources) {
    for (const r of report.stackResources.filter((s) => s.kind === 'ours')) {
      rows.push({ section: '5 per stack', figure: `N=${r.n}: Lambda functions`, value: String(r.lambdas), goal: '1', verdict: verdict(r.lambdas === 1) });
    }
    const ours = report.stackResources.filter((s) => s.kind === 'ours');
    const constant = ours.length > 1 && ours.every((r) => r.roles === ours[0].roles && r.policies === ours[0].policies);
    for (const r of ours) {
      rows.push({
        section: '5 per stack',
        figure: `N=${r.n}: IAM roles / policies (policy bytes)`,
        value: `${r.roles} / ${r.policies} (${fmtBytes(r.policyDocumentBytes)})`,
        goal: 'constant in N',
        verdict: ours.length > 1 ? verdict(constant) : 'info',
      });
    }
    for (const r of ours) {
      const l1 = report.stackResources.find((s) => s.kind === 'l1' && s.n === r.n);
      rows.push({ section: '5 per stack', figure: `N=${r.n}: resources ours / L1`, value: `${r.resources} / ${l1?.resources ?? '?'}`, goal: '(reported)', verdict: 'info' });
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
        figure: `${s.packages} packages, ${s.versions} versions, ${s.jobs} jobs: inline / managed policies (largest)`,
        value: `${s.inlineChars} / ${s.managedPolicies} (${s.largestManagedChars})`,
        goal: '<= 10,240 / <= 10 (<= 6,144)',
        verdict: verdict(s.withinLimits),
      });
    }
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
    if (args.skip.has(name)) return undefined;
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

  const cases = await attempt('synth', () => measureSynth(args));
  const bundle = await attempt('bundle', () => measureBundle(args.loads));
  const apiCalls = await attempt('api', async () => (await runTsxChild<{ steps: StepResult[] }>('api-calls.ts', [], { timeoutMs: 120_000 })).result.steps);
  const throttled = await attempt('throttled', async () => (await runTsxChild<ThrottledResult>('throttled-deploy.ts', [
    '--versions', String(args.versions), '--tps', String(args.tps), '--burst', String(args.burst),
    '--concurrency', String(args.concurrency), '--base-delay-ms', String(args.baseDelayMs),
  ], { timeoutMs: 8 * 60_000 })).result);

  const iam = await attempt('iam', async () => (await runTsxChild<IamSizeResult>('iam-size.ts', [], { timeoutMs: 5 * 60_000 })).result);

  const synth = cases && { cases, ...compareSynth(cases) };
  const partial = {
    generatedAt: new Date().toISOString(),
    environment: env,
    args: { ...args, skip: [...args.skip] },
    synth,
    bundle,
    apiCalls,
    throttled,
    stackResources: cases && stackResources(cases),
    iam,
    errors,
  };
  const rows = buildRows(partial);
  const report: Report = {
    ...partial,
    rows,
    goals: { met: rows.filter((r) => r.verdict === 'met').length, missed: rows.filter((r) => r.verdict === 'MISSED').length },
  };

  const outFile = path.join(ROOT, '.bench', 'report.json');
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);

  const out = [
    '',
    `cdk-iot-package-catalog bench — ${report.generatedAt}`,
    `node ${env.node}, ${env.cpus} CPUs (load ${env.loadAverage.join(' ')}), aws-cdk-lib ${env.awsCdkLib}`
      + ` (${env.validatesTemplateOnSynth ? 'validates templates on synth' : 'no built-in template validation on synth'}), client-iot ${env.clientIot}`,
    `synth: ${env.synthRunner}; median of ${args.reps} fresh processes per case; time = construct + app.synth(), module loading excluded`
      + `${args.preload ? '; children preloaded a Lambda/S3 stack first' : ''}`,
    '',
    renderTable(rows),
    '',
    `goals: ${report.goals.met} met, ${report.goals.missed} missed`
      + `${errors.length ? `; ${errors.length} part(s) failed to run: ${errors.map((e) => e.split(':')[0]).join(', ')}` : ''}`,
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
