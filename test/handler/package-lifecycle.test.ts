import { CreatePackageCommand, CreatePackageVersionCommand, IoTClient, UpdatePackageCommand, UpdatePackageVersionCommand } from '@aws-sdk/client-iot';
import { cfnEvent, mutatingCalls, STACK_ID, startEmulator, TYPES } from './util';
import { run } from '../../lambda/index';
import { IotEmulator, iotClient } from '../../local-cloud/emulator/iot-emulator';

let emu: IotEmulator;
let iot: IoTClient;

beforeAll(async () => {
  emu = await startEmulator();
  iot = iotClient(emu);
});
afterAll(async () => emu.stop());
beforeEach(() => emu.reset());

const pkgProps = (extra: Record<string, unknown> = {}) => ({ PackageName: 'fw', ...extra });
const verProps = (versionName: string, extra: Record<string, unknown> = {}) =>
  ({ PackageName: 'fw', VersionName: versionName, Status: 'PUBLISHED', ...extra });

async function createPackage(extra: Record<string, unknown> = {}) {
  return run(cfnEvent('Create', TYPES.softwarePackage, pkgProps(extra), { logicalId: 'Pkg' }));
}
async function createVersion(versionName: string, extra: Record<string, unknown> = {}) {
  return run(cfnEvent('Create', TYPES.packageVersion, verProps(versionName, extra), { logicalId: `V${versionName}` }));
}
function version(versionName: string) {
  return emu.snapshot().packages[0]?.versions.find((v) => v.versionName === versionName);
}

