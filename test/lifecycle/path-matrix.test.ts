/**
 * The path matrix: for each resource type, {create, in-place update, replacement, delete} x
 * {succeeds, fails itself, a later resource fails}, generated from one description per type.
 * Every case runs through the deploy harness (CloudFormation's events, cleanup and rollback)
 * with IAM enforced from the synthesized template, and asserts: the stack ends *_COMPLETE; the
 * service holds what the template declares (after a rollback: the previous template, except
 * what the service cannot undo); nothing is left behind, also after destroy; no call was denied.
 *
 * A failing delete is a destroy that fails once (DELETE_FAILED) and completes when retried: a
 * resource removed by an update is deleted in cleanup, whose failures CloudFormation ignores.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IoTClient } from '@aws-sdk/client-iot';
import { groupArn, MATRIX_STACK, matrixApp, MatrixPackage, MatrixSpec, TRIPWIRE_TYPE, versionArn } from './matrix-app';
import { LocalCloud } from '../../local-cloud';
import { FailOperationOptions, iotClient } from '../../local-cloud/emulator/iot-emulator';
import { jobTemplateProvider } from '../../local-cloud/harness/native-iot';
import { PackageVersionStatus } from '../../src';

type Step = 'create' | 'update' | 'replace' | 'delete';
type Outcome = 'succeeds' | 'fails itself' | 'a later resource fails';

interface Fault {
  readonly operation: string;
  readonly options: FailOperationOptions;
}

/** One resource type: the releases each step moves between, and how it fails itself. */
interface Subject {
  readonly name: string;
  /** The stack without the resource (before create, after delete). */
  readonly without: MatrixSpec;
  readonly with: MatrixSpec;
  /** A change the resource takes in place; absent when it has nothing to change. */
  readonly updated?: MatrixSpec;
  /** A change of identity; absent when the resource has none. */
  readonly replaced?: MatrixSpec;
  readonly faults: Partial<Record<Step, Fault>>;
  /** What the service holds after a rollback, when it cannot undo what the step did. */
  readonly afterRollback?: Partial<Record<Step, Partial<Record<Outcome, MatrixSpec>>>>;
}

const { DRAFT, PUBLISHED } = PackageVersionStatus;
const catalogError = { name: 'ValidationException', status: 400, message: 'Injected failure' };
const olderApiError = { name: 'InvalidRequestException', status: 400, message: 'Injected failure' };
const fail = (operation: string, options: FailOperationOptions = {}, error = catalogError): Fault =>
  ({ operation, options: { times: 1, error, ...options } });

const OTHER: MatrixPackage = { id: 'Other', packageName: 'other', versions: [] };
const FW: MatrixPackage = {
  id: 'Fw',
  packageName: 'fw',
  description: 'Firmware',
  versions: [{ id: 'V1', versionName: '1.0.0', isDefault: true }, { id: 'V2', versionName: '1.1.0' }],
};
const fw = (changes: Partial<MatrixPackage>): MatrixPackage => ({ ...FW, ...changes });
const JOB = { groups: ['fleet'], versions: ['Fw/V1'], description: 'Roll out 1.0.0' };

