import * as path from 'path';
import { CreatePackageVersionCommand } from '@aws-sdk/client-iot';
import { catalogApp, CatalogSpec, STACK } from './catalog-app';
import { LocalCloud } from '../../local-cloud';
import { iotClient } from '../../local-cloud/emulator/iot-emulator';
import { PackageVersionStatus } from '../../src';

const { DRAFT, PUBLISHED, DEPRECATED } = PackageVersionStatus;
const FIRMWARE = path.join(__dirname, '..', 'fixtures', 'firmware.bin');

let cloud: LocalCloud;

beforeEach(async () => {
  cloud = await LocalCloud.start();
});
afterEach(async () => cloud.stop());

async function deploy(spec: CatalogSpec) {
  return cloud.harness.deploy(cloud.synth(catalogApp(spec)), STACK);
}

/** The catalog as the emulator holds it: package → default and each version's status. */
function catalog() {
  return cloud.iot.snapshot().packages.map((p) => ({
    packageName: p.packageName,
    defaultVersionName: p.defaultVersionName,
    versions: Object.fromEntries(p.versions.map((v) => [v.versionName, v.status])),
  }));
}

const initial: CatalogSpec = {
  description: 'Sensor firmware',
  versions: [
    { id: 'V1', versionName: '1.0.0', isDefault: true, attributes: { board: 'rev-b' } },
    { id: 'V2', versionName: '1.1.0', status: DRAFT },
    { id: 'V0', versionName: '0.9.0', status: DEPRECATED },
  ],
};
const updated: CatalogSpec = {
  description: 'Sensor firmware',
  versions: [
    { id: 'V1', versionName: '1.0.0', status: DEPRECATED, attributes: { board: 'rev-b' } },
    { id: 'V2', versionName: '1.1.0', isDefault: true },
    { id: 'V0', versionName: '0.9.0', status: PUBLISHED },
  ],
};

describe('create, update and delete as CloudFormation runs them', () => {
  test('one package, three versions: state as declared at each step, empty at the end', async () => {
    // create
    expect((await deploy(initial)).status).toEqual('CREATE_COMPLETE');
    expect(catalog()).toEqual([{ packageName: 'fw', defaultVersionName: '1.0.0', versions: { '0.9.0': 'DEPRECATED', '1.0.0': 'PUBLISHED', '1.1.0': 'DRAFT' } }]);
    const resources = cloud.harness.resources(STACK);
    const ids = Object.values(resources).filter((r) => r.type.startsWith('Custom::')).map((r) => r.physicalId).sort();
    expect(ids).toEqual(['fw', 'fw/0.9.0', 'fw/1.0.0', 'fw/1.1.0', 'fw/default-version']);

    // update: the default moves, statuses change
    cloud.iot.clearCalls();
    expect((await deploy(updated)).status).toEqual('UPDATE_COMPLETE');
    expect(catalog()).toEqual([{ packageName: 'fw', defaultVersionName: '1.1.0', versions: { '0.9.0': 'PUBLISHED', '1.0.0': 'DEPRECATED', '1.1.0': 'PUBLISHED' } }]);
    // the default moved with one call, and nothing was deleted
    expect(cloud.iot.callsTo('UpdatePackage').map((c) => c.input)).toEqual([expect.objectContaining({ defaultVersionName: '1.1.0' })]);
    expect(cloud.iot.callsTo('DeletePackageVersion')).toEqual([]);

    // destroy
    expect((await cloud.harness.destroy(STACK)).status).toEqual('DELETE_COMPLETE');
    expect(catalog()).toEqual([]);
  });

  test('the default moves to a new version while the old default is removed in the same deploy', async () => {
    await deploy({ versions: [{ id: 'V1', versionName: '1.0.0', isDefault: true }] });
    cloud.iot.clearCalls();
    const result = await deploy({ versions: [{ id: 'V2', versionName: '2.0.0', isDefault: true }] });
    expect(result.status).toEqual('UPDATE_COMPLETE');
    expect(catalog()).toEqual([{ packageName: 'fw', defaultVersionName: '2.0.0', versions: { '2.0.0': 'PUBLISHED' } }]);
    // the pointer moved before the old version's delete in cleanup, so no unset was needed
    const ops = cloud.iot.calls.map((c) => c.operation);
    expect(ops.indexOf('UpdatePackage')).toBeLessThan(ops.indexOf('DeletePackageVersion'));
    expect(cloud.iot.calls.filter((c) => c.input.unsetDefaultVersion)).toEqual([]);
    expect(cloud.iot.calls.every((c) => c.status < 300)).toBe(true);
  });

  test('removing the default designation unsets it; then the version can be deleted', async () => {
    await deploy(initial);
    await deploy({ versions: [{ id: 'V2', versionName: '1.1.0', status: DRAFT }] });
    expect(catalog()).toEqual([{ packageName: 'fw', defaultVersionName: undefined, versions: { '1.1.0': 'DRAFT' } }]);
  });

  test('a versionName change replaces the version: new one created, old one deleted in cleanup', async () => {
    await deploy(initial);
    const result = await deploy({ versions: [...initial.versions.slice(0, 2), { id: 'V0', versionName: '0.9.1', status: DEPRECATED }] });
    expect(result.status).toEqual('UPDATE_COMPLETE');
    expect(result.events.filter((e) => e.phase === 'cleanup' && e.status === 'COMPLETE').map((e) => e.physicalId)).toEqual(['fw/0.9.0']);
    expect(catalog()[0].versions).toEqual({ '0.9.1': 'DEPRECATED', '1.0.0': 'PUBLISHED', '1.1.0': 'DRAFT' });
  });

  test('a packageName change replaces the package and its versions', async () => {
    await deploy(initial);
    const result = await deploy({ ...initial, packageName: 'fw-next' });
    expect(result.status).toEqual('UPDATE_COMPLETE');
    expect(catalog()).toEqual([{ packageName: 'fw-next', defaultVersionName: '1.0.0', versions: { '0.9.0': 'DEPRECATED', '1.0.0': 'PUBLISHED', '1.1.0': 'DRAFT' } }]);
  });

  test('description and attributes of a DRAFT change in place', async () => {
    await deploy(initial);
    cloud.iot.clearCalls();
    await deploy({ ...initial, versions: [initial.versions[0], { id: 'V2', versionName: '1.1.0', status: DRAFT, attributes: { board: 'rev-c' }, description: 'rc' }, initial.versions[2]] });
    expect(cloud.iot.calls.filter((c) => !/^(Get|List)/.test(c.operation)).map((c) => c.operation)).toEqual(['UpdatePackageVersion']);
    const draft = cloud.iot.snapshot().packages[0].versions.find((v) => v.versionName === '1.1.0');
    expect(draft).toMatchObject({ attributes: { board: 'rev-c' }, description: 'rc', status: 'DRAFT' });
  });
});

