import { App, Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ENV, acknowledgedWildcards, iotArn, logicalIdOf, messageAfterPath, newStack, policyHolding } from './util';
import { wildcardMatch } from '../../local-cloud/emulator/iam-policy';
import {
  IPackageVersion, JobDocument, JobEndBehavior, JobExecutionFailureType, JobRetryFailureType, JobTargets, JobTargetSelection,
  JobTemplateWithPackages, JobWithPackages, JobWithPackagesProps, PackageConfiguration, PackagePlaceholder, PackageVersion,
  PackageVersionStatus, SoftwarePackage,
} from '../../src';

const ARN = 'arn:aws:iot:us-east-1:123456789012';
const versionArn = (v: string) => `${ARN}:package/fw/version/${v}`;
const imported = (s: Stack, n: number, prefix = 'I'): IPackageVersion[] =>
  Array.from({ length: n }, (_, i) => PackageVersion.fromPackageVersionArn(s, `${prefix}${i}`, versionArn(`1.0.${i}`)));
/**
 * `n` versions from elsewhere, each of its own package with a long name: 25 of them make grants of over 4,000
 * characters, too large for two jobs to share one managed policy (6,144), small enough for one.
 */
const foreign = (s: Stack, n: number, prefix: string): IPackageVersion[] =>
  Array.from({ length: n }, (_, i) =>
    PackageVersion.fromPackageVersionArn(s, `${prefix}V${i}`, `${ARN}:package/${prefix}-firmware-component-${i}/version/1.0.0`));
const doc = JobDocument.fromObject({ operation: 'install' });
/** The one statement of a job's grants: the job actions, and the checks that its destinations are deployable. */
const JOB_ACTIONS = [
  'iot:CreateJob', 'iot:DescribeJob', 'iot:GetJobDocument', 'iot:UpdateJob', 'iot:CancelJob', 'iot:DeleteJob',
  'iot:GetPackageVersion', 'iot:GetPackage',
];

function job(s: Stack, extra: Partial<JobWithPackagesProps> = {}, id = 'Job'): JobWithPackages {
  return new JobWithPackages(s, id, {
    targets: [JobTargets.thingGroup(s, 'fleet')],
    document: doc,
    ...extra,
    destinationPackageVersions: extra.destinationPackageVersions ?? imported(s, 1, `${id}Version`),
  });
}

function jobProperties(stack: Stack): Record<string, any> {
  const jobs = Template.fromStack(stack).findResources('Custom::IotJobWithPackages');
  return Object.values(jobs)[0].Properties;
}

