/**
 * What the README promises, checked against the code: the install line's minimum versions,
 * the quick start's commands, the resources each construct adds, and every synth-time limit
 * (each row fails with its exact message, and every check of the code has a row).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { measureIamSize } from '../../bench/iam-size';
import {
  DeviceQuery, DynamicThingGroup, JobDocument, JobEndBehavior, JobExecutionFailureType, JobRetryFailureType, JobTargets,
  JobTemplateWithPackages, JobWithPackages,
  PackageAdoption, PackageConfiguration, PackagePlaceholder, PackageVersion, PackageVersionArtifact, PackageVersionStatus,
  SoftwarePackage,
} from '../../src';
import * as validation from '../../src/private/validation';

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const PACKAGE_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const ENV = { account: '123456789012', region: 'us-east-1' };

/** The rows of the first table under a `## heading` of the README, as cells. */
function readmeTable(heading: string): string[][] {
  const section = README.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  if (!section) throw new Error(`README has no section "${heading}"`);
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  return lines.slice(2).map((line) => line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()));
}

describe('install and quick start', () => {
  test('the install line names the peer dependencies\' minimums', () => {
    const minimum = (name: string) => (PACKAGE_JSON.peerDependencies[name] as string).replace(/^\^/, '');
    expect(README).toContain(`\`aws-cdk-lib\` ≥ ${minimum('aws-cdk-lib')} and \`constructs\` ≥ ${minimum('constructs')}`);
  });

  test('the repository\'s two commands: the demo and the tests', () => {
    expect(README).toContain('npm ci && npm run demo');
    expect(README).toContain('npm ci && npm test');
    expect(PACKAGE_JSON.scripts.demo).toBeDefined();
  });
});

describe('what each construct adds to the template', () => {
  type Build = (stack: Stack) => void;
  const counts = (build: Build) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    build(stack);
    const resources: Record<string, { Type: string }> = Template.fromStack(stack).toJSON().Resources ?? {};
    const result = new Map<string, number>();
    for (const { Type } of Object.values(resources)) result.set(Type, (result.get(Type) ?? 0) + 1);
    return result;
  };
  /** The resource types that `after` has more of than `before`. */
  const added = (before: Build, after: Build) => {
    const a = counts(before);
    return [...counts(after)].filter(([type, n]) => n > (a.get(type) ?? 0)).map(([type]) => type).sort();
  };

  const nothing: Build = () => undefined;
  const pkg = (s: Stack, id = 'P') => new SoftwarePackage(s, id, { packageName: id.toLowerCase() });
  const version = (s: Stack, isDefaultVersion = false) => pkg(s).addVersion('V', { versionName: '1.0.0', isDefaultVersion });
  const job = (s: Stack, v: PackageVersion, id = 'J') => new JobWithPackages(s, id, {
    destinationPackageVersions: [v], targets: [JobTargets.thing(s, 't')], document: JobDocument.fromObject({}),
  });
  const packages = (n: number): Build => (s) => { for (let i = 0; i < n; i++) pkg(s, `Package${String(i).padStart(3, '0')}WithALongerName`); };
  const managedPolicies = (n: number) => counts(packages(n)).get('AWS::IAM::ManagedPolicy') ?? 0;
  /** The number of packages whose grants first need a managed policy. */
  const firstOverflow = () => {
    let n = 1;
    while (managedPolicies(n) === 0) n++;
    return n;
  };

  const rows: Record<string, () => string[]> = {
    'the first construct of this library in a stack': () => added(nothing, (s) => pkg(s)).filter((t) => t !== 'Custom::IotSoftwarePackage'),
    '`SoftwarePackage`': () => added((s) => pkg(s), (s) => { pkg(s); pkg(s, 'Q'); }),
    '`PackageVersion` (or `addVersion`)': () => added((s) => pkg(s), (s) => version(s)),
    '`isDefaultVersion: true` on a version': () => added((s) => version(s), (s) => version(s, true)),
    '`JobWithPackages`': () => added((s) => version(s), (s) => job(s, version(s))),
    '`JobTemplateWithPackages`': () => added((s) => version(s), (s) => new JobTemplateWithPackages(s, 'T', {
      description: 'd', destinationPackageVersions: [version(s)], document: JobDocument.fromObject({}),
    })),
    '`PackageConfiguration`': () => added((s) => pkg(s), (s) => { pkg(s); new PackageConfiguration(s, 'C'); }),
    '`fleetIndexing: true` on the configuration': () => added(
      (s) => new PackageConfiguration(s, 'C'), (s) => new PackageConfiguration(s, 'C', { fleetIndexing: true })),
    '`DynamicThingGroup`': () => added((s) => new PackageConfiguration(s, 'C', { fleetIndexing: true }), (s) => {
      new PackageConfiguration(s, 'C', { fleetIndexing: true });
      new DynamicThingGroup(s, 'G', { query: DeviceQuery.inThingGroup('fleet') });
    }),
    '`PackageAdoption`': () => added((s) => version(s), (s) => {
      new PackageAdoption(s, 'A', { package: SoftwarePackage.fromPackageName(s, 'I', 'p'), versions: [version(s)], assumeFleetIndexing: true });
    }),
    'a package whose grants no longer fit the handler\'s inline policy': () => {
      const n = firstOverflow();
      return added(packages(n - 1), packages(n)).filter((t) => t !== 'Custom::IotSoftwarePackage');
    },
  };

  const table = readmeTable('What each construct adds to the template');
  const typesIn = (cell: string) => [...cell.matchAll(/`((?:AWS::\w+::\w+)|(?:Custom::\w+))`/g)].map((m) => m[1]).sort();

  test('the table has a row for each case checked here, and no other', () => {
    expect(table.map(([row]) => row).sort()).toEqual(Object.keys(rows).sort());
  });

  test.each(table)('%s: %s', (row, cell) => {
    expect(rows[row]()).toEqual(typesIn(cell));
  });

  test('a second job adds only its custom resource: jobs share their managed policy', () => {
    expect(added((s) => job(s, version(s)), (s) => { const v = version(s); job(s, v); job(s, v, 'K'); })).toEqual(['Custom::IotJobWithPackages']);
  });
});

