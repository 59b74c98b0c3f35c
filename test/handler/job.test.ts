import { cfnEvent, invoke, mutatingCalls, startEmulator, TYPES } from './util';
import { run } from '../../lambda/index';
import { IotEmulator } from '../../local-cloud/emulator/iot-emulator';

let emu: IotEmulator;

beforeAll(async () => {
  emu = await startEmulator();
  process.env.JOB_POLL_BASE_DELAY_MS = '20';
});
afterAll(async () => emu.stop());
beforeEach(() => emu.reset());

const ARN = 'arn:aws:iot:us-east-1:123456789012';
const V1 = `${ARN}:package/fw/version/1.0.0`;
const V2 = `${ARN}:package/fw/version/2.0.0`;
const GROUP = `${ARN}:thinggroup/fleet`;

async function givenVersions(statuses: Record<string, string> = { '1.0.0': 'PUBLISHED' }) {
  await run(cfnEvent('Create', TYPES.softwarePackage, { PackageName: 'fw' }, { logicalId: 'Pkg' }));
  for (const [versionName, status] of Object.entries(statuses)) {
    await run(cfnEvent('Create', TYPES.packageVersion, { PackageName: 'fw', VersionName: versionName, Status: status }, { logicalId: `V${versionName}` }));
  }
  emu.clearCalls();
}

const jobProps = (extra: Record<string, unknown> = {}) => ({
  JobId: 'fw-rollout',
  Targets: [GROUP],
  TargetSelection: 'SNAPSHOT',
  DestinationPackageVersions: [V1],
  Document: '{"operation":"install"}',
  ForceDelete: 'true',
  ...extra,
});
const job = (jobId = 'fw-rollout') => emu.snapshot().jobs.find((j) => j.jobId === jobId);

describe('create', () => {
  test('a job with the versions\' ARNs; its id is the physical id', async () => {
    // GIVEN
    await givenVersions();
    // WHEN (numbers arrive as strings, as CloudFormation sends them)
    const created = await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({
      Description: 'Firmware 1.0.0',
      TimeoutConfig: { InProgressTimeoutInMinutes: '30' },
      JobExecutionsRetryConfig: { CriteriaList: [{ FailureType: 'FAILED', NumberOfRetries: '2' }] },
    })));
    // THEN
    expect(created).toEqual({ physicalResourceId: 'fw-rollout', data: { JobId: 'fw-rollout', JobArn: `${ARN}:job/fw-rollout` } });
    expect(job()).toMatchObject({
      status: 'IN_PROGRESS',
      targets: [GROUP],
      destinationPackageVersions: [V1],
      document: '{"operation":"install"}',
      description: 'Firmware 1.0.0',
      timeoutConfig: { inProgressTimeoutInMinutes: 30 },
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 2 }] },
    });
    expect(mutatingCalls(emu)).toEqual(['CreateJob 200']);
    expect(emu.callsTo('GetPackageVersion')).toHaveLength(1);
  });

  test('a DRAFT destination version is refused before any change', async () => {
    await givenVersions({ '1.0.0': 'PUBLISHED', '2.0.0': 'DRAFT' });
    const { response } = await invoke((url) => cfnEvent('Create', TYPES.jobWithPackages, jobProps({ DestinationPackageVersions: [V1, V2] }), { responseUrl: url }));
    expect(response.Status).toEqual('FAILED');
    expect(response.Reason).toEqual('Job fw-rollout was not created: a job can deploy only PUBLISHED or DEPRECATED package versions, and ' +
      'fw/2.0.0 is DRAFT. Publish the versions first (status PUBLISHED).');
    expect(mutatingCalls(emu)).toEqual([]);
    expect(emu.snapshot().jobs).toEqual([]);
  });

  test('a missing destination version is named', async () => {
    await givenVersions();
    await expect(run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({ DestinationPackageVersions: [V2] }))))
      .rejects.toThrow('fw/2.0.0 does not exist');
    expect(mutatingCalls(emu)).toEqual([]);
  });

  test('a DEPRECATED version can be deployed', async () => {
    await givenVersions({ '1.0.0': 'DEPRECATED' });
    await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps()));
    expect(job()?.status).toEqual('IN_PROGRESS');
  });

  test('the same Create delivered twice: one job, no error', async () => {
    await givenVersions();
    const event = cfnEvent('Create', TYPES.jobWithPackages, jobProps());
    const first = await run(event);
    expect(await run(event)).toEqual(first);
    expect(emu.snapshot().jobs).toHaveLength(1);
  });

  test('a job id taken by a different job fails and names it', async () => {
    await givenVersions({ '1.0.0': 'PUBLISHED', '2.0.0': 'PUBLISHED' });
    await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps()));
    await expect(run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({ DestinationPackageVersions: [V2] }), { logicalId: 'Other' })))
      .rejects.toThrow('Job fw-rollout already exists with other targets, versions, document or schedule.');
  });
});

