import type { Context } from 'aws-lambda';
import { cfnEvent, startEmulator, TYPES } from './util';
import { run } from '../../lambda/index';
import { IotEmulator } from '../../local-cloud/emulator/iot-emulator';

let emu: IotEmulator;

beforeAll(async () => {
  emu = await startEmulator();
  process.env.JOB_POLL_BASE_DELAY_MS = '20';
});
afterAll(async () => emu.stop());

const ARN = 'arn:aws:iot:us-east-1:123456789012';

/** A Lambda context whose function times out `ms` milliseconds from now. */
function lambdaContext(ms: number): Context {
  const deadline = Date.now() + ms;
  return { getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
}

test('a job delete waits for the job to be gone only while the Lambda has time to answer', async () => {
  // GIVEN a job whose deletion the service never finishes
  await run(cfnEvent('Create', TYPES.softwarePackage, { PackageName: 'fw' }));
  await run(cfnEvent('Create', TYPES.packageVersion, { PackageName: 'fw', VersionName: '1', Status: 'PUBLISHED' }));
  const props = {
    JobId: 'stuck',
    Targets: [`${ARN}:thinggroup/fleet`],
    TargetSelection: 'SNAPSHOT',
    DestinationPackageVersions: [`${ARN}:package/fw/version/1`],
    Document: '{}',
    ForceDelete: 'true',
  };
  await run(cfnEvent('Create', TYPES.jobWithPackages, props));
  emu.setJobStatus('stuck', 'DELETION_IN_PROGRESS');

  // WHEN the function has 31 s left (30 s are kept to answer CloudFormation)
  const started = Date.now();
  const deletion = run(cfnEvent('Delete', TYPES.jobWithPackages, props, { physicalId: 'stuck' }), lambdaContext(31_000));

  // THEN it gives up within about a second with a message saying what to do
  await expect(deletion).rejects.toThrow('Job stuck is still DELETION_IN_PROGRESS after waiting for its deletion; its package versions cannot be deleted yet. Retry the deletion later.');
  expect(Date.now() - started).toBeLessThan(5_000);
});
