/** The benchmark stack written with this library's L2 constructs: one package, N versions, the last one the default. */
import { App, Stack } from 'aws-cdk-lib';
import { BENCH_ENV, BenchStackOptions, PACKAGE_NAME, versionSpec } from './spec';
import { SoftwarePackage } from '../../src';

export function buildOursApp(n: number, outdir: string, options: BenchStackOptions = {}): { app: App; stack: Stack } {
  const app = new App({ outdir });
  const stack = new Stack(app, options.stackName ?? 'BenchOurs', { env: BENCH_ENV });
  const pkg = new SoftwarePackage(stack, 'Firmware', { packageName: options.packageName ?? PACKAGE_NAME, description: 'Firmware of the bench fleet' });
  const defaultVersion = options.defaultVersion ?? n - 1;
  for (let i = 0; i < n; i++) {
    const spec = versionSpec(i);
    pkg.addVersion(spec.id, {
      versionName: spec.versionName, description: spec.description, attributes: spec.attributes, isDefaultVersion: i === defaultVersion,
    });
  }
  return { app, stack };
}