describe('create', () => {
  test('a package and versions with a default: state matches, physical ids are natural keys', async () => {
    // GIVEN / WHEN
    const pkg = await createPackage({ Description: 'Sensor firmware', Tags: { team: 'iot' } });
    const v1 = await createVersion('1.0.0', { Attributes: { board: 'rev-b' }, Recipe: '{}', Description: 'first' });
    const v2 = await createVersion('1.1.0', { Status: 'DRAFT' });
    const v3 = await createVersion('0.9.0', { Status: 'DEPRECATED' });
    const pointer = await run(cfnEvent('Create', TYPES.defaultVersion, { PackageName: 'fw', VersionName: '1.0.0' }));

    // THEN
    expect(pkg).toEqual({ physicalResourceId: 'fw', data: { PackageName: 'fw', PackageArn: 'arn:aws:iot:us-east-1:123456789012:package/fw' } });
    expect(v1.physicalResourceId).toEqual('fw/1.0.0');
    expect(v1.data).toEqual({
      PackageName: 'fw',
      VersionName: '1.0.0',
      PackageVersionArn: 'arn:aws:iot:us-east-1:123456789012:package/fw/version/1.0.0',
      Status: 'PUBLISHED',
    });
    expect(v2.physicalResourceId).toEqual('fw/1.1.0');
    expect(v3.physicalResourceId).toEqual('fw/0.9.0');
    expect(pointer.physicalResourceId).toEqual('fw/default-version');
    const [snapshot] = emu.snapshot().packages;
    expect(snapshot).toMatchObject({ packageName: 'fw', description: 'Sensor firmware', defaultVersionName: '1.0.0', tags: { team: 'iot' } });
    expect(snapshot.versions.map((v) => [v.versionName, v.status])).toEqual([
      ['0.9.0', 'DEPRECATED'], ['1.0.0', 'PUBLISHED'], ['1.1.0', 'DRAFT'],
    ]);
    expect(version('1.0.0')).toMatchObject({ attributes: { board: 'rev-b' }, recipe: '{}', description: 'first' });
  });

  test('create of a published version costs two calls: create and publish', async () => {
    await createPackage();
    emu.clearCalls();
    await createVersion('1.0.0');
    expect(mutatingCalls(emu)).toEqual(['CreatePackageVersion 200', 'UpdatePackageVersion:PUBLISH 200']);
    expect(emu.calls).toHaveLength(2);
  });

  test('the same Create delivered twice: one resource, no error', async () => {
    await createPackage();
    const event = cfnEvent('Create', TYPES.packageVersion, verProps('1.0.0'), { logicalId: 'V1' });
    const first = await run(event);
    const second = await run(event);
    expect(second).toEqual(first);
    expect(emu.snapshot().packages[0].versions).toHaveLength(1);
    expect(version('1.0.0')?.status).toEqual('PUBLISHED');

    const pkgEvent = cfnEvent('Create', TYPES.softwarePackage, pkgProps({ PackageName: 'other' }));
    await run(pkgEvent);
    await run(pkgEvent);
    expect(emu.snapshot().packages.map((p) => p.packageName)).toEqual(['fw', 'other']);
  });

  test('a Create that fails after a partial success undoes its own work', async () => {
    // GIVEN the publish of this version fails for good
    await createPackage();
    emu.faults.failOperation('UpdatePackageVersion', { resource: 'fw/1.0.0', error: { name: 'ValidationException', status: 400, message: 'injected' } });
    emu.clearCalls();

    // WHEN
    await expect(createVersion('1.0.0')).rejects.toThrow('injected');

    // THEN nothing is left behind
    expect(emu.snapshot().packages[0].versions).toEqual([]);
    expect(mutatingCalls(emu)).toEqual([
      'CreatePackageVersion 200',
      'UpdatePackageVersion:PUBLISH 400',
      'DeletePackageVersion 200',
    ]);
  });

  test('a Create of a package that someone else created fails, says how to import it, and leaves it untouched', async () => {
    // GIVEN a package created outside the stack
    await iot.send(new CreatePackageCommand({ packageName: 'fw', description: 'owned elsewhere' }));

    // WHEN / THEN
    await expect(run(cfnEvent('Create', TYPES.softwarePackage, pkgProps({ Description: 'mine' })))).rejects.toThrow(
      "Package fw already exists in this account and region, and this stack did not create it. To use it, import it with SoftwarePackage.fromPackageName(this, 'Package', 'fw'); to create a new package, choose another packageName.",
    );
    expect(emu.snapshot().packages[0]).toMatchObject({ description: 'owned elsewhere', tags: {} });
  });

  test('a Create of a package this stack created converges on it: a rollback returning to a renamed package', async () => {
    // GIVEN the package as this stack created it
    await createPackage({ Description: 'before', Tags: { team: 'iot', old: 'x' } });

    // WHEN a new request (another RequestId) creates it again
    const result = await run(cfnEvent('Create', TYPES.softwarePackage, pkgProps({ Description: 'after', Tags: { team: 'fleet' } })));

    // THEN the same package, with the desired description and tags, and the owner tag kept
    expect(result.physicalResourceId).toEqual('fw');
    expect(emu.snapshot().packages).toEqual([expect.objectContaining({
      packageName: 'fw', description: 'after', tags: { 'cdk-iot-package-catalog:stack-id': STACK_ID, 'team': 'fleet' },
    })]);
  });
});

