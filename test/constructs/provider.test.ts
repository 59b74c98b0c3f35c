import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgedWildcards, ENV, iotArn, logicalIdOf, newStack, policyHolding, providerPolicies } from './util';
import { PolicyDocument, policySize } from '../../local-cloud/emulator/iam-policy';
import {
  IPackageVersion, JobDocument, JobTargets, JobWithPackages, PackageConfiguration, PackageVersion, PackageVersionArtifact,
  SoftwarePackage,
} from '../../src';

/** The custom-resource provider's IAM: one main (inline) policy, then managed policies for what does not fit it. */

const MAIN_POLICY = /^IotPackageCatalogProviderPolicy[0-9A-F]{8}$/;
const QUOTA_WARNING = 'cdk-iot-package-catalog:managed-policy-quota';
const PROVIDER_PATH = '/TestStack/IotPackageCatalogProvider';

/** `count` packages named p000, p001, ... : enough of them fill the main policy. */
function packages(stack: Stack, count: number): SoftwarePackage[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `p${String(i).padStart(3, '0')}`;
    return new SoftwarePackage(stack, name, { packageName: name });
  });
}

/** `count` versions from outside the stack, each of its own package with a long name. */
function foreignVersions(stack: Stack, count: number, prefix: string): IPackageVersion[] {
  return Array.from({ length: count }, (_, i) =>
    PackageVersion.fromPackageVersionArn(stack, `${prefix}V${i}`,
      `arn:aws:iot:us-east-1:123456789012:package/${prefix}-firmware-component-${i}/version/1.0.0`));
}

/**
 * `count` jobs, each with the maximum of 25 destinations from elsewhere, none shared: grants of about
 * 4,400 characters, too large for two to share one managed policy (6,144), so each job takes its own.
 */
function largeJobs(stack: Stack, count: number, first = 0): void {
  for (let j = first; j < first + count; j++) {
    new JobWithPackages(stack, `Job${j}`, {
      jobId: `job-${j}`,
      targets: [JobTargets.thingGroup(stack, 'fleet')],
      destinationPackageVersions: foreignVersions(stack, 25, `ext${j}`),
      document: JobDocument.fromObject({ operation: 'install' }),
    });
  }
}

function dependsOn(template: Template, type: string, prefix: string): string[] {
  return template.findResources(type)[logicalIdOf(template, type, prefix)].DependsOn ?? [];
}

describe('the main policy', () => {
  test('package configuration and fleet indexing are granted in policies of their own on the role, which their resources wait for', () => {
    const stack = newStack();
    new PackageConfiguration(stack, 'Config', { fleetIndexing: true });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    const main = logicalIdOf(template, 'AWS::IAM::Policy', 'IotPackageCatalogProviderPolicy');
    const configuration = policyHolding(template, 'iot:UpdatePackageConfiguration');
    const indexing = policyHolding(template, 'iot:UpdateIndexingConfiguration');
    expect(configuration).toMatch(/^ConfigHandlerPolicy/);
    expect(indexing).toMatch(/^ConfigFleetIndexingHandlerPolicy/);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: configuration,
      Roles: [{ Ref: Match.stringLikeRegexp('^IotPackageCatalogProviderRole') }],
      PolicyDocument: {
        Statement: [
          { Action: ['iot:GetPackageConfiguration', 'iot:UpdatePackageConfiguration'], Effect: 'Allow', Resource: '*' },
          {
            Action: 'iam:PassRole',
            Condition: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConfigRole'), 'Arn'] },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: indexing,
      Roles: [{ Ref: Match.stringLikeRegexp('^IotPackageCatalogProviderRole') }],
      PolicyDocument: { Statement: [{ Action: 'iot:UpdateIndexingConfiguration', Effect: 'Allow', Resource: '*' }] },
    });
    expect(dependsOn(template, 'Custom::IotPackageConfiguration', 'Config')).toEqual(expect.arrayContaining([main, configuration]));
    expect(dependsOn(template, 'Custom::IotPackageFleetIndexing', 'ConfigFleetIndexing')).toEqual(expect.arrayContaining([main, indexing]));
    for (const policy of [configuration, indexing]) {
      expect(acknowledgedWildcards(providerPolicies(template)[policy])).toEqual(['Resource::*']);
    }
  });

  test('the ownership statement: cleanup actions on any package or job tagged with this stack\'s id', () => {
    const stack = newStack();
    new SoftwarePackage(stack, 'Pkg');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Condition: { StringEquals: { 'aws:ResourceTag/cdk-iot-package-catalog:stack-id': { Ref: 'AWS::StackId' } } },
          Resource: [iotArn('package/*'), iotArn('job/*')],
        })]),
      },
    });
  });
});

