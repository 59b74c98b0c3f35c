import { Annotations as CoreAnnotations, App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { newStack } from './util';
import {
  IPackageVersion, JobDocument, JobTargets, JobWithPackages, PackageConfiguration, PackageVersion, SoftwarePackage,
} from '../../src';

const RETAINED_JOB = 'cdk-iot-package-catalog:retained-job-deploys-deleted-version';
const AGNOSTIC_CONFIGURATION = 'cdk-iot-package-catalog:package-configuration-without-env';

function retainedJobWarning(jobPath: string, versions: string): string {
  return `JobWithPackages ${jobPath} is retained, but it deploys versions that the stack deletes: ${versions}. ` +
    'When the stack is destroyed, the job would keep naming deleted versions as its destinations (or make their deletion ' +
    'fail while it references them). Retain those versions too (removalPolicy: RemovalPolicy.RETAIN on their package, ' +
    `or on versions of an imported package), or let the job be destroyed with them. [ack: ${RETAINED_JOB}]`;
}

function agnosticConfigurationWarning(path: string): string {
  return `PackageConfiguration ${path} is in an environment-agnostic stack: it configures the account and region ` +
    'that the stack is deployed to, and the check of one PackageConfiguration per account and region cannot tell ' +
    `two such stacks apart. Set the stack's env (account and region). [ack: ${AGNOSTIC_CONFIGURATION}]`;
}

function job(stack: Stack, versions: IPackageVersion[], removalPolicy?: RemovalPolicy): JobWithPackages {
  return new JobWithPackages(stack, 'Job', {
    targets: [JobTargets.thingGroup(stack, 'fleet')],
    destinationPackageVersions: versions,
    document: JobDocument.fromObject({ operation: 'install' }),
    removalPolicy,
  });
}

const warningsOf = (stack: Stack, id: string) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: ${id}\\]`));

describe('a retained job that deploys versions the stack deletes', () => {
  test('warns, naming the versions that are not retained', () => {
    const stack = newStack();
    const kept = new SoftwarePackage(stack, 'Kept', { removalPolicy: RemovalPolicy.RETAIN }).addVersion('V1', { versionName: '1.0.0' });
    const pkg = new SoftwarePackage(stack, 'Pkg');
    const deleted = [pkg.addVersion('V2', { versionName: '1.1.0' }), pkg.addVersion('V3', { versionName: '1.2.0' })];
    job(stack, [kept, ...deleted], RemovalPolicy.RETAIN);
    Annotations.fromStack(stack).hasWarning('/TestStack/Job', retainedJobWarning('TestStack/Job', 'TestStack/Pkg/V2, TestStack/Pkg/V3'));
    expect(warningsOf(stack, RETAINED_JOB)).toHaveLength(1);
  });

  test('warns for RETAIN_ON_UPDATE_OR_DELETE, and for a removal policy applied after construction', () => {
    const stack = newStack();
    const version = new SoftwarePackage(stack, 'Pkg').addVersion('V', { versionName: '1.0.0' });
    job(stack, [version]).applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    Annotations.fromStack(stack).hasWarning('/TestStack/Job', retainedJobWarning('TestStack/Job', 'TestStack/Pkg/V'));
  });

  test('warns for a version of this app in another stack', () => {
    const app = new App();
    const releases = new Stack(app, 'Releases', { env: { account: '123456789012', region: 'us-east-1' } });
    const rollouts = new Stack(app, 'Rollouts', { env: { account: '123456789012', region: 'us-east-1' } });
    const version = new SoftwarePackage(releases, 'Pkg').addVersion('V', { versionName: '1.0.0' });
    job(rollouts, [version], RemovalPolicy.RETAIN);
    Annotations.fromStack(rollouts).hasWarning('/Rollouts/Job', retainedJobWarning('Rollouts/Job', 'Releases/Pkg/V'));
  });

  test('no warning when the versions are retained (with their package, or on their own in an imported package)', () => {
    const stack = newStack();
    const retainedPackage = new SoftwarePackage(stack, 'Kept', { removalPolicy: RemovalPolicy.RETAIN });
    const versions = [
      retainedPackage.addVersion('V1', { versionName: '1.0.0' }),
      new PackageVersion(stack, 'V2', {
        package: SoftwarePackage.fromPackageName(stack, 'Shared', 'shared-fw'),
        versionName: '2.0.0',
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      }),
    ];
    job(stack, versions, RemovalPolicy.RETAIN);
    expect(warningsOf(stack, RETAINED_JOB)).toEqual([]);
  });

  test('no warning when the job is destroyed', () => {
    const stack = newStack();
    job(stack, [new SoftwarePackage(stack, 'Pkg').addVersion('V', { versionName: '1.0.0' })]);
    expect(warningsOf(stack, RETAINED_JOB)).toEqual([]);
  });

  test('no warning for versions the app does not create: imports, $default and $null', () => {
    const stack = newStack();
    const pkg = new SoftwarePackage(stack, 'Pkg');
    pkg.addVersion('V', { versionName: '1.0.0', isDefaultVersion: true });
    job(stack, [
      PackageVersion.fromPackageVersionArn(stack, 'Imported', 'arn:aws:iot:us-east-1:123456789012:package/other/version/1.0.0'),
      PackageVersion.defaultVersionOf(stack, 'Current', pkg),
      PackageVersion.uninstallOf(stack, 'Remove', SoftwarePackage.fromPackageName(stack, 'Legacy', 'legacy')),
    ], RemovalPolicy.RETAIN);
    expect(warningsOf(stack, RETAINED_JOB)).toEqual([]);
  });

  test('the warning can be acknowledged by its id', () => {
    const stack = newStack();
    job(stack, [new SoftwarePackage(stack, 'Pkg').addVersion('V', { versionName: '1.0.0' })], RemovalPolicy.RETAIN);
    CoreAnnotations.of(stack).acknowledgeWarning(RETAINED_JOB, 'the job is archived on purpose');
    expect(warningsOf(stack, RETAINED_JOB)).toEqual([]);
  });
});

describe('a PackageConfiguration in an environment-agnostic stack', () => {
  test('warns, and suggests setting the env', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new PackageConfiguration(stack, 'Config');
    Annotations.fromStack(stack).hasWarning('/Agnostic/Config', agnosticConfigurationWarning('Agnostic/Config'));
  });

  test('warns when only the region is unresolved', () => {
    const stack = new Stack(new App(), 'AccountOnly', { env: { account: '123456789012' } });
    new PackageConfiguration(stack, 'Config');
    Annotations.fromStack(stack).hasWarning('/AccountOnly/Config', agnosticConfigurationWarning('AccountOnly/Config'));
  });

  test('no warning in a stack with an account and a region', () => {
    const stack = newStack();
    new PackageConfiguration(stack, 'Config');
    expect(warningsOf(stack, AGNOSTIC_CONFIGURATION)).toEqual([]);
  });
});
