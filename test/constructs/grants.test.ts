import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { iotArn, newStack } from './util';
import {
  IJobWithPackages, IPackageVersion, ISoftwarePackage, JobDocument, JobTargets, JobWithPackages, PackageVersion, SoftwarePackage,
} from '../../src';

const ARN = 'arn:aws:iot:eu-west-1:111122223333';
const PACKAGE_READ = ['iot:GetPackage', 'iot:ListPackageVersions', 'iot:GetPackageVersion', 'iot:ListTagsForResource'];
const VERSION_READ = ['iot:GetPackageVersion', 'iot:ListTagsForResource'];

const getAtt = (prefix: string, attribute: string) => ({ 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${prefix}[0-9A-F]{8}$`)), attribute] });
const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

/** The statements of the role's default policy: what the grants under test added, and nothing else. */
function grantedStatements(stack: Stack): unknown[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  const ids = Object.keys(policies).filter((id) => id.startsWith('ReaderDefaultPolicy'));
  expect(ids).toHaveLength(1);
  return policies[ids[0]].Properties.PolicyDocument.Statement;
}

function reader(stack: Stack): iam.Role {
  return new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
}

type PackageOf = (stack: Stack) => ISoftwarePackage;

const packages: Array<[string, PackageOf, unknown[]]> = [
  ['a package of this app', (s) => new SoftwarePackage(s, 'Pkg', { packageName: 'fw' }),
    [getAtt('Pkg', 'PackageArn'), join(getAtt('Pkg', 'PackageArn'), '/version/*')]],
  ['a package imported by name', (s) => SoftwarePackage.fromPackageName(s, 'Pkg', 'fw'),
    [iotArn('package/fw'), iotArn('package/fw/version/*')]],
  ['a package imported by ARN', (s) => SoftwarePackage.fromPackageArn(s, 'Pkg', `${ARN}:package/fw`),
    [`${ARN}:package/fw`, `${ARN}:package/fw/version/*`]],
];

describe('ISoftwarePackage grants, on the package and its versions', () => {
  test.each(packages)('grant: %s', (_name, packageOf, resources) => {
    const stack = newStack();
    const grant = packageOf(stack).grant(reader(stack), 'iot:GetPackage', 'iot:UpdatePackageVersion');
    expect(grant.success).toBe(true);
    expect(grantedStatements(stack)).toEqual([{ Action: ['iot:GetPackage', 'iot:UpdatePackageVersion'], Effect: 'Allow', Resource: resources }]);
  });

  test.each(packages)('grantRead: %s', (_name, packageOf, resources) => {
    const stack = newStack();
    packageOf(stack).grantRead(reader(stack));
    expect(grantedStatements(stack)).toEqual([{ Action: PACKAGE_READ, Effect: 'Allow', Resource: resources }]);
  });
});

type VersionOf = (stack: Stack) => IPackageVersion;

/** Each version with the package ARN, then the version ARN, that its grants name. */
const versions: Array<[string, VersionOf, unknown[]]> = [
  ['a version of this app (its package ARN by the declared name)',
    (s) => new SoftwarePackage(s, 'Pkg', { packageName: 'fw' }).addVersion('V', { versionName: '1.2.0' }),
    [iotArn('package/fw'), getAtt('PkgV', 'PackageVersionArn')]],
  ['a version of this app added to an imported package',
    (s) => new PackageVersion(s, 'V', { package: SoftwarePackage.fromPackageName(s, 'Pkg', 'shared-fw'), versionName: '2.0.0' }),
    [iotArn('package/shared-fw'), getAtt('V', 'PackageVersionArn')]],
  ['a version imported by a literal ARN',
    (s) => PackageVersion.fromPackageVersionArn(s, 'V', `${ARN}:package/fw/version/1.2.0`),
    [`${ARN}:package/fw`, `${ARN}:package/fw/version/1.2.0`]],
  ['a version imported by an unresolved ARN',
    (s) => PackageVersion.fromPackageVersionArn(s, 'V', new CfnParameter(s, 'VersionArn').valueAsString),
    [{ 'Fn::Select': [0, { 'Fn::Split': ['/version/', { Ref: 'VersionArn' }] }] }, { Ref: 'VersionArn' }]],
  ['the $default version of a package of this app',
    (s) => PackageVersion.defaultVersionOf(s, 'Current', new SoftwarePackage(s, 'Pkg', { packageName: 'fw' })),
    [getAtt('Pkg', 'PackageArn'), join(getAtt('Pkg', 'PackageArn'), '/version/$default')]],
  ['the $default version of a package imported by name',
    (s) => PackageVersion.defaultVersionOf(s, 'Current', SoftwarePackage.fromPackageName(s, 'Pkg', 'fw')),
    [iotArn('package/fw'), iotArn('package/fw/version/$default')]],
  ['the $null version of a package imported by ARN',
    (s) => PackageVersion.uninstallOf(s, 'Remove', SoftwarePackage.fromPackageArn(s, 'Pkg', `${ARN}:package/fw`)),
    [`${ARN}:package/fw`, `${ARN}:package/fw/version/$null`]],
];

describe('IPackageVersion grants, on the version and its package', () => {
  test.each(versions)('grant: %s', (_name, versionOf, resources) => {
    const stack = newStack();
    versionOf(stack).grant(reader(stack), 'iot:GetPackageVersion', 'iot:UpdatePackageVersion');
    expect(grantedStatements(stack)).toEqual([{ Action: ['iot:GetPackageVersion', 'iot:UpdatePackageVersion'], Effect: 'Allow', Resource: resources }]);
  });

  test.each(versions)('grantRead: %s', (_name, versionOf, resources) => {
    const stack = newStack();
    versionOf(stack).grantRead(reader(stack));
    expect(grantedStatements(stack)).toEqual([{ Action: VERSION_READ, Effect: 'Allow', Resource: resources }]);
  });

  test.each(versions)('grantCreateJob: %s', (_name, versionOf, resources) => {
    const stack = newStack();
    versionOf(stack).grantCreateJob(reader(stack));
    expect(grantedStatements(stack)).toEqual([{ Action: 'iot:CreateJob', Effect: 'Allow', Resource: resources }]);
  });

  test('a CI role that creates a job of a version: the version, its package, the job and its target', () => {
    const stack = newStack();
    const role = reader(stack);
    const version = PackageVersion.fromPackageVersionArn(stack, 'V', `${ARN}:package/fw/version/1.2.0`);
    version.grantCreateJob(role);
    JobWithPackages.fromJobArn(stack, 'Job', `${ARN}:job/rollout-42`).grant(role, 'iot:CreateJob');
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iot:CreateJob'], resources: [`${ARN}:thinggroup/fleet`] }));
    expect(grantedStatements(stack)).toEqual([
      { Action: 'iot:CreateJob', Effect: 'Allow', Resource: [`${ARN}:package/fw`, `${ARN}:package/fw/version/1.2.0`] },
      { Action: 'iot:CreateJob', Effect: 'Allow', Resource: `${ARN}:job/rollout-42` },
      { Action: 'iot:CreateJob', Effect: 'Allow', Resource: `${ARN}:thinggroup/fleet` },
    ]);
  });
});

type JobOf = (stack: Stack) => IJobWithPackages;

const jobs: Array<[string, JobOf, unknown]> = [
  ['a job of this app', (s) => new JobWithPackages(s, 'Job', {
    targets: [JobTargets.thingGroup(s, 'fleet')],
    destinationPackageVersions: [PackageVersion.fromPackageVersionArn(s, 'V', `${ARN}:package/fw/version/1.2.0`)],
    document: JobDocument.fromObject({ operation: 'install' }),
  }), getAtt('Job', 'JobArn')],
  ['a job imported by id', (s) => JobWithPackages.fromJobId(s, 'Job', 'rollout-42'), iotArn('job/rollout-42')],
  ['a job imported by ARN', (s) => JobWithPackages.fromJobArn(s, 'Job', `${ARN}:job/rollout-42`), `${ARN}:job/rollout-42`],
];

describe('IJobWithPackages grants, on the job', () => {
  test.each(jobs)('grant: %s', (_name, jobOf, resource) => {
    const stack = newStack();
    jobOf(stack).grant(reader(stack), 'iot:UpdateJob', 'iot:CancelJob');
    expect(grantedStatements(stack)).toEqual([{ Action: ['iot:UpdateJob', 'iot:CancelJob'], Effect: 'Allow', Resource: resource }]);
  });

  test.each(jobs)('grantRead: %s', (_name, jobOf, resource) => {
    const stack = newStack();
    jobOf(stack).grantRead(reader(stack));
    expect(grantedStatements(stack)).toEqual([{ Action: ['iot:DescribeJob', 'iot:GetJobDocument'], Effect: 'Allow', Resource: resource }]);
  });
});