describe('package grants beyond the main policy', () => {
  /** 80 packages: the first fill the main policy, the rest go to a managed policy. */
  function overflowed() {
    const stack = newStack();
    const all = packages(stack, 80);
    all[0].addVersion('V', { versionName: '1', isDefaultVersion: true });
    all[79].addVersion('V', { versionName: '1', isDefaultVersion: true });
    const template = Template.fromStack(stack);
    return { all, template, first: policyHolding(template, 'package/p000"'), last: policyHolding(template, 'package/p079"') };
  }

  test('the first packages are granted in the main policy, the next in managed policy Grants1 on the same role', () => {
    const { template, first, last } = overflowed();
    expect(first).toMatch(MAIN_POLICY);
    expect(last).toMatch(/^IotPackageCatalogProviderGrants1[0-9A-F]{8}$/);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^IotPackageCatalogProviderRole') }],
    });
  });

  test('each policy has one statement for its packages, with each package and its versions', () => {
    const { all, template, first, last } = overflowed();
    for (const holder of [first, last]) {
      const statements = providerPolicies(template)[holder].Properties.PolicyDocument.Statement as any[];
      const grants = statements.filter((s) => JSON.stringify(s.Resource).includes('package/p'));
      expect(grants).toHaveLength(1);
      expect(grants[0].Action).toEqual(expect.arrayContaining(['iot:CreatePackage', 'iot:DeletePackage', 'iot:CreatePackageVersion', 'iot:CreateJob']));
    }
    const granted = (holder: string) => (providerPolicies(template)[holder].Properties.PolicyDocument.Statement as any[])
      .flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r));
    const everywhere = [...granted(first), ...granted(last)];
    for (const p of all.keys()) {
      const name = `p${String(p).padStart(3, '0')}`;
      expect(everywhere.filter((r) => r === JSON.stringify(iotArn(`package/${name}`)))).toHaveLength(1);
      expect(everywhere.filter((r) => r === JSON.stringify(iotArn(`package/${name}/version/*`)))).toHaveLength(1);
    }
  });

  test('a package, its versions and its default-version pointer wait for the main policy and the policy that grants the package', () => {
    const { template, first, last } = overflowed();
    for (const [prefix, holder] of [['p000', first], ['p079', last]]) {
      for (const type of ['Custom::IotSoftwarePackage', 'Custom::IotPackageVersion', 'Custom::IotPackageDefaultVersion']) {
        const deps = dependsOn(template, type, prefix);
        expect(deps).toEqual(expect.arrayContaining([holder, expect.stringMatching(MAIN_POLICY)]));
        // ...and no other managed policy
        expect(deps.filter((d) => d.startsWith('IotPackageCatalogProviderGrants'))).toEqual(holder === first ? [] : [holder]);
      }
    }
  });

  test('the wildcard of each package\'s versions is acknowledged on the policy that holds it', () => {
    const { template, first, last } = overflowed();
    const nagId = (resource: string) => `Resource::arn:<AWS::Partition>:iot:us-east-1:123456789012:${resource}`;
    const resources = providerPolicies(template);
    expect(acknowledgedWildcards(resources[first])).toEqual(expect.arrayContaining([
      'Resource::*', nagId('package/*'), nagId('job/*'), nagId('package/p000/version/*'),
    ]));
    expect(acknowledgedWildcards(resources[first])).not.toContain(nagId('package/p079/version/*'));
    expect(acknowledgedWildcards(resources[last])).toContain(nagId('package/p079/version/*'));
    expect(acknowledgedWildcards(resources[last])).not.toContain(nagId('package/p000/version/*'));
    // Every wildcard resource of every policy is acknowledged where it is.
    for (const [id, resource] of Object.entries(resources)) {
      const wildcards = (resource.Properties.PolicyDocument.Statement as any[])
        .flatMap((s) => [s.Resource].flat())
        .map((r) => (typeof r === 'string' ? r : (r['Fn::Join']?.[1] as any[] ?? []).map((part) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('')))
        .filter((r) => r.endsWith('*'));
      expect(wildcards.length).toBeGreaterThan(0);
      expect({ id, acknowledged: acknowledgedWildcards(resource) }).toEqual({ id, acknowledged: expect.arrayContaining(wildcards.map((w) => `Resource::${w}`)) });
    }
  });
});