describe('JobWithPackages', () => {
  test('renders targets, version ARNs, document and configurations', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'UrlRole', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
    job(stack, {
      jobId: 'fw-rollout-1',
      description: 'Firmware 1.0.0',
      targetSelection: JobTargetSelection.CONTINUOUS,
      presignedUrlConfig: { role, expiresIn: Duration.minutes(10) },
      jobExecutionsRolloutConfig: {
        maximumPerMinute: 100,
        exponentialRate: { baseRatePerMinute: 10, incrementFactor: 1.5, rateIncreaseCriteria: { numberOfSucceededThings: 5 } },
      },
      abortConfig: { criteria: [{ failureType: JobExecutionFailureType.FAILED, thresholdPercentage: 10.5, minNumberOfExecutedThings: 10 }] },
      timeoutConfig: { inProgressTimeout: Duration.hours(2) },
      jobExecutionsRetryConfig: { criteria: [{ failureType: JobRetryFailureType.TIMED_OUT, numberOfRetries: 3 }] },
      schedulingConfig: { startTime: '2030-01-01T10:00', endTime: '2030-01-02T10:00', endBehavior: JobEndBehavior.CANCEL },
    });
    Template.fromStack(stack).hasResourceProperties('Custom::IotJobWithPackages', {
      JobId: 'fw-rollout-1',
      Targets: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:us-east-1:123456789012:thinggroup/fleet']] }],
      TargetSelection: 'CONTINUOUS',
      DestinationPackageVersions: [versionArn('1.0.0')],
      Document: '{"operation":"install"}',
      Description: 'Firmware 1.0.0',
      PresignedUrlConfig: { RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^UrlRole'), 'Arn'] }, ExpiresInSec: 600 },
      JobExecutionsRolloutConfig: {
        MaximumPerMinute: 100,
        ExponentialRate: { BaseRatePerMinute: 10, IncrementFactor: 1.5, RateIncreaseCriteria: { NumberOfSucceededThings: 5 } },
      },
      AbortConfig: { CriteriaList: [{ FailureType: 'FAILED', Action: 'CANCEL', ThresholdPercentage: 10.5, MinNumberOfExecutedThings: 10 }] },
      TimeoutConfig: { InProgressTimeoutInMinutes: 120 },
      JobExecutionsRetryConfig: { CriteriaList: [{ FailureType: 'TIMED_OUT', NumberOfRetries: 3 }] },
      SchedulingConfig: { StartTime: '2030-01-01T10:00', EndTime: '2030-01-02T10:00', EndBehavior: 'CANCEL' },
      // Not force by default: devices already installing finish their install.
      ForceDelete: 'false',
    });
  });

  test('forceDelete: true is rendered', () => {
    const stack = newStack();
    job(stack, { forceDelete: true });
    Template.fromStack(stack).hasResourceProperties('Custom::IotJobWithPackages', { ForceDelete: 'true' });
  });

  test('the job depends on its versions and waits for the main policy and its own job grants', () => {
    const stack = newStack();
    const version = new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' }).addVersion('V1', { versionName: '1.0.0' });
    job(stack, { destinationPackageVersions: [version] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::IotJobWithPackages', {
      DestinationPackageVersions: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^PkgV1'), 'PackageVersionArn'] }],
    });
    const [resource] = Object.values(template.findResources('Custom::IotJobWithPackages'));
    expect(resource.DependsOn).toEqual(expect.arrayContaining([
      expect.stringMatching(/^IotPackageCatalogProviderJobGrants1/),
      expect.stringMatching(/^IotPackageCatalogProviderPolicy/),
    ]));
    // A version (not $default) destination does not wait for the package's default-version pointer.
    template.hasResource('Custom::IotJobWithPackages', {
      DependsOn: Match.not(Match.arrayWith([Match.stringLikeRegexp('DefaultVersion')])),
    });
  });

  test('least privilege: job and deployability actions in one statement on the job ARN, its targets and destinations from elsewhere; tagging its job', () => {
    const stack = newStack();
    job(stack, { jobId: 'j1', targets: [JobTargets.thing(stack, 'sensor-1')] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^IotPackageCatalogProviderRole') }],
      PolicyDocument: {
        Statement: [
          {
            Action: JOB_ACTIONS,
            Effect: 'Allow',
            Resource: [iotArn('job/j1'), iotArn('thing/sensor-1'), iotArn('package/fw'), versionArn('1.0.0')],
          },
          { Action: 'iot:TagResource', Effect: 'Allow', Resource: iotArn('job/j1') },
        ],
      },
    });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    // The job's grants live apart from the main policy, which no job statement joins.
    expect(policyHolding(template, ':job/j1')).toMatch(/^IotPackageCatalogProviderJobGrants1/);
    // An explicit id is granted exactly: no wildcard to acknowledge.
    expect(acknowledgedWildcards(template.findResources('AWS::IAM::ManagedPolicy')[policyHolding(template, ':job/j1')])).toEqual([]);
  });

  test('destinations of packages this stack grants are not repeated in the job\'s grants', () => {
    const stack = newStack();
    const pkg = new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' });
    const v1 = pkg.addVersion('V1', { versionName: '1.0.0' });
    const shared = SoftwarePackage.fromPackageName(stack, 'Shared', 'shared-fw').addVersion('S1', { versionName: '2.0.0' });
    job(stack, { jobId: 'j1', destinationPackageVersions: [v1, shared] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          { Action: JOB_ACTIONS, Effect: 'Allow', Resource: [iotArn('job/j1'), iotArn('thinggroup/fleet')] },
          { Action: 'iot:TagResource', Effect: 'Allow', Resource: iotArn('job/j1') },
        ],
      },
    });
  });

  test('a destination from another stack is granted by its declared names, not by its ARN attribute', () => {
    const app = new App();
    const base = new Stack(app, 'Base', { env: ENV });
    const releases = new Stack(app, 'Releases', { env: ENV });
    const version = new SoftwarePackage(base, 'Pkg', { packageName: 'fw' }).addVersion('V1', { versionName: '1.0.0' });
    job(releases, { jobId: 'j1', destinationPackageVersions: [version] });
    const template = Template.fromStack(releases);
    // The job itself names the version by its attribute (an import from Base)...
    template.hasResourceProperties('Custom::IotJobWithPackages', { DestinationPackageVersions: [{ 'Fn::ImportValue': Match.anyValue() }] });
    // ...its grants by literals, so that the policy need not wait for the version.
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: JOB_ACTIONS,
            Effect: 'Allow',
            Resource: [iotArn('job/j1'), iotArn('thinggroup/fleet'), iotArn('package/fw'), iotArn('package/fw/version/1.0.0')],
          },
          { Action: 'iot:TagResource', Effect: 'Allow', Resource: iotArn('job/j1') },
        ],
      },
    });
  });

  test('a generated job id is granted as job/<base>-*, which covers the ids the job generates as it changes', () => {
    const render = (document: JobDocument) => {
      const stack = newStack();
      job(stack, { document });
      const template = Template.fromStack(stack);
      const jobId = jobProperties(stack).JobId as string;
      const [policyId, policy] = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))[0];
      const tagging = (policy.Properties.PolicyDocument.Statement as any[]).find((s) => s.Action === 'iot:TagResource');
      return { jobId, policyId, policy, pattern: tagging.Resource as { 'Fn::Join': [string, unknown[]] } };
    };
    const first = render(doc);
    const second = render(JobDocument.fromObject({ operation: 'reinstall' }));
    // GIVEN two generations of one job (a changed document gives a new id)
    expect(second.jobId).not.toEqual(first.jobId);
    // THEN both are granted through one pattern, the id without its hash
    const base = first.jobId.slice(0, -8);
    expect(second.jobId.startsWith(base)).toBe(true);
    expect(first.pattern).toEqual(iotArn(`job/${base}*`));
    expect(second.pattern).toEqual(first.pattern);
    const pattern = `arn:aws:iot:us-east-1:123456789012:job/${base}*`;
    for (const id of [first.jobId, second.jobId]) {
      expect(wildcardMatch(pattern, `arn:aws:iot:us-east-1:123456789012:job/${id}`)).toBe(true);
    }
    // ...and not another construct's jobs
    expect(wildcardMatch(pattern, 'arn:aws:iot:us-east-1:123456789012:job/TestStack-Job2-78951DE0-fa28ab64')).toBe(false);
    expect(first.policy.Properties.PolicyDocument.Statement[0].Resource[0]).toEqual(first.pattern);
    expect(acknowledgedWildcards(first.policy)).toEqual([`Resource::arn:<AWS::Partition>:iot:us-east-1:123456789012:job/${base}*`]);
  });

  test('a $default destination waits for the package\'s default-version pointer', () => {
    const stack = newStack();
    const pkg = new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' });
    pkg.addVersion('V1', { versionName: '1.0.0', isDefaultVersion: true });
    job(stack, { destinationPackageVersions: [PackageVersion.defaultVersionOf(stack, 'Current', pkg)] });
    const template = Template.fromStack(stack);
    const pointer = logicalIdOf(template, 'Custom::IotPackageDefaultVersion', 'PkgDefaultVersion');
    const [resource] = Object.values(template.findResources('Custom::IotJobWithPackages'));
    expect(resource.DependsOn).toEqual(expect.arrayContaining([pointer, expect.stringMatching(/^IotPackageCatalogProviderJobGrants1/)]));
  });

  test('a $default destination of a package from elsewhere is granted on its package and $default', () => {
    const stack = newStack();
    const current = PackageVersion.defaultVersionOf(stack, 'Current', SoftwarePackage.fromPackageName(stack, 'Pkg', 'fw'));
    job(stack, { jobId: 'j1', destinationPackageVersions: [current] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: JOB_ACTIONS,
            Effect: 'Allow',
            Resource: [iotArn('job/j1'), iotArn('thinggroup/fleet'), iotArn('package/fw'), iotArn('package/fw/version/$default')],
          },
          { Action: 'iot:TagResource', Effect: 'Allow', Resource: iotArn('job/j1') },
        ],
      },
    });
  });

  test('a document in S3: documentSource URL and s3:GetObject on that object only, kms:Decrypt on its bucket key', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Docs', { encryptionKey: new kms.Key(stack, 'Key') });
    job(stack, { document: JobDocument.fromS3(bucket, 'jobs/install.json') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::IotJobWithPackages', {
      DocumentSource: { 'Fn::Join': ['', ['https://s3.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: Match.stringLikeRegexp('^Docs') }, '/jobs/install.json']] },
      Document: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 's3:GetObject',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Docs'), 'Arn'] }, '/jobs/install.json']] },
          },
          { Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
        ]),
      },
    });
    // The document's bucket is not named in the main policy, on which the bucket's own resources may wait.
    expect(policyHolding(template, '/jobs/install.json')).toMatch(/^IotPackageCatalogProviderJobGrants1/);
  });

  test('the presigned-URL role may be passed to IoT only', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'UrlRole', 'arn:aws:iam::123456789012:role/url-signer');
    job(stack, { presignedUrlConfig: { role } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: 'iam:PassRole',
          Condition: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
          Effect: 'Allow',
          Resource: 'arn:aws:iam::123456789012:role/url-signer',
        }]),
      },
    });
    expect(policyHolding(template, 'role/url-signer')).toMatch(/^IotPackageCatalogProviderJobGrants1/);
  });

  test('a job from a template is granted on the template', () => {
    const stack = newStack();
    const versions = imported(stack, 1);
    const jobTemplate = new JobTemplateWithPackages(stack, 'Tpl', { description: 'template', destinationPackageVersions: versions, document: doc });
    job(stack, { jobId: 'j1', document: undefined, jobTemplate, destinationPackageVersions: versions });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: JOB_ACTIONS,
          Effect: 'Allow',
          Resource: [iotArn('job/j1'), iotArn('thinggroup/fleet'), iotArn('package/fw'), versionArn('1.0.0'), { 'Fn::GetAtt': [Match.stringLikeRegexp('^Tpl'), 'Arn'] }],
        }]),
      },
    });
  });

  test('jobs share job-grant policies while they fit, each job waiting only for the one holding its grants', () => {
    const stack = newStack();
    // GIVEN two jobs whose grants (25 destinations from elsewhere each) do not fit one managed policy together,
    job(stack, { jobId: 'a', destinationPackageVersions: foreign(stack, 25, 'A') }, 'JobA');
    job(stack, { jobId: 'b', destinationPackageVersions: foreign(stack, 25, 'B') }, 'JobB');
    // AND a small job, which fits in the first policy's remaining room
    job(stack, { jobId: 'c' }, 'JobC');
    const template = Template.fromStack(stack);
    // THEN the large ones have one each, and the small one joins the first
    const holderA = policyHolding(template, ':job/a"');
    const holderB = policyHolding(template, ':job/b"');
    expect(holderA).toMatch(/^IotPackageCatalogProviderJobGrants1[0-9A-F]{8}$/);
    expect(holderB).toMatch(/^IotPackageCatalogProviderJobGrants2[0-9A-F]{8}$/);
    expect(policyHolding(template, ':job/c"')).toEqual(holderA);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 2);
    const jobs = template.findResources('Custom::IotJobWithPackages');
    const dependsOn = (prefix: string) => Object.entries(jobs).find(([id]) => id.startsWith(prefix))![1].DependsOn as string[];
    for (const [prefix, holder, other] of [['JobA', holderA, holderB], ['JobB', holderB, holderA], ['JobC', holderA, holderB]]) {
      expect(dependsOn(prefix)).toEqual(expect.arrayContaining([holder, expect.stringMatching(/^IotPackageCatalogProviderPolicy/)]));
      expect(dependsOn(prefix)).not.toContain(other);
    }
    // AND both are attached to the provider's role
    for (const holder of [holderA, holderB]) {
      expect(template.findResources('AWS::IAM::ManagedPolicy')[holder].Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^IotPackageCatalogProviderRole/) }]);
    }
  });

  test('a resource granted to several jobs is rendered once in their policy, and counted once against its size', () => {
    const stack = newStack();
    // GIVEN two jobs with the same targets and the same 25 destinations from elsewhere: grants that could not
    // share one managed policy if what they have in common were counted twice
    const destinations = foreign(stack, 25, 'D');
    job(stack, { jobId: 'a', destinationPackageVersions: destinations }, 'JobA');
    job(stack, { jobId: 'b', destinationPackageVersions: destinations }, 'JobB');
    const template = Template.fromStack(stack);
    // THEN they share one policy, whose statements name each resource once
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    const holder = policyHolding(template, ':job/a"');
    expect(policyHolding(template, ':job/b"')).toEqual(holder);
    const destination = (i: number) => [iotArn(`package/D-firmware-component-${i}`), `${ARN}:package/D-firmware-component-${i}/version/1.0.0`];
    expect(template.findResources('AWS::IAM::ManagedPolicy')[holder].Properties.PolicyDocument.Statement).toEqual([
      {
        Action: JOB_ACTIONS,
        Effect: 'Allow',
        Resource: [
          iotArn('job/a'), iotArn('thinggroup/fleet'), ...Array.from({ length: 25 }, (_, i) => destination(i)).flat(),
          iotArn('job/b'),
        ],
      },
      { Action: 'iot:TagResource', Effect: 'Allow', Resource: [iotArn('job/a'), iotArn('job/b')] },
    ]);
  });

  test('a job from a template names the template and needs no document', () => {
    const stack = newStack();
    const versions = imported(stack, 1);
    const jobTemplate = new JobTemplateWithPackages(stack, 'Tpl', { description: 'template', destinationPackageVersions: versions, document: doc });
    job(stack, { document: undefined, jobTemplate, destinationPackageVersions: versions });
    const properties = jobProperties(stack);
    expect(properties.JobTemplateArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Tpl/), 'Arn'] });
    expect(properties.Document).toBeUndefined();
  });

  test('generated job ids are valid, deterministic, and change with what the service cannot change', () => {
    const idOf = (extra: Partial<JobWithPackagesProps> = {}, id = 'Job') => {
      const stack = newStack();
      job(stack, extra, id);
      return jobProperties(stack).JobId as string;
    };
    const first = idOf();
    expect(first).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(idOf()).toEqual(first);
    expect(idOf({ description: 'only the description' })).toEqual(first);
    expect(idOf({ timeoutConfig: { inProgressTimeout: Duration.minutes(5) } })).toEqual(first);
    expect(idOf({ document: JobDocument.fromObject({ operation: 'other' }) })).not.toEqual(first);
    expect(idOf({ targetSelection: JobTargetSelection.CONTINUOUS })).not.toEqual(first);
    const long = idOf({}, 'A'.repeat(200));
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^[a-zA-Z0-9_-]+$/);
  });

  test('two synths give byte-identical templates', () => {
    const synth = () => {
      const stack = newStack();
      const version = new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' }).addVersion('V1', { versionName: '1.0.0' });
      job(stack, { destinationPackageVersions: [version] });
      return JSON.stringify(Template.fromStack(stack).toJSON());
    };
    expect(synth()).toEqual(synth());
  });

  test('forceDelete false and RETAIN are rendered', () => {
    const stack = newStack();
    job(stack, { forceDelete: false, removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource('Custom::IotJobWithPackages', {
      Properties: Match.objectLike({ ForceDelete: 'false' }),
      DeletionPolicy: 'Retain',
    });
  });

  test('a job with the maximum of 25 destinations from elsewhere synthesizes, naming their package once', () => {
    // GIVEN 25 versions of one package from elsewhere (the package ARN was once counted and rendered per
    // version, in two statements: over a managed policy's 6,144 characters, and synth threw)
    const stack = newStack();
    expect(() => job(stack, { jobId: 'j1', destinationPackageVersions: imported(stack, 25) })).not.toThrow();
    // THEN one statement names the package once and each version once
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: JOB_ACTIONS,
            Effect: 'Allow',
            Resource: [iotArn('job/j1'), iotArn('thinggroup/fleet'), iotArn('package/fw'), ...Array.from({ length: 25 }, (_, i) => versionArn(`1.0.${i}`))],
          },
          { Action: 'iot:TagResource', Effect: 'Allow', Resource: iotArn('job/j1') },
        ],
      },
    });
  });

  test('tokens pass synth-time validation', () => {
    const stack = newStack();
    expect(() => job(stack, {
      jobId: Lazy.string({ produce: () => 'later' }),
      description: Token.asString({ Ref: 'Description' }),
      targets: [Token.asString({ Ref: 'Target' })],
      document: JobDocument.fromString(Token.asString({ Ref: 'Doc' })),
      timeoutConfig: { inProgressTimeout: Duration.minutes(Token.asNumber({ Ref: 'Minutes' })) },
      jobExecutionsRetryConfig: { criteria: [{ failureType: JobRetryFailureType.ALL, numberOfRetries: Token.asNumber({ Ref: 'N' }) }] },
    })).not.toThrow();
  });
});