describe('update', () => {
  test('in place where the service allows it: one UpdateJob with the changed fields only', async () => {
    await givenVersions();
    const old = jobProps({ Description: 'one', TimeoutConfig: { InProgressTimeoutInMinutes: '30' } });
    await run(cfnEvent('Create', TYPES.jobWithPackages, old));
    emu.clearCalls();
    const next = jobProps({
      Description: 'two',
      TimeoutConfig: { InProgressTimeoutInMinutes: '30' },
      AbortConfig: { CriteriaList: [{ FailureType: 'FAILED', Action: 'CANCEL', ThresholdPercentage: '12.5', MinNumberOfExecutedThings: '3' }] },
      JobExecutionsRolloutConfig: { MaximumPerMinute: '50' },
    });
    const updated = await run(cfnEvent('Update', TYPES.jobWithPackages, next, { old, physicalId: 'fw-rollout' }));
    expect(updated.physicalResourceId).toEqual('fw-rollout');
    expect(mutatingCalls(emu)).toEqual(['UpdateJob 200']);
    expect(emu.callsTo('UpdateJob')[0].input).toEqual({
      jobId: 'fw-rollout',
      description: 'two',
      abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 12.5, minNumberOfExecutedThings: 3 }] },
      jobExecutionsRolloutConfig: { maximumPerMinute: 50 },
    });
    expect(job()).toMatchObject({ description: 'two', jobExecutionsRolloutConfig: { maximumPerMinute: 50 } });
  });

  test('a new job id replaces the job: new physical id, old one left for cleanup', async () => {
    await givenVersions({ '1.0.0': 'PUBLISHED', '2.0.0': 'PUBLISHED' });
    const old = jobProps();
    await run(cfnEvent('Create', TYPES.jobWithPackages, old));
    const next = jobProps({ JobId: 'fw-rollout-2', DestinationPackageVersions: [V2] });
    const updated = await run(cfnEvent('Update', TYPES.jobWithPackages, next, { old, physicalId: 'fw-rollout' }));
    expect(updated.physicalResourceId).toEqual('fw-rollout-2');
    expect(job('fw-rollout-2')?.destinationPackageVersions).toEqual([V2]);
    // CloudFormation's cleanup deletes the old one
    await run(cfnEvent('Delete', TYPES.jobWithPackages, old, { physicalId: 'fw-rollout' }));
    expect(emu.snapshot().jobs.map((j) => j.jobId)).toEqual(['fw-rollout-2']);
  });

  test('an immutable change with the same explicit id fails before any change and asks for a new id', async () => {
    await givenVersions({ '1.0.0': 'PUBLISHED', '2.0.0': 'PUBLISHED' });
    const old = jobProps();
    await run(cfnEvent('Create', TYPES.jobWithPackages, old));
    emu.clearCalls();
    await expect(run(cfnEvent('Update', TYPES.jobWithPackages, jobProps({ DestinationPackageVersions: [V2], Description: 'x' }), { old, physicalId: 'fw-rollout' })))
      .rejects.toThrow('Job fw-rollout: destinationPackageVersions cannot change on an existing job. Nothing was changed.');
    expect(mutatingCalls(emu)).toEqual([]);
  });

  test('a configuration the service cannot remove stays on the job, with a warning; other changes apply', async () => {
    // GIVEN a job with a timeout
    await givenVersions();
    const old = jobProps({ TimeoutConfig: { InProgressTimeoutInMinutes: '30' } });
    await run(cfnEvent('Create', TYPES.jobWithPackages, old));
    emu.clearCalls();

    // WHEN the timeout is removed and the description changed (also how a rollback of an
    // update that added a timeout arrives)
    const { logs, response } = await invoke((url) => cfnEvent('Update', TYPES.jobWithPackages, jobProps({ Description: 'new' }),
      { old, physicalId: 'fw-rollout', responseUrl: url }));

    // THEN the update succeeds: the description changes, the timeout stays, and the log says why
    expect(response.Status).toEqual('SUCCESS');
    expect(mutatingCalls(emu)).toEqual(['UpdateJob 200']);
    expect(emu.callsTo('UpdateJob')[0].input).toEqual(expect.not.objectContaining({ timeoutConfig: expect.anything() }));
    expect(job()?.description).toEqual('new');
    expect(job()?.timeoutConfig).toEqual({ inProgressTimeoutInMinutes: 30 });
    expect(logs.join('\n')).toContain('timeoutConfig cannot be removed from an existing job and stays as it is');
  });
});

