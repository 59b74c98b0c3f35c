/**
 * What a new user meets on `cdk synth`: no deprecated API of aws-cdk-lib (these suites run with
 * JSII_DEPRECATED=fail, see test/setup.ts, on the oldest and the newest aws-cdk-lib), one package
 * name declared in two stacks of one environment fails naming both, and every validation error
 * names its construct.
 */
import * as path from 'path';
import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ENV } from './util';
import {
  DeviceQuery, DynamicThingGroup, JobDocument, JobTargetSelection, JobTargets, JobTemplateWithPackages, JobWithPackages, PackageAdoption,
  PackageConfiguration, PackagePlaceholder, PackageVersion,
  PackageVersionArtifact, PackageVersionSbom, PackageVersionStatus, SoftwarePackage,
} from '../../src';

const FIRMWARE = path.join(__dirname, '..', 'fixtures', 'firmware.bin');

/** An app that uses every construct, import and grant of the library. */
function everything(): App {
  const app = new App();
  const stack = new Stack(app, 'Everything', { env: ENV });
  const releases = s3.Bucket.fromBucketName(stack, 'Releases', 'releases');
  const firmware = new SoftwarePackage(stack, 'Firmware', { packageName: 'fw', description: 'Firmware' });
  const v1 = firmware.addVersion('V1', {
    versionName: '1.0.0',
    attributes: { board: 'rev-b' },
    artifact: PackageVersionArtifact.fromAsset(FIRMWARE),
    sbom: PackageVersionSbom.fromBucket(releases, 'sbom/fw-1.0.0.zip', 'v1'),
    isDefaultVersion: true,
  });
  firmware.addVersion('V0', { versionName: '0.9.0', status: PackageVersionStatus.DEPRECATED });
  new PackageConfiguration(stack, 'Configuration', { fleetIndexing: true });
  const role = new iam.Role(stack, 'Download', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
  const template = new JobTemplateWithPackages(stack, 'Template', {
    description: 'Install 1.0.0',
    destinationPackageVersions: [v1],
    document: JobDocument.fromObject({ board: PackagePlaceholder.attribute(v1, 'board') }),
  });
  new JobWithPackages(stack, 'Rollout', {
    targets: [JobTargets.thingGroup(stack, 'fleet')],
    destinationPackageVersions: [v1, PackageVersion.defaultVersionOf(stack, 'Default', firmware)],
    document: JobDocument.fromObject({ url: PackagePlaceholder.artifactUrl(v1) }),
    presignedUrlConfig: { role, expiresIn: Duration.hours(1) },
    timeoutConfig: { inProgressTimeout: Duration.hours(2) },
  });
  new JobWithPackages(stack, 'FromTemplate', { targets: [JobTargets.thing(stack, 'one')], destinationPackageVersions: [v1], jobTemplate: template });
  const notOnV1 = new DynamicThingGroup(stack, 'NotOnV1', { query: DeviceQuery.notRunningVersion(v1) });
  new JobWithPackages(stack, 'Upgrade', {
    targets: [notOnV1.thingGroupArn],
    targetSelection: JobTargetSelection.CONTINUOUS,
    destinationPackageVersions: [v1],
    document: JobDocument.fromObject({}),
  });
  const adoption = new PackageAdoption(stack, 'Adoption', { package: firmware, versions: [v1] });
  new cloudwatch.Dashboard(stack, 'Dashboard').addWidgets(adoption.widget());
  const ci = new iam.Role(stack, 'Ci', { assumedBy: new iam.AccountRootPrincipal() });
  SoftwarePackage.fromPackageName(stack, 'Other', 'other').grantRead(ci);
  PackageVersion.fromPackageVersionArn(stack, 'OtherVersion', 'arn:aws:iot:us-east-1:123456789012:package/other/version/2.0.0').grantCreateJob(ci);
  JobWithPackages.fromJobId(stack, 'OtherJob', 'other-rollout').grant(ci, 'iot:DescribeJob');
  return app;
}

test('synthesizing every construct uses no deprecated API: nothing is printed, nothing throws', () => {
  expect(process.env.JSII_DEPRECATED).toEqual('fail');
  const printed: string[] = [];
  const spies = [
    jest.spyOn(console, 'warn').mockImplementation((...args) => { printed.push(args.join(' ')); }),
    jest.spyOn(console, 'error').mockImplementation((...args) => { printed.push(args.join(' ')); }),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => { printed.push(String(chunk)); return true; }),
  ];
  try {
    everything().synth();
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
  expect(printed.filter((line) => /deprecat/i.test(line))).toEqual([]);
});

describe('one package name, two stacks', () => {
  const twoStacks = (env1: { account?: string; region?: string } | undefined, env2: typeof env1) => {
    const app = new App();
    new SoftwarePackage(new Stack(app, 'One', { env: env1 }), 'Firmware', { packageName: 'fw' });
    new SoftwarePackage(new Stack(app, 'Two', { env: env2 }), 'Firmware', { packageName: 'fw' });
  };
  const message = 'Package name "fw" is declared twice for the same account and region: One/Firmware and Two/Firmware would both create it. '
    + 'Declare the package once, and use it elsewhere through SoftwarePackage.fromPackageName(scope, id, "fw").';

  test.each([
    ['the same account and region', ENV, ENV],
    ['environment-agnostic stacks (they may deploy to the same place)', undefined, undefined],
  ])('in %s fails naming both', (_where, env1, env2) => {
    expect(() => twoStacks(env1, env2)).toThrow(message);
  });

  test.each([
    ['another region', ENV, { ...ENV, region: 'eu-west-1' }],
    ['another account', ENV, { ...ENV, account: '210987654321' }],
  ])('in %s is two packages', (_where, env1, env2) => {
    expect(() => twoStacks(env1, env2)).not.toThrow();
  });

  test('a stack inside a Stage of the app counts too', () => {
    const app = new App();
    new SoftwarePackage(new Stack(app, 'One', { env: ENV }), 'Firmware', { packageName: 'fw' });
    const stage = new Stage(app, 'Prod', { env: ENV });
    expect(() => new SoftwarePackage(new Stack(stage, 'Two'), 'Firmware', { packageName: 'fw' }))
      .toThrow('One/Firmware and Prod/Two/Firmware would both create it');
  });

  test('twice in one stack fails too', () => {
    const stack = new Stack(new App(), 'One', { env: ENV });
    new SoftwarePackage(stack, 'A', { packageName: 'fw' });
    expect(() => new SoftwarePackage(stack, 'B', { packageName: 'fw' })).toThrow('One/A and One/B would both create it');
  });
});

describe('every validation error names its construct', () => {
  const stack = () => new Stack(new App(), 'S', { env: ENV });
  const published = (s: Stack) => new SoftwarePackage(s, 'P', { packageName: 'fw' }).addVersion('V', { versionName: '1.0.0' });
  test.each<[string, (s: Stack) => unknown, string]>([
    ['a DRAFT default version', (s) => new SoftwarePackage(s, 'P').addVersion('V', { versionName: '1', status: PackageVersionStatus.DRAFT, isDefaultVersion: true }),
      'PackageVersion S/P/V: version "1" cannot be the default version while DRAFT: only a PUBLISHED or DEPRECATED version can be the default.'],
    ['more than 25 destinations', (s) => new JobWithPackages(s, 'J', {
      targets: [JobTargets.thingGroup(s, 'fleet')],
      destinationPackageVersions: Array.from({ length: 26 }, (_, i) => PackageVersion.fromPackageVersionArn(s, `V${i}`, `arn:aws:iot:us-east-1:123456789012:package/fw/version/${i}`)),
      document: JobDocument.fromObject({}),
    }), 'S/J: destinationPackageVersions must list 1-25 package versions, got 26.'],
    ['a job description over 2028 characters', (s) => new JobWithPackages(s, 'J', {
      targets: [JobTargets.thingGroup(s, 'fleet')], destinationPackageVersions: [published(s)], document: JobDocument.fromObject({}), description: 'x'.repeat(2029),
    }), 'S/J: description must be 1-2028 characters long, got 2029.'],
    ['an empty package description', (s) => new SoftwarePackage(s, 'P', { description: '' }),
      'S/P: description must be 1-1024 characters long, got 0; leave it unset for none.'],
    ['an empty version description', (s) => new SoftwarePackage(s, 'P').addVersion('V', { versionName: '1', description: '' }),
      'S/P/V: description must be 1-1024 characters long, got 0; leave it unset for none.'],
    ['an empty job template description', (s) => new JobTemplateWithPackages(s, 'T', {
      description: '', destinationPackageVersions: [published(s)], document: JobDocument.fromObject({}),
    }), 'S/T: description must be 1-2028 characters long, got 0: a job template needs one.'],
    ['an invalid package name', (s) => new SoftwarePackage(s, 'P', { packageName: 'my firmware' }),
      'S/P: packageName "my firmware" must match [a-zA-Z0-9-_.]+: letters, digits, \'-\', \'_\' and \'.\' only.'],
    ['an imported version\'s malformed ARN', (s) => PackageVersion.fromPackageVersionArn(s, 'Imported', 'arn:aws:iot:us-east-1:123456789012:package/fw'),
      'S/Imported: "arn:aws:iot:us-east-1:123456789012:package/fw" is not a package version ARN'],
    ['an imported job\'s id', (s) => JobWithPackages.fromJobId(s, 'Job', 'rollout 1'),
      'S/Job: jobId "rollout 1" must match [a-zA-Z0-9_-]+: letters, digits, \'-\' and \'_\' only.'],
  ])('%s', (_what, build, message) => {
    expect(() => build(stack())).toThrow(message);
  });
});