type Row = [string, (stack: Stack) => void, string];

const rate = (baseRatePerMinute: number, incrementFactor: number) =>
  ({ baseRatePerMinute, incrementFactor, rateIncreaseCriteria: { numberOfNotifiedThings: 10 } });

const rows: Row[] = [
  ['26 destination versions', (s) => job(s, { destinationPackageVersions: imported(s, 26) }),
    'destinationPackageVersions must list 1-25 package versions, got 26.'],
  ['0 destination versions', (s) => job(s, { destinationPackageVersions: [] }),
    'destinationPackageVersions must list 1-25 package versions, got 0.'],
  ['a DRAFT version', (s) => job(s, {
    destinationPackageVersions: [new SoftwarePackage(s, 'Pkg', { packageName: 'fw' }).addVersion('Draft', { versionName: '2.0.0', status: PackageVersionStatus.DRAFT })],
  }), 'destinationPackageVersions includes TestStack/Pkg/Draft, whose status is DRAFT: a job can deploy only a PUBLISHED or DEPRECATED version. Set its status to PUBLISHED.'],
  ['the same version twice', (s) => {
    const [v] = imported(s, 1);
    job(s, { destinationPackageVersions: [v, v] });
  }, 'destinationPackageVersions lists TestStack/I0 twice.'],
  ['jobId with a space', (s) => job(s, { jobId: 'my job' }),
    'jobId "my job" must match [a-zA-Z0-9_-]+: letters, digits, \'-\' and \'_\' only.'],
  ['jobId with a dot', (s) => job(s, { jobId: 'v1.0' }),
    'jobId "v1.0" must match [a-zA-Z0-9_-]+: letters, digits, \'-\' and \'_\' only.'],
  ['jobId over 64', (s) => job(s, { jobId: 'j'.repeat(65) }),
    `jobId "${'j'.repeat(65)}" must be 1-64 characters long, got 65.`],
  ['empty jobId', (s) => job(s, { jobId: '' }), 'jobId "" must be 1-64 characters long, got 0.'],
  ['no targets', (s) => job(s, { targets: [] }), 'targets must list at least 1 thing or thing group ARN, got 0.'],
  ['a target that is not a thing ARN', (s) => job(s, { targets: [`${ARN}:job/other`] }),
    `target "${ARN}:job/other" is not a thing or thing group ARN: expected arn:<partition>:iot:<region>:<account>:thing/<thingName> or ...:thinggroup/<thingGroupName> (see JobTargets).`],
  ['a thing name with a space', (s) => job(s, { targets: [JobTargets.thing(s, 'my thing')] }),
    'thingName "my thing" must match [a-zA-Z0-9:_-]+: letters, digits, \':\', \'_\' and \'-\' only.'],
  ['a literal thing group ARN with a slash in the name', (s) => job(s, { targets: [`${ARN}:thinggroup/a b`] }),
    'thingGroupName "a b" must match [a-zA-Z0-9:_-]+: letters, digits, \':\', \'_\' and \'-\' only.'],
  ['description over 2028', (s) => job(s, { description: 'd'.repeat(2029) }),
    'description must be 1-2028 characters long, got 2029.'],
  ['description with a newline', (s) => job(s, { description: 'a\nb' }),
    'description "a\\nb" must not contain control characters (found U+000A at position 1).'],
  ['document not JSON', (s) => job(s, { document: JobDocument.fromString('install please') }),
    'document must be a JSON document: Unexpected token \'i\', "install please" is not valid JSON.'],
  ['document over 32768', (s) => job(s, { document: JobDocument.fromString(`"${'x'.repeat(32767)}"`) }),
    'document must be at most 32768 characters long, got 32769.'],
  ['neither document nor template', (s) => job(s, { document: undefined }),
    'JobWithPackages TestStack/Job needs a document or a jobTemplate.'],
  ['presigned URL placeholder without presignedUrlConfig', (s) => job(s, {
    document: JobDocument.fromString('{"url":"${aws:iot:package:fw:version:1.0.0:artifact-location:s3-presigned-url}"}'),
  }), 'document uses an artifact pre-signed URL placeholder: set presignedUrlConfig with a role that can read the artifacts.'],
  ['presigned expiry 30 s', (s) => job(s, { presignedUrlConfig: { role: iam.Role.fromRoleName(s, 'R', 'r'), expiresIn: Duration.seconds(30) } }),
    'presignedUrlConfig.expiresIn must be 60-3600 seconds, got 30 seconds.'],
  ['presigned expiry 2 h', (s) => job(s, { presignedUrlConfig: { role: iam.Role.fromRoleName(s, 'R', 'r'), expiresIn: Duration.hours(2) } }),
    'presignedUrlConfig.expiresIn must be 60-3600 seconds, got 7200 seconds.'],
  ['rollout 0 per minute', (s) => job(s, { jobExecutionsRolloutConfig: { maximumPerMinute: 0 } }),
    'jobExecutionsRolloutConfig.maximumPerMinute must be 1-1000, got 0.'],
  ['rollout 1001 per minute', (s) => job(s, { jobExecutionsRolloutConfig: { maximumPerMinute: 1001 } }),
    'jobExecutionsRolloutConfig.maximumPerMinute must be 1-1000, got 1001.'],
  ['rollout 2.5 per minute', (s) => job(s, { jobExecutionsRolloutConfig: { maximumPerMinute: 2.5 } }),
    'jobExecutionsRolloutConfig.maximumPerMinute must be a whole number, got 2.5.'],
  ['increment factor 1', (s) => job(s, {
    jobExecutionsRolloutConfig: { exponentialRate: rate(5, 1) },
  }), 'jobExecutionsRolloutConfig.exponentialRate.incrementFactor must be 1.1-5, got 1.'],
  ['increment factor 1.25', (s) => job(s, {
    jobExecutionsRolloutConfig: { exponentialRate: rate(5, 1.25) },
  }), 'jobExecutionsRolloutConfig.exponentialRate.incrementFactor must have at most one decimal, got 1.25.'],
  ['base rate 0', (s) => job(s, {
    jobExecutionsRolloutConfig: { exponentialRate: rate(0, 2) },
  }), 'jobExecutionsRolloutConfig.exponentialRate.baseRatePerMinute must be 1-1000, got 0.'],
  ['rate increase without criteria', (s) => job(s, {
    jobExecutionsRolloutConfig: { exponentialRate: { baseRatePerMinute: 5, incrementFactor: 2, rateIncreaseCriteria: {} } },
  }), 'jobExecutionsRolloutConfig.exponentialRate.rateIncreaseCriteria must set numberOfNotifiedThings or numberOfSucceededThings.'],
  ['abort without criteria', (s) => job(s, { abortConfig: { criteria: [] } }),
    'abortConfig.criteria must list at least 1 criterion, got 0.'],
  ['abort threshold 101 %', (s) => job(s, {
    abortConfig: { criteria: [{ failureType: JobExecutionFailureType.ALL, thresholdPercentage: 101, minNumberOfExecutedThings: 1 }] },
  }), 'abortConfig.criteria[0].thresholdPercentage must be 0-100, got 101.'],
  ['abort threshold 10.999 %', (s) => job(s, {
    abortConfig: { criteria: [{ failureType: JobExecutionFailureType.ALL, thresholdPercentage: 10.999, minNumberOfExecutedThings: 1 }] },
  }), 'abortConfig.criteria[0].thresholdPercentage must have at most two decimals, got 10.999.'],
  ['abort after 0 things', (s) => job(s, {
    abortConfig: { criteria: [{ failureType: JobExecutionFailureType.ALL, thresholdPercentage: 5, minNumberOfExecutedThings: 0 }] },
  }), 'abortConfig.criteria[0].minNumberOfExecutedThings must be at least 1, got 0.'],
  ['timeout 8 days', (s) => job(s, { timeoutConfig: { inProgressTimeout: Duration.days(8) } }),
    'timeoutConfig.inProgressTimeout must be 1-10080 minutes, got 11520 minutes.'],
  ['timeout 90 seconds', (s) => job(s, { timeoutConfig: { inProgressTimeout: Duration.seconds(90) } }),
    'timeoutConfig.inProgressTimeout must be a whole number of minutes, got 1 minute 30 seconds.'],
  ['timeout 0 minutes', (s) => job(s, { timeoutConfig: { inProgressTimeout: Duration.minutes(0) } }),
    'timeoutConfig.inProgressTimeout must be 1-10080 minutes, got 0 minutes.'],
  ['11 retries', (s) => job(s, { jobExecutionsRetryConfig: { criteria: [{ failureType: JobRetryFailureType.FAILED, numberOfRetries: 11 }] } }),
    'jobExecutionsRetryConfig.criteria[0].numberOfRetries must be 0-10, got 11.'],
  ['three retry criteria', (s) => job(s, {
    jobExecutionsRetryConfig: {
      criteria: [JobRetryFailureType.FAILED, JobRetryFailureType.TIMED_OUT, JobRetryFailureType.ALL]
        .map((failureType) => ({ failureType, numberOfRetries: 1 })),
    },
  }), 'jobExecutionsRetryConfig.criteria must list 1-2 criteria, got 3.'],
  ['start time not a date', (s) => job(s, { schedulingConfig: { startTime: 'tomorrow' } }),
    'schedulingConfig.startTime "tomorrow" must be a date and time as YYYY-MM-DDTHH:MM (UTC).'],
  ['end 10 minutes after start', (s) => job(s, { schedulingConfig: { startTime: '2030-01-01T10:00', endTime: '2030-01-01T10:10' } }),
    'schedulingConfig.endTime "2030-01-01T10:10" must be at least 30 minutes after startTime "2030-01-01T10:00".'],
  ['end behavior without end time', (s) => job(s, { schedulingConfig: { endBehavior: JobEndBehavior.FORCE_CANCEL } }),
    'schedulingConfig.endBehavior FORCE_CANCEL needs an endTime.'],
  ['maintenance window of 1431 minutes', (s) => job(s, {
    schedulingConfig: { maintenanceWindows: [{ startTime: 'cron(0 0 ? * SUN *)', duration: Duration.minutes(1431) }] },
  }), 'schedulingConfig.maintenanceWindows[0].duration must be 1-1430 minutes, got 1431 minutes.'],
  ['two configurations in one app (two stacks, same environment)', (s) => {
    new PackageConfiguration(s, 'Config');
    new PackageConfiguration(new Stack(s.node.root as App, 'Other', { env: ENV }), 'Config');
  }, 'There can be only one PackageConfiguration per account and region: TestStack/Config and Other/Config both configure account 123456789012 in region us-east-1.'],
  ['two configurations in one stack', (s) => {
    new PackageConfiguration(s, 'A');
    new PackageConfiguration(s, 'B');
  }, 'There can be only one PackageConfiguration per account and region: TestStack/A and TestStack/B both configure account 123456789012 in region us-east-1.'],
];

