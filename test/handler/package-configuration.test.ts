import { IoTClient, UpdateIndexingConfigurationCommand, UpdatePackageConfigurationCommand } from '@aws-sdk/client-iot';
import { cfnEvent, invoke, mutatingCalls, startEmulator, TYPES } from './util';
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

const OURS = 'arn:aws:iam::123456789012:role/stack-package-shadow';
const THEIRS = 'arn:aws:iam::123456789012:role/someone-else';
const props = (extra: Record<string, unknown> = {}) => ({ RoleArn: OURS, VersionUpdateByJobs: 'true', ...extra });
const config = () => emu.snapshot().packageConfiguration.versionUpdateByJobsConfig;

describe('package configuration', () => {
  test('enabled with our role on create, disabled on delete', async () => {
    // GIVEN a disabled configuration
    // WHEN
    const created = await run(cfnEvent('Create', TYPES.packageConfiguration, props()));
    // THEN
    expect(config()).toEqual({ enabled: true, roleArn: OURS });
    expect(created).toEqual({
      physicalResourceId: 'package-configuration:123456789012:us-east-1',
      data: { PreviousEnabled: 'false', PreviousRoleArn: '' },
    });

    // WHEN deleted
    await run(cfnEvent('Delete', TYPES.packageConfiguration, props(), { physicalId: created.physicalResourceId }));
    // THEN back to disabled
    expect(config()).toEqual({ enabled: false });
  });

  test('a repeated Create converges', async () => {
    const event = cfnEvent('Create', TYPES.packageConfiguration, props());
    await run(event);
    await run(event);
    expect(config()).toEqual({ enabled: true, roleArn: OURS });
  });

  test('owned by someone else: the create fails with a clear message and changes nothing', async () => {
    // GIVEN
    await iot.send(new UpdatePackageConfigurationCommand({ versionUpdateByJobsConfig: { enabled: true, roleArn: THEIRS } }));
    emu.clearCalls();
    // WHEN
    const { response } = await invoke((url) => cfnEvent('Create', TYPES.packageConfiguration, props(), { responseUrl: url }));
    // THEN
    expect(response.Status).toEqual('FAILED');
    expect(response.Reason).toContain('The package configuration of account 123456789012 in region us-east-1 is owned by someone else; ' +
      `it is enabled with role ${THEIRS}. It was left unchanged.`);
    expect(mutatingCalls(emu)).toEqual([]);
    expect(config()).toEqual({ enabled: true, roleArn: THEIRS });
  });

  test('a disabled configuration of another role is taken over; previous state returned', async () => {
    await iot.send(new UpdatePackageConfigurationCommand({ versionUpdateByJobsConfig: { enabled: false, roleArn: THEIRS } }));
    const created = await run(cfnEvent('Create', TYPES.packageConfiguration, props()));
    expect(created.data).toEqual({ PreviousEnabled: 'false', PreviousRoleArn: THEIRS });
    expect(config()).toEqual({ enabled: true, roleArn: OURS });
  });

  test('delete leaves a configuration that someone else re-enabled with their role', async () => {
    // GIVEN ours, then someone else's
    const created = await run(cfnEvent('Create', TYPES.packageConfiguration, props()));
    await iot.send(new UpdatePackageConfigurationCommand({ versionUpdateByJobsConfig: { enabled: true, roleArn: THEIRS } }));
    emu.clearCalls();
    // WHEN
    await run(cfnEvent('Delete', TYPES.packageConfiguration, props(), { physicalId: created.physicalResourceId }));
    // THEN
    expect(mutatingCalls(emu)).toEqual([]);
    expect(config()).toEqual({ enabled: true, roleArn: THEIRS });
  });

  test('update in place: versionUpdateByJobs false, then a new role', async () => {
    const created = await run(cfnEvent('Create', TYPES.packageConfiguration, props()));
    const off = await run(cfnEvent('Update', TYPES.packageConfiguration, props({ VersionUpdateByJobs: 'false' }), { old: props(), physicalId: created.physicalResourceId }));
    expect(off.physicalResourceId).toEqual(created.physicalResourceId);
    expect(config()).toEqual({ enabled: false, roleArn: OURS });
    const NEW = 'arn:aws:iam::123456789012:role/new-role';
    await run(cfnEvent('Update', TYPES.packageConfiguration, props({ RoleArn: NEW }), { old: props({ VersionUpdateByJobs: 'false' }), physicalId: created.physicalResourceId }));
    expect(config()).toEqual({ enabled: true, roleArn: NEW });
  });

  test('update refuses to take a configuration someone else enabled meanwhile', async () => {
    const created = await run(cfnEvent('Create', TYPES.packageConfiguration, props()));
    await iot.send(new UpdatePackageConfigurationCommand({ versionUpdateByJobsConfig: { enabled: true, roleArn: THEIRS } }));
    await expect(run(cfnEvent('Update', TYPES.packageConfiguration, props({ RoleArn: 'arn:aws:iam::123456789012:role/new-role' }),
      { old: props(), physicalId: created.physicalResourceId }))).rejects.toThrow(/owned by someone else/);
    expect(config()).toEqual({ enabled: true, roleArn: THEIRS });
  });
});

