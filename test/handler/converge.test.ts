/**
 * The handler's decisions that CloudFormation's other paths rely on, one request at a time
 * against the IoT emulator: a resource this stack created is converged on, anyone else's is
 * refused; a change the service cannot make is refused, unless CloudFormation is rolling back
 * (DescribeStacks on the event's stack); previous properties of another resource are not trusted.
 */
import { CreateJobCommand, CreatePackageCommand, CreatePackageVersionCommand, IoTClient } from '@aws-sdk/client-iot';
import { cfnEvent, STACK_ID, startEmulator, TYPES } from './util';
import { run } from '../../lambda/index';
import { iotClient, IotEmulator } from '../../local-cloud/emulator/iot-emulator';
import { CloudFormationEndpoint } from '../../local-cloud/harness/cloudformation-endpoint';

let emu: IotEmulator;
let iot: IoTClient;
let cloudFormation: CloudFormationEndpoint;
/** The status DescribeStacks reports for the event's stack. */
let stackStatus = 'UPDATE_IN_PROGRESS';

beforeAll(async () => {
  emu = await startEmulator();
  iot = iotClient(emu);
  cloudFormation = await CloudFormationEndpoint.start((nameOrId) => (nameOrId === STACK_ID
    ? { stackName: 'HandlerTest', stackId: STACK_ID, status: stackStatus, creationTime: new Date(0) }
    : undefined));
  process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = cloudFormation.url;
  process.env.JOB_POLL_BASE_DELAY_MS = '20';
});
afterAll(async () => {
  await cloudFormation.close();
  await emu.stop();
});
beforeEach(() => {
  emu.reset();
  stackStatus = 'UPDATE_IN_PROGRESS';
});

const ARN = 'arn:aws:iot:us-east-1:123456789012';
const V1 = `${ARN}:package/fw/version/1.0.0`;
const FLEET = `${ARN}:thinggroup/fleet`;
const OWNER = { 'cdk-iot-package-catalog:stack-id': STACK_ID };

const version = (extra: Record<string, unknown> = {}) => ({ PackageName: 'fw', VersionName: '1.0.0', Status: 'PUBLISHED', ...extra });
const jobProps = (extra: Record<string, unknown> = {}) => ({
  JobId: 'rollout', Targets: [FLEET], DestinationPackageVersions: [V1], Document: '{"operation":"install"}', ...extra,
});
const snapshotVersion = () => emu.snapshot().packages[0]?.versions[0];

async function givenPackage() {
  await run(cfnEvent('Create', TYPES.softwarePackage, { PackageName: 'fw' }, { logicalId: 'Pkg' }));
}

describe('a change the service cannot make', () => {
  test.each([
    ['back to DRAFT', version({ Status: 'DRAFT', Attributes: { board: 'rev-b' } }), 'cannot return to DRAFT'],
    ['new attributes of a published version', version({ Attributes: { board: 'rev-c' } }), 'its attributes can change only while it is DRAFT'],
  ])('%s: refused on a forward update, accepted as it is during a rollback', async (_what, desired, refusal) => {
    // GIVEN a published version
    await givenPackage();
    await run(cfnEvent('Create', TYPES.packageVersion, version({ Attributes: { board: 'rev-b' }, Description: 'first' })));
    const update = () => run(cfnEvent('Update', TYPES.packageVersion, { ...desired, Description: 'back' },
      { physicalId: 'fw/1.0.0', old: version({ Attributes: { board: 'rev-b' }, Description: 'first' }) }));

    // WHEN a forward update asks for it THEN it is refused, nothing changed
    await expect(update()).rejects.toThrow(refusal);
    expect(snapshotVersion()).toMatchObject({ status: 'PUBLISHED', description: 'first' });

    // WHEN CloudFormation rolls back THEN what can change does, the rest stays
    stackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
    const result = await update();
    expect(result.data).toMatchObject({ Status: 'PUBLISHED' });
    expect(snapshotVersion()).toMatchObject({ status: 'PUBLISHED', description: 'back', attributes: { board: 'rev-b' } });
    expect(cloudFormation.requests.filter((r) => r.stackName === STACK_ID).length).toBeGreaterThanOrEqual(2);
  });

  test('a named job\'s targets: refused on a forward update, left as they are during a rollback', async () => {
    await givenPackage();
    await run(cfnEvent('Create', TYPES.packageVersion, version()));
    await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({ Description: 'first' })));
    const update = () => run(cfnEvent('Update', TYPES.jobWithPackages, jobProps({ Targets: [FLEET, `${ARN}:thinggroup/canary`], Description: 'second' }),
      { physicalId: 'rollout', old: jobProps({ Description: 'first' }) }));

    await expect(update()).rejects.toThrow('Job rollout: targets cannot change on an existing job. Nothing was changed.');
    stackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
    await update();
    expect(emu.snapshot().jobs).toEqual([expect.objectContaining({ jobId: 'rollout', targets: [FLEET], description: 'second' })]);
    // the document was read as written, before substitution
    expect(emu.callsTo('GetJobDocument').map((c) => c.input.beforeSubstitution)).toEqual([true, true]);
  });
});