describe('update', () => {
  test('description, recipe and tags change in place: same id, one call each', async () => {
    await createPackage({ Tags: { team: 'a' } });
    await createVersion('1.0.0', { Description: 'one', Recipe: 'r1', Tags: { team: 'a', stale: 'x' } });
    emu.clearCalls();

    const versionResult = await run(cfnEvent('Update', TYPES.packageVersion,
      verProps('1.0.0', { Description: 'two', Recipe: 'r2', Tags: { team: 'b' } }),
      { physicalId: 'fw/1.0.0', old: verProps('1.0.0', { Description: 'one', Recipe: 'r1', Tags: { team: 'a', stale: 'x' } }) }));
    const packageResult = await run(cfnEvent('Update', TYPES.softwarePackage, pkgProps({ Description: 'new', Tags: { team: 'a' } }),
      { physicalId: 'fw', old: pkgProps({ Tags: { team: 'a' } }) }));

    expect(versionResult.physicalResourceId).toEqual('fw/1.0.0');
    expect(packageResult.physicalResourceId).toEqual('fw');
    expect(mutatingCalls(emu)).toEqual([
      'UpdatePackageVersion 200', // description and recipe together
      'UntagResource 200',
      'TagResource 200',
      'UpdatePackage 200',
    ]);
    expect(emu.calls).toHaveLength(4);
    expect(version('1.0.0')).toMatchObject({ description: 'two', recipe: 'r2', tags: { team: 'b' }, status: 'PUBLISHED' });
    expect(emu.snapshot().packages[0].description).toEqual('new');
  });

  test('attributes of a PUBLISHED version: refused before any change, asks for a new versionName', async () => {
    await createPackage();
    await createVersion('1.0.0', { Attributes: { board: 'a' } });
    emu.clearCalls();

    await expect(run(cfnEvent('Update', TYPES.packageVersion, verProps('1.0.0', { Attributes: { board: 'b' }, Description: 'changed' }),
      { physicalId: 'fw/1.0.0', old: verProps('1.0.0', { Attributes: { board: 'a' } }) })))
      .rejects.toThrow('Version fw/1.0.0 is PUBLISHED: its attributes can change only while it is DRAFT. To ship the change, use a new versionName.');
    expect(mutatingCalls(emu)).toEqual([]);
    expect(version('1.0.0')).toMatchObject({ attributes: { board: 'a' } });
    expect(version('1.0.0')?.description).toBeUndefined();
  });

  test('attributes of a DRAFT version change, then it can be published', async () => {
    await createPackage();
    await createVersion('1.0.0', { Status: 'DRAFT', Attributes: { board: 'a' } });
    await run(cfnEvent('Update', TYPES.packageVersion, verProps('1.0.0', { Attributes: { board: 'b' } }),
      { physicalId: 'fw/1.0.0', old: verProps('1.0.0', { Status: 'DRAFT', Attributes: { board: 'a' } }) }));
    expect(version('1.0.0')).toMatchObject({ attributes: { board: 'b' }, status: 'PUBLISHED' });
  });

  test('DRAFT → PUBLISHED → DEPRECATED → PUBLISHED, each by its documented action; never back to DRAFT', async () => {
    await createPackage();
    await createVersion('1.0.0', { Status: 'DRAFT' });
    const step = async (from: string, to: string) => run(cfnEvent('Update', TYPES.packageVersion, verProps('1.0.0', { Status: to }),
      { physicalId: 'fw/1.0.0', old: verProps('1.0.0', { Status: from }) }));

    emu.clearCalls();
    await step('DRAFT', 'PUBLISHED');
    await step('PUBLISHED', 'DEPRECATED');
    await step('DEPRECATED', 'PUBLISHED');
    expect(emu.calls.filter((c) => c.operation === 'UpdatePackageVersion').map((c) => c.input.action)).toEqual(['PUBLISH', 'DEPRECATE', 'PUBLISH']);
    expect(version('1.0.0')?.status).toEqual('PUBLISHED');

    emu.clearCalls();
    await expect(step('PUBLISHED', 'DRAFT')).rejects.toThrow('Version fw/1.0.0 is PUBLISHED and cannot return to DRAFT. To start a new draft, use a new versionName.');
    expect(mutatingCalls(emu)).toEqual([]);
    expect(version('1.0.0')?.status).toEqual('PUBLISHED');
  });

  test('DRAFT → DEPRECATED publishes, then deprecates', async () => {
    await createPackage();
    await createVersion('1.0.0', { Status: 'DRAFT' });
    emu.clearCalls();
    await run(cfnEvent('Update', TYPES.packageVersion, verProps('1.0.0', { Status: 'DEPRECATED' }),
      { physicalId: 'fw/1.0.0', old: verProps('1.0.0', { Status: 'DRAFT' }) }));
    expect(mutatingCalls(emu)).toEqual(['UpdatePackageVersion:PUBLISH 200', 'UpdatePackageVersion:DEPRECATE 200']);
  });

  test('a status change trusts the template: one call, no read', async () => {
    await createPackage();
    await createVersion('1.0.0');
    emu.clearCalls();
    await run(cfnEvent('Update', TYPES.packageVersion, verProps('1.0.0', { Status: 'DEPRECATED' }), { physicalId: 'fw/1.0.0', old: verProps('1.0.0') }));
    expect(emu.calls.map((c) => `${c.operation}:${c.input.action}`)).toEqual(['UpdatePackageVersion:DEPRECATE']);
  });

  test('when the service refuses an action for the version\'s state, the move is planned again from the actual status', async () => {
    // GIVEN a version deprecated out of band, while the template still says PUBLISHED
    await createPackage();
    await createVersion('1.0.0');
    await iot.send(new UpdatePackageVersionCommand({ packageName: 'fw', versionName: '1.0.0', action: 'DEPRECATE' }));
    // AND a service that refuses a DEPRECATE of a DEPRECATED version
    emu.faults.failOperation('UpdatePackageVersion', {
      resource: 'fw/1.0.0',
      times: 1,
      when: (input) => input.action === 'DEPRECATE',
      error: { name: 'ConflictException', status: 409, message: 'already DEPRECATED' },
    });
    emu.clearCalls();

    // WHEN the template moves it to DEPRECATED
    await run(cfnEvent('Update', TYPES.packageVersion, verProps('1.0.0', { Status: 'DEPRECATED' }), { physicalId: 'fw/1.0.0', old: verProps('1.0.0') }));

    // THEN it reads the actual status and finds nothing left to do
    expect(emu.calls.map((c) => `${c.operation}:${c.status}`)).toEqual(['UpdatePackageVersion:409', 'GetPackageVersion:200']);
    expect(version('1.0.0')?.status).toEqual('DEPRECATED');
  });

  test('a refusal that the actual status does not explain is reported', async () => {
    await createPackage();
    await createVersion('1.0.0');
    emu.faults.failOperation('UpdatePackageVersion', { resource: 'fw/1.0.0', error: { name: 'ConflictException', status: 409, message: 'refused' } });
    await expect(run(cfnEvent('Update', TYPES.packageVersion, verProps('1.0.0', { Status: 'DEPRECATED' }), { physicalId: 'fw/1.0.0', old: verProps('1.0.0') })))
      .rejects.toThrow('refused');
  });

  test('a versionName change creates the new version under a new physical id; the old stays for cleanup', async () => {
    await createPackage();
    await createVersion('1.0.0');
    const result = await run(cfnEvent('Update', TYPES.packageVersion, verProps('1.0.1'), { physicalId: 'fw/1.0.0', old: verProps('1.0.0') }));
    expect(result.physicalResourceId).toEqual('fw/1.0.1');
    expect(emu.snapshot().packages[0].versions.map((v) => v.versionName)).toEqual(['1.0.0', '1.0.1']);
  });

  test('a packageName change creates the new package under a new physical id', async () => {
    await createPackage();
    const result = await run(cfnEvent('Update', TYPES.softwarePackage, pkgProps({ PackageName: 'fw2' }), { physicalId: 'fw', old: pkgProps() }));
    expect(result.physicalResourceId).toEqual('fw2');
    expect(emu.snapshot().packages.map((p) => p.packageName)).toEqual(['fw', 'fw2']);
  });

  test('a failed update leaves the version as it was, and the rollback update restores it', async () => {
    // GIVEN a DRAFT version whose publish will fail once
    await createPackage();
    await createVersion('1.0.0', { Status: 'DRAFT', Description: 'old', Attributes: { a: '1' } });
    emu.faults.failOperation('UpdatePackageVersion', { resource: 'fw/1.0.0', times: 1, error: { name: 'ConflictException', status: 409, message: 'injected' } });
    const before = verProps('1.0.0', { Status: 'DRAFT', Description: 'old', Attributes: { a: '1' } });
    const after = verProps('1.0.0', { Status: 'PUBLISHED', Description: 'new', Attributes: { a: '2' } });

    // WHEN the fields update fails
    await expect(run(cfnEvent('Update', TYPES.packageVersion, after, { physicalId: 'fw/1.0.0', old: before }))).rejects.toThrow('injected');
    // AND CloudFormation rolls back with the properties swapped
    await run(cfnEvent('Update', TYPES.packageVersion, before, { physicalId: 'fw/1.0.0', old: after }));

    // THEN
    expect(version('1.0.0')).toMatchObject({ status: 'DRAFT', description: 'old', attributes: { a: '1' } });
  });
});