describe('failures and rollback', () => {
  test('a forbidden change fails before any change; the stack rolls back to the previous state', async () => {
    await deploy(initial);
    const before = cloud.iot.snapshot();
    const result = await deploy({ ...initial, versions: [{ ...initial.versions[0], attributes: { board: 'rev-c' } }, ...initial.versions.slice(1)] });
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(result.failure).toContain('use a new versionName');
    expect(cloud.iot.snapshot()).toEqual(before);
  });

  test('going back to DRAFT is refused and rolled back', async () => {
    await deploy(initial);
    const before = cloud.iot.snapshot();
    const result = await deploy({ versions: [{ id: 'V1', versionName: '1.0.0', status: DRAFT, attributes: { board: 'rev-b' } }, ...initial.versions.slice(1)] });
    // a DRAFT default is refused at synth, so drop the default in this attempt
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(result.failure).toContain('cannot return to DRAFT');
    expect(cloud.iot.snapshot()).toEqual(before);
  });

  test('a failed first deploy (one publish fails for good) leaves the emulator exactly as before', async () => {
    cloud.iot.faults.failOperation('UpdatePackageVersion', {
      resource: 'fw/1.1.0',
      when: (input) => input.action === 'PUBLISH',
      error: { name: 'ValidationException', status: 400, message: 'publish refused' },
    });
    const before = cloud.iot.snapshot();
    const result = await deploy({ versions: [...initial.versions.slice(0, 1), { id: 'V2', versionName: '1.1.0' }, initial.versions[2]] });
    expect(result.status).toEqual('ROLLBACK_COMPLETE');
    expect(result.failure).toContain('publish refused');
    expect(cloud.iot.snapshot()).toEqual(before);
  });

  test('a failed update is rolled back to the previous state', async () => {
    await deploy(initial);
    const before = cloud.iot.snapshot();
    cloud.iot.faults.failOperation('UpdatePackageVersion', {
      resource: 'fw/1.1.0',
      when: (input) => input.action === 'PUBLISH',
      error: { name: 'ValidationException', status: 400, message: 'publish refused' },
    });
    // Many changes at once: default moves, statuses change, a new version, a description.
    const result = await deploy({
      description: 'now described',
      versions: [...updated.versions, { id: 'V3', versionName: '1.2.0', status: DRAFT }],
    });
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(cloud.iot.snapshot()).toEqual(before);
  });

  test('throttling storm and 5xx bursts during deploy, update and destroy: converges with no duplicates', async () => {
    cloud.iot.faults.throttle(0.3);
    cloud.iot.faults.serverErrors(0.1);
    expect((await deploy(initial)).status).toEqual('CREATE_COMPLETE');
    expect((await deploy(updated)).status).toEqual('UPDATE_COMPLETE');
    expect(catalog()).toEqual([{ packageName: 'fw', defaultVersionName: '1.1.0', versions: { '0.9.0': 'PUBLISHED', '1.0.0': 'DEPRECATED', '1.1.0': 'PUBLISHED' } }]);
    expect(cloud.iot.calls.filter((c) => c.errorType === 'ThrottlingException').length).toBeGreaterThan(3);
    expect((await cloud.harness.destroy(STACK)).status).toEqual('DELETE_COMPLETE');
    expect(catalog()).toEqual([]);
  });

  test('every event delivered twice: same outcome', async () => {
    await cloud.stop();
    cloud = await LocalCloud.start({ harness: { duplicateDelivery: true } });
    expect((await deploy(initial)).status).toEqual('CREATE_COMPLETE');
    expect((await deploy(updated)).status).toEqual('UPDATE_COMPLETE');
    expect(catalog()[0].versions).toEqual({ '0.9.0': 'PUBLISHED', '1.0.0': 'DEPRECATED', '1.1.0': 'PUBLISHED' });
    expect(cloud.harness.responses().some((r) => r.delivery === 2)).toBe(true);
    expect((await cloud.harness.destroy(STACK)).status).toEqual('DELETE_COMPLETE');
    expect(catalog()).toEqual([]);
  });
});