describe('limits checked at synth', () => {
  type Violation = readonly [build: (stack: Stack) => unknown, message: string];
  const stack = () => new Stack(new App(), 'S', { env: ENV });
  const pkg = (s: Stack) => new SoftwarePackage(s, 'P', { packageName: 'fw' });
  const published = (s: Stack, props: { attributes?: Record<string, string>; withArtifact?: boolean } = {}) => pkg(s).addVersion('V', {
    versionName: '1.0.0',
    attributes: props.attributes,
    artifact: props.withArtifact ? PackageVersionArtifact.fromBucket(s3.Bucket.fromBucketName(s, 'B', 'releases'), 'fw.bin', 'v1') : undefined,
  });
  const job = (s: Stack, props: Partial<ConstructorParameters<typeof JobWithPackages>[2]> = {}) => new JobWithPackages(s, 'J', {
    destinationPackageVersions: props.destinationPackageVersions ?? [published(s)],
    targets: [JobTargets.thing(s, 't')],
    document: JobDocument.fromObject({}),
    ...props,
  });
  const AT = 'arn:aws:iot:us-east-1:123456789012';

  const rows: Record<string, Violation[]> = {
    '`packageName`': [
      [(s) => new SoftwarePackage(s, 'P', { packageName: 'a'.repeat(129) }), `S/P: packageName "${'a'.repeat(77)}..." must be 1-128 characters long, got 129.`],
      [(s) => new SoftwarePackage(s, 'P', { packageName: 'fw/1' }), 'S/P: packageName "fw/1" must match [a-zA-Z0-9-_.]+: letters, digits, \'-\', \'_\' and \'.\' only.'],
      [(s) => { pkg(s); new SoftwarePackage(s, 'Q', { packageName: 'fw' }); },
        'Package name "fw" is declared twice for the same account and region: S/P and S/Q would both create it. ' +
        'Declare the package once, and use it elsewhere through SoftwarePackage.fromPackageName(scope, id, "fw").'],
    ],
    '`versionName`': [
      [(s) => pkg(s).addVersion('V', { versionName: 'v'.repeat(65) }), `S/P/V: versionName "${'v'.repeat(65)}" must be 1-64 characters long, got 65.`],
    ],
    '`description` of a package or version': [
      [(s) => new SoftwarePackage(s, 'P', { description: '' }), 'S/P: description must be 1-1024 characters long, got 0; leave it unset for none.'],
      [(s) => pkg(s).addVersion('V', { versionName: '1', description: 'x'.repeat(1025) }), 'S/P/V: description must be 1-1024 characters long, got 1025.'],
      [(s) => new SoftwarePackage(s, 'P', { description: 'a\nb' }), 'S/P: description "a\\nb" must not contain control characters (found U+000A at position 1).'],
    ],
    '`attributes`': [
      [(s) => published(s, { attributes: { 'a b': 'x' } }), 'S/P/V: attribute key "a b" must match [a-zA-Z0-9:_-]+: letters, digits, \':\', \'_\' and \'-\' only.'],
      [(s) => published(s, { attributes: { a: '' } }), 'S/P/V: attribute "a" value must be at least 1 character long, got 0; leave it unset for none.'],
      [(s) => published(s, { attributes: { a: 'x'.repeat(3072) } }), 'S/P/V: attributes total 3073 bytes (keys and values, UTF-8); the limit is 3072 bytes.'],
    ],
    '`recipe`': [
      [(s) => pkg(s).addVersion('V', { versionName: '1', recipe: 'x'.repeat(3073) }), 'S/P/V: recipe must be at most 3072 characters long, got 3073.'],
    ],
    'tags': [
      [(s) => { const p = pkg(s); for (let i = 0; i < 50; i++) Tags.of(p).add(`k${i}`, 'v'); }, 'at most 49 tags are allowed'],
      [(s) => Tags.of(pkg(s)).add('aws:owner', 'x'), 'tag key "aws:owner" is reserved: keys starting with \'aws:\' belong to AWS.'],
      [(s) => Tags.of(pkg(s)).add('team', 'x'.repeat(257)), 'tag "team" value must be at most 256 characters, got 257.'],
    ],
    '`isDefaultVersion`': [
      [(s) => { const p = pkg(s); p.addVersion('A', { versionName: '1', isDefaultVersion: true }); p.addVersion('B', { versionName: '2', isDefaultVersion: true }); },
        'Package S/P can have only one default version: S/P/A and S/P/B both set isDefaultVersion.'],
      [(s) => pkg(s).addVersion('V', { versionName: '1', status: PackageVersionStatus.DRAFT, isDefaultVersion: true }),
        'PackageVersion S/P/V: version "1" cannot be the default version while DRAFT: only a PUBLISHED or DEPRECATED version can be the default.'],
    ],
    '`removalPolicy` of a version': [
      [(s) => pkg(s).addVersion('V', { versionName: '1', removalPolicy: RemovalPolicy.RETAIN }),
        'PackageVersion S/P/V has removalPolicy RemovalPolicy.RETAIN but its package S/P has RemovalPolicy.DESTROY: a package cannot be deleted ' +
        'while it has versions. Give the package removalPolicy RemovalPolicy.RETAIN too, or leave the version\'s removalPolicy unset to follow the package.'],
    ],
    '`objectKey` of an artifact or SBOM': [
      [(s) => PackageVersionArtifact.fromBucket(s3.Bucket.fromBucketName(s, 'B', 'releases'), ''), 'objectKey must not be empty.'],
    ],
    'imported ARNs': [
      [(s) => SoftwarePackage.fromPackageArn(s, 'I', `${AT}:thing/fw`),
        `S/I: "${AT}:thing/fw" is not a package ARN: expected arn:<partition>:iot:<region>:<account>:package/<packageName>.`],
      [(s) => PackageVersion.fromPackageVersionArn(s, 'I', `${AT}:package/fw`),
        `S/I: "${AT}:package/fw" is not a package version ARN: expected arn:<partition>:iot:<region>:<account>:package/<packageName>/version/<versionName>.`],
      [(s) => JobWithPackages.fromJobArn(s, 'I', `${AT}:job/a.b`), 'S/I: jobId "a.b" must match [a-zA-Z0-9_-]+: letters, digits, \'-\' and \'_\' only.'],
      [(s) => JobTemplateWithPackages.fromJobTemplateArn(s, 'I', `${AT}:job/t`),
        `S/I: "${AT}:job/t" is not a job template ARN: expected arn:<partition>:iot:<region>:<account>:jobtemplate/<jobTemplateId>.`],
    ],
    '`destinationPackageVersions`': [
      [(s) => job(s, { destinationPackageVersions: [] }), 'S/J: destinationPackageVersions must list 1-25 package versions, got 0.'],
      [(s) => { const v = published(s); job(s, { destinationPackageVersions: [v, v] }); }, 'S/J: destinationPackageVersions lists S/P/V twice.'],
      [(s) => job(s, { destinationPackageVersions: [pkg(s).addVersion('D', { versionName: '1', status: PackageVersionStatus.DRAFT })] }),
        'S/J: destinationPackageVersions includes S/P/D, whose status is DRAFT: a job can deploy only a PUBLISHED or DEPRECATED version. Set its status to PUBLISHED.'],
    ],
    '`jobId`, `jobTemplateId`': [
      [(s) => job(s, { jobId: 'j'.repeat(65) }), `S/J: jobId "${'j'.repeat(65)}" must be 1-64 characters long, got 65.`],
      [(s) => new JobTemplateWithPackages(s, 'T', { jobTemplateId: 'a b', description: 'd', destinationPackageVersions: [published(s)], document: JobDocument.fromObject({}) }),
        'S/T: jobTemplateId "a b" must match [a-zA-Z0-9_-]+: letters, digits, \'-\' and \'_\' only.'],
    ],
    '`description` of a job or job template': [
      [(s) => job(s, { description: 'x'.repeat(2029) }), 'S/J: description must be 1-2028 characters long, got 2029.'],
      [(s) => new JobTemplateWithPackages(s, 'T', { description: '', destinationPackageVersions: [published(s)], document: JobDocument.fromObject({}) }),
        'S/T: description must be 1-2028 characters long, got 0: a job template needs one.'],
    ],
    '`targets`': [
      [(s) => job(s, { targets: [] }), 'S/J: targets must list at least 1 thing or thing group ARN, got 0.'],
      [(s) => job(s, { targets: [`${AT}:thing/t`, `${AT}:thing/t`] }), `S/J: targets lists "${AT}:thing/t" twice.`],
      [(s) => job(s, { targets: ['arn:aws:s3:::bucket'] }),
        'S/J: target "arn:aws:s3:::bucket" is not a thing or thing group ARN: expected arn:<partition>:iot:<region>:<account>:thing/<thingName> ' +
        'or ...:thinggroup/<thingGroupName> (see JobTargets).'],
      [(s) => job(s, { targets: [`${AT}:thinggroup/${'g'.repeat(129)}`] }), `S/J: thingGroupName "${'g'.repeat(77)}..." must be 1-128 characters long, got 129.`],
    ],
    '`document`': [
      [(s) => job(s, { document: JobDocument.fromString('{') }), 'S/J: document must be a JSON document: Expected property name or \'}\' in JSON at position 1'],
      [(s) => job(s, { document: JobDocument.fromString(JSON.stringify({ a: 'x'.repeat(32768) })) }), 'S/J: document must be at most 32768 characters long, got 32776.'],
      [(s) => job(s, { document: undefined }), 'JobWithPackages S/J needs a document or a jobTemplate.'],
    ],
    'placeholders in a document': [
      [(s) => {
        const p = pkg(s);
        const v = p.addVersion('V', { versionName: '1.0.0' });
        const other = p.addVersion('W', { versionName: '2' });
        job(s, { destinationPackageVersions: [v], document: JobDocument.fromObject({ a: PackagePlaceholder.attributes(other) }) });
      },
      'S/J: document placeholder "${aws:iot:package:fw:version:2:attributes}" names version fw/2, which destinationPackageVersions does not list ' +
        '(it lists fw/1.0.0): the job service substitutes only the versions the job deploys.'],
      [(s) => { const v = published(s); job(s, { destinationPackageVersions: [v], document: JobDocument.fromObject({ a: PackagePlaceholder.attribute(v, 'board') }) }); },
        'S/J: document placeholder "${aws:iot:package:fw:version:1.0.0:attributes:board}" reads attribute "board" of version fw/1.0.0, which does not have it (it has no attributes).'],
      [(s) => {
        const v = published(s);
        job(s, { destinationPackageVersions: [v], document: JobDocument.fromObject({ a: PackagePlaceholder.artifactUrl(v) }) });
      },
      'S/J: document uses an artifact pre-signed URL placeholder: set presignedUrlConfig with a role that can read the artifacts.'],
      [(s) => {
        const role = new iam.Role(s, 'R', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
        const v = published(s);
        const document = JobDocument.fromObject({ a: PackagePlaceholder.artifactUrl(v) });
        job(s, { destinationPackageVersions: [v], document, presignedUrlConfig: { role } });
      }, 'S/J: document placeholder "${aws:iot:package:fw:version:1.0.0:artifact-location:s3-presigned-url}" needs the artifact of version fw/1.0.0, ' +
        'which has no artifact: set the version\'s artifact (PackageVersionArtifact.fromAsset or fromBucket).'],
    ],
    '`PackagePlaceholder` attribute keys': [
      [() => PackagePlaceholder.soleVersionAttribute('a b'), 'attribute key "a b" must match [a-zA-Z0-9:_-]+: letters, digits, \':\', \'_\' and \'-\' only.'],
    ],
    'rollout': [
      [(s) => job(s, { jobExecutionsRolloutConfig: { maximumPerMinute: 1001 } }), 'S/J: jobExecutionsRolloutConfig.maximumPerMinute must be 1-1000, got 1001.'],
      [(s) => job(s, {
        jobExecutionsRolloutConfig: {
          exponentialRate: { baseRatePerMinute: 10, incrementFactor: 1.25, rateIncreaseCriteria: { numberOfNotifiedThings: 1 } },
        },
      }),
      'S/J: jobExecutionsRolloutConfig.exponentialRate.incrementFactor must have at most one decimal, got 1.25.'],
    ],
    'abort': [
      [(s) => job(s, {
        abortConfig: { criteria: [{ failureType: JobExecutionFailureType.FAILED, thresholdPercentage: 101, minNumberOfExecutedThings: 1 }] },
      }),
      'S/J: abortConfig.criteria[0].thresholdPercentage must be 0-100, got 101.'],
    ],
    'timeout': [
      [(s) => job(s, { timeoutConfig: { inProgressTimeout: Duration.days(8) } }), 'S/J: timeoutConfig.inProgressTimeout must be 1-10080 minutes, got 11520 minutes.'],
    ],
    'retries': [
      [(s) => job(s, { jobExecutionsRetryConfig: { criteria: [{ failureType: JobRetryFailureType.FAILED, numberOfRetries: 11 }] } }),
        'S/J: jobExecutionsRetryConfig.criteria[0].numberOfRetries must be 0-10, got 11.'],
    ],
    '`presignedUrlConfig.expiresIn`': [
      [(s) => job(s, { presignedUrlConfig: { role: new iam.Role(s, 'R', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') }), expiresIn: Duration.hours(2) } }),
        'S/J: presignedUrlConfig.expiresIn must be 60-3600 seconds, got 7200 seconds.'],
    ],
    'scheduling': [
      [(s) => job(s, { schedulingConfig: { startTime: 'tomorrow' } }), 'S/J: schedulingConfig.startTime "tomorrow" must be a date and time as YYYY-MM-DDTHH:MM (UTC).'],
      [(s) => job(s, { schedulingConfig: { endBehavior: JobEndBehavior.CANCEL } }), 'S/J: schedulingConfig.endBehavior CANCEL needs an endTime.'],
    ],
    '`DeviceQuery`': [
      [() => DeviceQuery.ofThingType('pump sensor'), 'thingTypeName "pump sensor" must match [a-zA-Z0-9:_-]+: letters, digits, \':\', \'_\' and \'-\' only.'],
      [() => DeviceQuery.withAttribute('owner', 'ops@example'), 'attribute value "ops@example" holds "@", which fleet-indexing queries cannot search for.'],
      [(s) => { const v = published(s); DeviceQuery.allOf(DeviceQuery.runningVersion(v), DeviceQuery.notRunningVersion(v)); },
        'No device both runs and does not run version "1.0.0" of package "fw".'],
      [() => DeviceQuery.anyOf(...Array.from({ length: 13 }, (_, i) => DeviceQuery.inThingGroup(`g${i}`))),
        'A fleet-indexing query can have at most 12 terms, this one has 13'],
    ],
    '`DynamicThingGroup`, `PackageAdoption`': [
      [(s) => new DynamicThingGroup(s, 'G', { query: DeviceQuery.inThingGroup('fleet') }),
        'DynamicThingGroup S/G queries the $package shadow, which fleet indexing must index before it matches any device.'],
      [(s) => new DynamicThingGroup(s, 'G', { query: DeviceQuery.inThingGroup('fleet'), description: 'x'.repeat(2029), assumeFleetIndexing: true }),
        'S/G: description must be 1-2028 characters long, got 2029.'],
    ],
    '`PackageAdoption`': [
      [(s) => new PackageAdoption(s, 'A', { package: pkg(s), versions: [], assumeFleetIndexing: true }), 'S/A: versions must list at least 1 version.'],
      [(s) => { const v = published(s); new PackageAdoption(s, 'A', { package: v.stack.node.findChild('P') as SoftwarePackage, versions: [v], period: Duration.seconds(90), assumeFleetIndexing: true }); },
        'S/A: period must be whole minutes, got 90 seconds.'],
    ],
    '`PackageConfiguration`': [
      [(s) => { new PackageConfiguration(s, 'A'); new PackageConfiguration(s, 'B'); },
        'There can be only one PackageConfiguration per account and region: S/A and S/B both configure account 123456789012 in region us-east-1.'],
    ],
  };

  const table = readmeTable('Limits checked at synth');

  test('the table has a row for each limit checked here, and no other', () => {
    expect(table.map(([row]) => row).sort()).toEqual(Object.keys(rows).sort());
  });

  const violations = Object.entries(rows).flatMap(([row, list]) => list.map(([build, message]) => [row, message, build] as const));
  test.each(violations)('%s: %s', (_row, message, build) => {
    let thrown: Error | undefined;
    try {
      const s = stack();
      build(s);
      (s.node.root as App).synth();
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.message).toContain(message);
  });

  test('every check of the validation module has a row', () => {
    const rowOfCheck: Record<string, string> = {
      validatePackageName: '`packageName`',
      validateVersionName: '`versionName`',
      validateDescription: '`description` of a package or version',
      validateAttributes: '`attributes`',
      validateAttributeKey: '`PackagePlaceholder` attribute keys',
      validateRecipe: '`recipe`',
      tagErrors: 'tags',
      validateDestinationCount: '`destinationPackageVersions`',
      validateJobIdentifier: '`jobId`, `jobTemplateId`',
      validateJobDescription: '`description` of a job or job template',
      validateTargets: '`targets`',
      validateThingName: '`targets`',
      validateJobDocument: '`document`',
      validateDocumentPlaceholders: 'placeholders in a document',
      validateRolloutConfig: 'rollout',
      validateAbortConfig: 'abort',
      validateTimeoutConfig: 'timeout',
      validateRetryConfig: 'retries',
      validatePresignedUrlConfig: '`presignedUrlConfig.expiresIn`',
      validateSchedulingConfig: 'scheduling',
      validateMaintenanceWindow: 'scheduling',
    };
    const checks = Object.keys(validation).filter((name) => /^validate|Errors$/.test(name)).sort();
    expect(checks).toEqual(Object.keys(rowOfCheck).sort());
    for (const row of Object.values(rowOfCheck)) expect(Object.keys(rows)).toContain(row);
  });
});

describe('IAM figures', () => {
  test('the characters per package and per job, and the stack of 300 packages and 50 jobs, are what the code takes', () => {
    const size = measureIamSize();
    const [stack] = size.scale;
    const thousands = (n: number) => n.toLocaleString('en-US');
    expect(README).toContain(`about ${size.charsPerPackage} characters per package and ${size.charsPerJob} per job`);
    expect(stack).toMatchObject({ packages: 300, versions: 900, jobs: 50, withinLimits: true });
    expect(README).toContain(`about ${thousands(size.fixedChars)} for a stack of one package, then ${size.charsPerPackage} per package and ` +
      `${size.charsPerJob} per job; 300 packages of 3 versions and 50 jobs: ${thousands(stack.inlineChars)} inline and ` +
      `${stack.managedPolicies} managed policies of at most ${thousands(stack.largestManagedChars)}`);
  });
});

describe('who runs which version', () => {
  test('each question\'s query string is what DeviceQuery renders', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const firmware = new SoftwarePackage(stack, 'Firmware', { packageName: 'pump-firmware' });
    const v1 = firmware.addVersion('V1', { versionName: '1.0.0' });
    const v2 = firmware.addVersion('V2', { versionName: '2.0.0' });
    const Q = DeviceQuery;
    const queries: Record<string, DeviceQuery> = {
      'which devices run 1.0.0?': Q.runningVersion(v1),
      'which have any version of the package?': Q.runningAnyVersionOf(firmware),
      'which have never installed it?': Q.runningNoVersionOf(firmware),
      'which pumps are not on 2.0.0 yet?': Q.allOf(Q.ofThingType('pump'), Q.notRunningVersion(v2)),
      'which canary devices still run 1.0.0 or nothing?': Q.allOf(Q.inThingGroup('canary'), Q.anyOf(Q.runningVersion(v1), Q.runningNoVersionOf(firmware))),
    };
    const table = readmeTable('Who runs which version');
    expect(table.map(([question]) => question)).toEqual(Object.keys(queries));
    for (const [question, , queryString] of table) expect(`\`${queries[question].queryString}\``).toEqual(queryString);
  });
});
