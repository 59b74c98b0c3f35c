/**
 * Reads what `cdk deploy` reads from a cloud assembly: the stack's template, its environment
 * and where each file asset's S3 object key comes from.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface TemplateParameter {
  readonly Type: string;
  readonly Default?: unknown;
}

export interface TemplateOutput {
  readonly Value: unknown;
  readonly Condition?: string;
}

export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, TemplateParameter>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Outputs?: Record<string, TemplateOutput>;
}

export interface StackArtifact {
  readonly template: Template;
  /** From the artifact's `aws://account/region` environment, when concrete. */
  readonly account?: string;
  readonly region?: string;
  /** S3 object key of each file asset → absolute path of its source (directory or file). */
  readonly assetPaths: ReadonlyMap<string, string>;
  /** Every file asset destination, as `cdk deploy` publishes them before the stack. */
  readonly fileAssets: readonly FileAssetDestination[];
}

export interface FileAssetDestination {
  /** With `${AWS::AccountId}` and `${AWS::Region}` placeholders as the manifest writes them. */
  readonly bucketName: string;
  readonly objectKey: string;
  /** Absolute path of the source file or directory. */
  readonly sourcePath: string;
  /** `zip` when a directory is zipped on upload. */
  readonly packaging?: string;
}

interface Manifest {
  readonly artifacts?: Record<string, {
    readonly type: string;
    readonly environment?: string;
    readonly displayName?: string;
    readonly properties?: { readonly templateFile?: string; readonly stackName?: string; readonly file?: string };
  }>;
}

interface AssetManifest {
  readonly files?: Record<string, {
    readonly source: { readonly path?: string; readonly packaging?: string };
    readonly destinations: Record<string, { readonly objectKey: string; readonly bucketName: string }>;
  }>;
}

export function readStackArtifact(assemblyDir: string, stackName: string): StackArtifact {
  const manifest = readJson<Manifest>(path.join(assemblyDir, 'manifest.json'));
  const artifacts = Object.entries(manifest.artifacts ?? {});
  const stack = artifacts.find(([id, a]) => a.type === 'aws:cloudformation:stack'
    && (a.properties?.stackName ?? id) === stackName);
  const templateFile = stack?.[1].properties?.templateFile;
  if (!stack || !templateFile) {
    const names = artifacts.filter(([, a]) => a.type === 'aws:cloudformation:stack').map(([id, a]) => a.properties?.stackName ?? id);
    throw new Error(`Stack ${stackName} is not in the cloud assembly at ${assemblyDir} (stacks: ${names.join(', ') || 'none'})`);
  }
  const [, artifact] = stack;
  const [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];

  const assetPaths = new Map<string, string>();
  const fileAssets: FileAssetDestination[] = [];
  for (const [, a] of artifacts) {
    if (a.type !== 'cdk:asset-manifest' || !a.properties?.file) {
      continue;
    }
    const assets = readJson<AssetManifest>(path.join(assemblyDir, a.properties.file));
    for (const asset of Object.values(assets.files ?? {})) {
      for (const destination of Object.values(asset.destinations)) {
        if (asset.source.path) {
          const sourcePath = path.resolve(assemblyDir, asset.source.path);
          assetPaths.set(destination.objectKey, sourcePath);
          fileAssets.push({ bucketName: destination.bucketName, objectKey: destination.objectKey, sourcePath, packaging: asset.source.packaging });
        }
      }
    }
  }

  return {
    template: readJson<Template>(path.join(assemblyDir, templateFile)),
    account: account && !account.startsWith('unknown-') ? account : undefined,
    region: region && !region.startsWith('unknown-') ? region : undefined,
    assetPaths,
    fileAssets,
  };
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
