import { App, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ENV, iotArn, newStack, stableTemplate } from './util';
import { PackageVersion, PackageVersionStatus, SoftwarePackage } from '../../src';

const OWNED_RESOURCE_ACTIONS = [
  'iot:GetPackage', 'iot:UpdatePackage', 'iot:DeletePackage', 'iot:ListPackageVersions',
  'iot:GetPackageVersion', 'iot:UpdatePackageVersion', 'iot:DeletePackageVersion',
  'iot:AssociateSbomWithPackageVersion', 'iot:DisassociateSbomFromPackageVersion', 'iot:DisassociateSbomWithPackageVersion',
  'iot:TagResource', 'iot:UntagResource', 'iot:ListTagsForResource',
  'iot:DescribeJob', 'iot:GetJobDocument', 'iot:UpdateJob', 'iot:CancelJob', 'iot:DeleteJob',
];
const VERSION_ACTIONS = [
  'iot:CreatePackageVersion', 'iot:GetPackageVersion', 'iot:UpdatePackageVersion', 'iot:DeletePackageVersion',
  'iot:AssociateSbomWithPackageVersion', 'iot:DisassociateSbomFromPackageVersion', 'iot:DisassociateSbomWithPackageVersion',
];
const TAG_ACTIONS = ['iot:TagResource', 'iot:UntagResource', 'iot:ListTagsForResource'];
const DECLARED_PACKAGE_ACTIONS = [
  'iot:CreatePackage', 'iot:GetPackage', 'iot:UpdatePackage', 'iot:DeletePackage', 'iot:ListPackageVersions',
  ...VERSION_ACTIONS, ...TAG_ACTIONS, 'iot:CreateJob',
];
const IMPORTED_PACKAGE_ACTIONS = [...VERSION_ACTIONS, ...TAG_ACTIONS, 'iot:GetPackage', 'iot:UpdatePackage', 'iot:CreateJob'];

function exampleApp(): App {
  const app = new App();
  const stack = new Stack(app, 'Firmware', { env: ENV });
  const pkg = new SoftwarePackage(stack, 'Sensor', { description: 'Sensor firmware' });
  pkg.addVersion('V1', { versionName: '1.0.0', status: PackageVersionStatus.DEPRECATED });
  pkg.addVersion('V2', { versionName: '1.1.0', isDefaultVersion: true, attributes: { board: 'rev-b' } });
  pkg.addVersion('V3', { versionName: '1.2.0-rc1', status: PackageVersionStatus.DRAFT, recipe: '{"steps":[]}' });
  Tags.of(pkg).add('team', 'platform');
  return app;
}

