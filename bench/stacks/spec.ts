/** What the benchmark stacks declare, identically for the L2, the workaround and the L1 stack. */
export const BENCH_ENV = { account: '123456789012', region: 'us-east-1' };
export const PACKAGE_NAME = 'bench-firmware';

export interface VersionSpec {
  readonly id: string;
  readonly versionName: string;
  readonly description: string;
  readonly attributes: Record<string, string>;
}

export function versionSpec(i: number): VersionSpec {
  return {
    id: `V${i}`,
    versionName: `1.${Math.floor(i / 100)}.${i % 100}`,
    description: `Release ${i} of the bench firmware`,
    attributes: { board: 'rev-b', build: String(1000 + i) },
  };
}

/** What a bench run may change in a benchmark stack (the deploy benchmarks name their own). */
export interface BenchStackOptions {
  readonly stackName?: string;
  readonly packageName?: string;
  /** Index of the default version; -1 for none (the L1 stack cannot set one). @default the last version */
  readonly defaultVersion?: number;
}