const SUBJECTS: Subject[] = [
  {
    name: 'SoftwarePackage',
    without: { packages: [OTHER] },
    with: { packages: [OTHER, FW] },
    updated: { packages: [OTHER, fw({ description: 'Firmware, updated' })] },
    replaced: { packages: [OTHER, fw({ packageName: 'fw-renamed' })] },
    faults: {
      create: fail('CreatePackage', { resource: 'fw' }),
      update: fail('UpdatePackage', { resource: 'fw', when: (i) => i.description !== undefined }),
      replace: fail('CreatePackage', { resource: 'fw-renamed' }),
      delete: fail('DeletePackage', { resource: 'fw' }),
    },
  },
  {
    name: 'PackageVersion',
    without: { packages: [fw({ versions: [FW.versions[0]] })] },
    with: { packages: [fw({ versions: [FW.versions[0], { id: 'V2', versionName: '1.1.0', status: DRAFT, description: 'second' }] })] },
    // Publishing cannot be undone: a rollback leaves the version PUBLISHED.
    updated: { packages: [fw({ versions: [FW.versions[0], { id: 'V2', versionName: '1.1.0', status: PUBLISHED, description: 'second, updated' }] })] },
    replaced: { packages: [fw({ versions: [FW.versions[0], { id: 'V2', versionName: '1.2.0', status: DRAFT, description: 'second' }] })] },
    faults: {
      create: fail('CreatePackageVersion', { resource: 'fw/1.1.0' }),
      update: fail('UpdatePackageVersion', { resource: 'fw/1.1.0', when: (i) => i.action === 'PUBLISH' }),
      replace: fail('CreatePackageVersion', { resource: 'fw/1.2.0' }),
      delete: fail('DeletePackageVersion', { resource: 'fw/1.1.0' }),
    },
    afterRollback: {
      update: {
        'a later resource fails': { packages: [fw({ versions: [FW.versions[0], { id: 'V2', versionName: '1.1.0', status: PUBLISHED, description: 'second' }] })] },
      },
    },
  },
  {
    name: 'default version',
    without: { packages: [fw({ versions: [{ id: 'V1', versionName: '1.0.0' }, { id: 'V2', versionName: '1.1.0' }] })] },
    with: { packages: [FW] },
    updated: { packages: [fw({ versions: [{ id: 'V1', versionName: '1.0.0' }, { id: 'V2', versionName: '1.1.0', isDefault: true }] })] },
    // The pointer's identity is its package: a renamed package replaces it (with the versions).
    replaced: { packages: [fw({ packageName: 'fw-renamed' })] },
    faults: {
      create: fail('UpdatePackage', { resource: 'fw', when: (i) => i.defaultVersionName === '1.0.0' }),
      update: fail('UpdatePackage', { resource: 'fw', when: (i) => i.defaultVersionName === '1.1.0' }),
      replace: fail('UpdatePackage', { resource: 'fw-renamed', when: (i) => i.defaultVersionName !== undefined }),
      delete: fail('UpdatePackage', { resource: 'fw', when: (i) => i.unsetDefaultVersion === true }),
    },
  },
  {
    name: 'PackageConfiguration',
    without: { packages: [FW] },
    with: { packages: [FW], configuration: {} },
    updated: { packages: [FW], configuration: { versionUpdateByJobs: false } },
    faults: {
      create: fail('UpdatePackageConfiguration'),
      update: fail('UpdatePackageConfiguration'),
      delete: fail('UpdatePackageConfiguration'),
    },
  },
  {
    name: '$package fleet indexing',
    without: { packages: [FW], configuration: {} },
    with: { packages: [FW], configuration: { fleetIndexing: true } },
    faults: {
      create: fail('UpdateIndexingConfiguration', {}, olderApiError),
      delete: fail('UpdateIndexingConfiguration', {}, olderApiError),
    },
  },
  {
    name: 'JobWithPackages (generated id)',
    without: { packages: [FW] },
    with: { packages: [FW], job: JOB },
    updated: { packages: [FW], job: { ...JOB, description: 'Roll out 1.0.0 to the fleet' } },
    replaced: { packages: [FW], job: { ...JOB, groups: ['fleet', 'canary'] } },
    faults: {
      create: fail('CreateJob', {}, olderApiError),
      update: fail('UpdateJob', {}, olderApiError),
      replace: fail('CreateJob', {}, olderApiError),
      delete: fail('DeleteJob', {}, olderApiError),
    },
  },
  {
    name: 'JobWithPackages (named)',
    without: { packages: [FW] },
    with: { packages: [FW], job: { ...JOB, jobId: 'rollout-1' } },
    updated: { packages: [FW], job: { ...JOB, jobId: 'rollout-1', description: 'Roll out 1.0.0 to the fleet' } },
    replaced: { packages: [FW], job: { ...JOB, jobId: 'rollout-2', versions: ['Fw/V2'] } },
    faults: {
      create: fail('CreateJob', { resource: 'rollout-1' }, olderApiError),
      update: fail('UpdateJob', { resource: 'rollout-1' }, olderApiError),
      replace: fail('CreateJob', { resource: 'rollout-2' }, olderApiError),
      delete: fail('DeleteJob', { resource: 'rollout-1' }, olderApiError),
    },
  },
  {
    name: 'JobTemplateWithPackages',
    without: { packages: [FW] },
    with: { packages: [FW], template: { description: 'Install 1.0.0', versions: ['Fw/V1'] } },
    // Every property of a job template is create-only: a change replaces it.
    replaced: { packages: [FW], template: { description: 'Install 1.1.0', versions: ['Fw/V2'] } },
    faults: {
      create: fail('CreateJobTemplate', {}, olderApiError),
      replace: fail('CreateJobTemplate', {}, olderApiError),
      delete: fail('DeleteJobTemplate', {}, olderApiError),
    },
  },
];