test('a version waits for the policy holding its object grants', () => {
  // GIVEN a main policy filled with package grants
  const stack = newStack();
  packages(stack, 80);
  // WHEN a version with an artifact and an SBOM is added to an early package
  const bucket = s3.Bucket.fromBucketName(stack, 'Releases', 'releases');
  new PackageVersion(stack, 'Late', {
    package: stack.node.findChild('p000') as SoftwarePackage,
    versionName: '9.9.9',
    artifact: PackageVersionArtifact.fromBucket(bucket, 'fw/9.9.9.bin', 'v1'),
    sbom: PackageVersionArtifact.fromBucket(bucket, 'fw/9.9.9-sbom.zip', 'v1'),
  });
  const template = Template.fromStack(stack);
  // THEN its object reads are granted in a managed policy, and the version waits for it and for the package's policy
  const objects = policyHolding(template, 'releases/fw/9.9.9.bin');
  expect(policyHolding(template, 'releases/fw/9.9.9-sbom.zip')).toEqual(objects);
  expect(objects).toMatch(/^IotPackageCatalogProviderGrants/);
  expect(dependsOn(template, 'Custom::IotPackageVersion', 'Late')).toEqual(expect.arrayContaining([
    objects, policyHolding(template, 'package/p000"'), expect.stringMatching(MAIN_POLICY),
  ]));
});