describe('delete', () => {
  test('an IN_PROGRESS job is cancelled, deleted and waited for, so its versions can go next', async () => {
    await givenVersions();
    await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps()));
    emu.clearCalls();
    await run(cfnEvent('Delete', TYPES.jobWithPackages, jobProps(), { physicalId: 'fw-rollout' }));
    expect(mutatingCalls(emu)).toEqual(['CancelJob 200', 'DeleteJob 200']);
    expect(emu.callsTo('CancelJob')[0].input).toMatchObject({ force: true });
    // gone (the emulator keeps a job DELETION_IN_PROGRESS for 100 ms): the handler waited for it
    expect(emu.snapshot().jobs).toEqual([]);
    expect(emu.callsTo('ListJobs').length).toBeGreaterThanOrEqual(2);
    expect(emu.callsTo('ListJobs').map((c) => c.input.status)).toEqual(emu.callsTo('ListJobs').map(() => 'DELETION_IN_PROGRESS'));
    await run(cfnEvent('Delete', TYPES.packageVersion, { PackageName: 'fw', VersionName: '1.0.0', Status: 'PUBLISHED' }, { physicalId: 'fw/1.0.0' }));
    expect(emu.snapshot().packages[0].versions).toEqual([]);
  });

  test('forceDelete false cancels without force', async () => {
    await givenVersions();
    await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({ ForceDelete: 'false' })));
    await run(cfnEvent('Delete', TYPES.jobWithPackages, jobProps({ ForceDelete: 'false' }), { physicalId: 'fw-rollout' }));
    expect(emu.callsTo('CancelJob')[0].input.force).toBe(false);
    expect(emu.snapshot().jobs).toEqual([]);
  });

  test('a COMPLETED job is deleted without cancelling', async () => {
    await givenVersions();
    await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps()));
    emu.completeJob('fw-rollout');
    emu.clearCalls();
    await run(cfnEvent('Delete', TYPES.jobWithPackages, jobProps(), { physicalId: 'fw-rollout' }));
    expect(mutatingCalls(emu)).toEqual(['DeleteJob 200']);
    expect(emu.snapshot().jobs).toEqual([]);
  });

  test('LimitExceeded (10 jobs in deletion) is waited out', async () => {
    await givenVersions();
    await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps()));
    emu.faults.failOperation('DeleteJob', { resource: 'fw-rollout', times: 2, error: { name: 'LimitExceededException', status: 410 } });
    await run(cfnEvent('Delete', TYPES.jobWithPackages, jobProps(), { physicalId: 'fw-rollout' }));
    expect(emu.callsTo('DeleteJob').map((c) => c.status)).toEqual([410, 410, 200]);
    expect(emu.snapshot().jobs).toEqual([]);
  });

  test('a job already gone: success', async () => {
    await run(cfnEvent('Delete', TYPES.jobWithPackages, jobProps(), { physicalId: 'fw-rollout' }));
    expect(mutatingCalls(emu)).toEqual([]);
  });
});

describe('special destinations', () => {
  test('$default installs the package\'s default version; $null uninstalls a package', async () => {
    // GIVEN fw with a default version, and another package to uninstall
    await givenVersions();
    await run(cfnEvent('Create', TYPES.defaultVersion, { PackageName: 'fw', VersionName: '1.0.0' }));
    await run(cfnEvent('Create', TYPES.softwarePackage, { PackageName: 'legacy-agent' }, { logicalId: 'Legacy' }));
    const destinations = [`${ARN}:package/fw/version/$default`, `${ARN}:package/legacy-agent/version/$null`];

    // WHEN
    await run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({ DestinationPackageVersions: destinations })));

    // THEN
    expect(job()?.destinationPackageVersions).toEqual(destinations);
  });

  test('$default of a package without a default version is refused before any change', async () => {
    await givenVersions();
    emu.clearCalls();
    await expect(run(cfnEvent('Create', TYPES.jobWithPackages, jobProps({ DestinationPackageVersions: [`${ARN}:package/fw/version/$default`] }))))
      .rejects.toThrow('fw has no default version to deploy as $default');
    expect(emu.callsTo('CreateJob')).toEqual([]);
  });
});
