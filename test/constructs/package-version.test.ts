import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { newStack } from './util';
import { PackageVersion, PackageVersionStatus, SoftwarePackage } from '../../src';

function versionResources(stack: Stack) {
  return Template.fromStack(stack).findResources('Custom::IotPackageVersion');
}

describe('PackageVersion', () => {
  test('renders its properties; status defaults to PUBLISHED', () => {
    const stack = newStack();
    const pkg = new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' });
    pkg.addVersion('V', {
      versionName: '1.0.0',
      description: 'First release',
      attributes: { 'board': 'rev-b', 'min:bootloader': '2' },
      recipe: '{"install":"flash"}',
    });
    Template.fromStack(stack).hasResourceProperties('Custom::IotPackageVersion', Match.objectEquals({
      ServiceToken: Match.anyValue(),
      PackageName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Pkg'), 'PackageName'] },
      VersionName: '1.0.0',
      Status: 'PUBLISHED',
      Description: 'First release',
      Attributes: { 'board': 'rev-b', 'min:bootloader': '2' },
      Recipe: '{"install":"flash"}',
    }));
  });

  test.each([PackageVersionStatus.DRAFT, PackageVersionStatus.PUBLISHED, PackageVersionStatus.DEPRECATED])('status %s is rendered as the desired state', (status) => {
    const stack = newStack();
    const version = new SoftwarePackage(stack, 'Pkg').addVersion('V', { versionName: '1', status });
    expect(version.status).toEqual(status);
    Template.fromStack(stack).hasResourceProperties('Custom::IotPackageVersion', { Status: status });
  });

  test('the version depends on its package through the package name attribute', () => {
    const stack = newStack();
    new SoftwarePackage(stack, 'Pkg').addVersion('V', { versionName: '1' });
    const [version] = Object.values(versionResources(stack));
    expect(version.Properties.PackageName['Fn::GetAtt'][1]).toEqual('PackageName');
  });

  test('removal policy RETAIN keeps the version', () => {
    const stack = newStack();
    new SoftwarePackage(stack, 'Pkg').addVersion('V', { versionName: '1', removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource('Custom::IotPackageVersion', { DeletionPolicy: 'Retain' });
  });

  test('attributes: ARN, version name and package name come from the resource', () => {
    const stack = newStack();
    const version = new SoftwarePackage(stack, 'Pkg').addVersion('V', { versionName: '1' });
    expect(stack.resolve(version.packageVersionArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PkgV/), 'PackageVersionArn'] });
    expect(stack.resolve(version.versionName)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PkgV/), 'VersionName'] });
    expect(stack.resolve(version.packageName)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PkgV/), 'PackageName'] });
  });

  test('fromPackageVersionArn parses a literal ARN', () => {
    const stack = newStack();
    const version = PackageVersion.fromPackageVersionArn(stack, 'V', 'arn:aws:iot:us-east-1:123456789012:package/fw/version/1.2.0');
    expect(version.packageName).toEqual('fw');
    expect(version.versionName).toEqual('1.2.0');
    expect(version.packageVersionArn).toEqual('arn:aws:iot:us-east-1:123456789012:package/fw/version/1.2.0');
  });

  describe('default version', () => {
    test('one pointer beside the package names the default version', () => {
      const stack = newStack();
      const pkg = new SoftwarePackage(stack, 'Pkg');
      pkg.addVersion('V1', { versionName: '1' });
      pkg.addVersion('V2', { versionName: '2', isDefaultVersion: true, status: PackageVersionStatus.DEPRECATED });
      const template = Template.fromStack(stack);
      template.resourceCountIs('Custom::IotPackageDefaultVersion', 1);
      template.hasResourceProperties('Custom::IotPackageDefaultVersion', {
        PackageName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Pkg'), 'PackageName'] },
        VersionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PkgV2'), 'VersionName'] },
      });
    });

    test('moving the default keeps the pointer\'s logical id, so the move is an in-place update', () => {
      const pointerId = (defaultIndex: number) => {
        const stack = newStack();
        const pkg = new SoftwarePackage(stack, 'Pkg');
        pkg.addVersion('V1', { versionName: '1', isDefaultVersion: defaultIndex === 1 });
        pkg.addVersion('V2', { versionName: '2', isDefaultVersion: defaultIndex === 2 });
        return Object.keys(Template.fromStack(stack).findResources('Custom::IotPackageDefaultVersion'));
      };
      expect(pointerId(1)).toEqual(pointerId(2));
      expect(pointerId(1)).toHaveLength(1);
    });

    test('no default, no pointer', () => {
      const stack = newStack();
      new SoftwarePackage(stack, 'Pkg').addVersion('V', { versionName: '1' });
      Template.fromStack(stack).resourceCountIs('Custom::IotPackageDefaultVersion', 0);
    });

    test('the pointer follows the version\'s removal policy', () => {
      const stack = newStack();
      new SoftwarePackage(stack, 'Pkg').addVersion('V', { versionName: '1', isDefaultVersion: true, removalPolicy: RemovalPolicy.RETAIN });
      Template.fromStack(stack).hasResource('Custom::IotPackageDefaultVersion', { DeletionPolicy: 'Retain' });
    });
  });
});
