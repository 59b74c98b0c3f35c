/**
 * The same stack written with the L1 `CfnSoftwarePackage` / `CfnSoftwarePackageVersion` alone:
 * CloudFormation creates every version DRAFT (its Status is read-only) and has no default
 * version setting, so this stack cannot publish a version nor choose a default.
 */
import { App, Stack } from 'aws-cdk-lib';
import { CfnSoftwarePackage, CfnSoftwarePackageVersion } from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';
import { BENCH_ENV, BenchStackOptions, PACKAGE_NAME, versionSpec } from './spec';

export function buildL1App(n: number, outdir: string, options: BenchStackOptions = {}): { app: App; stack: Stack } {
  const app = new App({ outdir });
  const stack = new Stack(app, options.stackName ?? 'BenchL1', { env: BENCH_ENV });
  const scope = new Construct(stack, 'Firmware');
  const pkg = new CfnSoftwarePackage(scope, 'Resource', { packageName: options.packageName ?? PACKAGE_NAME, description: 'Firmware of the bench fleet' });
  for (let i = 0; i < n; i++) {
    const spec = versionSpec(i);
    new CfnSoftwarePackageVersion(scope, spec.id, {
      packageName: pkg.ref,
      versionName: spec.versionName,
      description: spec.description,
      attributes: spec.attributes,
    });
  }
  return { app, stack };
}
