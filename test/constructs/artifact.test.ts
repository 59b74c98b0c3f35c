import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { newStack } from './util';
import { PackageVersionArtifact, PackageVersionSbom, SoftwarePackage } from '../../src';

const FIRMWARE = path.join(__dirname, '..', 'fixtures', 'firmware.bin');

describe('artifact and SBOM', () => {
  test('fromAsset uploads the file as an asset; the object version is left for deploy time', () => {
    const stack = newStack();
    new SoftwarePackage(stack, 'Pkg').addVersion('V', {
      versionName: '1.0.0',
      artifact: PackageVersionArtifact.fromAsset(FIRMWARE),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::IotPackageVersion', {
      Artifact: {
        Bucket: 'cdk-hnb659fds-assets-123456789012-us-east-1',
        Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.bin$'),
        Version: Match.absent(),
      },
    });
    // The handler reads the object's latest version and IoT reads that version with its permissions.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':s3:::cdk-hnb659fds-assets-123456789012-us-east-1/[0-9a-f]{64}\\.bin$')])] }),
        })]),
      },
    });
  });

  test('fromBucket with an object version needs only s3:GetObjectVersion on that object', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Releases', 'releases');
    new SoftwarePackage(stack, 'Pkg').addVersion('V', {
      versionName: '1.0.0',
      artifact: PackageVersionArtifact.fromBucket(bucket, 'fw/1.0.0.bin', 'v42'),
      sbom: PackageVersionSbom.fromBucket(bucket, 'fw/1.0.0-sbom.zip', 'v7'),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::IotPackageVersion', {
      Artifact: { Bucket: 'releases', Key: 'fw/1.0.0.bin', Version: 'v42' },
      Sbom: { Bucket: 'releases', Key: 'fw/1.0.0-sbom.zip', Version: 'v7' },
    });
    // One statement per kind of read: both objects in it, and no s3:GetObject (no latest version to look up).
    const s3Arn = (key: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::releases/${key}`]] });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 's3:GetObjectVersion', Effect: 'Allow', Resource: [s3Arn('fw/1.0.0.bin'), s3Arn('fw/1.0.0-sbom.zip')] },
        ]),
      },
    });
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(JSON.stringify(policy.Properties.PolicyDocument)).not.toContain('"s3:GetObject"');
  });

  test('objects with and without a version are read in separate statements', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Releases', 'releases');
    const pkg = new SoftwarePackage(stack, 'Pkg');
    pkg.addVersion('V1', { versionName: '1', artifact: PackageVersionArtifact.fromBucket(bucket, 'a.bin', 'v1') });
    pkg.addVersion('V2', { versionName: '2', artifact: PackageVersionArtifact.fromBucket(bucket, 'b.bin') });
    const s3Arn = (key: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::releases/${key}`]] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 's3:GetObjectVersion', Effect: 'Allow', Resource: s3Arn('a.bin') },
          { Action: ['s3:GetObject', 's3:GetObjectVersion'], Effect: 'Allow', Resource: s3Arn('b.bin') },
        ]),
      },
    });
  });

  test('the SBOM validation status is an attribute only when there is an SBOM', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Releases', 'releases');
    const pkg = new SoftwarePackage(stack, 'Pkg');
    const withSbom = pkg.addVersion('V1', { versionName: '1', sbom: PackageVersionSbom.fromBucket(bucket, 'sbom.zip') });
    const without = pkg.addVersion('V2', { versionName: '2' });
    expect(stack.resolve(withSbom.sbomValidationStatus)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PkgV1/), 'SbomValidationStatus'] });
    expect(without.sbomValidationStatus).toBeUndefined();
  });

  test('an empty object key is refused', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Releases', 'releases');
    expect(() => PackageVersionArtifact.fromBucket(bucket, '')).toThrow('objectKey must not be empty.');
  });
});
