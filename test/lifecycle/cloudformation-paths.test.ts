/**
 * CloudFormation's other paths, one scenario each, through the deploy harness with IAM enforced
 * from the synthesized template: replacement cleanup under the new policy, rollbacks of failed
 * replacements and of changes the service cannot undo, named jobs, a `$default` destination,
 * IAM size at scale, RETAIN, a failed SBOM swap and the job deletion default. Every scenario
 * checks what the service holds after each step, since CloudFormation ignores cleanup failures.
 */
import { CreatePackageCommand, IoTClient } from '@aws-sdk/client-iot';
import { Stack } from 'aws-cdk-lib';
import { groupArn, MATRIX_STACK, matrixApp, MatrixPackage, MatrixSpec, RELEASES_BUCKET, TRIPWIRE_TYPE, versionArn } from './matrix-app';
import { LocalCloud } from '../../local-cloud';
import { iotClient } from '../../local-cloud/emulator/iot-emulator';
import { IPackageVersion, JobDocument, JobTargets, JobWithPackages, PackageVersionStatus } from '../../src';

const { DRAFT, PUBLISHED } = PackageVersionStatus;

let cloud: LocalCloud;
let sdk: IoTClient;
beforeEach(async () => {
  cloud = await LocalCloud.start({
    harness: {
      coldStartEveryInvocation: false,
      env: { JOB_POLL_BASE_DELAY_MS: '10' },
      resourceProviders: {
        [TRIPWIRE_TYPE]: { create: async () => { throw new Error('The tripwire fails as a later resource of the deployment'); } },
      },
    },
  });
  sdk = iotClient(cloud.iot);
});
afterEach(async () => cloud.stop());

const deploy = (spec: MatrixSpec) => cloud.harness.deploy(cloud.synth(matrixApp(spec)), MATRIX_STACK);
const snapshot = () => cloud.iot.snapshot();
const packageNames = () => snapshot().packages.map((p) => p.packageName);
const versionsOf = (packageName: string) => Object.fromEntries(
  snapshot().packages.find((p) => p.packageName === packageName)?.versions.map((v) => [v.versionName, v.status]) ?? []);
const jobIds = () => snapshot().jobs.map((j) => j.jobId);

const FW: MatrixPackage = { id: 'Fw', packageName: 'fw', versions: [{ id: 'V1', versionName: '1.0.0', isDefault: true }] };

/** Completes the scenario: nothing denied, and a destroy leaves nothing. */
async function destroyAndCheckEmpty() {
  expect(cloud.iam.denials).toEqual([]);
  expect((await cloud.harness.destroy(MATRIX_STACK)).status).toEqual('DELETE_COMPLETE');
  expect(snapshot()).toMatchObject({ packages: [], jobs: [] });
  expect(cloud.iam.denials).toEqual([]);
}

describe('replacement cleanup runs under the new template\'s policy', () => {
  test('a job whose targets change: the old job is canceled and deleted in cleanup, not left installing', async () => {
    await deploy({ packages: [FW], job: { groups: ['fleet'], versions: ['Fw/V1'] } });
    const [oldId] = jobIds();

    const result = await deploy({ packages: [FW], job: { groups: ['fleet', 'canary'], versions: ['Fw/V1'] } });

    expect(result.status).toEqual('UPDATE_COMPLETE');
    expect(jobIds()).toHaveLength(1);
    expect(jobIds()).not.toContain(oldId);
    expect(result.events.filter((e) => e.phase === 'cleanup').map((e) => `${e.physicalId} ${e.action}_${e.status}`))
      .toEqual([`${oldId} DELETE_IN_PROGRESS`, `${oldId} DELETE_COMPLETE`]);
    await destroyAndCheckEmpty();
  });

  test('a renamed package: the old package, its versions and its default are deleted in cleanup', async () => {
    await deploy({ packages: [{ ...FW, versions: [...FW.versions, { id: 'V2', versionName: '1.1.0' }] }] });

    const result = await deploy({ packages: [{ ...FW, packageName: 'fw2', versions: [...FW.versions, { id: 'V2', versionName: '1.1.0' }] }] });

    expect(result.status).toEqual('UPDATE_COMPLETE');
    expect(packageNames()).toEqual(['fw2']);
    expect(versionsOf('fw2')).toEqual({ '1.0.0': PUBLISHED, '1.1.0': PUBLISHED });
    expect(result.events.filter((e) => e.phase === 'cleanup' && e.status === 'FAILED')).toEqual([]);
    await destroyAndCheckEmpty();
  });

  test('the rollback of an update that created a package and a job deletes them under the reverted policy', async () => {
    await deploy({ packages: [FW] });

    const result = await deploy({
      packages: [FW, { id: 'Gw', packageName: 'gateway', versions: [{ id: 'V1', versionName: '2.0.0' }] }],
      job: { jobId: 'gateway-rollout', groups: ['fleet'], versions: ['Gw/V1'] },
      tripwire: true,
    });

    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(packageNames()).toEqual(['fw']);
    expect(jobIds()).toEqual([]);
    await destroyAndCheckEmpty();
  });
});