describe('the managed-policy quota', () => {
  const WARNING = 'The custom-resource provider needs more than 10 managed policies to grant this stack\'s packages and jobs, ' +
    'the default IAM quota of managed policies per role: split the packages and jobs over more stacks, or raise the quota before deploying. ' +
    `[ack: ${QUOTA_WARNING}]`;
  /** The quota warnings of the stack, wherever they are: only ever on the provider. */
  const quotaWarnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(QUOTA_WARNING))
    .map((w) => ({ path: w.id, data: w.entry.data }));
  /** The managed policies of the stack, counted by pool. */
  function managedPolicies(stack: Stack): { packages: number; jobs: number } {
    const template = Template.fromStack(stack);
    const ids = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
    // All of them are attached to the provider's role.
    template.allResourcesProperties('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: Match.stringLikeRegexp('^IotPackageCatalogProviderRole') }] });
    const count = (pattern: RegExp) => ids.filter((id) => pattern.test(id)).length;
    const counts = { packages: count(/^IotPackageCatalogProviderGrants\d+[0-9A-F]{8}$/), jobs: count(/^IotPackageCatalogProviderJobGrants\d+[0-9A-F]{8}$/) };
    expect(counts.packages + counts.jobs).toEqual(ids.length);
    return counts;
  }

  test('more than 10 managed policies on the provider\'s role is a warning', () => {
    const stack = newStack();
    largeJobs(stack, 11);
    expect(managedPolicies(stack)).toEqual({ packages: 0, jobs: 11 });
    expect(quotaWarnings(stack)).toEqual([{ path: PROVIDER_PATH, data: WARNING }]);
  });

  test('10 managed policies are no warning', () => {
    const stack = newStack();
    largeJobs(stack, 10);
    expect(managedPolicies(stack)).toEqual({ packages: 0, jobs: 10 });
    expect(quotaWarnings(stack)).toEqual([]);
  });

  test('the warning is given once, however many managed policies follow the 11th', () => {
    const stack = newStack();
    largeJobs(stack, 13);
    expect(managedPolicies(stack)).toEqual({ packages: 0, jobs: 13 });
    expect(quotaWarnings(stack)).toEqual([{ path: PROVIDER_PATH, data: WARNING }]);
  });

  /**
   * `jobsBefore` large jobs (a managed policy JobGrants<n> each), then 162 packages with names of over 100
   * characters (the main policy, then 8 managed policies Grants1..8), then `jobsAfter` large jobs.
   */
  function mixed(jobsBefore: number, jobsAfter: number): Stack {
    const stack = new Stack(new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } }), 'TestStack', { env: ENV });
    largeJobs(stack, jobsBefore);
    for (let p = 0; p < 162; p++) new SoftwarePackage(stack, `P${p}`, { packageName: `${'p'.repeat(100)}-${p}` });
    largeJobs(stack, jobsAfter, jobsBefore);
    return stack;
  }

  test('the warning counts the managed policies of package and job grants together: the 11th added by the job grants', () => {
    const stack = mixed(0, 3);
    expect(managedPolicies(stack)).toEqual({ packages: 8, jobs: 3 });
    expect(quotaWarnings(stack)).toEqual([{ path: PROVIDER_PATH, data: WARNING }]);
  });

  test('the warning counts the managed policies of package and job grants together: the 11th added by the package grants', () => {
    const stack = mixed(3, 0);
    expect(managedPolicies(stack)).toEqual({ packages: 8, jobs: 3 });
    expect(quotaWarnings(stack)).toEqual([{ path: PROVIDER_PATH, data: WARNING }]);
  });

  test('10 managed policies of package and job grants together are no warning', () => {
    const stack = mixed(0, 2);
    expect(managedPolicies(stack)).toEqual({ packages: 8, jobs: 2 });
    expect(quotaWarnings(stack)).toEqual([]);
  });

  test('the warning is given once when the other pool adds more managed policies after the 11th', () => {
    // The package grants add the 11th (Grants8, after JobGrants1..3), the job grants the 12th and 13th.
    const stack = mixed(3, 2);
    expect(managedPolicies(stack)).toEqual({ packages: 8, jobs: 5 });
    expect(quotaWarnings(stack)).toEqual([{ path: PROVIDER_PATH, data: WARNING }]);
  });
});