test('a failed publish reverts the fields it had changed, so the rollback finds the previous state', async () => {
  // GIVEN a DRAFT version whose PUBLISH (only) will fail
  await createPackage();
  await createVersion('1.0.0', { Status: 'DRAFT', Description: 'old', Attributes: { a: '1' } });
  emu.faults.failOperation('UpdatePackageVersion', {
    resource: 'fw/1.0.0',
    when: (input) => input.action === 'PUBLISH',
    error: { name: 'ConflictException', status: 409, message: 'publish refused' },
  });
  emu.clearCalls();

  // WHEN
  await expect(run(cfnEvent('Update', TYPES.packageVersion, verProps('1.0.0', { Description: 'new', Attributes: { a: '2' } }),
    { physicalId: 'fw/1.0.0', old: verProps('1.0.0', { Status: 'DRAFT', Description: 'old', Attributes: { a: '1' } }) })))
    .rejects.toThrow('publish refused');

  // THEN the fields are back as they were
  expect(mutatingCalls(emu)).toEqual(['UpdatePackageVersion 200', 'UpdatePackageVersion:PUBLISH 409', 'UpdatePackageVersion 200']);
  expect(version('1.0.0')).toMatchObject({ status: 'DRAFT', description: 'old', attributes: { a: '1' } });
});