describe('deletion', () => {
  test('versions created outside the stack: the destroy fails naming them, and they survive', async () => {
    await deploy(initial);
    await iotClient(cloud.iot).send(new CreatePackageVersionCommand({ packageName: 'fw', versionName: 'hotfix-7' }));
    const result = await cloud.harness.destroy(STACK);
    expect(result.status).toEqual('DELETE_FAILED');
    expect(result.failure).toContain('Package fw still has versions that this stack does not manage: hotfix-7.');
    expect(catalog()).toEqual([{ packageName: 'fw', defaultVersionName: undefined, versions: { 'hotfix-7': 'DRAFT' } }]);
  });

  test('with autoDeleteVersions they are deleted with the package', async () => {
    await deploy({ ...initial, autoDeleteVersions: true });
    await iotClient(cloud.iot).send(new CreatePackageVersionCommand({ packageName: 'fw', versionName: 'hotfix-7' }));
    expect((await cloud.harness.destroy(STACK)).status).toEqual('DELETE_COMPLETE');
    expect(catalog()).toEqual([]);
  });

  test('RETAIN leaves the package and its versions', async () => {
    await deploy({ retain: true, versions: initial.versions.map((v) => ({ ...v, retain: true })) });
    const before = catalog();
    expect((await cloud.harness.destroy(STACK)).status).toEqual('DELETE_COMPLETE');
    expect(catalog()).toEqual(before);
  });

  test('delete of something already gone succeeds', async () => {
    await deploy(initial);
    cloud.iot.reset();
    expect((await cloud.harness.destroy(STACK)).status).toEqual('DELETE_COMPLETE');
  });
});

describe('artifact from a local file', () => {
  test('the asset is published, and the version holds its location and object version', async () => {
    await deploy({ versions: [{ id: 'V1', versionName: '1.0.0', artifactPath: FIRMWARE }] });
    const [version] = cloud.iot.snapshot().packages[0].versions;
    const location = version.artifact?.s3Location;
    expect(location?.bucket).toEqual('cdk-hnb659fds-assets-123456789012-us-east-1');
    expect(location?.key).toMatch(/^[0-9a-f]{64}\.bin$/);
    expect(location?.version).toEqual(cloud.s3.latestVersion(location!.bucket!, location!.key!));
  });
});

describe('what CloudFormation receives', () => {
  test('responses fit 4 KB and the ResponseURL never reaches the logs', async () => {
    await deploy(initial);
    await cloud.harness.destroy(STACK);
    const responses = cloud.harness.responses();
    expect(responses.length).toBeGreaterThan(5);
    for (const response of responses) {
      expect(response.bytes).toBeLessThanOrEqual(4096);
    }
    const logs = cloud.harness.logs().join('\n');
    expect(logs).toContain('"RequestType":"Create"');
    expect(logs).not.toMatch(/http:\/\/127\.0\.0\.1:\d+\/[^"\s]*response/i);
    expect(logs).toContain('"ResponseURL":"[redacted]"');
  });
});
