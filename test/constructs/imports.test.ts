import { CfnParameter, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { iotArn, newStack } from './util';
import { JobTargets, JobTemplateWithPackages, JobWithPackages, PackageVersion, SoftwarePackage } from '../../src';

const ARN = 'arn:aws:iot:eu-west-1:111122223333';
const OTHER_ENV = { account: '111122223333', region: 'eu-west-1' };
const STACK_ENV = { account: '123456789012', region: 'us-east-1' };

describe('JobWithPackages imports', () => {
  test('fromJobId: the ARN of the stack\'s partition, region and account', () => {
    const stack = newStack();
    const job = JobWithPackages.fromJobId(stack, 'Job', 'rollout-42');
    expect(job.jobId).toEqual('rollout-42');
    expect(stack.resolve(job.jobArn)).toEqual(iotArn('job/rollout-42'));
    expect(job.env).toEqual(STACK_ENV);
  });

  test('fromJobArn: the id, account and region come from the ARN', () => {
    const stack = newStack();
    const job = JobWithPackages.fromJobArn(stack, 'Job', `${ARN}:job/rollout-42`);
    expect(job.jobId).toEqual('rollout-42');
    expect(job.jobArn).toEqual(`${ARN}:job/rollout-42`);
    expect(job.env).toEqual(OTHER_ENV);
  });

  test('fromJobArn of an unresolved ARN: the id and the environment are read in CloudFormation', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'JobArn').valueAsString;
    const job = JobWithPackages.fromJobArn(stack, 'Job', arn);
    expect(stack.resolve(job.jobArn)).toEqual({ Ref: 'JobArn' });
    expect(stack.resolve(job.jobId)).toEqual({
      'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'JobArn' }] }] }] }],
    });
    expect(stack.resolve(job.env.account)).toEqual({ 'Fn::Select': [4, { 'Fn::Split': [':', { Ref: 'JobArn' }] }] });
    expect(stack.resolve(job.env.region)).toEqual({ 'Fn::Select': [3, { 'Fn::Split': [':', { Ref: 'JobArn' }] }] });
  });
});

describe('JobTemplateWithPackages imports', () => {
  test('fromJobTemplateId: the ARN of the stack\'s partition, region and account', () => {
    const stack = newStack();
    const template = JobTemplateWithPackages.fromJobTemplateId(stack, 'Template', 'fw-install');
    expect(template.jobTemplateId).toEqual('fw-install');
    expect(stack.resolve(template.jobTemplateArn)).toEqual(iotArn('jobtemplate/fw-install'));
  });

  test('fromJobTemplateArn: the id, account and region come from the ARN', () => {
    const stack = newStack();
    const template = JobTemplateWithPackages.fromJobTemplateArn(stack, 'Template', `${ARN}:jobtemplate/fw-install`);
    expect(template.jobTemplateId).toEqual('fw-install');
    expect(template.jobTemplateArn).toEqual(`${ARN}:jobtemplate/fw-install`);
    expect(template.env).toEqual(OTHER_ENV);
  });

  test('fromJobTemplateArn of an unresolved ARN passes through', () => {
    const stack = newStack();
    const template = JobTemplateWithPackages.fromJobTemplateArn(stack, 'Template', new CfnParameter(stack, 'TemplateArn').valueAsString);
    expect(Token.isUnresolved(template.jobTemplateId)).toBe(true);
    expect(stack.resolve(template.jobTemplateArn)).toEqual({ Ref: 'TemplateArn' });
  });

  test('a job starts from a template imported by ARN', () => {
    const stack = newStack();
    const template = JobTemplateWithPackages.fromJobTemplateArn(stack, 'Template', 'arn:aws:iot:us-east-1:123456789012:jobtemplate/fw-install');
    new JobWithPackages(stack, 'Job', {
      targets: [JobTargets.thingGroup(stack, 'fleet')],
      destinationPackageVersions: [PackageVersion.fromPackageVersionArn(stack, 'V', 'arn:aws:iot:us-east-1:123456789012:package/fw/version/1.0.0')],
      jobTemplate: template,
    });
    Template.fromStack(stack).hasResourceProperties('Custom::IotJobWithPackages', {
      JobTemplateArn: 'arn:aws:iot:us-east-1:123456789012:jobtemplate/fw-install',
    });
  });
});

describe('package imports from ARNs take their environment from the ARN', () => {
  test('SoftwarePackage.fromPackageArn', () => {
    const stack = newStack();
    const pkg = SoftwarePackage.fromPackageArn(stack, 'Pkg', `${ARN}:package/fw`);
    expect(pkg.env).toEqual(OTHER_ENV);
    expect(pkg.stack.account).toEqual(STACK_ENV.account);
  });

  test('PackageVersion.fromPackageVersionArn', () => {
    const stack = newStack();
    const version = PackageVersion.fromPackageVersionArn(stack, 'V', `${ARN}:package/fw/version/1.2.0`);
    expect(version.env).toEqual(OTHER_ENV);
  });
});

