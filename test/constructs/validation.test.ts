import { App, Lazy, Stack, Tags, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ENV, newStack } from './util';
import { PackageVersion, PackageVersionStatus, SoftwarePackage } from '../../src';

const long = (n: number, c = 'a') => c.repeat(n);

type Row = [string, (stack: Stack) => void, string];

const pkg = (stack: Stack) => new SoftwarePackage(stack, 'Pkg', { packageName: 'firmware' });

const rows: Row[] = [
  ['empty packageName', (s) => new SoftwarePackage(s, 'P', { packageName: '' }),
    'packageName "" must be 1-128 characters long, got 0.'],
  ['packageName over 128', (s) => new SoftwarePackage(s, 'P', { packageName: long(129) }),
    `packageName "${long(77)}..." must be 1-128 characters long, got 129.`],
  ['packageName with a space', (s) => new SoftwarePackage(s, 'P', { packageName: 'my package' }),
    'packageName "my package" must match [a-zA-Z0-9-_.]+: letters, digits, \'-\', \'_\' and \'.\' only.'],
  ['packageName with a slash', (s) => new SoftwarePackage(s, 'P', { packageName: 'fw/1' }),
    'packageName "fw/1" must match [a-zA-Z0-9-_.]+: letters, digits, \'-\', \'_\' and \'.\' only.'],
  ['packageName with a colon', (s) => new SoftwarePackage(s, 'P', { packageName: 'fw:1' }),
    'packageName "fw:1" must match [a-zA-Z0-9-_.]+: letters, digits, \'-\', \'_\' and \'.\' only.'],
  ['packageName with non-ASCII', (s) => new SoftwarePackage(s, 'P', { packageName: 'firmwäre' }),
    'packageName "firmwäre" must match [a-zA-Z0-9-_.]+: letters, digits, \'-\', \'_\' and \'.\' only.'],
  ['imported packageName invalid', (s) => SoftwarePackage.fromPackageName(s, 'P', 'bad name'),
    'packageName "bad name" must match [a-zA-Z0-9-_.]+: letters, digits, \'-\', \'_\' and \'.\' only.'],
  ['empty versionName', (s) => pkg(s).addVersion('V', { versionName: '' }),
    'versionName "" must be 1-64 characters long, got 0.'],
  ['versionName over 64', (s) => pkg(s).addVersion('V', { versionName: long(65, '1') }),
    `versionName "${long(65, '1')}" must be 1-64 characters long, got 65.`],
  ['versionName with a space', (s) => pkg(s).addVersion('V', { versionName: '1.0 beta' }),
    'versionName "1.0 beta" must match [a-zA-Z0-9-_.]+: letters, digits, \'-\', \'_\' and \'.\' only.'],
  ['versionName with a plus', (s) => pkg(s).addVersion('V', { versionName: '1.0.0+build' }),
    'versionName "1.0.0+build" must match [a-zA-Z0-9-_.]+: letters, digits, \'-\', \'_\' and \'.\' only.'],
  ['package description over 1024', (s) => new SoftwarePackage(s, 'P', { description: long(1025) }),
    'description must be 1-1024 characters long, got 1025.'],
  ['empty package description', (s) => new SoftwarePackage(s, 'P', { description: '' }),
    'description must be 1-1024 characters long, got 0; leave it unset for none.'],
  ['empty version description', (s) => pkg(s).addVersion('V', { versionName: '1', description: '' }),
    'description must be 1-1024 characters long, got 0; leave it unset for none.'],
  ['package description with a newline', (s) => new SoftwarePackage(s, 'P', { description: 'line one\nline two' }),
    'description "line one\\nline two" must not contain control characters (found U+000A at position 8).'],
  ['version description with a bell', (s) => pkg(s).addVersion('V', { versionName: '1', description: 'ding\u0007' }),
    'description "ding\\u0007" must not contain control characters (found U+0007 at position 4).'],
  ['version description over 1024', (s) => pkg(s).addVersion('V', { versionName: '1', description: long(1025) }),
    'description must be 1-1024 characters long, got 1025.'],
  ['empty attribute key', (s) => pkg(s).addVersion('V', { versionName: '1', attributes: { '': 'x' } }),
    'attribute key "" must be at least 1 character long, got 0.'],
  ['attribute key with a space', (s) => pkg(s).addVersion('V', { versionName: '1', attributes: { 'board type': 'x' } }),
    'attribute key "board type" must match [a-zA-Z0-9:_-]+: letters, digits, \':\', \'_\' and \'-\' only.'],
  ['attribute key with a dot', (s) => pkg(s).addVersion('V', { versionName: '1', attributes: { 'board.type': 'x' } }),
    'attribute key "board.type" must match [a-zA-Z0-9:_-]+: letters, digits, \':\', \'_\' and \'-\' only.'],
  ['attribute key with a slash', (s) => pkg(s).addVersion('V', { versionName: '1', attributes: { 'a/b': 'x' } }),
    'attribute key "a/b" must match [a-zA-Z0-9:_-]+: letters, digits, \':\', \'_\' and \'-\' only.'],
  ['empty attribute value', (s) => pkg(s).addVersion('V', { versionName: '1', attributes: { board: '' } }),
    'attribute "board" value must be at least 1 character long, got 0; leave it unset for none.'],
  ['attribute value with a tab', (s) => pkg(s).addVersion('V', { versionName: '1', attributes: { board: 'a\tb' } }),
    'attribute "board" value "a\\tb" must not contain control characters (found U+0009 at position 1).'],
  ['one attribute over 3 KB', (s) => pkg(s).addVersion('V', { versionName: '1', attributes: { k: long(3072) } }),
    'attributes total 3073 bytes (keys and values, UTF-8); the limit is 3072 bytes.'],
  ['many attributes over 3 KB', (s) => pkg(s).addVersion('V', {
    versionName: '1',
    attributes: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${String(i).padStart(2, '0')}`, long(72)])),
  }), 'attributes total 3080 bytes (keys and values, UTF-8); the limit is 3072 bytes.'],
  ['multi-byte attributes over 3 KB', (s) => pkg(s).addVersion('V', { versionName: '1', attributes: { k: long(1536, 'é') } }),
    'attributes total 3073 bytes (keys and values, UTF-8); the limit is 3072 bytes.'],
  ['recipe over 3072', (s) => pkg(s).addVersion('V', { versionName: '1', recipe: long(3073) }),
    'recipe must be at most 3072 characters long, got 3073.'],
  ['DRAFT default version', (s) => pkg(s).addVersion('V', { versionName: '1', status: PackageVersionStatus.DRAFT, isDefaultVersion: true }),
    'PackageVersion TestStack/Pkg/V: version "1" cannot be the default version while DRAFT: only a PUBLISHED or DEPRECATED version can be the default.'],
  ['two default versions', (s) => {
    const p = pkg(s);
    p.addVersion('V1', { versionName: '1', isDefaultVersion: true });
    p.addVersion('V2', { versionName: '2', isDefaultVersion: true });
  }, 'Package TestStack/Pkg can have only one default version: TestStack/Pkg/V1 and TestStack/Pkg/V2 both set isDefaultVersion.'],
  ['two defaults on an imported package', (s) => {
    const p = SoftwarePackage.fromPackageName(s, 'Imported', 'firmware');
    new PackageVersion(s, 'V1', { package: p, versionName: '1', isDefaultVersion: true });
    new PackageVersion(s, 'V2', { package: p, versionName: '2', isDefaultVersion: true });
  }, 'Package TestStack/Imported can have only one default version: TestStack/V1 and TestStack/V2 both set isDefaultVersion.'],
  ['not a package ARN', (s) => SoftwarePackage.fromPackageArn(s, 'P', 'arn:aws:iot:us-east-1:123456789012:thing/sensor'),
    '"arn:aws:iot:us-east-1:123456789012:thing/sensor" is not a package ARN: expected arn:<partition>:iot:<region>:<account>:package/<packageName>.'],
  ['not an IoT ARN', (s) => SoftwarePackage.fromPackageArn(s, 'P', 'arn:aws:s3:::bucket/package'),
    '"arn:aws:s3:::bucket/package" is not a package ARN: expected arn:<partition>:iot:<region>:<account>:package/<packageName>.'],
  ['package ARN with an invalid name', (s) => SoftwarePackage.fromPackageArn(s, 'P', 'arn:aws:iot:us-east-1:123456789012:package/bad name'),
    'packageName "bad name" must match [a-zA-Z0-9-_.]+: letters, digits, \'-\', \'_\' and \'.\' only.'],
  ['malformed version ARN', (s) => PackageVersion.fromPackageVersionArn(s, 'V', 'arn:aws:iot:us-east-1:123456789012:package/fw'),
    '"arn:aws:iot:us-east-1:123456789012:package/fw" is not a package version ARN: expected arn:<partition>:iot:<region>:<account>:package/<packageName>/version/<versionName>.'],
  ['version ARN with an invalid version', (s) => PackageVersion.fromPackageVersionArn(s, 'V', `arn:aws:iot:us-east-1:123456789012:package/fw/version/${long(65, '9')}`),
    `versionName "${long(65, '9')}" must be 1-64 characters long, got 65.`],
];

describe('bad input fails at synth with a message naming the value and the limit', () => {
  test.each(rows)('%s', (_name, build, message) => {
    const stack = newStack();
    expect(() => build(stack)).toThrow(message);
  });
});

describe('tags are checked once aspects have applied them', () => {
  test.each([
    ['51 tags', (p: SoftwarePackage) => {
      for (let i = 0; i < 51; i++) Tags.of(p).add(`tag${i}`, 'v');
    }, "at most 49 tags are allowed (a resource holds 50, one of them the stack's cdk-iot-package-catalog:stack-id), got 51."],
    ['a tag key over 128', (p: SoftwarePackage) => Tags.of(p).add(long(129), 'v'),
      `tag key "${long(77)}..." must be 1-128 characters of letters, digits, spaces and _.:/=+-@.`],
    ['a tag key with a hash', (p: SoftwarePackage) => Tags.of(p).add('cost#center', 'v'),
      'tag key "cost#center" must be 1-128 characters of letters, digits, spaces and _.:/=+-@.'],
    ['a tag value over 256', (p: SoftwarePackage) => Tags.of(p).add('team', long(257)),
      'tag "team" value must be at most 256 characters, got 257.'],
    ['the owner tag key', (p: SoftwarePackage) => Tags.of(p).add('cdk-iot-package-catalog:stack-id', 'mine'),
      'tag key "cdk-iot-package-catalog:stack-id" is reserved: the handler tags what it creates with it.'],
    ['a key starting with aws:', (p: SoftwarePackage) => Tags.of(p).add('aws:owner', 'me'),
      "tag key \"aws:owner\" is reserved: keys starting with 'aws:' belong to AWS."],
  ])('%s', (_name, tag, message) => {
    const app = new App();
    const stack = new Stack(app, 'TestStack', { env: ENV });
    const p = new SoftwarePackage(stack, 'Pkg');
    p.addVersion('V', { versionName: '1' });
    tag(p);
    expect(() => app.synth()).toThrow(message);
  });
});

describe('unresolved tokens pass validation', () => {
  test('names, description, attributes and recipe as tokens', () => {
    const stack = newStack();
    const name = (v: string) => Lazy.string({ produce: () => v });
    const p = new SoftwarePackage(stack, 'Pkg', { packageName: name('not valid at all!'), description: name('\n') });
    p.addVersion('V', {
      versionName: name('1 0'),
      description: name('\u0007'),
      attributes: { board: name('') },
      recipe: name(long(5000)),
    });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('a tokenized package ARN and version ARN import', () => {
    const stack = newStack();
    const arn = Token.asString({ Ref: 'PackageArnParameter' });
    const p = SoftwarePackage.fromPackageArn(stack, 'P', arn);
    const v = PackageVersion.fromPackageVersionArn(stack, 'V', Token.asString({ Ref: 'VersionArnParameter' }));
    expect(Token.isUnresolved(p.packageName)).toBe(true);
    expect(Token.isUnresolved(v.versionName)).toBe(true);
    expect(stack.resolve(v.packageName)).toEqual({ 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: 'VersionArnParameter' }] }] });
  });

  test('limits are inclusive', () => {
    const stack = newStack();
    const p = new SoftwarePackage(stack, 'Pkg', { packageName: long(128), description: long(1024) });
    p.addVersion('V', {
      versionName: long(64, '1'),
      attributes: { k: long(3071) },
      recipe: long(3072),
    });
    // 49: the handler adds the stack's owner tag as the 50th.
    for (let i = 0; i < 49; i++) Tags.of(p).add(`tag${i}`, long(256));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});
