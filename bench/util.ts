/**
 * Small helpers shared by the benchmark modules: statistics, child processes that print one
 * JSON line, and a plain-text table.
 */
import { spawn } from 'child_process';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..');

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function min(values: readonly number[]): number {
  return values.length === 0 ? NaN : Math.min(...values);
}

export function max(values: readonly number[]): number {
  return values.length === 0 ? NaN : Math.max(...values);
}

/** Rounds to `digits` decimals (keeps JSON reports readable). */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The tsx CLI of this project, run with the current node binary. */
export const TSX_CLI = require.resolve('tsx/cli');

export interface ChildResult<T> {
  readonly result: T;
  readonly wallMs: number;
}

/**
 * Runs a command in a fresh process and parses the last stdout line that is JSON. Fails with
 * the child's stderr when it exits non-zero or prints no JSON.
 */
export interface ChildOptions {
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
  readonly nodeOptions?: string[];
}

export function runJsonChild<T>(command: string, args: string[], options: ChildOptions = {}): Promise<ChildResult<T>> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) {
        reject(new Error(`${path.basename(command)} ${args.join(' ')} exited with ${code ?? signal}:\n${stderr.slice(-4000)}${stdout.slice(-2000)}`));
        return;
      }
      const line = stdout.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
      if (!line) {
        reject(new Error(`${path.basename(command)} ${args.join(' ')} printed no JSON:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
        return;
      }
      resolve({ result: JSON.parse(line) as T, wallMs });
    });
  });
}

/** Runs a bench TypeScript module in a fresh tsx process. */
export function runTsxChild<T>(script: string, args: string[], options: ChildOptions = {}): Promise<ChildResult<T>> {
  return runJsonChild<T>(process.execPath, [...(options.nodeOptions ?? []), TSX_CLI, path.join(ROOT, 'bench', script), ...args], options);
}

export type Verdict = 'met' | 'MISSED' | 'info';

export interface Row {
  readonly section: string;
  readonly figure: string;
  readonly value: string;
  readonly goal: string;
  readonly verdict: Verdict;
}

/** A plain-text table with one header line and a rule under it. */
export function renderTable(rows: readonly Row[]): string {
  const header: Row = { section: 'section', figure: 'figure', value: 'measured', goal: 'goal', verdict: 'info' };
  const cells = (r: Row) => [r.section, r.figure, r.value, r.goal, r === header ? 'met?' : r.verdict === 'info' ? '' : r.verdict];
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...[header, ...rows].map((r) => cells(r)[i].length)));
  const line = (r: Row) => cells(r).map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let previous = '';
  for (const row of rows) {
    if (previous && row.section !== previous) out.push('');
    out.push(line(row));
    previous = row.section;
  }
  return out.join('\n');
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function fmtBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${Math.round(bytes)} B`;
}

export function fmtRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a';
}
