import {
  CreatePackageCommand,
  CreatePackageVersionCommand,
  IoTClient,
  ThingIndexingConfiguration,
  UpdateIndexingConfigurationCommand,
  UpdatePackageConfigurationCommand,
} from '@aws-sdk/client-iot';
import { ACCOUNT, DOCUMENT, groupArn, IOT_ARN, jobsApp, JobsSpec, STACK, versionArn } from './jobs-app';
import { LocalCloud } from '../../local-cloud';
import { iotClient, RecordedCall } from '../../local-cloud/emulator/iot-emulator';
import { jobTemplateProvider } from '../../local-cloud/harness/native-iot';

/**
 * The lifecycle of the package configuration, `$package` fleet indexing, jobs and job templates
 * as CloudFormation runs it: through the deploy harness, with the bundled handler, against the
 * IoT emulator.
 */

const V1 = versionArn('fw', '1.0.0');
const V2 = versionArn('fw', '1.1.0');
const FLEET = groupArn('fleet');
const CANARY = groupArn('canary');
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/someone-elses-package-shadow-role`;
const DISABLED = { versionUpdateByJobsConfig: { enabled: false } };

let cloud: LocalCloud;
let sdk: IoTClient;

beforeEach(async () => {
  cloud = await LocalCloud.start({
    harness: {
      // Poll a job being deleted every ~20 ms instead of every ~2 s.
      env: { JOB_POLL_BASE_DELAY_MS: '20' },
      resourceProviders: { 'AWS::IoT::JobTemplate': jobTemplateProvider(() => sdk) },
    },
  });
  sdk = iotClient(cloud.iot);
});
afterEach(async () => cloud.stop());

async function deploy(spec: JobsSpec) {
  return cloud.harness.deploy(cloud.synth(jobsApp(spec)), STACK);
}

/** Calls that change something, as `Operation status`. */
function mutations(calls: RecordedCall[] = cloud.iot.calls): string[] {
  return calls.filter((c) => !/^(Get|List|Describe)/.test(c.operation)).map((c) => `${c.operation} ${c.status}`);
}

/** The index of the first call that satisfies `match` (fails the test when there is none). */
function indexOf(match: (c: RecordedCall) => boolean, what: string): number {
  const index = cloud.iot.calls.findIndex(match);
  if (index < 0) throw new Error(`no call ${what} in ${mutations().join(', ')}`);
  return index;
}
/** A look among the jobs being deleted that no longer finds the job (or any job): it is gone. */
const goneFrom = (jobId?: string) => (c: RecordedCall) => c.operation === 'ListJobs' && c.input.status === 'DELETION_IN_PROGRESS'
  && c.status < 300 && !((c.output as { jobs?: Array<{ jobId: string }> }).jobs ?? []).some((j) => jobId === undefined || j.jobId === jobId);
const call = (operation: string, input: Record<string, unknown> = {}) => (c: RecordedCall) =>
  c.operation === operation && c.status < 300 && Object.entries(input).every(([k, v]) => c.input[k] === v);

/** The logical id and physical id of the one resource of a type in the stack. */
function resourceOfType(type: string, logicalIdPrefix = ''): { logicalId: string; physicalId: string; properties: any } {
  const found = Object.entries(cloud.harness.resources(STACK)).filter(([id, r]) => r.type === type && id.startsWith(logicalIdPrefix));
  expect(found).toHaveLength(1);
  const [[logicalId, resource]] = found;
  return { logicalId, physicalId: resource.physicalId, properties: resource.properties };
}

/** The ARN the harness gave the PackageConfiguration's role. */
function configurationRoleArn(): string {
  const role = resourceOfType('AWS::IAM::Role', 'ConfigurationRole');
  return `arn:aws:iam::${ACCOUNT}:role/${role.physicalId}`;
}

const jobId = () => resourceOfType('Custom::IotJobWithPackages').physicalId;
const jobs = () => cloud.iot.snapshot().jobs;

async function setIndexing(thingIndexingConfiguration: ThingIndexingConfiguration) {
  await sdk.send(new UpdateIndexingConfigurationCommand({ thingIndexingConfiguration }));
}
/** Thing indexing as the service means it: a mode that is not set is OFF. */
function thingIndexing(): Record<string, unknown> {
  const config = cloud.iot.snapshot().indexingConfiguration.thingIndexingConfiguration;
  return {
    thingConnectivityIndexingMode: 'OFF',
    namedShadowIndexingMode: 'OFF',
    deviceDefenderIndexingMode: 'OFF',
    ...config,
  };
}

const withJob: JobsSpec = { configuration: {}, job: { thingGroups: ['fleet'], description: 'Firmware 1.0.0' } };

describe('PackageConfiguration', () => {
  test('deploy enables it with the stack\'s role; destroy restores the previous (disabled) configuration', async () => {
    // GIVEN an account whose package configuration was never enabled
    expect(cloud.iot.snapshot().packageConfiguration).toEqual(DISABLED);

    // WHEN
    const deployed = await deploy({ configuration: {} });

    // THEN it is enabled with the role the stack created for it
    expect(deployed.status).toEqual('CREATE_COMPLETE');
    const roleArn = configurationRoleArn();
    expect(resourceOfType('Custom::IotPackageConfiguration').properties.RoleArn).toEqual(roleArn);
    expect(cloud.iot.snapshot().packageConfiguration).toEqual({ versionUpdateByJobsConfig: { enabled: true, roleArn } });
    expect(cloud.iot.callsTo('UpdatePackageConfiguration').map((c) => c.input.versionUpdateByJobsConfig)).toEqual([{ enabled: true, roleArn }]);

    // WHEN
    const destroyed = await cloud.harness.destroy(STACK);

    // THEN disabled again, as it was
    expect(destroyed.status).toEqual('DELETE_COMPLETE');
    expect(cloud.iot.snapshot().packageConfiguration).toEqual(DISABLED);
  });

  test('a configuration enabled with another role is never clobbered: the deploy fails, rolls back, and leaves it', async () => {
    // GIVEN someone else's configuration
    await sdk.send(new UpdatePackageConfigurationCommand({ versionUpdateByJobsConfig: { enabled: true, roleArn: OTHER_ROLE } }));
    const before = cloud.iot.snapshot();
    cloud.iot.clearCalls();

    // WHEN
    const result = await deploy({ configuration: {} });

    // THEN the failure says whose it is and what to do; nothing changed
    expect(result.status).toEqual('ROLLBACK_COMPLETE');
    expect(result.failure).toContain('is owned by someone else; it is enabled with role ' + OTHER_ROLE);
    expect(result.failure).toContain('It was left unchanged.');
    expect(cloud.iot.callsTo('UpdatePackageConfiguration')).toEqual([]);
    expect(cloud.iot.snapshot()).toEqual(before);
    expect(cloud.iot.snapshot().packageConfiguration).toEqual({ versionUpdateByJobsConfig: { enabled: true, roleArn: OTHER_ROLE } });
  });

  test('RETAIN leaves the configuration enabled when the stack is destroyed', async () => {
    // GIVEN
    await deploy({ configuration: { retain: true } });
    const roleArn = configurationRoleArn();
    cloud.iot.clearCalls();

    // WHEN
    const destroyed = await cloud.harness.destroy(STACK);

    // THEN
    expect(destroyed.status).toEqual('DELETE_COMPLETE');
    expect(destroyed.events).toContainEqual(expect.objectContaining({ resourceType: 'Custom::IotPackageConfiguration', status: 'SKIPPED' }));
    expect(cloud.iot.callsTo('UpdatePackageConfiguration')).toEqual([]);
    expect(cloud.iot.snapshot().packageConfiguration).toEqual({ versionUpdateByJobsConfig: { enabled: true, roleArn } });
  });
});

describe('$package fleet indexing', () => {
  const existing: ThingIndexingConfiguration = {
    thingIndexingMode: 'REGISTRY_AND_SHADOW',
    namedShadowIndexingMode: 'ON',
    thingConnectivityIndexingMode: 'STATUS',
    filter: { namedShadowNames: ['config', 'telemetry'] },
  };

  test('existing settings are kept and $package merged in; destroy removes only what it added', async () => {
    // GIVEN indexing that someone already set up
    await setIndexing(existing);
    const before = thingIndexing();

    // WHEN
    expect((await deploy({ configuration: { fleetIndexing: true } })).status).toEqual('CREATE_COMPLETE');

    // THEN only the shadow name was added
    expect(thingIndexing()).toEqual({ ...before, filter: { namedShadowNames: ['config', 'telemetry', '$package'] } });

    // WHEN someone else adds a shadow of their own, and then the stack is destroyed
    await setIndexing({ ...existing, filter: { namedShadowNames: ['config', 'telemetry', '$package', 'ota'] } });
    expect((await cloud.harness.destroy(STACK)).status).toEqual('DELETE_COMPLETE');

    // THEN $package is gone and everything else stays, theirs included
    expect(thingIndexing()).toEqual({ ...before, filter: { namedShadowNames: ['config', 'telemetry', 'ota'] } });
  });

  test('from indexing OFF: turns on what $package needs, and turns it off again on destroy', async () => {
    // GIVEN an account that never configured fleet indexing
    const before = thingIndexing();
    expect(before.thingIndexingMode).toEqual('OFF');

    // WHEN
    await deploy({ configuration: { fleetIndexing: true } });

    // THEN
    expect(thingIndexing()).toEqual({
      ...before,
      thingIndexingMode: 'REGISTRY_AND_SHADOW',
      namedShadowIndexingMode: 'ON',
      filter: { namedShadowNames: ['$package'] },
    });

    // WHEN / THEN
    await cloud.harness.destroy(STACK);
    expect(thingIndexing()).toEqual(before);
  });
});

describe('JobWithPackages', () => {
  test('deploy creates the job with the published version\'s ARN and the document, after the configuration', async () => {
    // WHEN a stack with a package, a published version, the configuration and a job
    const result = await deploy(withJob);

    // THEN
    expect(result.status).toEqual('CREATE_COMPLETE');
    const [job] = jobs();
    expect(jobs()).toHaveLength(1);
    expect(job).toMatchObject({
      jobId: jobId(),
      status: 'IN_PROGRESS',
      targets: [FLEET],
      targetSelection: 'SNAPSHOT',
      destinationPackageVersions: [V1],
      description: 'Firmware 1.0.0',
    });
    expect(JSON.parse(job.document!)).toEqual(DOCUMENT);
    // the job came after the version was published and after the configuration was enabled
    const created = indexOf(call('CreateJob'), 'CreateJob');
    expect(indexOf(call('UpdatePackageVersion', { action: 'PUBLISH' }), 'publish')).toBeLessThan(created);
    expect(indexOf(call('UpdatePackageConfiguration'), 'UpdatePackageConfiguration')).toBeLessThan(created);
    expect(cloud.iot.callsTo('CreateJob')).toHaveLength(1);
  });

  test('a description or rollout change is one UpdateJob on the same job', async () => {
    // GIVEN
    await deploy(withJob);
    const id = jobId();
    cloud.iot.clearCalls();

    // WHEN
    const result = await deploy({ ...withJob, job: { ...withJob.job!, description: 'Firmware 1.0.0, slowly', maximumPerMinute: 50 } });

    // THEN
    expect(result.status).toEqual('UPDATE_COMPLETE');
    expect(jobId()).toEqual(id);
    expect(mutations()).toEqual(['UpdateJob 200']);
    expect(cloud.iot.callsTo('UpdateJob')[0].input).toEqual({
      jobId: id,
      description: 'Firmware 1.0.0, slowly',
      jobExecutionsRolloutConfig: { maximumPerMinute: 50 },
    });
    expect(jobs()).toEqual([expect.objectContaining({
      jobId: id, status: 'IN_PROGRESS', description: 'Firmware 1.0.0, slowly', jobExecutionsRolloutConfig: { maximumPerMinute: 50 },
    })]);
  });

  test('a change of targets replaces the job: a new job id, the old job canceled and deleted in cleanup', async () => {
    // GIVEN
    await deploy(withJob);
    const oldId = jobId();
    cloud.iot.clearCalls();

    // WHEN
    const result = await deploy({ ...withJob, job: { ...withJob.job!, thingGroups: ['fleet', 'canary'] } });

    // THEN
    expect(result.status).toEqual('UPDATE_COMPLETE');
    const newId = jobId();
    expect(newId).not.toEqual(oldId);
    expect(result.events.filter((e) => e.phase === 'cleanup' && e.status === 'COMPLETE').map((e) => e.physicalId)).toEqual([oldId]);
    expect(jobs()).toEqual([expect.objectContaining({ jobId: newId, status: 'IN_PROGRESS', targets: [FLEET, CANARY], destinationPackageVersions: [V1] })]);
    // the new job first; then the old one canceled, deleted, and waited for
    expect(mutations()).toEqual(['CreateJob 200', 'CancelJob 200', 'DeleteJob 200']);
    expect(cloud.iot.callsTo('CreateJob')[0].input.jobId).toEqual(newId);
    // without force: devices already installing the old release finish their install
    expect(cloud.iot.callsTo('CancelJob')[0].input).toMatchObject({ jobId: oldId, force: false });
    expect(cloud.iot.callsTo('DeleteJob')[0].input).toMatchObject({ jobId: oldId, force: false });
    expect(cloud.iot.calls.some(goneFrom(oldId))).toBe(true);
  });

  test.each([
    [undefined, false],
    [true, true],
  ])('destroy while the job is IN_PROGRESS (forceDelete %p): canceled, deleted and gone before its version is deleted', async (forceDelete, force) => {
    // GIVEN a job still running on devices
    await deploy({ ...withJob, job: { ...withJob.job!, forceDelete } });
    const id = jobId();
    expect(jobs()).toEqual([expect.objectContaining({ jobId: id, status: 'IN_PROGRESS' })]);
    cloud.iot.clearCalls();

    // WHEN
    const result = await cloud.harness.destroy(STACK);

    // THEN
    expect(result.status).toEqual('DELETE_COMPLETE');
    const snapshot = cloud.iot.snapshot();
    expect(snapshot.jobs).toEqual([]);
    expect(snapshot.packages).toEqual([]);
    expect(snapshot.packageConfiguration).toEqual(DISABLED);

    const canceled = indexOf(call('CancelJob', { jobId: id, force }), 'CancelJob');
    const deleted = indexOf(call('DeleteJob', { jobId: id, force }), 'DeleteJob');
    const gone = indexOf(goneFrom(id), 'ListJobs → gone');
    const versionDeleted = indexOf(call('DeletePackageVersion', { packageName: 'fw', versionName: '1.0.0' }), 'DeletePackageVersion');
    const configurationDisabled = indexOf(call('UpdatePackageConfiguration'), 'UpdatePackageConfiguration');
    expect(canceled).toBeLessThan(deleted);
    expect(deleted).toBeLessThan(gone);
    expect(gone).toBeLessThan(versionDeleted);
    // the job depends on the configuration: the configuration is disabled only once the job is gone
    expect(gone).toBeLessThan(configurationDisabled);
  });

  test('a new versionName for the job\'s version replaces the version and the job; the old job goes before the old version', async () => {
    // GIVEN a job that installs fw/1.0.0
    await deploy(withJob);
    const oldId = jobId();
    cloud.iot.clearCalls();

    // WHEN the same version construct gets a new versionName (a new release of the firmware)
    const result = await deploy({ ...withJob, versions: [{ id: 'V1', versionName: '1.0.1' }] });

    // THEN a new job installs the new version; the old job and the old version are gone
    expect(result.failure).toBeUndefined();
    expect(result.status).toEqual('UPDATE_COMPLETE');
    expect(jobId()).not.toEqual(oldId);
    expect(jobs()).toEqual([expect.objectContaining({ jobId: jobId(), destinationPackageVersions: [versionArn('fw', '1.0.1')] })]);
    expect(cloud.iot.snapshot().packages[0].versions.map((v) => v.versionName)).toEqual(['1.0.1']);
    const oldJobGone = indexOf(goneFrom(oldId), 'ListJobs → gone');
    expect(oldJobGone).toBeLessThan(indexOf(call('DeletePackageVersion', { versionName: '1.0.0' }), 'DeletePackageVersion 1.0.0'));
  });

  test('with an explicit jobId, a change of targets fails with a clear message and rolls back to the previous state', async () => {
    // GIVEN
    const named: JobsSpec = { ...withJob, job: { ...withJob.job!, jobId: 'fw-rollout' } };
    await deploy(named);
    const before = cloud.iot.snapshot();
    cloud.iot.clearCalls();

    // WHEN
    const result = await deploy({ ...named, job: { ...named.job!, thingGroups: ['fleet', 'canary'] } });

    // THEN the update is refused before any change, and the rollback restores the stack
    expect(result.failure).toContain('Job fw-rollout: targets cannot change on an existing job. Nothing was changed. Set a new jobId');
    expect(mutations()).toEqual([]);
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(cloud.harness.status(STACK)).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(cloud.iot.snapshot()).toEqual(before);
  });

  test('an in-place update rolled back because a later resource failed: the job keeps working, the stack rolls back', async () => {
    // GIVEN a job without a rollout configuration
    await deploy(withJob);
    const id = jobId();
    cloud.iot.faults.failOperation('UpdatePackageVersion', {
      resource: 'fw/2.0.0',
      when: (input) => input.action === 'PUBLISH',
      error: { name: 'ValidationException', status: 400, message: 'publish refused' },
    });

    // WHEN one deploy adds a rollout rate to the job, and a version created after the job fails
    const result = await deploy({
      ...withJob,
      job: { ...withJob.job!, versions: ['V1'], maximumPerMinute: 50 },
      versionsAfterJob: [{ id: 'V2', versionName: '2.0.0' }],
    });

    // THEN the deploy fails on the version, and the rollback completes (the service cannot take
    // a rollout configuration off a job: it may stay, but the stack must not be stuck)
    expect(result.failure).toContain('publish refused');
    expect(result.failure).not.toContain('rollback failed');
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(jobs()).toEqual([expect.objectContaining({ jobId: id, status: 'IN_PROGRESS' })]);
    expect(cloud.iot.snapshot().packages[0].versions.map((v) => v.versionName)).toEqual(['1.0.0']);
  });

  test('a version that is DRAFT at deploy time: fails before any CreateJob, and rollback leaves the emulator as before', async () => {
    // GIVEN a version created outside the stack and never published
    await sdk.send(new CreatePackageCommand({ packageName: 'vendor' }));
    await sdk.send(new CreatePackageVersionCommand({ packageName: 'vendor', versionName: '2.0.0' }));
    const before = cloud.iot.snapshot();
    cloud.iot.clearCalls();

    // WHEN a job installs it, with the stack's own published version
    const result = await deploy({ ...withJob, job: { ...withJob.job!, importedVersionArns: [versionArn('vendor', '2.0.0')] } });

    // THEN
    expect(result.status).toEqual('ROLLBACK_COMPLETE');
    expect(result.failure).toContain('a job can deploy only PUBLISHED or DEPRECATED package versions, and vendor/2.0.0 is DRAFT. Publish the versions first');
    expect(cloud.iot.callsTo('CreateJob')).toEqual([]);
    expect(cloud.iot.snapshot()).toEqual(before);
  });
});

describe('JobTemplateWithPackages', () => {
  const withTemplate: JobsSpec = {
    versions: [{ id: 'V1', versionName: '1.0.0' }, { id: 'V2', versionName: '1.1.0' }],
    template: { description: 'Install firmware 1.0.0 and 1.1.0' },
    job: { thingGroups: ['fleet'], fromTemplate: true },
  };

  test('the template names the versions\' ARNs, and a job starts from it', async () => {
    // WHEN
    const result = await deploy(withTemplate);

    // THEN the template exists in IoT with the published versions
    expect(result.status).toEqual('CREATE_COMPLETE');
    const templateId = resourceOfType('AWS::IoT::JobTemplate').physicalId;
    const snapshot = cloud.iot.snapshot();
    expect(snapshot.jobTemplates).toEqual([expect.objectContaining({
      jobTemplateId: templateId,
      description: 'Install firmware 1.0.0 and 1.1.0',
      destinationPackageVersions: [V1, V2],
    })]);
    expect(JSON.parse(snapshot.jobTemplates[0].document!)).toEqual(DOCUMENT);
    // and the job starts from it: its document, its versions
    expect(snapshot.jobs).toEqual([expect.objectContaining({
      jobId: jobId(),
      jobTemplateArn: `${IOT_ARN}:jobtemplate/${templateId}`,
      destinationPackageVersions: [V1, V2],
      document: snapshot.jobTemplates[0].document,
      targets: [FLEET],
    })]);
    expect(cloud.iot.callsTo('CreateJob')[0].input).not.toHaveProperty('document');
    expect(indexOf(call('CreateJobTemplate'), 'CreateJobTemplate')).toBeLessThan(indexOf(call('CreateJob'), 'CreateJob'));

    // WHEN / THEN destroy: the job before the template, the template before the versions
    cloud.iot.clearCalls();
    expect((await cloud.harness.destroy(STACK)).status).toEqual('DELETE_COMPLETE');
    expect(cloud.iot.snapshot()).toMatchObject({ jobs: [], jobTemplates: [], packages: [] });
    const jobGone = indexOf(goneFrom(), 'ListJobs → gone');
    const templateDeleted = indexOf(call('DeleteJobTemplate', { jobTemplateId: templateId }), 'DeleteJobTemplate');
    expect(jobGone).toBeLessThan(templateDeleted);
    expect(templateDeleted).toBeLessThan(indexOf(call('DeletePackageVersion'), 'DeletePackageVersion'));
  });

  test('a template change replaces the template, and the job that starts from it', async () => {
    // GIVEN
    await deploy(withTemplate);
    const oldTemplate = resourceOfType('AWS::IoT::JobTemplate').physicalId;
    const oldJob = jobId();

    // WHEN the template names one version less
    const result = await deploy({ ...withTemplate, template: { description: 'Install firmware 1.1.0', versions: ['V2'] } });

    // THEN both are new, and the old ones are gone
    expect(result.status).toEqual('UPDATE_COMPLETE');
    const newTemplate = resourceOfType('AWS::IoT::JobTemplate').physicalId;
    expect(newTemplate).not.toEqual(oldTemplate);
    expect(jobId()).not.toEqual(oldJob);
    const snapshot = cloud.iot.snapshot();
    expect(snapshot.jobTemplates.map((t) => [t.jobTemplateId, t.destinationPackageVersions])).toEqual([[newTemplate, [V2]]]);
    expect(snapshot.jobs.map((j) => [j.jobId, j.jobTemplateArn])).toEqual([[jobId(), `${IOT_ARN}:jobtemplate/${newTemplate}`]]);
  });
  test('a change of a template\'s tags replaces it under a new id (tags are create-only), the old one gone', async () => {
    // GIVEN
    await deploy({ ...withTemplate, job: undefined, template: { ...withTemplate.template!, tags: { stage: 'canary' } } });
    const oldTemplate = resourceOfType('AWS::IoT::JobTemplate').physicalId;
    expect(cloud.iot.snapshot().jobTemplates.map((t) => t.tags)).toEqual([{ stage: 'canary' }]);

    // WHEN
    const result = await deploy({ ...withTemplate, job: undefined, template: { ...withTemplate.template!, tags: { stage: 'fleet' } } });

    // THEN
    expect(result.failure).toBeUndefined();
    expect(result.status).toEqual('UPDATE_COMPLETE');
    const newTemplate = resourceOfType('AWS::IoT::JobTemplate').physicalId;
    expect(newTemplate).not.toEqual(oldTemplate);
    expect(cloud.iot.snapshot().jobTemplates.map((t) => [t.jobTemplateId, t.tags])).toEqual([[newTemplate, { stage: 'fleet' }]]);
    expect(cloud.iam.denials).toEqual([]);
  });

  test('a new versionName for a version the template names replaces the template (a new id: the old one is still taken)', async () => {
    // GIVEN
    await deploy({ ...withTemplate, job: undefined });
    const oldTemplate = resourceOfType('AWS::IoT::JobTemplate').physicalId;

    // WHEN
    const result = await deploy({ ...withTemplate, job: undefined, versions: [{ id: 'V1', versionName: '1.0.1' }, { id: 'V2', versionName: '1.1.0' }] });

    // THEN
    expect(result.failure).toBeUndefined();
    expect(result.status).toEqual('UPDATE_COMPLETE');
    const newTemplate = resourceOfType('AWS::IoT::JobTemplate').physicalId;
    expect(newTemplate).not.toEqual(oldTemplate);
    expect(cloud.iot.snapshot().jobTemplates.map((t) => [t.jobTemplateId, t.destinationPackageVersions]))
      .toEqual([[newTemplate, [versionArn('fw', '1.0.1'), V2]]]);
  });
});

describe('throttling', () => {
  test('a 30 % throttling storm during deploy and destroy of configuration, indexing and job: converges, no duplicates', async () => {
    // GIVEN
    cloud.iot.faults.throttle(0.3);

    // WHEN
    const deployed = await deploy({ ...withJob, configuration: { fleetIndexing: true } });

    // THEN
    expect(deployed.status).toEqual('CREATE_COMPLETE');
    const snapshot = cloud.iot.snapshot();
    expect(snapshot.packageConfiguration).toEqual({ versionUpdateByJobsConfig: { enabled: true, roleArn: configurationRoleArn() } });
    expect(snapshot.indexingConfiguration.thingIndexingConfiguration.filter).toEqual({ namedShadowNames: ['$package'] });
    expect(snapshot.jobs).toEqual([expect.objectContaining({ jobId: jobId(), status: 'IN_PROGRESS', destinationPackageVersions: [V1] })]);
    expect(cloud.iot.callsTo('CreateJob').filter((c) => c.status < 300)).toHaveLength(1);
    // the storm did hit this deploy (the fault RNG is seeded: the same calls every run)
    expect(cloud.iot.calls.filter((c) => c.errorType === 'ThrottlingException').length).toBeGreaterThan(0);

    // WHEN
    cloud.iot.clearCalls();
    const destroyed = await cloud.harness.destroy(STACK);

    // THEN
    expect(destroyed.status).toEqual('DELETE_COMPLETE');
    const after = cloud.iot.snapshot();
    expect(after).toMatchObject({ packages: [], jobs: [], packageConfiguration: DISABLED });
    expect(thingIndexing()).toMatchObject({ thingIndexingMode: 'OFF', namedShadowIndexingMode: 'OFF' });
    expect(after.indexingConfiguration.thingIndexingConfiguration.filter).toBeUndefined();
    expect(cloud.iot.calls.filter((c) => c.errorType === 'ThrottlingException').length).toBeGreaterThan(0);
    // the job was canceled and deleted once, and gone before its version was deleted
    expect(mutations(cloud.iot.callsTo('DeleteJob').filter((c) => c.status < 300))).toEqual(['DeleteJob 200']);
    expect(indexOf(goneFrom(), 'ListJobs → gone'))
      .toBeLessThan(indexOf(call('DeletePackageVersion'), 'DeletePackageVersion'));
  });
});
