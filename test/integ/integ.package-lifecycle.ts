/**
 * Integration test: a package with a published default version, a DRAFT and a DEPRECATED
 * version, checked against the real IoT API after deployment.
 *
 * How to check the snapshots offline or run this against an account: see README.md here.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack, Tags } from 'aws-cdk-lib';
import { PackageVersionStatus, SoftwarePackage } from '../../src';

// Names are fixed, so that every synth gives the same template and a failed run's leftovers
// are easy to find. Package names are unique per account and region.
const PACKAGE_NAME = 'integ-pkgcat-lifecycle';

// No stack traces in the snapshot's metadata: they hold absolute paths of the machine that wrote it.
const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
const stack = new Stack(app, 'IotPkgCatLifecycle');

const pkg = new SoftwarePackage(stack, 'Package', {
  packageName: PACKAGE_NAME,
  description: 'integ-runner test package (safe to delete)',
});
const published = pkg.addVersion('Published', {
  versionName: '1.0.0',
  description: 'Published default version',
  attributes: { board: 'rev-b' },
  status: PackageVersionStatus.PUBLISHED,
  isDefaultVersion: true,
});
const draft = pkg.addVersion('Draft', {
  versionName: '1.1.0-rc.1',
  description: 'Draft under test',
  attributes: { board: 'rev-c' },
  status: PackageVersionStatus.DRAFT,
});
const deprecated = pkg.addVersion('Deprecated', {
  versionName: '0.9.0',
  description: 'Superseded release',
  status: PackageVersionStatus.DEPRECATED,
});
Tags.of(pkg).add('integ', 'package-lifecycle');

const integ = new IntegTest(app, 'PackageLifecycle', {
  testCases: [stack],
  // The update workflow would first deploy the committed snapshot, which would then have to
  // carry the handler bundle (~400 KB, new with every handler change). Update paths are covered
  // by the lifecycle tests on the local emulator; here every run deploys the current build.
  stackUpdateWorkflow: false,
  // The handler bundle's hash changes with every handler edit: compare templates, not hashes.
  diffAssets: false,
});

integ.assertions.awsApiCall('IoT', 'getPackageVersion', {
  packageName: PACKAGE_NAME,
  versionName: published.versionName,
}).expect(ExpectedResult.objectLike({ status: 'PUBLISHED', versionName: '1.0.0', attributes: { board: 'rev-b' } }));

integ.assertions.awsApiCall('IoT', 'getPackageVersion', {
  packageName: PACKAGE_NAME,
  versionName: draft.versionName,
}).expect(ExpectedResult.objectLike({ status: 'DRAFT', versionName: '1.1.0-rc.1' }));

integ.assertions.awsApiCall('IoT', 'getPackageVersion', {
  packageName: PACKAGE_NAME,
  versionName: deprecated.versionName,
}).expect(ExpectedResult.objectLike({ status: 'DEPRECATED', versionName: '0.9.0' }));

integ.assertions.awsApiCall('IoT', 'getPackage', {
  packageName: pkg.packageName,
}).expect(ExpectedResult.objectLike({ packageName: PACKAGE_NAME, defaultVersionName: '1.0.0' }));

app.synth();