describe('the rollback of a failed replacement returns to the previous resource', () => {
  test('a new versionName whose artifact is in an unversioned bucket: 1.0.0 stays as it was', async () => {
    cloud.s3.putObject(RELEASES_BUCKET, 'fw-1.0.0.bin', 'one');
    cloud.s3.setUnversioned('unversioned');
    await deploy({ packages: [{ ...FW, versions: [{ id: 'V1', versionName: '1.0.0', isDefault: true, artifactKey: 'fw-1.0.0.bin' }] }] });
    cloud.s3.setUnversioned(RELEASES_BUCKET);
    cloud.s3.putObject(RELEASES_BUCKET, 'fw-1.0.1.bin', 'two');

    const result = await deploy({ packages: [{ ...FW, versions: [{ id: 'V1', versionName: '1.0.1', isDefault: true, artifactKey: 'fw-1.0.1.bin' }] }] });

    expect(result.failure).toContain('has no object version');
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(versionsOf('fw')).toEqual({ '1.0.0': PUBLISHED });
    expect(snapshot().packages[0].defaultVersionName).toEqual('1.0.0');
    await destroyAndCheckEmpty();
  });

  test('a renamed package whose creation fails: the previous package stays as it was', async () => {
    await deploy({ packages: [FW] });
    // Someone else's package holds the new name.
    await sdk.send(new CreatePackageCommand({ packageName: 'fw2' }));

    const result = await deploy({ packages: [{ ...FW, packageName: 'fw2' }] });

    expect(result.failure).toContain('Package fw2 already exists in this account and region, and this stack did not create it');
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(packageNames()).toEqual(['fw', 'fw2']);
    expect(versionsOf('fw')).toEqual({ '1.0.0': PUBLISHED });
    expect(versionsOf('fw2')).toEqual({});
    expect(cloud.iam.denials).toEqual([]);
    expect((await cloud.harness.destroy(MATRIX_STACK)).status).toEqual('DELETE_COMPLETE');
    // someone else's package is left alone
    expect(packageNames()).toEqual(['fw2']);
  });
});

describe('a package that already exists in the account', () => {
  test('a first deploy over someone else\'s package fails, says how to import it, and leaves it as it was', async () => {
    await sdk.send(new CreatePackageCommand({ packageName: 'fw', description: 'theirs', tags: { team: 'other' } }));
    const before = snapshot().packages;

    const result = await deploy({ packages: [FW] });

    expect(result.failure).toContain('Package fw already exists in this account and region, and this stack did not create it. ' +
      'To use it, import it with SoftwarePackage.fromPackageName(this, \'Package\', \'fw\'); to create a new package, choose another packageName.');
    expect(result.status).toEqual('ROLLBACK_COMPLETE');
    // The rollback's delete of the failed resource leaves their package, description and tags alone.
    expect(snapshot().packages).toEqual(before);
    expect(cloud.iam.denials).toEqual([]);
  });
});