interface Case {
  readonly subject: Subject;
  readonly step: Step;
  readonly outcome: Outcome;
  readonly before: MatrixSpec;
  readonly after: MatrixSpec;
}

/** Every applicable (type, step, outcome): a type without an identity has no replacement row. */
function cases(): Case[] {
  const out: Case[] = [];
  for (const subject of SUBJECTS) {
    const steps: Array<[Step, MatrixSpec | undefined, MatrixSpec | undefined]> = [
      ['create', subject.without, subject.with],
      ['update', subject.with, subject.updated],
      ['replace', subject.with, subject.replaced],
      ['delete', subject.with, subject.without],
    ];
    for (const [step, before, after] of steps) {
      if (!before || !after) continue;
      for (const outcome of ['succeeds', 'fails itself', 'a later resource fails'] as Outcome[]) {
        if (outcome === 'fails itself' && !subject.faults[step]) throw new Error(`${subject.name}: no fault for ${step}`);
        out.push({ subject, step, outcome, before, after });
      }
    }
  }
  return out;
}

// ---- what the service should hold ----------------------------------------------------------------

interface CatalogView {
  readonly packages: Array<{
    packageName: string;
    description?: string;
    defaultVersionName?: string;
    versions: Record<string, { status: string; description?: string }>;
  }>;
  readonly configurationEnabled: boolean;
  readonly packageShadowIndexed: boolean;
  readonly jobs: Array<{ jobId?: string; targets: string[]; destinationPackageVersions: string[]; description?: string; status: string }>;
  readonly templates: Array<{ description: string; destinationPackageVersions: string[] }>;
}

/** What a release declares, as the service would show it. */
function declared(spec: MatrixSpec): CatalogView {
  const versionArnOf = (id: string) => {
    const [pkgId, versionId] = id.split('/');
    const pkg = spec.packages.find((p) => p.id === pkgId)!;
    return versionArn(pkg.packageName, pkg.versions.find((v) => v.id === versionId)!.versionName);
  };
  return {
    packages: spec.packages.map((p) => ({
      packageName: p.packageName,
      description: p.description,
      defaultVersionName: p.versions.find((v) => v.isDefault)?.versionName,
      versions: Object.fromEntries(p.versions.map((v) => [v.versionName, { status: v.status ?? PUBLISHED, description: v.description }])),
    })).sort((a, b) => a.packageName.localeCompare(b.packageName)),
    configurationEnabled: spec.configuration !== undefined && spec.configuration.versionUpdateByJobs !== false,
    packageShadowIndexed: spec.configuration?.fleetIndexing === true,
    jobs: spec.job ? [{
      ...(spec.job.jobId ? { jobId: spec.job.jobId } : {}),
      targets: spec.job.groups.map(groupArn),
      destinationPackageVersions: spec.job.versions.map(versionArnOf),
      description: spec.job.description,
      status: 'IN_PROGRESS',
    }] : [],
    templates: spec.template
      ? [{ description: spec.template.description, destinationPackageVersions: spec.template.versions.map(versionArnOf) }]
      : [],
  };
}

/** What the service holds, in the same shape (explicit job ids only where the release names one). */
function held(cloud: LocalCloud, spec: MatrixSpec): CatalogView {
  const snapshot = cloud.iot.snapshot();
  return {
    packages: snapshot.packages.map((p) => ({
      packageName: p.packageName,
      description: p.description,
      defaultVersionName: p.defaultVersionName,
      versions: Object.fromEntries(p.versions.map((v) => [v.versionName, { status: v.status, description: v.description }])),
    })),
    configurationEnabled: snapshot.packageConfiguration.versionUpdateByJobsConfig.enabled,
    packageShadowIndexed: JSON.stringify(snapshot.indexingConfiguration.thingIndexingConfiguration.filter ?? {}).includes('$package'),
    jobs: snapshot.jobs.map((j) => ({
      ...(spec.job?.jobId ? { jobId: j.jobId } : {}),
      targets: j.targets,
      destinationPackageVersions: j.destinationPackageVersions,
      description: j.description,
      status: j.status,
    })),
    templates: snapshot.jobTemplates.map((t) => ({ description: t.description, destinationPackageVersions: t.destinationPackageVersions })),
  };
}

const EMPTY: CatalogView = { packages: [], configurationEnabled: false, packageShadowIndexed: false, jobs: [], templates: [] };

// ---- running the cases --------------------------------------------------------------------------