type Row = [string, (stack: Stack) => void, string];

const rows: Row[] = [
  ['job id with a space', (s) => JobWithPackages.fromJobId(s, 'Job', 'rollout 42'),
    'jobId "rollout 42" must match [a-zA-Z0-9_-]+: letters, digits, \'-\' and \'_\' only.'],
  ['job id over 64', (s) => JobWithPackages.fromJobId(s, 'Job', 'j'.repeat(65)),
    `jobId "${'j'.repeat(65)}" must be 1-64 characters long, got 65.`],
  ['empty job id', (s) => JobWithPackages.fromJobId(s, 'Job', ''),
    'jobId "" must be 1-64 characters long, got 0.'],
  ['not an ARN as a job ARN', (s) => JobWithPackages.fromJobArn(s, 'Job', 'rollout-42'),
    '"rollout-42" is not a job ARN: expected arn:<partition>:iot:<region>:<account>:job/<jobId>.'],
  ['a thing ARN as a job ARN', (s) => JobWithPackages.fromJobArn(s, 'Job', `${ARN}:thing/sensor`),
    `"${ARN}:thing/sensor" is not a job ARN: expected arn:<partition>:iot:<region>:<account>:job/<jobId>.`],
  ['a job template ARN as a job ARN', (s) => JobWithPackages.fromJobArn(s, 'Job', `${ARN}:jobtemplate/fw-install`),
    `"${ARN}:jobtemplate/fw-install" is not a job ARN: expected arn:<partition>:iot:<region>:<account>:job/<jobId>.`],
  ['a job ARN of another service', (s) => JobWithPackages.fromJobArn(s, 'Job', 'arn:aws:glue:eu-west-1:111122223333:job/etl'),
    '"arn:aws:glue:eu-west-1:111122223333:job/etl" is not a job ARN: expected arn:<partition>:iot:<region>:<account>:job/<jobId>.'],
  ['a job ARN without an id', (s) => JobWithPackages.fromJobArn(s, 'Job', `${ARN}:job/`),
    `"${ARN}:job/" is not a job ARN: expected arn:<partition>:iot:<region>:<account>:job/<jobId>.`],
  ['a job ARN with an invalid id', (s) => JobWithPackages.fromJobArn(s, 'Job', `${ARN}:job/rollout.42`),
    'jobId "rollout.42" must match [a-zA-Z0-9_-]+: letters, digits, \'-\' and \'_\' only.'],
  ['a job ARN with a slash in the id', (s) => JobWithPackages.fromJobArn(s, 'Job', `${ARN}:job/a/b`),
    'jobId "a/b" must match [a-zA-Z0-9_-]+: letters, digits, \'-\' and \'_\' only.'],
  ['a job ARN as a job template ARN', (s) => JobTemplateWithPackages.fromJobTemplateArn(s, 'T', `${ARN}:job/rollout-42`),
    `"${ARN}:job/rollout-42" is not a job template ARN: expected arn:<partition>:iot:<region>:<account>:jobtemplate/<jobTemplateId>.`],
  ['not an ARN as a job template ARN', (s) => JobTemplateWithPackages.fromJobTemplateArn(s, 'T', 'fw-install'),
    '"fw-install" is not a job template ARN: expected arn:<partition>:iot:<region>:<account>:jobtemplate/<jobTemplateId>.'],
  ['a job template ARN with an invalid id', (s) => JobTemplateWithPackages.fromJobTemplateArn(s, 'T', `${ARN}:jobtemplate/fw install`),
    'jobTemplateId "fw install" must match [a-zA-Z0-9_-]+: letters, digits, \'-\' and \'_\' only.'],
  ['not an ARN as a package ARN', (s) => SoftwarePackage.fromPackageArn(s, 'P', 'fw'),
    '"fw" is not a package ARN: expected arn:<partition>:iot:<region>:<account>:package/<packageName>.'],
];

describe('imports of invalid ids and ARNs fail with a message naming the value and the expected format', () => {
  test.each(rows)('%s', (_name, build, message) => {
    const stack = newStack();
    expect(() => build(stack)).toThrow(message);
  });
});

test('unresolved ids pass through', () => {
  const stack = newStack();
  const job = JobWithPackages.fromJobId(stack, 'Job', new CfnParameter(stack, 'JobId').valueAsString);
  expect(stack.resolve(job.jobArn)).toEqual({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:us-east-1:123456789012:job/', { Ref: 'JobId' }]],
  });
});