describe('a change the service cannot undo', () => {
  const withDraft = (status: PackageVersionStatus, attributes: Record<string, string>): MatrixSpec => ({
    packages: [{ ...FW, versions: [...FW.versions, { id: 'V2', versionName: '1.1.0', status, attributes }] }],
  });

  test('publishing a draft, then a failing job: the rollback completes and leaves the version PUBLISHED', async () => {
    await deploy(withDraft(DRAFT, { board: 'rev-a' }));

    // One update publishes 1.1.0 (with new attributes, frozen once published) and adds a job that fails.
    cloud.iot.faults.failOperation('CreateJob', { error: { name: 'InvalidRequestException', status: 400, message: 'Injected failure' } });
    const result = await deploy({ ...withDraft(PUBLISHED, { board: 'rev-b' }), job: { jobId: 'rollout', groups: ['fleet'], versions: ['Fw/V2'] } });

    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    const version = snapshot().packages[0].versions.find((v) => v.versionName === '1.1.0');
    expect(version).toMatchObject({ status: PUBLISHED, attributes: { board: 'rev-b' } });
    expect(cloud.harness.logs().join('\n')).toContain('Rolling back fw/1.1.0: the service cannot undo');
    // the handler asked CloudFormation whether it was rolling back
    expect((await cloud.harness.cloudFormationEndpoint()).requests).toContainEqual({ action: 'DescribeStacks', stackName: expect.stringContaining(':stack/Matrix/') });
    await destroyAndCheckEmpty();
  });

  test.each([
    ['back to DRAFT', withDraft(DRAFT, { board: 'rev-b' }), 'Version fw/1.1.0 is PUBLISHED and cannot return to DRAFT. To start a new draft, use a new versionName.'],
    ['new attributes', withDraft(PUBLISHED, { board: 'rev-c' }), 'Version fw/1.1.0 is PUBLISHED: its attributes can change only while it is DRAFT. To ship the change, use a new versionName.'],
  ])('the same change asked by a forward update is refused (%s)', async (_what, next, message) => {
    await deploy(withDraft(PUBLISHED, { board: 'rev-b' }));

    const result = await deploy(next);

    expect(result.failure).toContain(message);
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(snapshot().packages[0].versions.find((v) => v.versionName === '1.1.0')).toMatchObject({ status: PUBLISHED, attributes: { board: 'rev-b' } });
    await destroyAndCheckEmpty();
  });
});

describe('named jobs', () => {
  const named = (changes: { description?: string; groups?: string[] } = {}): MatrixSpec => ({
    packages: [{ ...FW, versions: [{ id: 'V1', versionName: '1.0.0', attributes: { board: 'rev-b' } }] }],
    job: { jobId: 'rollout', groups: ['fleet'], versions: ['Fw/V1'], placeholders: true, startTime: '2099-01-01T00:00', ...changes },
  });

  test('a description change of a job with placeholders and a schedule is applied in place', async () => {
    await deploy(named({ description: 'first' }));

    const result = await deploy(named({ description: 'second' }));

    expect(result.status).toEqual('UPDATE_COMPLETE');
    expect(snapshot().jobs).toEqual([expect.objectContaining({ jobId: 'rollout', description: 'second', status: 'SCHEDULED' })]);
    // the document was compared as written, not with its placeholders resolved
    expect(cloud.iot.callsTo('GetJobDocument').every((c) => c.input.beforeSubstitution === true)).toBe(true);
    await destroyAndCheckEmpty();
  });

  test('a change of targets with the same jobId is refused, and its rollback completes', async () => {
    await deploy(named());

    const result = await deploy(named({ groups: ['fleet', 'canary'] }));

    expect(result.failure).toContain('Job rollout: targets cannot change on an existing job. Nothing was changed.');
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(snapshot().jobs).toEqual([expect.objectContaining({ jobId: 'rollout', targets: [groupArn('fleet')] })]);
    await destroyAndCheckEmpty();
  });
});

test('a job on the package\'s $default waits for the default version to be set', async () => {
  const result = await deploy({ packages: [FW], job: { groups: ['fleet'], versions: ['Fw/$default'] } });

  expect(result.status).toEqual('CREATE_COMPLETE');
  const completed = (type: string) => result.events.findIndex((e) => e.resourceType === type && e.status === 'COMPLETE');
  const started = (type: string) => result.events.findIndex((e) => e.resourceType === type && e.status === 'IN_PROGRESS');
  expect(completed('Custom::IotPackageDefaultVersion')).toBeLessThan(started('Custom::IotJobWithPackages'));
  expect(snapshot().jobs).toEqual([expect.objectContaining({ destinationPackageVersions: [versionArn('fw', '$default')] })]);
  await destroyAndCheckEmpty();
});