describe('default version', () => {
  test('moving the default from v1 to v2 is one UpdatePackage call: never two defaults, no delete', async () => {
    await createPackage();
    await createVersion('1');
    await createVersion('2');
    await run(cfnEvent('Create', TYPES.defaultVersion, { PackageName: 'fw', VersionName: '1' }));
    emu.clearCalls();

    const result = await run(cfnEvent('Update', TYPES.defaultVersion, { PackageName: 'fw', VersionName: '2' },
      { physicalId: 'fw/default-version', old: { PackageName: 'fw', VersionName: '1' } }));

    expect(result.physicalResourceId).toEqual('fw/default-version');
    expect(mutatingCalls(emu)).toEqual(['UpdatePackage 200']);
    expect(emu.snapshot().packages[0].defaultVersionName).toEqual('2');
  });

  test('deleting the pointer unsets the default only while it is still the one it set', async () => {
    await createPackage();
    await createVersion('1');
    await createVersion('2');
    await run(cfnEvent('Create', TYPES.defaultVersion, { PackageName: 'fw', VersionName: '1' }));
    await iot.send(new UpdatePackageCommand({ packageName: 'fw', defaultVersionName: '2' }));

    await run(cfnEvent('Delete', TYPES.defaultVersion, { PackageName: 'fw', VersionName: '1' }, { physicalId: 'fw/default-version' }));
    expect(emu.snapshot().packages[0].defaultVersionName).toEqual('2');

    await run(cfnEvent('Delete', TYPES.defaultVersion, { PackageName: 'fw', VersionName: '2' }, { physicalId: 'fw/default-version' }));
    expect(emu.snapshot().packages[0].defaultVersionName).toBeUndefined();
  });

  test('deleting the default version unsets the designation first', async () => {
    await createPackage();
    await createVersion('1');
    await iot.send(new UpdatePackageCommand({ packageName: 'fw', defaultVersionName: '1' }));
    emu.clearCalls();

    await run(cfnEvent('Delete', TYPES.packageVersion, verProps('1'), { physicalId: 'fw/1' }));

    expect(emu.snapshot().packages[0]).toMatchObject({ versions: [] });
    expect(emu.snapshot().packages[0].defaultVersionName).toBeUndefined();
    const ops = mutatingCalls(emu);
    expect(ops[ops.length - 2]).toEqual('UpdatePackage 200');
    expect(ops[ops.length - 1]).toEqual('DeletePackageVersion 200');
  });
});