test.each(rows)('bad input: %s', (_name, build, message) => {
  const stack = newStack();
  expect(() => build(stack)).toThrow(message);
  // The message is exact after the construct path, not merely contained.
  try {
    build(newStack());
  } catch (error) {
    expect(messageAfterPath(error)).toEqual(message);
  }
});

describe('special destinations', () => {
  test('the package\'s default version and an uninstall render the documented ARNs', () => {
    const stack = new Stack(new App(), 'Special', { env: { account: '123456789012', region: 'us-east-1' } });
    const firmware = SoftwarePackage.fromPackageName(stack, 'Firmware', 'fw');
    const legacy = SoftwarePackage.fromPackageName(stack, 'Legacy', 'legacy-agent');
    const current = PackageVersion.defaultVersionOf(stack, 'Current', firmware);
    const remove = PackageVersion.uninstallOf(stack, 'Remove', legacy);
    new JobWithPackages(stack, 'Job', {
      targets: [JobTargets.thingGroup(stack, 'fleet')],
      destinationPackageVersions: [current, remove],
      document: JobDocument.fromObject({ url: PackagePlaceholder.attribute(current, 'url') }),
    });
    const partitionArn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iot:us-east-1:123456789012:${resource}`]] });
    expect(stack.resolve(current.packageVersionArn)).toEqual(partitionArn('package/fw/version/$default'));
    expect(stack.resolve(remove.packageVersionArn)).toEqual(partitionArn('package/legacy-agent/version/$null'));
    expect(current.versionName).toEqual('$default');
    Template.fromStack(stack).hasResourceProperties('Custom::IotJobWithPackages', {
      Document: JSON.stringify({ url: '${aws:iot:package:fw:version:$default:attributes:url}' }),
    });
  });

  test('an imported ARN may name $default or $null', () => {
    const stack = new Stack(new App(), 'Imported');
    const version = PackageVersion.fromPackageVersionArn(stack, 'V', 'arn:aws:iot:us-east-1:123456789012:package/fw/version/$null');
    expect(version.versionName).toEqual('$null');
  });
});
