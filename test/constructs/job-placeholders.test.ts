import { CfnParameter, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { messageAfterPath, newStack } from './util';
import {
  IPackageVersion, JobDocument, JobTargets, JobTemplateWithPackages, JobWithPackages, JobWithPackagesProps, PackagePlaceholder,
  PackageVersion, PackageVersionArtifact, SoftwarePackage,
} from '../../src';

const ARN = 'arn:aws:iot:us-east-1:123456789012';

/** fw/1.0.0 with attributes and an artifact, fw/2.0.0 with neither, and ui/1.0.0 (imported). */
interface Fleet {
  readonly v1: PackageVersion;
  readonly v2: PackageVersion;
  readonly ui: IPackageVersion;
  readonly role: iam.IRole;
}

function fleet(s: Stack): Fleet {
  const pkg = new SoftwarePackage(s, 'Pkg', { packageName: 'fw' });
  const bucket = s3.Bucket.fromBucketName(s, 'Artifacts', 'artifacts');
  return {
    v1: pkg.addVersion('V1', {
      versionName: '1.0.0',
      attributes: { url: 'https://example.com/fw-1.0.0.bin', signature: 'abc' },
      artifact: PackageVersionArtifact.fromBucket(bucket, 'fw-1.0.0.bin', 'v1'),
    }),
    v2: pkg.addVersion('V2', { versionName: '2.0.0' }),
    ui: PackageVersion.fromPackageVersionArn(s, 'Ui', `${ARN}:package/ui/version/1.0.0`),
    role: iam.Role.fromRoleArn(s, 'UrlRole', 'arn:aws:iam::123456789012:role/url-signer'),
  };
}

function job(s: Stack, props: Partial<JobWithPackagesProps> & Pick<JobWithPackagesProps, 'destinationPackageVersions'>): JobWithPackages {
  return new JobWithPackages(s, 'Job', { targets: [JobTargets.thingGroup(s, 'fleet')], ...props });
}

function jobDocument(stack: Stack): unknown {
  const jobs = Template.fromStack(stack).findResources('Custom::IotJobWithPackages');
  return Object.values(jobs)[0].Properties.Document;
}

describe('PackagePlaceholder', () => {
  test('renders each form with the literal names of a version of this app', () => {
    const { v1 } = fleet(newStack());
    expect(Token.isUnresolved(v1.versionName)).toBe(true);
    expect(Token.isUnresolved(v1.packageName)).toBe(true);
    expect(PackagePlaceholder.attribute(v1, 'url')).toEqual('${aws:iot:package:fw:version:1.0.0:attributes:url}');
    expect(PackagePlaceholder.attribute(v1, 'a:b_c-d')).toEqual('${aws:iot:package:fw:version:1.0.0:attributes:a:b_c-d}');
    expect(PackagePlaceholder.attributes(v1)).toEqual('${aws:iot:package:fw:version:1.0.0:attributes}');
    expect(PackagePlaceholder.artifactUrl(v1)).toEqual('${aws:iot:package:fw:version:1.0.0:artifact-location:s3-presigned-url}');
  });

  test('renders the short forms', () => {
    expect(PackagePlaceholder.soleVersionAttribute('url')).toEqual('${aws:iot:package::version::attributes:url}');
    expect(PackagePlaceholder.soleVersionAttributes()).toEqual('${aws:iot:package::version::attributes}');
  });

  test('a generated package name, an imported package and an imported version render literally', () => {
    const stack = newStack();
    const generated = new SoftwarePackage(stack, 'Generated').addVersion('V', { versionName: '3.1.4' });
    expect(PackagePlaceholder.attributes(generated)).toMatch(/^\$\{aws:iot:package:TestStack-Generated-[0-9A-F]{8}:version:3\.1\.4:attributes\}$/);
    const ofImported = new PackageVersion(stack, 'OfImported', { package: SoftwarePackage.fromPackageName(stack, 'Ext', 'ext'), versionName: '0.9' });
    expect(PackagePlaceholder.attributes(ofImported)).toEqual('${aws:iot:package:ext:version:0.9:attributes}');
    const imported = PackageVersion.fromPackageVersionArn(stack, 'Imp', `${ARN}:package/imp/version/7`);
    expect(PackagePlaceholder.artifactUrl(imported)).toEqual('${aws:iot:package:imp:version:7:artifact-location:s3-presigned-url}');
  });

  test('a version known only at deploy time renders as Fn::Join in the document', () => {
    const stack = newStack();
    const version = PackageVersion.fromPackageVersionArn(stack, 'Imp', Token.asString({ Ref: 'VersionArn' }));
    job(stack, {
      destinationPackageVersions: [version],
      document: JobDocument.fromObject({ url: PackagePlaceholder.attribute(version, 'url') }),
    });
    const part = (index: number) => ({ 'Fn::Select': [index, { 'Fn::Split': ['/', { Ref: 'VersionArn' }] }] });
    expect(jobDocument(stack)).toEqual({
      'Fn::Join': ['', ['{"url":"${aws:iot:package:', part(1), ':version:', part(3), ':attributes:url}"}']],
    });
  });

  test('a version name given as a parameter renders as that parameter, not as an attribute of the version', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'VersionName').valueAsString;
    const version = new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' }).addVersion('V', { versionName: name });
    job(stack, { destinationPackageVersions: [version], document: JobDocument.fromObject({ all: PackagePlaceholder.attributes(version) }) });
    expect(jobDocument(stack)).toEqual({
      'Fn::Join': ['', ['{"all":"${aws:iot:package:fw:version:', { Ref: 'VersionName' }, ':attributes}"}']],
    });
  });

  test.each([
    ['a space', 'a b', 'attribute key "a b" must match [a-zA-Z0-9:_-]+: letters, digits, \':\', \'_\' and \'-\' only.'],
    ['a dot', 'a.b', 'attribute key "a.b" must match [a-zA-Z0-9:_-]+: letters, digits, \':\', \'_\' and \'-\' only.'],
    ['nothing', '', 'attribute key "" must be at least 1 character long, got 0.'],
  ])('an attribute key with %s is rejected, as a version\'s own attribute keys are', (_name, key, message) => {
    const { v1 } = fleet(newStack());
    expect(() => PackagePlaceholder.attribute(v1, key)).toThrow(message);
    expect(() => PackagePlaceholder.soleVersionAttribute(key)).toThrow(message);
  });

  test('a token attribute key passes', () => {
    const { v1 } = fleet(newStack());
    expect(() => PackagePlaceholder.attribute(v1, Token.asString({ Ref: 'Key' }))).not.toThrow();
  });
});

