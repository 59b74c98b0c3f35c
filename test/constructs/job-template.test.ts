import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { messageAfterPath, newStack } from './util';
import {
  JobDocument, JobExecutionFailureType, JobRetryFailureType, JobTemplateWithPackages, JobTemplateWithPackagesProps,
  PackageVersionStatus, SoftwarePackage,
} from '../../src';

function template(s: Stack, extra: Partial<JobTemplateWithPackagesProps> = {}, id = 'Tpl') {
  const version = extra.destinationPackageVersions ?? [new SoftwarePackage(s, `${id}Pkg`, { packageName: 'fw' }).addVersion('V1', { versionName: '1.0.0' })];
  return new JobTemplateWithPackages(s, id, {
    description: 'Install firmware',
    document: JobDocument.fromObject({ operation: 'install' }),
    ...extra,
    destinationPackageVersions: version,
  });
}

describe('JobTemplateWithPackages', () => {
  test('renders the native job template with typed configurations', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::123456789012:role/url-signer');
    const tpl = template(stack, {
      jobTemplateId: 'fw-install',
      presignedUrlConfig: { role, expiresIn: Duration.minutes(5) },
      jobExecutionsRolloutConfig: {
        exponentialRate: { baseRatePerMinute: 5, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 20 } },
      },
      abortConfig: { criteria: [{ failureType: JobExecutionFailureType.REJECTED, thresholdPercentage: 20, minNumberOfExecutedThings: 5 }] },
      timeoutConfig: { inProgressTimeout: Duration.minutes(30) },
      jobExecutionsRetryConfig: { criteria: [{ failureType: JobRetryFailureType.FAILED, numberOfRetries: 2 }] },
      maintenanceWindows: [{ startTime: 'cron(0 2 ? * SUN *)', duration: Duration.hours(2) }],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::JobTemplate', {
      JobTemplateId: 'fw-install',
      Description: 'Install firmware',
      Document: '{"operation":"install"}',
      DestinationPackageVersions: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^TplPkgV1'), 'PackageVersionArn'] }],
      PresignedUrlConfig: { RoleArn: 'arn:aws:iam::123456789012:role/url-signer', ExpiresInSec: 300 },
      JobExecutionsRolloutConfig: {
        ExponentialRolloutRate: { BaseRatePerMinute: 5, IncrementFactor: 2, RateIncreaseCriteria: { NumberOfNotifiedThings: 20 } },
      },
      AbortConfig: { CriteriaList: [{ FailureType: 'REJECTED', Action: 'CANCEL', ThresholdPercentage: 20, MinNumberOfExecutedThings: 5 }] },
      TimeoutConfig: { InProgressTimeoutInMinutes: 30 },
      JobExecutionsRetryConfig: { RetryCriteriaList: [{ FailureType: 'FAILED', NumberOfRetries: 2 }] },
      MaintenanceWindows: [{ StartTime: 'cron(0 2 ? * SUN *)', DurationInMinutes: 120 }],
    });
    expect(tpl.jobTemplateId).toEqual('fw-install');
    expect(stack.resolve(tpl.jobTemplateArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Tpl/), 'Arn'] });
  });

  test('the generated id is valid and changes with any property, so that replacement succeeds', () => {
    const idOf = (extra: Partial<JobTemplateWithPackagesProps> = {}) => {
      const stack = newStack();
      template(stack, extra);
      const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::IoT::JobTemplate'));
      return resource.Properties.JobTemplateId as string;
    };
    const first = idOf();
    expect(first).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(idOf()).toEqual(first);
    expect(idOf({ description: 'Other' })).not.toEqual(first);
  });

  test('imported by id', () => {
    const stack = newStack();
    const tpl = JobTemplateWithPackages.fromJobTemplateId(stack, 'T', 'fw-install');
    expect(stack.resolve(tpl.jobTemplateArn)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:us-east-1:123456789012:jobtemplate/fw-install']] });
  });
});

type Row = [string, (stack: Stack) => void, string];
const rows: Row[] = [
  ['a DRAFT version', (s) => template(s, {
    destinationPackageVersions: [new SoftwarePackage(s, 'P', { packageName: 'fw' }).addVersion('D', { versionName: '2', status: PackageVersionStatus.DRAFT })],
  }), 'destinationPackageVersions includes TestStack/P/D, whose status is DRAFT: a job can deploy only a PUBLISHED or DEPRECATED version. Set its status to PUBLISHED.'],
  ['no versions', (s) => template(s, { destinationPackageVersions: [] }), 'destinationPackageVersions must list 1-25 package versions, got 0.'],
  ['empty description', (s) => template(s, { description: '' }), 'description must be 1-2028 characters long, got 0: a job template needs one.'],
  ['invalid jobTemplateId', (s) => template(s, { jobTemplateId: 'fw install' }),
    'jobTemplateId "fw install" must match [a-zA-Z0-9_-]+: letters, digits, \'-\' and \'_\' only.'],
  ['maintenance window of 0 minutes', (s) => template(s, { maintenanceWindows: [{ startTime: 'cron(0 2 ? * SUN *)', duration: Duration.minutes(0) }] }),
    'maintenanceWindows[0].duration must be 1-1430 minutes, got 0 minutes.'],
  ['presigned expiry 59 s', (s) => template(s, { presignedUrlConfig: { role: iam.Role.fromRoleName(s, 'R', 'r'), expiresIn: Duration.seconds(59) } }),
    'presignedUrlConfig.expiresIn must be 60-3600 seconds, got 59 seconds.'],
];

test.each(rows)('bad input: %s', (_name, build, message) => {
  let thrown: unknown;
  try {
    build(newStack());
  } catch (error) {
    thrown = error;
  }
  expect(messageAfterPath(thrown)).toEqual(message);
});
