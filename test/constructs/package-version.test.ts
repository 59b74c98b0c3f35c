import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ENV, newStack } from './util';
import { PackageVersion, PackageVersionStatus, SoftwarePackage } from '../../src';

function versionResources(stack: Stack) {
  return Template.fromStack(stack).findResources('Custom::IotPackageVersion');
}

/** The message `build` throws; fails when it does not throw. */
function thrown(build: () => void): string {
  try {
    build();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

const retainedVersionOfDestroyedPackage = (version: string, pkg: string, policy: string) =>
  `PackageVersion ${version} has removalPolicy ${policy} but its package ${pkg} has RemovalPolicy.DESTROY: ` +
  'a package cannot be deleted while it has versions. Give the package ' +
  `removalPolicy ${policy} too, or leave the version's removalPolicy unset to follow the package.`;

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

  describe('removal policy', () => {
    test('by default a version follows its package: versions of a retained package are retained', () => {
      const stack = newStack();
      new SoftwarePackage(stack, 'Pkg', { removalPolicy: RemovalPolicy.RETAIN }).addVersion('V', { versionName: '1' });
      Template.fromStack(stack).hasResource('Custom::IotPackageVersion', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    test('versions of a destroyed package (the default) are destroyed: no DeletionPolicy', () => {
      const stack = newStack();
      new SoftwarePackage(stack, 'Pkg').addVersion('V', { versionName: '1' });
      Template.fromStack(stack).hasResource('Custom::IotPackageVersion', { DeletionPolicy: Match.absent(), UpdateReplacePolicy: Match.absent() });
    });

    test('an explicit RETAIN on a version of a retained package keeps the version', () => {
      const stack = newStack();
      new SoftwarePackage(stack, 'Pkg', { removalPolicy: RemovalPolicy.RETAIN }).addVersion('V', { versionName: '1', removalPolicy: RemovalPolicy.RETAIN });
      Template.fromStack(stack).hasResource('Custom::IotPackageVersion', { DeletionPolicy: 'Retain' });
    });

    test('a version of a retained package may still be destroyed explicitly', () => {
      const stack = newStack();
      new SoftwarePackage(stack, 'Pkg', { removalPolicy: RemovalPolicy.RETAIN }).addVersion('V', { versionName: '1', removalPolicy: RemovalPolicy.DESTROY });
      const template = Template.fromStack(stack);
      template.hasResource('Custom::IotSoftwarePackage', { DeletionPolicy: 'Retain' });
      template.hasResource('Custom::IotPackageVersion', { DeletionPolicy: Match.absent() });
    });

    test('a version of an imported package defaults to DESTROY and may be retained', () => {
      const stack = newStack();
      const pkg = SoftwarePackage.fromPackageName(stack, 'Pkg', 'shared-fw');
      pkg.addVersion('Kept', { versionName: '1', removalPolicy: RemovalPolicy.RETAIN });
      pkg.addVersion('Dropped', { versionName: '2' });
      const versions = versionResources(stack);
      const policyOf = (prefix: string) => Object.entries(versions).find(([id]) => id.startsWith(prefix))![1].DeletionPolicy;
      expect(policyOf('PkgKept')).toEqual('Retain');
      expect(policyOf('PkgDropped')).toBeUndefined();
    });

    test.each([
      ['RemovalPolicy.RETAIN', RemovalPolicy.RETAIN],
      ['RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE', RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE],
    ])('a version with %s while its package is destroyed fails at synth', (name, removalPolicy) => {
      const stack = newStack();
      const pkg = new SoftwarePackage(stack, 'Pkg');
      expect(thrown(() => pkg.addVersion('V', { versionName: '1', removalPolicy })))
        .toEqual(retainedVersionOfDestroyedPackage('TestStack/Pkg/V', 'TestStack/Pkg', name));
    });

    test('the check holds for a version in another stack of the app', () => {
      const app = new App();
      const pkg = new SoftwarePackage(new Stack(app, 'Base', { env: ENV }), 'Pkg', { removalPolicy: RemovalPolicy.DESTROY });
      const releases = new Stack(app, 'Releases', { env: ENV });
      expect(thrown(() => new PackageVersion(releases, 'V', { package: pkg, versionName: '1', removalPolicy: RemovalPolicy.RETAIN })))
        .toEqual(retainedVersionOfDestroyedPackage('Releases/V', 'Base/Pkg', 'RemovalPolicy.RETAIN'));
    });
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
      new SoftwarePackage(stack, 'Pkg', { removalPolicy: RemovalPolicy.RETAIN })
        .addVersion('V', { versionName: '1', isDefaultVersion: true, removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
      const template = Template.fromStack(stack);
      template.hasResource('Custom::IotPackageVersion', { DeletionPolicy: 'RetainExceptOnCreate' });
      template.hasResource('Custom::IotPackageDefaultVersion', { DeletionPolicy: 'RetainExceptOnCreate' });
    });

    test('a retained package keeps its default-version pointer', () => {
      const stack = newStack();
      new SoftwarePackage(stack, 'Pkg', { removalPolicy: RemovalPolicy.RETAIN }).addVersion('V', { versionName: '1', isDefaultVersion: true });
      Template.fromStack(stack).hasResource('Custom::IotPackageDefaultVersion', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    test('the pointer waits for the main policy, which grants its package here', () => {
      const stack = newStack();
      new SoftwarePackage(stack, 'Pkg').addVersion('V', { versionName: '1', isDefaultVersion: true });
      Template.fromStack(stack).hasResource('Custom::IotPackageDefaultVersion', {
        DependsOn: [Match.stringLikeRegexp('^IotPackageCatalogProviderPolicy')],
      });
    });
  });
});