describe('delete', () => {
  test('a package with no versions: one DeletePackage call', async () => {
    await createPackage();
    emu.clearCalls();
    await run(cfnEvent('Delete', TYPES.softwarePackage, pkgProps(), { physicalId: 'fw' }));
    expect(emu.snapshot().packages).toEqual([]);
    expect(emu.calls.map((c) => c.operation)).toEqual(['DeletePackage']);
  });

  test('versions created outside the stack: the delete fails naming them, and nothing is deleted', async () => {
    await createPackage();
    await iot.send(new CreatePackageVersionCommand({ packageName: 'fw', versionName: 'manual-1' }));
    await iot.send(new CreatePackageVersionCommand({ packageName: 'fw', versionName: 'manual-2' }));
    emu.clearCalls();

    await expect(run(cfnEvent('Delete', TYPES.softwarePackage, pkgProps(), { physicalId: 'fw' }))).rejects.toThrow(
      'Package fw still has versions that this stack does not manage: manual-1, manual-2. ' +
      'Delete them first, or set autoDeleteVersions: true on the SoftwarePackage to delete them with it.');
    // the service refused the delete; then the versions were listed to name them
    expect(emu.calls.map((c) => `${c.operation}:${c.status}`)).toEqual(['DeletePackage:400', 'ListPackageVersions:200']);
    expect(emu.snapshot().packages[0].versions).toHaveLength(2);
  });

  test('autoDeleteVersions: the default is unset, every version deleted, then the package', async () => {
    await createPackage({ AutoDeleteVersions: 'true' });
    await iot.send(new CreatePackageVersionCommand({ packageName: 'fw', versionName: 'manual-1' }));
    await iot.send(new UpdatePackageVersionCommand({ packageName: 'fw', versionName: 'manual-1', action: 'PUBLISH' }));
    await iot.send(new UpdatePackageCommand({ packageName: 'fw', defaultVersionName: 'manual-1' }));
    await iot.send(new CreatePackageVersionCommand({ packageName: 'fw', versionName: 'manual-2' }));
    emu.clearCalls();

    await run(cfnEvent('Delete', TYPES.softwarePackage, pkgProps({ AutoDeleteVersions: 'true' }), { physicalId: 'fw' }));

    expect(emu.snapshot().packages).toEqual([]);
    expect(mutatingCalls(emu)).toEqual(['UpdatePackage 200', 'DeletePackageVersion 200', 'DeletePackageVersion 200', 'DeletePackage 200']);
  });

  test('delete of something already gone succeeds', async () => {
    await expect(run(cfnEvent('Delete', TYPES.softwarePackage, pkgProps(), { physicalId: 'fw' }))).resolves.toBeDefined();
    await expect(run(cfnEvent('Delete', TYPES.packageVersion, verProps('1'), { physicalId: 'fw/1' }))).resolves.toBeDefined();
    await expect(run(cfnEvent('Delete', TYPES.defaultVersion, { PackageName: 'fw', VersionName: '1' }, { physicalId: 'fw/default-version' }))).resolves.toBeDefined();
    await createPackage();
    await expect(run(cfnEvent('Delete', TYPES.packageVersion, verProps('never-created'), { physicalId: 'fw/never-created' }))).resolves.toBeDefined();
  });

  test('autoDeleteVersions on a package already gone succeeds', async () => {
    await expect(run(cfnEvent('Delete', TYPES.softwarePackage, pkgProps({ AutoDeleteVersions: 'true' }), { physicalId: 'fw' })))
      .resolves.toBeDefined();
    expect(emu.calls.map((c) => `${c.operation}:${c.status}`)).toEqual(['ListPackageVersions:400', 'GetPackage:404', 'DeletePackage:200']);
  });

  test('versions beyond the first page are named and deleted too', async () => {
    // GIVEN more unmanaged versions than one ListPackageVersions page holds
    await createPackage();
    const names = Array.from({ length: 30 }, (_, i) => `manual-${String(i).padStart(2, '0')}`);
    for (const versionName of names) await iot.send(new CreatePackageVersionCommand({ packageName: 'fw', versionName }));

    // WHEN / THEN the refusal names all of them
    await expect(run(cfnEvent('Delete', TYPES.softwarePackage, pkgProps(), { physicalId: 'fw' })))
      .rejects.toThrow(`still has versions that this stack does not manage: ${names.join(', ')}.`);
    expect(emu.callsTo('ListPackageVersions').length).toBeGreaterThan(1);

    // AND with autoDeleteVersions every one goes
    await run(cfnEvent('Delete', TYPES.softwarePackage, pkgProps({ AutoDeleteVersions: 'true' }), { physicalId: 'fw' }));
    expect(emu.snapshot().packages).toEqual([]);
  });

  test('the Delete after a failed Create touches nothing', async () => {
    await createPackage();
    emu.clearCalls();
    await run(cfnEvent('Delete', TYPES.softwarePackage, pkgProps(), { physicalId: 'create-failed:1234' }));
    expect(emu.calls).toEqual([]);
    expect(emu.snapshot().packages).toHaveLength(1);
  });
});
