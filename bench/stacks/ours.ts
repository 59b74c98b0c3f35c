/** The benchmark stack written with this library's L2 constructs: one package, N versions. */
import { App, Stack } from 'aws-cdk-lib';
import { BENCH_ENV, PACKAGE_NAME, versionSpec } from './spec';
import { SoftwarePackage } from '../../src';

export function buildOursApp(n: number, outdir: string): { app: App; stack: Stack } {
  const app = new App({ outdir });
  const stack = new Stack(app, 'BenchOurs', { env: BENCH_ENV });
  const pkg = new SoftwarePackage(stack, 'Firmware', { packageName: PACKAGE_NAME, description: 'Firmware of the bench fleet' });
  for (let i = 0; i < n; i++) {
    const spec = versionSpec(i);
    pkg.addVersion(spec.id, { versionName: spec.versionName, description: spec.description, attributes: spec.attributes });
  }
  return { app, stack };
}