describe('an identity that exists already', () => {
  test('a package this stack created converges; someone else\'s is refused', async () => {
    await iot.send(new CreatePackageCommand({ packageName: 'theirs' }));
    await expect(run(cfnEvent('Create', TYPES.softwarePackage, { PackageName: 'theirs' }))).rejects.toThrow('this stack did not create it');

    await run(cfnEvent('Create', TYPES.softwarePackage, { PackageName: 'fw', Description: 'one' }));
    // A rollback returns to the previous package: an Update whose name differs from the physical id.
    const result = await run(cfnEvent('Update', TYPES.softwarePackage, { PackageName: 'fw', Description: 'two' },
      { physicalId: 'fw-renamed', old: { PackageName: 'fw-renamed' } }));
    expect(result.physicalResourceId).toEqual('fw');
    expect(emu.snapshot().packages.find((p) => p.packageName === 'fw')).toMatchObject({ description: 'two', tags: OWNER });
  });

  test('the previous properties of another package are not trusted: the service\'s state is', async () => {
    await run(cfnEvent('Create', TYPES.softwarePackage, { PackageName: 'fw', Description: 'one', Tags: { team: 'a' } }));
    // The rollback of a failed rename: the physical id is still fw, the old properties name fw-renamed.
    await run(cfnEvent('Update', TYPES.softwarePackage, { PackageName: 'fw', Description: 'one', Tags: { team: 'a' } },
      { physicalId: 'fw', old: { PackageName: 'fw-renamed', Description: 'other', Tags: { team: 'b' } } }));
    expect(emu.snapshot().packages[0]).toMatchObject({ description: 'one', tags: { ...OWNER, team: 'a' } });
  });

  test('a version this stack created converges; someone else\'s is refused', async () => {
    await givenPackage();
    await iot.send(new CreatePackageVersionCommand({ packageName: 'fw', versionName: '9.9.9' }));
    await expect(run(cfnEvent('Create', TYPES.packageVersion, version({ VersionName: '9.9.9' }))))
      .rejects.toThrow('Version fw/9.9.9 already exists, and this stack did not create it.');

    await run(cfnEvent('Create', TYPES.packageVersion, version({ Status: 'DRAFT', Description: 'draft' })));
    const result = await run(cfnEvent('Update', TYPES.packageVersion, version({ Description: 'published', Tags: { team: 'a' } }),
      { physicalId: 'fw/1.0.1', old: version({ VersionName: '1.0.1' }) }));
    expect(result.physicalResourceId).toEqual('fw/1.0.0');
    expect(snapshotVersion()).toMatchObject({ status: 'PUBLISHED', description: 'published', tags: { ...OWNER, team: 'a' } });
  });

  test('a job this stack created with the same settings converges; other settings or someone else\'s are refused', async () => {
    await givenPackage();
    await run(cfnEvent('Create', TYPES.packageVersion, version()));
    await iot.send(new CreateJobCommand({ jobId: 'theirs', targets: [FLEET], destinationPackageVersions: [V1], document: '{}' }));
    await expect(run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({ JobId: 'theirs' }))))
      .rejects.toThrow('Job theirs already exists, and this stack did not create it.');

    await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({ Description: 'one' })));
    await expect(run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({ Targets: [`${ARN}:thinggroup/canary`] }))))
      .rejects.toThrow('Job rollout already exists with other targets, versions, document or schedule.');
    // A rollback returns to the previous job of a replacement.
    const result = await run(cfnEvent('Update', TYPES.jobWithPackages, jobProps({ Description: 'two', TimeoutConfig: { InProgressTimeoutInMinutes: '30' } }),
      { physicalId: 'rollout-2', old: jobProps({ JobId: 'rollout-2' }) }));
    expect(result.physicalResourceId).toEqual('rollout');
    expect(emu.snapshot().jobs.find((j) => j.jobId === 'rollout')).toMatchObject({ description: 'two', timeoutConfig: { inProgressTimeoutInMinutes: 30 } });
  });

  test('a job whose previous properties name another job is compared with the job the service holds', async () => {
    await givenPackage();
    await run(cfnEvent('Create', TYPES.packageVersion, version()));
    await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({ Description: 'one' })));
    await run(cfnEvent('Update', TYPES.jobWithPackages, jobProps({ Description: 'one' }),
      { physicalId: 'rollout', old: jobProps({ JobId: 'rollout-2', Targets: [`${ARN}:thinggroup/canary`] }) }));
    expect(emu.callsTo('UpdateJob')).toEqual([]);
    expect(emu.callsTo('DescribeJob').length).toBeGreaterThanOrEqual(1);
  });
});