describe('SoftwarePackage', () => {
  test('one package with a PUBLISHED default, a DRAFT and a DEPRECATED version (snapshot)', () => {
    const stack = exampleApp().node.findChild('Firmware') as Stack;
    expect(stableTemplate(stack)).toMatchSnapshot();
  });

  test('synthesis is deterministic: two synths give byte-identical templates', () => {
    const render = () => JSON.stringify(Template.fromStack(exampleApp().node.findChild('Firmware') as Stack).toJSON());
    expect(render()).toEqual(render());
  });

  test('the generated package name derives from the construct path and is valid', () => {
    const stack = newStack();
    new SoftwarePackage(stack, 'Sensor Firmware');
    const props = Template.fromStack(stack).findResources('Custom::IotSoftwarePackage');
    const name = Object.values(props)[0].Properties.PackageName as string;
    expect(name).toMatch(/^TestStack-SensorFirmware-[0-9A-F]{8}$/);
  });

  test('renders the package properties and the removal policy', () => {
    const stack = newStack();
    new SoftwarePackage(stack, 'Pkg', {
      packageName: 'sensor-firmware',
      description: 'Sensor firmware',
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteVersions: true,
    });
    const template = Template.fromStack(stack);
    template.hasResource('Custom::IotSoftwarePackage', {
      Properties: {
        PackageName: 'sensor-firmware',
        Description: 'Sensor firmware',
        AutoDeleteVersions: 'true',
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('defaults: DESTROY (CloudFormation\'s default, so no DeletionPolicy), no autoDeleteVersions, no tags', () => {
    const stack = newStack();
    new SoftwarePackage(stack, 'Pkg', { packageName: 'p' });
    Template.fromStack(stack).hasResource('Custom::IotSoftwarePackage', {
      Properties: Match.objectEquals({
        ServiceToken: Match.anyValue(),
        PackageName: 'p',
      }),
      DeletionPolicy: Match.absent(),
      UpdateReplacePolicy: Match.absent(),
    });
  });

  test('one provider Lambda per stack, whatever the number of packages and versions', () => {
    const stack = newStack();
    for (let p = 0; p < 3; p++) {
      const pkg = new SoftwarePackage(stack, `Pkg${p}`);
      for (let v = 0; v < 5; v++) pkg.addVersion(`V${v}`, { versionName: `1.0.${v}` });
    }
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    // Three packages' grants fit the main policy: no managed policy.
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    template.resourceCountIs('Custom::IotPackageVersion', 15);
  });

  test('the handler runs on Node.js 24 with its own log group and a timeout under CloudFormation\'s wait', () => {
    const stack = newStack();
    new SoftwarePackage(stack, 'Pkg');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 840,
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('IAM is scoped to the package and its versions: one grant per package, in the main policy after its fixed statements', () => {
    const stack = newStack();
    const pkg = new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' });
    for (let v = 0; v < 20; v++) pkg.addVersion(`V${v}`, { versionName: `1.0.${v}` });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^IotPackageCatalogProviderRole') }],
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IotPackageCatalogProviderLogs'), 'Arn'] },
          },
          // Neither has a resource-level scope.
          { Action: ['iot:GetIndexingConfiguration', 'iot:ListJobs'], Effect: 'Allow', Resource: '*' },
          {
            Action: OWNED_RESOURCE_ACTIONS,
            Condition: { StringEquals: { 'aws:ResourceTag/cdk-iot-package-catalog:stack-id': { Ref: 'AWS::StackId' } } },
            Effect: 'Allow',
            Resource: [iotArn('package/*'), iotArn('job/*')],
          },
          { Action: 'cloudformation:DescribeStacks', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
          { Action: DECLARED_PACKAGE_ACTIONS, Effect: 'Allow', Resource: [iotArn('package/fw'), iotArn('package/fw/version/*')] },
        ],
      },
    });
  });

  test('the packages of a policy share one statement', () => {
    const stack = newStack();
    for (const name of ['a', 'b', 'c']) new SoftwarePackage(stack, name, { packageName: name }).addVersion('V', { versionName: '1' });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: DECLARED_PACKAGE_ACTIONS,
          Effect: 'Allow',
          Resource: ['a', 'b', 'c'].flatMap((name) => [iotArn(`package/${name}`), iotArn(`package/${name}/version/*`)]),
        }]),
      },
    });
  });

  test('a version declared apart from its package (new PackageVersion) uses the package\'s grant', () => {
    const stack = newStack();
    const pkg = new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' });
    new PackageVersion(stack, 'V', { package: pkg, versionName: '1.0.0' });
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    const grants = (policy.Properties.PolicyDocument.Statement as any[]).filter((s) => JSON.stringify(s.Resource).includes('package/fw'));
    expect(grants).toEqual([{ Action: DECLARED_PACKAGE_ACTIONS, Effect: 'Allow', Resource: [iotArn('package/fw'), iotArn('package/fw/version/*')] }]);
  });

  test('every custom resource waits for the handler\'s policy', () => {
    const stack = newStack();
    const pkg = new SoftwarePackage(stack, 'Pkg');
    pkg.addVersion('V', { versionName: '1', isDefaultVersion: true });
    const template = Template.fromStack(stack);
    for (const type of ['Custom::IotSoftwarePackage', 'Custom::IotPackageVersion', 'Custom::IotPackageDefaultVersion']) {
      template.hasResource(type, { DependsOn: Match.arrayWith([Match.stringLikeRegexp('IotPackageCatalogProviderPolicy')]) });
    }
  });

  test('tags reach the package and the versions added to it', () => {
    const stack = newStack();
    const pkg = new SoftwarePackage(stack, 'Pkg');
    pkg.addVersion('V', { versionName: '1' });
    Tags.of(pkg).add('team', 'platform');
    Tags.of(stack).add('env', 'test');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::IotSoftwarePackage', { Tags: { team: 'platform', env: 'test' } });
    template.hasResourceProperties('Custom::IotPackageVersion', { Tags: { team: 'platform', env: 'test' } });
  });

  test('packageName and packageArn are attributes of the resource', () => {
    const stack = newStack();
    const pkg = new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' });
    expect(stack.resolve(pkg.packageName)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Pkg/), 'PackageName'] });
    expect(stack.resolve(pkg.packageArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Pkg/), 'PackageArn'] });
  });

  test('fromPackageName builds the ARN of the stack\'s partition, region and account', () => {
    const stack = newStack();
    const pkg = SoftwarePackage.fromPackageName(stack, 'P', 'fw');
    expect(pkg.packageName).toEqual('fw');
    expect(stack.resolve(pkg.packageArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:us-east-1:123456789012:package/fw']],
    });
  });

  test('fromPackageArn reads the name, account and region from the ARN', () => {
    const stack = newStack();
    const pkg = SoftwarePackage.fromPackageArn(stack, 'P', 'arn:aws:iot:eu-west-1:111122223333:package/fw');
    expect(pkg.packageName).toEqual('fw');
    expect(pkg.env).toEqual({ account: '111122223333', region: 'eu-west-1' });
  });

  test('a version of an imported package is granted version actions on that package only, no package-level changes', () => {
    const stack = newStack();
    const pkg = SoftwarePackage.fromPackageName(stack, 'P', 'shared-fw');
    pkg.addVersion('V', { versionName: '2.0.0' });
    pkg.addVersion('W', { versionName: '2.1.0', isDefaultVersion: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::IotPackageVersion', { PackageName: 'shared-fw', VersionName: '2.0.0' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: IMPORTED_PACKAGE_ACTIONS,
          Effect: 'Allow',
          Resource: [iotArn('package/shared-fw'), iotArn('package/shared-fw/version/*')],
        }]),
      },
    });
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy'));
    const actions = (policy.Properties.PolicyDocument.Statement as any[])
      .filter((s) => JSON.stringify(s.Resource).includes('package/shared-fw'))
      .flatMap((s) => s.Action);
    expect(actions).not.toEqual(expect.arrayContaining(['iot:CreatePackage']));
    expect(actions).not.toEqual(expect.arrayContaining(['iot:DeletePackage']));
    template.resourceCountIs('Custom::IotSoftwarePackage', 0);
  });

  test('versions in another stack get their own provider and reference the package across stacks', () => {
    const app = new App();
    const base = new Stack(app, 'Base', { env: ENV });
    const releases = new Stack(app, 'Releases', { env: ENV });
    const pkg = new SoftwarePackage(base, 'Pkg', { packageName: 'fw' });
    new PackageVersion(releases, 'V', { package: pkg, versionName: '1.0.0', isDefaultVersion: true });
    const template = Template.fromStack(releases);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    // The pointer lives beside the version, so the package's stack never depends on the releases.
    template.resourceCountIs('Custom::IotPackageDefaultVersion', 1);
    Template.fromStack(base).resourceCountIs('Custom::IotPackageDefaultVersion', 0);
  });
});
