/**
 * Handler bundle figures: size (raw, gzip) of assets/lambda/index/index.js, what it is made of
 * (an esbuild metafile of the same build), and its cold load time, measured as the median of
 * fresh `node` processes: the bundle alone, and the bundle with the SDK clients that the Lambda
 * runtime provides and the first event loads (what a cold start costs in all).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { median, min, max, ROOT, runJsonChild } from './util';

export const BUNDLE = path.join(ROOT, 'assets', 'lambda', 'index', 'index.js');

export interface BundleResult {
  readonly path: string;
  readonly rawBytes: number;
  readonly gzipBytes: number;
  readonly loads: number;
  readonly loadMsMedian: number;
  readonly loadMsMin: number;
  readonly loadMsMax: number;
  readonly loadMsSamples: number[];
  /** The bundle and the runtime's IoT client, which every event loads: a cold start's module loading. */
  readonly loadWithIotMsMedian: number;
  readonly loadWithIotMsSamples: number[];
  /** The bundle and every client it may load (S3 and CloudFormation only load for events that need them). */
  readonly loadWithAllClientsMsMedian: number;
  readonly loadWithAllClientsMsSamples: number[];
  /** The packages the bundle leaves to the Lambda runtime. */
  readonly externals: string[];
  /** Bytes in the output by npm package (or source folder), largest first. */
  readonly composition: Array<{ readonly source: string; readonly bytes: number }>;
}

const LOAD_SCRIPT = 'const t=process.hrtime.bigint();const m=require(process.argv[1]);'
  + 'for(const c of process.argv.slice(2))require(require.resolve(c,{paths:[process.cwd()]}));'
  + 'const d=Number(process.hrtime.bigint()-t)/1e6;'
  + 'if(typeof m.handler!=="function")throw new Error("no handler export");console.log(JSON.stringify({ms:d}))';

/** The clients of the runtime's SDK that the handler may load; every event loads the first. */
const RUNTIME_CLIENTS = ['@aws-sdk/client-iot', '@aws-sdk/client-s3', '@aws-sdk/client-cloudformation'];

export async function measureBundle(loads: number): Promise<BundleResult> {
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npx projen bundle\` first (npm run bench does).`);
  const raw = fs.readFileSync(BUNDLE);
  const load = async (bundle: string, clients: readonly string[]) => {
    const samples: number[] = [];
    for (let i = 0; i < loads; i++) {
      // A fresh process each time: nothing is cached, as in a Lambda cold start.
      const { result } = await runJsonChild<{ ms: number }>(process.execPath, ['-e', LOAD_SCRIPT, bundle, ...clients], {
        env: { AWS_REGION: 'us-east-1', NODE_OPTIONS: '' },
      });
      samples.push(result.ms);
    }
    return samples;
  };
  const samples = await load(BUNDLE, []);
  const withIot = await load(BUNDLE, RUNTIME_CLIENTS.slice(0, 1));
  const withAll = await load(BUNDLE, RUNTIME_CLIENTS);
  return {
    path: path.relative(ROOT, BUNDLE),
    rawBytes: raw.length,
    gzipBytes: zlib.gzipSync(raw, { level: 9 }).length,
    loads,
    loadMsMedian: median(samples),
    loadMsMin: min(samples),
    loadMsMax: max(samples),
    loadMsSamples: samples,
    loadWithIotMsMedian: median(withIot),
    loadWithIotMsSamples: withIot,
    loadWithAllClientsMsMedian: median(withAll),
    loadWithAllClientsMsSamples: withAll,
    externals: bundleArgs().filter((a) => a.startsWith('--external:')).map((a) => a.slice('--external:'.length)),
    composition: composition(),
  };
}

/** The esbuild arguments of the project's bundle task (.projenrc.ts), so the analysis builds the same bundle. */
function bundleArgs(): string[] {
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')) as {
    tasks: Record<string, { steps?: Array<{ execArgs?: string[] }> }>;
  };
  const args = tasks.tasks['bundle:lambda/index']?.steps?.[0]?.execArgs;
  if (!args || args[0] !== 'esbuild') throw new Error('the bundle:lambda/index task has no esbuild step');
  return args.slice(1);
}

/** Builds the handler with `args` (the project's flags, or a variant) into .bench/<name>/, with a metafile; undefined if esbuild fails. */
function build(name: string, args: string[]): string | undefined {
  const outdir = path.join(ROOT, '.bench', name);
  fs.mkdirSync(outdir, { recursive: true });
  try {
    // bin/esbuild is the native binary after install (a node launcher on some platforms).
    const esbuild = require.resolve('esbuild/bin/esbuild');
    const isScript = fs.readFileSync(esbuild).subarray(0, 2).toString() === '#!';
    execFileSync(isScript ? process.execPath : esbuild, [
      ...(isScript ? [esbuild] : []), ...args.filter((a) => !a.startsWith('--outfile=')), `--outfile=${path.join(outdir, 'index.js')}`,
      `--metafile=${path.join(outdir, 'meta.json')}`, '--log-level=error',
    ], { cwd: ROOT, stdio: 'pipe' });
  } catch {
    return undefined;
  }
  return path.join(outdir, 'index.js');
}

/** Bytes in the project's bundle by npm package (or source folder), from a metafile of the same build. */
function composition(): Array<{ source: string; bytes: number }> {
  const bundle = build('bundle-analysis', bundleArgs());
  if (!bundle) return [];
  const meta = JSON.parse(fs.readFileSync(path.join(path.dirname(bundle), 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const inputs = Object.values(meta.outputs)[0]?.inputs ?? {};
  const bySource = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
    const parts = file.replace(/^.*node_modules\//, 'node_modules/').split('/');
    const source = parts[0] === 'node_modules'
      ? parts.slice(1, parts[1].startsWith('@') ? 3 : 2).join('/')
      : parts.slice(0, 1).join('/');
    bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
  }
  return [...bySource].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes);
}
