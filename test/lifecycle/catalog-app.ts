import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PackageVersionArtifact, PackageVersionStatus, SoftwarePackage } from '../../src';

export const STACK = 'Catalog';

export interface VersionSpec {
  readonly id: string;
  readonly versionName: string;
  readonly status?: PackageVersionStatus;
  readonly isDefault?: boolean;
  readonly attributes?: Record<string, string>;
  readonly description?: string;
  readonly artifactPath?: string;
  readonly retain?: boolean;
}

export interface CatalogSpec {
  readonly packageName?: string;
  readonly description?: string;
  readonly autoDeleteVersions?: boolean;
  readonly retain?: boolean;
  readonly versions: VersionSpec[];
}

/** A one-package app, declared from a plain description so tests can state each release. */
export function catalogApp(spec: CatalogSpec) {
  return (outdir: string) => {
    const app = new App({ outdir });
    const stack = new Stack(app, STACK, { env: { account: '123456789012', region: 'us-east-1' } });
    const pkg = new SoftwarePackage(stack, 'Firmware', {
      packageName: spec.packageName ?? 'fw',
      description: spec.description,
      autoDeleteVersions: spec.autoDeleteVersions,
      removalPolicy: spec.retain ? RemovalPolicy.RETAIN : undefined,
    });
    for (const v of spec.versions) {
      pkg.addVersion(v.id, {
        versionName: v.versionName,
        status: v.status,
        isDefaultVersion: v.isDefault,
        attributes: v.attributes,
        description: v.description,
        artifact: v.artifactPath ? PackageVersionArtifact.fromAsset(v.artifactPath) : undefined,
        removalPolicy: v.retain ? RemovalPolicy.RETAIN : undefined,
      });
    }
    return app;
  };
}
