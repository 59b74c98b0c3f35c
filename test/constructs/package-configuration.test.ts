import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ENV, newStack } from './util';
import { JobDocument, JobTargets, JobWithPackages, PackageConfiguration, SoftwarePackage } from '../../src';

describe('PackageConfiguration', () => {
  test('defaults: enabled, with a least-privilege role trusted by IoT for this account only', () => {
    const stack = newStack();
    new PackageConfiguration(stack, 'Config');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::IotPackageConfiguration', {
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConfigRole'), 'Arn'] },
      VersionUpdateByJobs: 'true',
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          // Confused-deputy protection.
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          Effect: 'Allow',
          Principal: { Service: 'iot.amazonaws.com' },
        }],
      },
      Policies: [{
        PolicyDocument: {
          Statement: [
            { Action: 'iot:DescribeEndpoint', Effect: 'Allow', Resource: '*' },
            {
              Action: ['iot:GetThingShadow', 'iot:UpdateThingShadow'],
              Effect: 'Allow',
              Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:us-east-1:123456789012:thing/*/$package']] },
            },
          ],
        },
      }],
    });
    template.resourceCountIs('Custom::IotPackageFleetIndexing', 0);
  });

  test('in an environment-agnostic stack the role trusts IoT for the deploying account', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new PackageConfiguration(stack, 'Config');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          Principal: { Service: 'iot.amazonaws.com' },
        })],
      },
    });
  });

  test('the handler may pass only this role, and only to IoT', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Mine', 'arn:aws:iam::123456789012:role/package-shadow');
    new PackageConfiguration(stack, 'Config', { role, versionUpdateByJobs: false });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::IotPackageConfiguration', {
      RoleArn: 'arn:aws:iam::123456789012:role/package-shadow',
      VersionUpdateByJobs: 'false',
    });
    template.resourceCountIs('AWS::IAM::Role', 1); // the provider's only
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: ['iot:GetPackageConfiguration', 'iot:UpdatePackageConfiguration'], Effect: 'Allow', Resource: '*' },
          {
            Action: 'iam:PassRole',
            Condition: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
            Effect: 'Allow',
            Resource: 'arn:aws:iam::123456789012:role/package-shadow',
          },
        ]),
      },
    });
  });

  test('fleetIndexing adds the $package indexing resource and its permission', () => {
    const stack = newStack();
    new PackageConfiguration(stack, 'Config', { fleetIndexing: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::IotPackageFleetIndexing', { ShadowName: '$package' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'iot:UpdateIndexingConfiguration', Effect: 'Allow', Resource: '*' }]) },
    });
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });

  test('RETAIN keeps the configuration and its indexing', () => {
    const stack = newStack();
    new PackageConfiguration(stack, 'Config', { fleetIndexing: true, removalPolicy: RemovalPolicy.RETAIN });
    const template = Template.fromStack(stack);
    template.hasResource('Custom::IotPackageConfiguration', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('Custom::IotPackageFleetIndexing', { DeletionPolicy: 'Retain' });
  });

  test('the configuration waits for its role', () => {
    const stack = newStack();
    new PackageConfiguration(stack, 'Config');
    Template.fromStack(stack).hasResource('Custom::IotPackageConfiguration', {
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^ConfigRole'), Match.stringLikeRegexp('^IotPackageCatalogProviderPolicy')]),
    });
  });

  test('jobs of the stack depend on the configuration, whichever is declared first', () => {
    const stack = newStack();
    const version = new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' }).addVersion('V1', { versionName: '1.0.0' });
    const jobProps = { targets: [JobTargets.thing(stack, 't1')], destinationPackageVersions: [version], document: JobDocument.fromObject({ op: 'install' }) };
    new JobWithPackages(stack, 'Before', jobProps);
    new PackageConfiguration(stack, 'Config');
    new JobWithPackages(stack, 'After', jobProps);
    const jobs = Template.fromStack(stack).findResources('Custom::IotJobWithPackages');
    expect(Object.keys(jobs)).toHaveLength(2);
    for (const job of Object.values(jobs)) {
      expect(job.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Config[0-9A-F]{8}$/)]));
    }
  });

  test('stacks in different environments each have their own', () => {
    const app = new App();
    new PackageConfiguration(new Stack(app, 'A', { env: ENV }), 'Config');
    expect(() => new PackageConfiguration(new Stack(app, 'B', { env: { ...ENV, region: 'eu-west-1' } }), 'Config')).not.toThrow();
  });
});
