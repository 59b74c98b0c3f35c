import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { newStack } from './util';
import { JobDocument, JobTargets, JobWithPackages, PackagePlaceholder, PackageVersionArtifact, SoftwarePackage } from '../../src';

const FIRMWARE = path.join(__dirname, '..', 'fixtures', 'firmware.bin');

test('the README\'s firmware update: a local image, a published default version and a job that downloads it', () => {
  const stack = newStack();
  const firmware = new SoftwarePackage(stack, 'Firmware', { packageName: 'sensor-firmware' });
  const release = firmware.addVersion('V1_2_0', {
    versionName: '1.2.0',
    attributes: { sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' },
    artifact: PackageVersionArtifact.fromAsset(FIRMWARE),
    isDefaultVersion: true,
  });
  const downloader = new iam.Role(stack, 'ArtifactDownload', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
  new JobWithPackages(stack, 'Rollout', {
    targets: [JobTargets.thingGroup(stack, 'temperature-sensors')],
    destinationPackageVersions: [release],
    document: JobDocument.fromObject({
      operation: 'firmware-update',
      url: PackagePlaceholder.artifactUrl(release),
      sha256: PackagePlaceholder.attribute(release, 'sha256'),
    }),
    presignedUrlConfig: { role: downloader, expiresIn: Duration.hours(1) },
    jobExecutionsRolloutConfig: { maximumPerMinute: 50 },
    timeoutConfig: { inProgressTimeout: Duration.hours(2) },
  });

  const template = Template.fromStack(stack);
  template.hasResourceProperties('Custom::IotJobWithPackages', {
    Document: JSON.stringify({
      operation: 'firmware-update',
      url: '${aws:iot:package:sensor-firmware:version:1.2.0:artifact-location:s3-presigned-url}',
      sha256: '${aws:iot:package:sensor-firmware:version:1.2.0:attributes:sha256}',
    }),
    PresignedUrlConfig: Match.objectLike({ ExpiresInSec: 3600 }),
  });
  template.hasResourceProperties('Custom::IotPackageVersion', { Artifact: Match.objectLike({ Key: Match.stringLikeRegexp('\\.bin$') }) });
});
