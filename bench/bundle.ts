/**
 * Handler bundle figures: size (raw, gzip) of assets/lambda/index/index.js, what it is made of
 * (an esbuild metafile of the same build), and its cold module-load time, measured as the
 * median of fresh `node` processes that each time one `require` of the bundle.
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
  /** Bytes in the output by npm package (or source folder), largest first. */
  readonly composition: Array<{ readonly source: string; readonly bytes: number }>;
}

const LOAD_SCRIPT = 'const t=process.hrtime.bigint();const m=require(process.argv[1]);const d=Number(process.hrtime.bigint()-t)/1e6;'
  + 'if(typeof m.handler!=="function")throw new Error("no handler export");console.log(JSON.stringify({ms:d}))';

export async function measureBundle(loads: number): Promise<BundleResult> {
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npx projen bundle\` first (npm run bench does).`);
  const raw = fs.readFileSync(BUNDLE);
  const samples: number[] = [];
  for (let i = 0; i < loads; i++) {
    // A fresh process each time: nothing of the bundle is cached, as in a Lambda cold start.
    const { result } = await runJsonChild<{ ms: number }>(process.execPath, ['-e', LOAD_SCRIPT, BUNDLE], {
      env: { AWS_REGION: 'us-east-1', NODE_OPTIONS: '' },
    });
    samples.push(result.ms);
  }
  return {
    path: path.relative(ROOT, BUNDLE),
    rawBytes: raw.length,
    gzipBytes: zlib.gzipSync(raw, { level: 9 }).length,
    loads,
    loadMsMedian: median(samples),
    loadMsMin: min(samples),
    loadMsMax: max(samples),
    loadMsSamples: samples,
    composition: composition(),
  };
}

/** Rebuilds the bundle with the project's esbuild flags into .bench/ with a metafile. */
function composition(): Array<{ source: string; bytes: number }> {
  const outdir = path.join(ROOT, '.bench', 'bundle-analysis');
  fs.mkdirSync(outdir, { recursive: true });
  try {
    // bin/esbuild is the native binary after install (a node launcher on some platforms).
    const esbuild = require.resolve('esbuild/bin/esbuild');
    const isScript = fs.readFileSync(esbuild).subarray(0, 2).toString() === '#!';
    execFileSync(isScript ? process.execPath : esbuild, [
      ...(isScript ? [esbuild] : []), '--bundle', './lambda/index.ts', '--target=node22', '--platform=node', '--minify',
      '--main-fields=module,main', '--legal-comments=none', `--outfile=${path.join(outdir, 'index.js')}`,
      `--metafile=${path.join(outdir, 'meta.json')}`, '--log-level=error',
    ], { cwd: ROOT, stdio: 'pipe' });
  } catch {
    return [];
  }
  const meta = JSON.parse(fs.readFileSync(path.join(outdir, 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
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