describe('at scale: 300 packages of 3 versions and 50 jobs', () => {
  const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Scale/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
  const PSEUDO: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': 'us-east-1',
    'AWS::AccountId': '123456789012',
    'AWS::StackId': STACK_ID,
    'AWS::URLSuffix': 'amazonaws.com',
  };

  /** A template value as CloudFormation resolves it: pseudo parameters, Fn::Join, and attributes as 60-character names. */
  function resolveAsCloudFormation(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolveAsCloudFormation);
    if (value === null || typeof value !== 'object') return value;
    const object = value as Record<string, any>;
    if ('Ref' in object) {
      if (!(object.Ref in PSEUDO)) throw new Error(`Unexpected Ref ${object.Ref} in a policy of the provider`);
      return PSEUDO[object.Ref];
    }
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(resolveAsCloudFormation).join(separator);
    }
    if ('Fn::GetAtt' in object) return 'x'.repeat(60);
    return Object.fromEntries(Object.entries(object).map(([key, v]) => [key, resolveAsCloudFormation(v)]));
  }

  function scaleStack(): Stack {
    const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
    const stack = new Stack(app, 'Scale', { env: ENV });
    const versions: IPackageVersion[] = [];
    for (let p = 0; p < 300; p++) {
      // Generated names (Scale-PackageN-XXXXXXXX), as an app that names none gets.
      const pkg = new SoftwarePackage(stack, `Package${p}`);
      for (let v = 0; v < 3; v++) versions.push(pkg.addVersion(`V${v}`, { versionName: `1.${v}.0` }));
    }
    for (let j = 0; j < 50; j++) {
      new JobWithPackages(stack, `Rollout${j}`, {
        targets: [JobTargets.thingGroup(stack, `fleet-${j}`)],
        destinationPackageVersions: [versions[j * 17]],
        document: JobDocument.fromObject({ operation: 'install' }),
      });
    }
    return stack;
  }

  test('every policy of the provider\'s role fits IAM\'s limits once CloudFormation resolves it', () => {
    const stack = scaleStack();
    const template = Template.fromStack(stack);
    const [roleId, role] = Object.entries(template.findResources('AWS::IAM::Role'))
      .find(([id]) => id.startsWith('IotPackageCatalogProviderRole'))!;
    const attached = (policy: any) => (policy.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }));
    const sizeOf = (policy: any) => policySize(resolveAsCloudFormation(policy.Properties.PolicyDocument) as PolicyDocument);

    const inline = Object.values(template.findResources('AWS::IAM::Policy')).filter(attached).map(sizeOf);
    const ownInline = ((role.Properties.Policies ?? []) as any[]).map((p) => policySize(resolveAsCloudFormation(p.PolicyDocument) as PolicyDocument));
    const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter(attached).map(sizeOf);

    const inlineTotal = [...inline, ...ownInline].reduce((a, b) => a + b, 0);
    expect(inline).toHaveLength(1);
    expect(inlineTotal).toBeLessThanOrEqual(10_240);
    for (const size of managed) expect(size).toBeLessThanOrEqual(6_144);
    expect(managed.length).toBeLessThanOrEqual(10);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(QUOTA_WARNING));
    // Every job's generated ids and every package are granted somewhere.
    const documents = JSON.stringify(Object.values(providerPolicies(template)).map((p) => p.Properties.PolicyDocument));
    for (let p = 0; p < 300; p++) expect(documents).toContain(`:package/Scale-Package${p}-`);
    for (let j = 0; j < 50; j++) expect(documents).toContain(`:job/Scale-Rollout${j}-`);
  });
});

describe('the handler function', () => {
  test('keeps the logical id it had as a lambda.Function: CloudFormation cannot change a custom resource\'s service token', () => {
    const stack = newStack();
    new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' });
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toEqual(['IotPackageCatalogProviderHandler38C0D6E7']);
    template.hasResourceProperties('Custom::IotSoftwarePackage', {
      ServiceToken: { 'Fn::GetAtt': ['IotPackageCatalogProviderHandler38C0D6E7', 'Arn'] },
    });
  });

  test('its code is a file asset of the stack, zipped from the bundled handler, as cdk deploy publishes assets', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' });
    const assembly = app.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'S.assets.json'), 'utf8'));
    type FileAsset = { source: { path: string; packaging: string }; destinations: Record<string, { objectKey: string }> };
    const [asset] = Object.values(manifest.files) as FileAsset[];
    expect(asset.source.packaging).toEqual('zip');
    expect(fs.readdirSync(path.join(assembly.directory, asset.source.path))).toEqual(['index.js']);
    const [destination] = Object.values(asset.destinations);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Code: { S3Key: destination.objectKey } });
  });

  test('logical ids are those the stack gives: renames apply, and an exported value keeps its id', () => {
    const stack = newStack();
    const pkg = new SoftwarePackage(stack, 'Pkg', { packageName: 'fw' });
    const version = pkg.addVersion('V1', { versionName: '1.0.0' });
    stack.renameLogicalId(stack.resolve((version.node.defaultChild as CfnResource).logicalId), 'FirmwareOneZeroZero');
    // An export without a name locks the package's logical id at once.
    stack.exportValue(pkg.packageArn);
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('Custom::IotPackageVersion'))).toEqual(['FirmwareOneZeroZero']);
    const packageId = Object.keys(template.findResources('Custom::IotSoftwarePackage'))[0];
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [packageId, 'PackageArn'] } });
    template.hasResourceProperties('Custom::IotPackageVersion', { PackageName: { 'Fn::GetAtt': [packageId, 'PackageName'] } });
  });
});
