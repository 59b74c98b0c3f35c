/**
 * Integration test: the account's package configuration, a published version and a job that
 * installs it on a thing group, checked against the real IoT API after deployment.
 *
 * Needs an account and region whose package configuration is disabled or was set by this
 * test: `PackageConfiguration` never takes over a configuration enabled with another role.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import { JobDocument, JobTargets, JobWithPackages, PackageConfiguration, SoftwarePackage } from '../../src';

const PACKAGE_NAME = 'integ-pkgcat-job';
const VERSION_NAME = '2.0.0';
const THING_GROUP_NAME = 'integ-pkgcat-job-fleet';

// No stack traces in the snapshot's metadata: they hold absolute paths of the machine that wrote it.
const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
const stack = new Stack(app, 'IotPkgCatJobWithPackages');

const configuration = new PackageConfiguration(stack, 'Configuration', { versionUpdateByJobs: true });

const pkg = new SoftwarePackage(stack, 'Package', {
  packageName: PACKAGE_NAME,
  description: 'integ-runner test package (safe to delete)',
});
const version = pkg.addVersion('Version', {
  versionName: VERSION_NAME,
  attributes: { image: 'firmware-2.0.0.bin' },
});

// The job's targets must exist when it is created; an empty group is enough.
const fleet = new iot.CfnThingGroup(stack, 'Fleet', { thingGroupName: THING_GROUP_NAME });

const job = new JobWithPackages(stack, 'Job', {
  // The Ref makes the job wait for the group.
  targets: [JobTargets.thingGroup(stack, fleet.ref)],
  destinationPackageVersions: [version],
  document: JobDocument.fromObject({
    operation: 'install',
    package: PACKAGE_NAME,
    version: VERSION_NAME,
    image: `\${aws:iot:package:${PACKAGE_NAME}:version:${VERSION_NAME}:attributes:image}`,
  }),
  description: 'integ-runner test job (safe to delete)',
});

const integ = new IntegTest(app, 'JobWithPackages', {
  testCases: [stack],
  // See integ.package-lifecycle.ts: every run deploys the current handler build.
  stackUpdateWorkflow: false,
  diffAssets: false,
});

integ.assertions.awsApiCall('IoT', 'getPackageVersion', {
  packageName: PACKAGE_NAME,
  versionName: VERSION_NAME,
}).expect(ExpectedResult.objectLike({ status: 'PUBLISHED' }));

integ.assertions.awsApiCall('IoT', 'getPackageConfiguration', {})
  .expect(ExpectedResult.objectLike({
    versionUpdateByJobsConfig: { enabled: true, roleArn: configuration.role.roleArn },
  }));

integ.assertions.awsApiCall('IoT', 'describeJob', {
  jobId: job.jobId,
}).expect(ExpectedResult.objectLike({
  job: {
    jobId: job.jobId,
    targets: [Match.stringLikeRegexp(`:thinggroup/${THING_GROUP_NAME}$`)],
    destinationPackageVersions: Match.arrayWith([version.packageVersionArn]),
  },
}));

app.synth();