describe('$package fleet indexing', () => {
  const indexing = () => emu.snapshot().indexingConfiguration.thingIndexingConfiguration;
  const shadow = { ShadowName: '$package' };

  test('an account without indexing: turned on for $package, and back off on delete', async () => {
    // GIVEN indexing OFF (a new account)
    // WHEN
    const created = await run(cfnEvent('Create', TYPES.packageFleetIndexing, shadow));
    // THEN
    expect(indexing()).toEqual({ thingIndexingMode: 'REGISTRY_AND_SHADOW', namedShadowIndexingMode: 'ON', filter: { namedShadowNames: ['$package'] } });
    expect(created.physicalResourceId).toEqual('package-fleet-indexing:123456789012:us-east-1:filter,named-shadow,mode-OFF');

    // WHEN deleted
    await run(cfnEvent('Delete', TYPES.packageFleetIndexing, shadow, { physicalId: created.physicalResourceId }));
    // THEN
    expect(indexing()).toEqual({ thingIndexingMode: 'OFF', namedShadowIndexingMode: 'OFF' });
  });

  test('merged into existing settings without touching them, and unmerged on delete', async () => {
    // GIVEN someone else's indexing with connectivity, custom fields and another named shadow
    const existing = {
      thingIndexingMode: 'REGISTRY_AND_SHADOW' as const,
      thingConnectivityIndexingMode: 'STATUS' as const,
      namedShadowIndexingMode: 'ON' as const,
      customFields: [{ name: 'attributes.model', type: 'String' as const }],
      filter: { namedShadowNames: ['config'] },
    };
    await iot.send(new UpdateIndexingConfigurationCommand({ thingIndexingConfiguration: existing }));
    // WHEN
    const created = await run(cfnEvent('Create', TYPES.packageFleetIndexing, shadow));
    // THEN only the name was added
    expect(indexing()).toEqual({ ...existing, filter: { namedShadowNames: ['config', '$package'] } });
    expect(created.physicalResourceId).toEqual('package-fleet-indexing:123456789012:us-east-1:filter');

    // WHEN deleted THEN exactly the previous settings
    await run(cfnEvent('Delete', TYPES.packageFleetIndexing, shadow, { physicalId: created.physicalResourceId }));
    expect(indexing()).toEqual(existing);
  });

  test('a registry-only index is raised for named shadows and restored on delete; settings added meanwhile stay', async () => {
    await iot.send(new UpdateIndexingConfigurationCommand({ thingIndexingConfiguration: { thingIndexingMode: 'REGISTRY' } }));
    const created = await run(cfnEvent('Create', TYPES.packageFleetIndexing, shadow));
    expect(indexing()).toMatchObject({ thingIndexingMode: 'REGISTRY_AND_SHADOW', namedShadowIndexingMode: 'ON' });
    // someone indexes connectivity meanwhile
    await iot.send(new UpdateIndexingConfigurationCommand({ thingIndexingConfiguration: { ...indexing(), thingConnectivityIndexingMode: 'STATUS' } as any }));
    await run(cfnEvent('Delete', TYPES.packageFleetIndexing, shadow, { physicalId: created.physicalResourceId }));
    expect(indexing()).toEqual({ thingIndexingMode: 'REGISTRY', namedShadowIndexingMode: 'OFF', thingConnectivityIndexingMode: 'STATUS' });
  });

  test('already indexed: nothing changes, and delete changes nothing either', async () => {
    const existing = { thingIndexingMode: 'REGISTRY_AND_SHADOW' as const, namedShadowIndexingMode: 'ON' as const, filter: { namedShadowNames: ['$package'] } };
    await iot.send(new UpdateIndexingConfigurationCommand({ thingIndexingConfiguration: existing }));
    emu.clearCalls();
    const created = await run(cfnEvent('Create', TYPES.packageFleetIndexing, shadow));
    await run(cfnEvent('Delete', TYPES.packageFleetIndexing, shadow, { physicalId: created.physicalResourceId }));
    expect(mutatingCalls(emu)).toEqual([]);
    expect(indexing()).toEqual(existing);
  });

  test('a full filter fails before any change', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `s${i}`);
    await iot.send(new UpdateIndexingConfigurationCommand({
      thingIndexingConfiguration: { thingIndexingMode: 'REGISTRY_AND_SHADOW', namedShadowIndexingMode: 'ON', filter: { namedShadowNames: names } },
    }));
    emu.clearCalls();
    await expect(run(cfnEvent('Create', TYPES.packageFleetIndexing, shadow))).rejects.toThrow(/the most it can hold is 10/);
    expect(mutatingCalls(emu)).toEqual([]);
  });
});