test('IAM limits: a stack of 60 packages and 12 jobs deploys, its grants spread over managed policies IAM accepts', async () => {
  const packages: MatrixPackage[] = Array.from({ length: 60 }, (_, i) => ({
    id: `P${i}`,
    packageName: `sensor-firmware-${String(i).padStart(3, '0')}`,
    versions: [{ id: 'V1', versionName: '1.0.0' }],
  }));
  const spec: MatrixSpec = { packages };
  const app = matrixApp(spec);
  // 12 jobs: one app with jobs is built by hand from the same packages.
  const result = await cloud.harness.deploy(cloud.synth((outdir) => {
    const built = app(outdir);
    const stack = built.node.findChild(MATRIX_STACK) as Stack;
    for (let i = 0; i < 12; i++) {
      const pkg = stack.node.findChild(`P${i}`);
      new JobWithPackages(stack, `Job${i}`, {
        targets: [JobTargets.thingGroup(stack, `group-${i}`)],
        destinationPackageVersions: [pkg.node.findChild('V1') as IPackageVersion],
        document: JobDocument.fromObject({ operation: 'install' }),
      });
    }
    return built;
  }), MATRIX_STACK);

  expect(result.failure).toBeUndefined();
  expect(result.status).toEqual('CREATE_COMPLETE');
  expect(snapshot().packages).toHaveLength(60);
  expect(snapshot().jobs).toHaveLength(12);
  // The harness applies IAM's quotas: the grants needed managed policies beside the inline one.
  const managed = Object.values(cloud.harness.resources(MATRIX_STACK)).filter((r) => r.type === 'AWS::IAM::ManagedPolicy');
  expect(managed.length).toBeGreaterThanOrEqual(2);
  await destroyAndCheckEmpty();
});

test('RETAIN on a package keeps the package, its versions and its default on destroy', async () => {
  await deploy({ packages: [{ ...FW, retain: true, versions: [...FW.versions, { id: 'V2', versionName: '1.1.0' }] }] });

  const result = await cloud.harness.destroy(MATRIX_STACK);

  expect(result.status).toEqual('DELETE_COMPLETE');
  expect(snapshot().packages).toEqual([expect.objectContaining({ packageName: 'fw', defaultVersionName: '1.0.0' })]);
  expect(versionsOf('fw')).toEqual({ '1.0.0': PUBLISHED, '1.1.0': PUBLISHED });
  expect(result.events.filter((e) => e.status === 'SKIPPED').map((e) => e.resourceType).sort())
    .toEqual(['Custom::IotPackageDefaultVersion', 'Custom::IotPackageVersion', 'Custom::IotPackageVersion', 'Custom::IotSoftwarePackage']);
  expect(cloud.iam.denials).toEqual([]);
});

test('a failed SBOM swap leaves a state its rollback returns from', async () => {
  cloud.s3.putObject(RELEASES_BUCKET, 'sbom-a.zip', 'a');
  cloud.s3.putObject(RELEASES_BUCKET, 'sbom-b.zip', 'b');
  const withSbom = (sbomKey: string): MatrixSpec => ({ packages: [{ ...FW, versions: [{ id: 'V1', versionName: '1.0.0', sbomKey }] }] });
  await deploy(withSbom('sbom-a.zip'));

  // The new SBOM cannot be associated once the old one is gone.
  cloud.iot.faults.failOperation('AssociateSbomWithPackageVersion', { times: 1, error: { name: 'ValidationException', status: 400, message: 'Injected failure' } });
  const result = await deploy(withSbom('sbom-b.zip'));

  expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
  expect(snapshot().packages[0].versions[0].sbom?.s3Location).toMatchObject({ bucket: RELEASES_BUCKET, key: 'sbom-a.zip' });
  await destroyAndCheckEmpty();
});

test('a replaced job is canceled without force by default: devices already installing finish', async () => {
  await deploy({ packages: [FW], job: { groups: ['fleet'], versions: ['Fw/V1'] } });

  await deploy({ packages: [FW], job: { groups: ['fleet', 'canary'], versions: ['Fw/V1'] } });

  expect(cloud.iot.callsTo('CancelJob').map((c) => c.input.force)).toEqual([false]);
  expect(cloud.iot.callsTo('DeleteJob').map((c) => c.input.force)).toEqual([false]);
  await destroyAndCheckEmpty();
});