const assemblies = new Map<string, string>();
const outdirs: string[] = [];

/** Each release is synthesized once for the whole matrix. */
function assemblyOf(spec: MatrixSpec): string {
  const key = JSON.stringify(spec);
  let dir = assemblies.get(key);
  if (!dir) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-iot-pc-matrix-'));
    outdirs.push(outdir);
    dir = matrixApp(spec)(outdir).synth().directory;
    assemblies.set(key, dir);
  }
  return dir;
}
afterAll(() => {
  for (const dir of outdirs) fs.rmSync(dir, { recursive: true, force: true });
});

let cloud: LocalCloud;
let sdk: IoTClient;
beforeEach(async () => {
  cloud = await LocalCloud.start({
    harness: {
      coldStartEveryInvocation: false,
      env: { JOB_POLL_BASE_DELAY_MS: '10' },
      resourceProviders: {
        'AWS::IoT::JobTemplate': jobTemplateProvider(() => sdk),
        [TRIPWIRE_TYPE]: {
          create: async () => { throw new Error('The tripwire fails as a later resource of the deployment'); },
          update: async () => { throw new Error('The tripwire fails as a later resource of the deployment'); },
        },
      },
    },
  });
  sdk = iotClient(cloud.iot);
});
afterEach(async () => cloud.stop());

const deploy = (spec: MatrixSpec) => cloud.harness.deploy(assemblyOf(spec), MATRIX_STACK);

describe.each(SUBJECTS.map((s) => [s.name, s] as const))('%s', (_name, subject) => {
  const rows = cases().filter((c) => c.subject === subject).map((c) => [c.step, c.outcome, c] as const);

  test.each(rows)('%s, %s', async (step, outcome, { before, after }) => {
    // GIVEN the release before the step
    expect((await deploy(before)).status).toEqual('CREATE_COMPLETE');
    expect(held(cloud, before)).toEqual(declared(before));

    const fault = subject.faults[step];
    if (step === 'delete' && outcome === 'fails itself') {
      // WHEN the stack is destroyed and the resource's delete fails once
      cloud.iot.faults.failOperation(fault!.operation, fault!.options);
      const first = await cloud.harness.destroy(MATRIX_STACK);
      // THEN the destroy stops, nothing of the failed resource's dependencies is gone, and a retry completes
      expect(first.status).toEqual('DELETE_FAILED');
      expect((await cloud.harness.destroy(MATRIX_STACK)).status).toEqual('DELETE_COMPLETE');
      expect(held(cloud, before)).toEqual(EMPTY);
      expect(cloud.iam.denials).toEqual([]);
      return;
    }

    // WHEN the next release deploys
    if (outcome === 'fails itself') cloud.iot.faults.failOperation(fault!.operation, fault!.options);
    const result = await deploy(outcome === 'a later resource fails' ? { ...after, tripwire: true } : after);

    // THEN
    if (outcome === 'succeeds') {
      expect(result).toMatchObject({ status: 'UPDATE_COMPLETE' });
      expect(held(cloud, after)).toEqual(declared(after));
    } else {
      expect(result.failure ?? '').toContain(outcome === 'fails itself' ? 'Injected failure' : 'The tripwire fails');
      expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
      const expected = subject.afterRollback?.[step]?.[outcome] ?? before;
      expect(held(cloud, expected)).toEqual(declared(expected));
    }
    if (outcome === 'fails itself') {
      // the injected failure was hit, so the case tested what it says
      expect(cloud.iot.calls.some((c) => c.operation === fault!.operation && c.errorType === fault!.options.error?.name)).toBe(true);
    }
    expect(cloud.iam.denials).toEqual([]);

    // AND destroying the stack leaves nothing behind
    expect((await cloud.harness.destroy(MATRIX_STACK)).status).toEqual('DELETE_COMPLETE');
    expect(held(cloud, after)).toEqual(EMPTY);
    expect(cloud.iam.denials).toEqual([]);
  });
});

test('the matrix covers every type, step and outcome that applies', () => {
  const all = cases();
  expect(new Set(all.map((c) => c.subject.name)).size).toEqual(SUBJECTS.length);
  // 3 outcomes for each step a type has; types without an identity (configuration, indexing) or an in-place change (template) have fewer rows.
  expect(all).toHaveLength(SUBJECTS.reduce((n, s) => n + 3 * (2 + (s.updated ? 1 : 0) + (s.replaced ? 1 : 0)), 0));
});