describe('the delivered properties are read by the contract', () => {
  test.each([
    ['a missing name', TYPES.softwarePackage, {}, 'Property PackageName is required.'],
    ['a status outside the contract', TYPES.packageVersion, version({ Status: 'RETIRED' }), 'Property Status "RETIRED" is not one of DRAFT, PUBLISHED, DEPRECATED.'],
    ['a number that is not one', TYPES.jobWithPackages, jobProps({ TimeoutConfig: { InProgressTimeoutInMinutes: 'soon' } }),
      'Property TimeoutConfig.InProgressTimeoutInMinutes must be a number, got "soon".'],
    ['a list that is not one', TYPES.jobWithPackages, jobProps({ Targets: 'fleet' }), 'Property Targets must be a list of strings.'],
    ['a nested list entry of the wrong kind', TYPES.jobWithPackages, jobProps({ AbortConfig: { CriteriaList: [{ FailureType: 'SOMETIMES', Action: 'CANCEL' }] } }),
      'Property AbortConfig.CriteriaList[0].FailureType "SOMETIMES" is not one of ALL, FAILED, REJECTED, TIMED_OUT.'],
    ['a map that is not one', TYPES.packageVersion, version({ Attributes: ['board'] }), 'Property Attributes must be a map of strings.'],
    ['an object that is not one', TYPES.packageVersion, version({ Artifact: 'bucket/key' }), 'Property Artifact must be an object.'],
  ])('%s fails naming the property', async (_what, type, properties, message) => {
    await givenPackage();
    await expect(run(cfnEvent('Create', type, properties))).rejects.toThrow(message);
  });
});

describe('every job setting, from CloudFormation\'s strings to the SDK', () => {
  test('a job with a schedule, presigned URLs, an exponential rollout, abort and retry criteria', async () => {
    await givenPackage();
    await run(cfnEvent('Create', TYPES.packageVersion, version()));
    await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({
      TargetSelection: 'CONTINUOUS',
      SchedulingConfig: {
        StartTime: '2099-01-01T00:00',
        EndTime: '2099-01-02T00:00',
        EndBehavior: 'STOP_ROLLOUT',
        MaintenanceWindows: [{ StartTime: 'cron(0 0 * * ? *)', DurationInMinutes: '60' }],
      },
      PresignedUrlConfig: { RoleArn: 'arn:aws:iam::123456789012:role/download', ExpiresInSec: '3600' },
      JobExecutionsRolloutConfig: {
        MaximumPerMinute: '100',
        ExponentialRate: { BaseRatePerMinute: '10', IncrementFactor: '1.5', RateIncreaseCriteria: { NumberOfSucceededThings: '20' } },
      },
      AbortConfig: { CriteriaList: [{ FailureType: 'FAILED', Action: 'CANCEL', ThresholdPercentage: '12.5', MinNumberOfExecutedThings: '10' }] },
      JobExecutionsRetryConfig: { CriteriaList: [{ FailureType: 'TIMED_OUT', NumberOfRetries: '3' }] },
    })));
    expect(emu.snapshot().jobs[0]).toMatchObject({
      status: 'SCHEDULED',
      targetSelection: 'CONTINUOUS',
      schedulingConfig: {
        startTime: '2099-01-01T00:00',
        endTime: '2099-01-02T00:00',
        endBehavior: 'STOP_ROLLOUT',
        maintenanceWindows: [{ startTime: 'cron(0 0 * * ? *)', durationInMinutes: 60 }],
      },
      presignedUrlConfig: { roleArn: 'arn:aws:iam::123456789012:role/download', expiresInSec: 3600 },
      jobExecutionsRolloutConfig: {
        maximumPerMinute: 100,
        exponentialRate: { baseRatePerMinute: 10, incrementFactor: 1.5, rateIncreaseCriteria: { numberOfSucceededThings: 20 } },
      },
      abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 12.5, minNumberOfExecutedThings: 10 }] },
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'TIMED_OUT', numberOfRetries: 3 }] },
    });
  });

  test('a destination that is not a package version ARN is refused before anything is created', async () => {
    await expect(run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({ DestinationPackageVersions: [`${ARN}:package/fw`] }))))
      .rejects.toThrow(`${ARN}:package/fw is not a package version ARN`);
    expect(emu.snapshot().jobs).toEqual([]);
  });

  test('a job that finished before its delete is deleted without being canceled', async () => {
    await givenPackage();
    await run(cfnEvent('Create', TYPES.packageVersion, version()));
    await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps()));
    emu.completeJob('rollout');
    await run(cfnEvent('Delete', TYPES.jobWithPackages, jobProps(), { physicalId: 'rollout' }));
    expect(emu.callsTo('CancelJob')).toEqual([]);
    expect(emu.snapshot().jobs).toEqual([]);
  });
});
