import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  JobDocument,
  JobTargets,
  JobTemplateWithPackages,
  JobWithPackages,
  PackageConfiguration,
  PackageVersionArtifact,
  PackageVersionSbom,
  PackageVersionStatus,
  SoftwarePackage,
} from '../../src';

const FIRMWARE = path.join(__dirname, '..', 'fixtures', 'firmware.bin');

/** A stack that uses every construct of the library, as a user's stack would. */
function everyConstruct(app: App, environmentAgnostic = false): Stack {
  const env = environmentAgnostic ? undefined : { account: '123456789012', region: 'us-east-1' };
  const stack = new Stack(app, 'EveryConstruct', { env });
  const configuration = new PackageConfiguration(stack, 'Configuration', { fleetIndexing: true });
  const pkg = new SoftwarePackage(stack, 'Firmware', { packageName: 'sensor-firmware', autoDeleteVersions: true });
  const releases = s3.Bucket.fromBucketName(stack, 'Releases', 'sensor-releases');
  const v1 = pkg.addVersion('V1', {
    versionName: '1.0.0',
    isDefaultVersion: true,
    artifact: PackageVersionArtifact.fromAsset(FIRMWARE),
    sbom: PackageVersionSbom.fromBucket(releases, 'sbom/1.0.0.zip', 'v1'),
  });
  pkg.addVersion('V2', { versionName: '1.1.0', status: PackageVersionStatus.DRAFT });
  const document = JobDocument.fromObject({ operation: 'install' });
  new JobWithPackages(stack, 'Rollout', {
    targets: [JobTargets.thingGroup(stack, 'sensors')],
    destinationPackageVersions: [v1],
    document,
  });
  new JobTemplateWithPackages(stack, 'Template', {
    description: 'Install the sensor firmware',
    destinationPackageVersions: [v1],
    document,
  });
  void configuration;
  return stack;
}

/** Every unacknowledged finding as `RuleId at path: message`. */
function findings(app: App): string[] {
  // aws-cdk-lib 2.257 gives validation plugins no construct tree: run the pack on the tree directly.
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.flatMap((violation) => violation.violatingResources.map((resource) =>
    `${violation.ruleName} at ${JSON.stringify(resource)}`));
}

describe('cdk-nag AwsSolutions', () => {
  test.each([
    ['an environment', false],
    ['no environment (region and account as intrinsics)', true],
  ])('a stack with every construct, in %s, has no unacknowledged finding', (_name, environmentAgnostic) => {
    const app = new App();
    everyConstruct(app, environmentAgnostic);
    expect(findings(app)).toEqual([]);
  });

  test('the check can fail: an unacknowledged finding is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new s3.Bucket(stack, 'UnencryptedLogsOff');
    expect(findings(app).join('\n')).toMatch(/AwsSolutions-S1/);
  });
});
