import { App, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import {
  IPackageVersion,
  JobDocument,
  JobTargets,
  JobTemplateWithPackages,
  JobWithPackages,
  PackageConfiguration,
  PackageVersion,
  PackageVersionStatus,
  SoftwarePackage,
} from '../../src';

export const STACK = 'Jobs';
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
/** `arn:aws:iot:<region>:<account>` of the stack's environment. */
export const IOT_ARN = `arn:aws:iot:${REGION}:${ACCOUNT}`;
export const versionArn = (packageName: string, versionName: string) => `${IOT_ARN}:package/${packageName}/version/${versionName}`;
export const groupArn = (name: string) => `${IOT_ARN}:thinggroup/${name}`;

/** The document every job and template of these apps installs with. */
export const DOCUMENT = { operation: 'install', package: 'fw', version: '1.0.0' };

export interface JobsVersionSpec {
  readonly id: string;
  readonly versionName: string;
  readonly status?: PackageVersionStatus;
}

export interface ConfigurationSpec {
  readonly fleetIndexing?: boolean;
  readonly retain?: boolean;
}

export interface JobSpec {
  /** Thing-group names the job targets (through `JobTargets.thingGroup`). */
  readonly thingGroups: string[];
  /** Ids of the stack's versions the job installs. @default every version of the stack */
  readonly versions?: string[];
  /** Version ARNs imported with `PackageVersion.fromPackageVersionArn`, installed too. */
  readonly importedVersionArns?: string[];
  /** @default - generated from the construct path and what cannot change in place */
  readonly jobId?: string;
  readonly description?: string;
  readonly maximumPerMinute?: number;
  /** Start from the stack's job template instead of a document. */
  readonly fromTemplate?: boolean;
  readonly forceDelete?: boolean;
}

export interface TemplateSpec {
  readonly description: string;
  /** Ids of the stack's versions the template names. @default every version of the stack */
  readonly versions?: string[];
  /** Tags given to the template with `Tags.of`. @default none */
  readonly tags?: Record<string, string>;
}

export interface JobsSpec {
  /** The stack's package and versions. @default package fw with 1.0.0 (PUBLISHED) */
  readonly versions?: JobsVersionSpec[];
  readonly configuration?: ConfigurationSpec;
  readonly template?: TemplateSpec;
  readonly job?: JobSpec;
  /** Versions of the package created after the job (they depend on it), e.g. to fail a deployment late. */
  readonly versionsAfterJob?: JobsVersionSpec[];
}

export const PACKAGE = 'fw';
const DEFAULT_VERSIONS: JobsVersionSpec[] = [{ id: 'V1', versionName: '1.0.0' }];

/**
 * An app with one package and its versions, and optionally the package configuration, a job
 * template and a job, declared from a plain description so tests can state each release.
 */
export function jobsApp(spec: JobsSpec) {
  return (outdir: string) => {
    const app = new App({ outdir });
    const stack = new Stack(app, STACK, { env: { account: ACCOUNT, region: REGION } });
    const pkg = new SoftwarePackage(stack, 'Firmware', { packageName: PACKAGE });
    const versions = new Map<string, IPackageVersion>();
    for (const v of spec.versions ?? DEFAULT_VERSIONS) {
      versions.set(v.id, pkg.addVersion(v.id, { versionName: v.versionName, status: v.status }));
    }
    const pick = (ids: string[] | undefined) => (ids ?? [...versions.keys()]).map((id) => {
      const version = versions.get(id);
      if (!version) throw new Error(`jobsApp: no version ${id}`);
      return version;
    });

    if (spec.configuration) {
      new PackageConfiguration(stack, 'Configuration', {
        fleetIndexing: spec.configuration.fleetIndexing,
        removalPolicy: spec.configuration.retain ? RemovalPolicy.RETAIN : undefined,
      });
    }

    const template = spec.template && new JobTemplateWithPackages(stack, 'Template', {
      description: spec.template.description,
      destinationPackageVersions: pick(spec.template.versions),
      document: JobDocument.fromObject(DOCUMENT),
    });
    for (const [key, value] of Object.entries(spec.template?.tags ?? {})) Tags.of(template!).add(key, value);

    if (spec.job) {
      const job = spec.job;
      const imported = (job.importedVersionArns ?? []).map((arn, i) => PackageVersion.fromPackageVersionArn(stack, `Imported${i}`, arn));
      if (job.fromTemplate && !template) throw new Error('jobsApp: fromTemplate needs a template');
      const rollout = new JobWithPackages(stack, 'Rollout', {
        targets: job.thingGroups.map((g) => JobTargets.thingGroup(stack, g)),
        destinationPackageVersions: [...pick(job.versions), ...imported],
        document: job.fromTemplate ? undefined : JobDocument.fromObject(DOCUMENT),
        jobTemplate: job.fromTemplate ? template : undefined,
        jobId: job.jobId,
        description: job.description,
        jobExecutionsRolloutConfig: job.maximumPerMinute === undefined ? undefined : { maximumPerMinute: job.maximumPerMinute },
        forceDelete: job.forceDelete,
      });
      for (const v of spec.versionsAfterJob ?? []) {
        pkg.addVersion(v.id, { versionName: v.versionName, status: v.status }).node.addDependency(rollout);
      }
    }
    return app;
  };
}