describe('placeholders in job documents', () => {
  test('the job renders the literal document, placeholders included', () => {
    const stack = newStack();
    const { v1, role } = fleet(stack);
    job(stack, {
      destinationPackageVersions: [v1],
      presignedUrlConfig: { role },
      document: JobDocument.fromObject({
        operation: 'install',
        url: PackagePlaceholder.artifactUrl(v1),
        signature: PackagePlaceholder.attribute(v1, 'signature'),
        attributes: PackagePlaceholder.soleVersionAttributes(),
      }),
    });
    expect(jobDocument(stack)).toEqual(
      '{"operation":"install",' +
      '"url":"${aws:iot:package:fw:version:1.0.0:artifact-location:s3-presigned-url}",' +
      '"signature":"${aws:iot:package:fw:version:1.0.0:attributes:signature}",' +
      '"attributes":"${aws:iot:package::version::attributes}"}',
    );
  });

  test('the job template renders the literal document', () => {
    const stack = newStack();
    const { v1, v2 } = fleet(stack);
    new JobTemplateWithPackages(stack, 'Tpl', {
      description: 'Install firmware',
      destinationPackageVersions: [v1, v2],
      document: JobDocument.fromObject({ url: PackagePlaceholder.attribute(v1, 'url'), next: PackagePlaceholder.attributes(v2) }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::JobTemplate', {
      Document: '{"url":"${aws:iot:package:fw:version:1.0.0:attributes:url}","next":"${aws:iot:package:fw:version:2.0.0:attributes}"}',
    });
  });

  type Passing = [string, (s: Stack, f: Fleet) => Partial<JobWithPackagesProps> & Pick<JobWithPackagesProps, 'destinationPackageVersions'>];
  const passing: Passing[] = [
    ['each of two versions named', (_s, { v1, ui }) => ({
      destinationPackageVersions: [v1, ui],
      document: JobDocument.fromObject({ a: PackagePlaceholder.attribute(v1, 'url'), b: PackagePlaceholder.attributes(ui) }),
    })],
    ['a destination that the document does not name', (_s, { v1, v2 }) => ({
      destinationPackageVersions: [v1, v2],
      document: JobDocument.fromObject({ a: PackagePlaceholder.attribute(v1, 'url') }),
    })],
    ['short forms with one version', (_s, { v1 }) => ({
      destinationPackageVersions: [v1],
      document: JobDocument.fromObject({ a: PackagePlaceholder.soleVersionAttribute('url'), b: PackagePlaceholder.soleVersionAttributes() }),
    })],
    ['a hand-written placeholder of a listed version', (_s, { ui }) => ({
      destinationPackageVersions: [ui],
      document: JobDocument.fromString('{"all":"${aws:iot:package:ui:version:1.0.0:attributes}"}'),
    })],
    ['an artifact URL with a role', (_s, { v1, role }) => ({
      destinationPackageVersions: [v1],
      presignedUrlConfig: { role },
      document: JobDocument.fromObject({ url: PackagePlaceholder.artifactUrl(v1) }),
    })],
    ['an artifact URL of an imported version (its artifact is unknown)', (_s, { ui, role }) => ({
      destinationPackageVersions: [ui],
      presignedUrlConfig: { role },
      document: JobDocument.fromObject({ url: PackagePlaceholder.artifactUrl(ui) }),
    })],
    ['any attribute of an imported version', (_s, { ui }) => ({
      destinationPackageVersions: [ui],
      document: JobDocument.fromObject({ a: PackagePlaceholder.soleVersionAttribute('whatever') }),
    })],
    ['a version known only at deploy time', (s) => {
      const version = PackageVersion.fromPackageVersionArn(s, 'Tok', Token.asString({ Ref: 'Arn' }));
      return {
        destinationPackageVersions: [version],
        document: JobDocument.fromString('{"a":"${aws:iot:package:other:version:9:attributes:x}"}'),
      };
    }],
    ['a token package name in a hand-written placeholder', (_s, { v1 }) => ({
      destinationPackageVersions: [v1],
      document: JobDocument.fromObject({ a: `\${aws:iot:package:${Fn.ref('Pkg')}:version:1.0.0:attributes:url}` }),
    })],
    ['a document that is a token', (_s, { v1 }) => ({
      destinationPackageVersions: [v1],
      document: JobDocument.fromString(Lazy.string({ produce: () => '{"a":"${aws:iot:package:x:version:y:attributes}"}' })),
    })],
    ['a document in S3', (s, { v1, v2 }) => ({
      destinationPackageVersions: [v1, v2],
      document: JobDocument.fromS3(s3.Bucket.fromBucketName(s, 'Docs', 'docs'), 'install.json'),
    })],
    ['$null in text outside a placeholder', (_s, { v1 }) => ({
      destinationPackageVersions: [v1],
      document: JobDocument.fromObject({ note: 'remove $null' }),
    })],
  ];

  test.each(passing)('passes: %s', (_name, build) => {
    const stack = newStack();
    const props = build(stack, fleet(stack));
    expect(() => job(stack, props)).not.toThrow();
    const other = newStack();
    const templateProps = build(other, fleet(other));
    if (templateProps.document) {
      expect(() => new JobTemplateWithPackages(other, 'Tpl', { description: 'd', ...templateProps, document: templateProps.document! })).not.toThrow();
    }
  });

  type Failing = [string, (s: Stack, f: Fleet) => Partial<JobWithPackagesProps> & Pick<JobWithPackagesProps, 'destinationPackageVersions'>, string];
  const failing: Failing[] = [
    ['a placeholder naming a version the job does not deploy', (_s, { v1, v2 }) => ({
      destinationPackageVersions: [v1],
      document: JobDocument.fromObject({ url: PackagePlaceholder.attribute(v2, 'url') }),
    }), 'document placeholder "${aws:iot:package:fw:version:2.0.0:attributes:url}" names version fw/2.0.0, which ' +
      'destinationPackageVersions does not list (it lists fw/1.0.0): the job service substitutes only the versions the job deploys.'],
    ['a hand-written placeholder naming another package', (_s, { v1, ui }) => ({
      destinationPackageVersions: [v1, ui],
      document: JobDocument.fromString('{"a":"${aws:iot:package:web:version:1.0.0:attributes}"}'),
    }), 'document placeholder "${aws:iot:package:web:version:1.0.0:attributes}" names version web/1.0.0, which ' +
      'destinationPackageVersions does not list (it lists fw/1.0.0, ui/1.0.0): the job service substitutes only the versions the job deploys.'],
    ['$default in the document when the job names a version', (_s, { ui }) => ({
      destinationPackageVersions: [ui],
      document: JobDocument.fromString('{"a":"${aws:iot:package:ui:version:$default:attributes}"}'),
    }), 'document placeholder "${aws:iot:package:ui:version:$default:attributes}" names version ui/$default, which ' +
      'destinationPackageVersions does not list (it lists ui/1.0.0): the job service substitutes only the versions the job deploys.'],
    ['a short form with two versions', (_s, { v1, v2 }) => ({
      destinationPackageVersions: [v1, v2],
      document: JobDocument.fromObject({ url: PackagePlaceholder.soleVersionAttribute('url') }),
    }), 'document placeholder "${aws:iot:package::version::attributes:url}" leaves out the package and version names, which the job ' +
      'fills in only when destinationPackageVersions lists exactly one version (it lists 2): name the version, e.g. with ' +
      'PackagePlaceholder.attribute(version, key).'],
    ['a short form of all attributes with two versions', (_s, { v1, ui }) => ({
      destinationPackageVersions: [v1, ui],
      document: JobDocument.fromObject({ all: PackagePlaceholder.soleVersionAttributes() }),
    }), 'document placeholder "${aws:iot:package::version::attributes}" leaves out the package and version names, which the job ' +
      'fills in only when destinationPackageVersions lists exactly one version (it lists 2): name the version, e.g. with ' +
      'PackagePlaceholder.attribute(version, key).'],
    ['a placeholder without its version name, with two versions', (_s, { v1, v2 }) => ({
      destinationPackageVersions: [v1, v2],
      document: JobDocument.fromString('{"a":"${aws:iot:package:fw:version::attributes}"}'),
    }), 'document placeholder "${aws:iot:package:fw:version::attributes}" leaves out the version name, which the job ' +
      'fills in only when destinationPackageVersions lists exactly one version (it lists 2): name the version, e.g. with ' +
      'PackagePlaceholder.attribute(version, key).'],
    ['a placeholder without its version name, naming another package', (_s, { v1 }) => ({
      destinationPackageVersions: [v1],
      document: JobDocument.fromString('{"a":"${aws:iot:package:ui:version::attributes}"}'),
    }), 'document placeholder "${aws:iot:package:ui:version::attributes}" names version ui/1.0.0, which ' +
      'destinationPackageVersions does not list (it lists fw/1.0.0): the job service substitutes only the versions the job deploys.'],
    ['$null in a placeholder', (_s, { v1 }) => ({
      destinationPackageVersions: [v1],
      document: JobDocument.fromString('{"remove":"${aws:iot:package:fw:version:$null:attributes}"}'),
    }), 'document placeholder "${aws:iot:package:fw:version:$null:attributes}" names version $null: $null belongs in ' +
      'destinationPackageVersions (a version ARN ending in /version/$null uninstalls the package), and a document cannot read it.'],
    ['an artifact URL without presignedUrlConfig', (_s, { v1 }) => ({
      destinationPackageVersions: [v1],
      document: JobDocument.fromObject({ url: PackagePlaceholder.artifactUrl(v1) }),
    }), 'document uses an artifact pre-signed URL placeholder: set presignedUrlConfig with a role that can read the artifacts.'],
    ['a hand-written short artifact URL without presignedUrlConfig', (_s, { ui }) => ({
      destinationPackageVersions: [ui],
      document: JobDocument.fromString('{"url":"${aws:iot:package::version::artifact-location:s3-presigned-url}"}'),
    }), 'document uses an artifact pre-signed URL placeholder: set presignedUrlConfig with a role that can read the artifacts.'],
    ['an artifact URL of a version without an artifact', (_s, { v2, role }) => ({
      destinationPackageVersions: [v2],
      presignedUrlConfig: { role },
      document: JobDocument.fromObject({ url: PackagePlaceholder.artifactUrl(v2) }),
    }), 'document placeholder "${aws:iot:package:fw:version:2.0.0:artifact-location:s3-presigned-url}" needs the artifact of ' +
      'version fw/2.0.0, which has no artifact: set the version\'s artifact (PackageVersionArtifact.fromAsset or fromBucket).'],
    ['an attribute the version does not have', (_s, { v1 }) => ({
      destinationPackageVersions: [v1],
      document: JobDocument.fromObject({ sha: PackagePlaceholder.attribute(v1, 'sha256') }),
    }), 'document placeholder "${aws:iot:package:fw:version:1.0.0:attributes:sha256}" reads attribute "sha256" of version ' +
      'fw/1.0.0, which does not have it (its attributes: url, signature).'],
    ['a short-form attribute of a version without attributes', (_s, { v2 }) => ({
      destinationPackageVersions: [v2],
      document: JobDocument.fromObject({ url: PackagePlaceholder.soleVersionAttribute('url') }),
    }), 'document placeholder "${aws:iot:package::version::attributes:url}" reads attribute "url" of version ' +
      'fw/2.0.0, which does not have it (it has no attributes).'],
    ['a placeholder with a token package name and a wrong version', (_s, { v1 }) => ({
      destinationPackageVersions: [v1],
      document: JobDocument.fromObject({ a: `\${aws:iot:package:${Fn.ref('Pkg')}:version:9.9.9:attributes}` }),
    }), 'document placeholder "${aws:iot:package:<token>:version:9.9.9:attributes}" names version <token>/9.9.9, which ' +
      'destinationPackageVersions does not list (it lists fw/1.0.0): the job service substitutes only the versions the job deploys.'],
  ];

  test.each(failing)('job rejects: %s', (_name, build, message) => {
    const stack = newStack();
    const props = build(stack, fleet(stack));
    expect(() => job(stack, props)).toThrow(message);
    // The message is exact after the construct path, not merely contained.
    const other = newStack();
    try {
      job(other, build(other, fleet(other)));
    } catch (error) {
      expect(messageAfterPath(error)).toEqual(message);
    }
  });

  test.each(failing)('job template rejects: %s', (_name, build, message) => {
    const stack = newStack();
    const props = build(stack, fleet(stack));
    let thrown: Error | undefined;
    try {
      new JobTemplateWithPackages(stack, 'Tpl', { description: 'd', ...props, document: props.document! });
    } catch (error) {
      thrown = error as Error;
    }
    expect(messageAfterPath(thrown)).toEqual(message);
  });
});
