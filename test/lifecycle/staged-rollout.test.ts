/**
 * A staged rollout declared as a stack (examples/staged-rollout.ts), deployed through the
 * harness with IAM enforced: the canary stage, then the fleet stage with its dynamic thing
 * group as a continuous job target, fleet metrics and a dashboard, the jobs' tags, and destroy.
 * What the service holds is checked after each step.
 */
import { App, Stack, Tags } from 'aws-cdk-lib';
import { buildRolloutApp, RolloutStage } from '../../examples/staged-rollout';
import { LocalCloud } from '../../local-cloud';
import { JobDocument, JobTargets, JobWithPackages, SoftwarePackage } from '../../src';

const STACK = 'PumpFirmwareRollout';
const ARN = 'arn:aws:iot:us-east-1:123456789012';

let cloud: LocalCloud;
beforeEach(async () => {
  cloud = await LocalCloud.start({ harness: { env: { JOB_POLL_BASE_DELAY_MS: '10' } } });
});
afterEach(async () => cloud.stop());

const deploy = (stage: RolloutStage) => cloud.harness.deploy(cloud.synth((outdir) => buildRolloutApp(stage, outdir).app), STACK);
const jobs = () => Object.fromEntries(cloud.iot.snapshot().jobs.filter((j) => j.status !== 'DELETION_IN_PROGRESS').map((j) => [j.jobId, j]));
const recorded = (type: string) => Object.values(cloud.harness.resources(STACK)).filter((r) => r.type === type);

test('canary, then the fleet through a dynamic group, charted by fleet metrics; destroy leaves nothing', async () => {
  expect(await deploy('canary')).toMatchObject({ status: 'CREATE_COMPLETE' });
  expect(Object.keys(jobs())).toEqual(['pump-firmware-2_0_0-canary']);
  expect(jobs()['pump-firmware-2_0_0-canary']).toMatchObject({
    targets: [`${ARN}:thinggroup/pump-canary`],
    tags: expect.objectContaining({ rollout: 'pump-firmware-2.0.0' }),
  });
  const indexing = cloud.iot.snapshot().indexingConfiguration.thingIndexingConfiguration;
  expect(indexing).toMatchObject({ thingIndexingMode: 'REGISTRY_AND_SHADOW', namedShadowIndexingMode: 'ON', filter: { namedShadowNames: ['$package'] } });
  expect(recorded('AWS::IoT::FleetMetric').map((r) => r.properties.MetricName).sort())
    .toEqual(['pump-firmware-1.0.0', 'pump-firmware-2.0.0', 'pump-firmware-total']);

  expect(await deploy('fleet')).toMatchObject({ status: 'UPDATE_COMPLETE' });
  const [group] = recorded('AWS::IoT::ThingGroup');
  expect(group.properties.QueryString).toEqual(
    'thingTypeName:pump AND NOT shadow.name.$package.reported.pump-firmware.version:2.0.0');
  expect(jobs()['pump-firmware-2_0_0-fleet']).toMatchObject({
    targets: [`${ARN}:thinggroup/pumps-not-on-pump-firmware-2_0_0`],
    targetSelection: 'CONTINUOUS',
    destinationPackageVersions: [`${ARN}:package/pump-firmware/version/2.0.0`],
    tags: expect.objectContaining({ rollout: 'pump-firmware-2.0.0' }),
  });
  // The canary job is the same job: the fleet stage adds, it does not replace.
  expect(Object.keys(jobs()).sort()).toEqual(['pump-firmware-2_0_0-canary', 'pump-firmware-2_0_0-fleet']);
  expect(cloud.iam.denials).toEqual([]);

  expect(await cloud.harness.destroy(STACK)).toMatchObject({ status: 'DELETE_COMPLETE' });
  expect(cloud.iot.snapshot()).toMatchObject({ packages: [] });
  expect(jobs()).toEqual({});
  expect(cloud.iot.snapshot().indexingConfiguration.thingIndexingConfiguration.thingIndexingMode).toEqual('OFF');
  expect(cloud.iam.denials).toEqual([]);
});

test('a change of a job\'s tags is applied in place: same job, the owner tag kept', async () => {
  const TAGGED = 'TaggedJob';
  const app = (tags: Record<string, string>) => (outdir: string) => {
    const a = new App({ outdir });
    const stack = new Stack(a, TAGGED, { env: { account: '123456789012', region: 'us-east-1' } });
    const v1 = new SoftwarePackage(stack, 'Fw', { packageName: 'fw' }).addVersion('V1', { versionName: '1.0.0' });
    const job = new JobWithPackages(stack, 'Job', {
      jobId: 'fw-1_0_0', targets: [JobTargets.thing(stack, 'pump-1')], destinationPackageVersions: [v1], document: JobDocument.fromObject({}),
    });
    for (const [key, value] of Object.entries(tags)) Tags.of(job).add(key, value);
    return a;
  };
  const jobTags = () => cloud.iot.snapshot().jobs.find((j) => j.jobId === 'fw-1_0_0')?.tags;

  expect(await cloud.harness.deploy(cloud.synth(app({ stage: 'canary', team: 'pumps' })), TAGGED)).toMatchObject({ status: 'CREATE_COMPLETE' });
  expect(jobTags()).toEqual({ 'stage': 'canary', 'team': 'pumps', 'cdk-iot-package-catalog:stack-id': expect.stringContaining(`:stack/${TAGGED}/`) });

  cloud.iot.clearCalls();
  expect(await cloud.harness.deploy(cloud.synth(app({ stage: 'fleet' })), TAGGED)).toMatchObject({ status: 'UPDATE_COMPLETE' });
  expect(jobTags()).toEqual({ 'stage': 'fleet', 'cdk-iot-package-catalog:stack-id': expect.stringContaining(`:stack/${TAGGED}/`) });
  expect(cloud.iot.calls.filter((c) => !/^(Get|List|Describe)/.test(c.operation)).map((c) => c.operation)).toEqual(['UntagResource', 'TagResource']);
  expect(cloud.iam.denials).toEqual([]);
  expect(await cloud.harness.destroy(TAGGED)).toMatchObject({ status: 'DELETE_COMPLETE' });
});
