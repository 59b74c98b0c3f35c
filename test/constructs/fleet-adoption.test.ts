/**
 * Who runs which version: dynamic thing groups as job targets, fleet metrics of devices per
 * version with their CloudWatch metrics and widget, the fleet indexing they wait for, and the
 * tags of jobs and job templates.
 */
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { ENV } from './util';
import {
  DeviceQuery, DynamicThingGroup, JobDocument, JobTargets, JobTargetSelection, JobTemplateWithPackages, JobWithPackages,
  PackageAdoption, PackageConfiguration, PackageVersion, SoftwarePackage,
} from '../../src';

const FIELD = 'shadow.name.$package.reported';

function rollout(options: { configuration?: boolean } = {}) {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  const configuration = options.configuration === false ? undefined : new PackageConfiguration(stack, 'Packages', { fleetIndexing: true });
  const fw = new SoftwarePackage(stack, 'Fw', { packageName: 'fw' });
  const v1 = fw.addVersion('V1', { versionName: '1.0.0' });
  const v2 = fw.addVersion('V2', { versionName: '1.1.0' });
  return { app, stack, configuration, fw, v1, v2 };
}

const logicalIdOf = (template: Template, type: string) => Object.keys(template.findResources(type))[0];
const indexingId = (template: Template) => logicalIdOf(template, 'Custom::IotPackageFleetIndexing');

describe('DynamicThingGroup', () => {
  test('a group of the devices still on a version, as a continuous job target', () => {
    const { stack, v1, v2 } = rollout();
    const stillOnV1 = new DynamicThingGroup(stack, 'StillOnV1', { query: DeviceQuery.runningVersion(v1), description: 'Devices on 1.0.0' });
    new JobWithPackages(stack, 'Upgrade', {
      targets: [stillOnV1.thingGroupArn],
      targetSelection: JobTargetSelection.CONTINUOUS,
      destinationPackageVersions: [v2],
      document: JobDocument.fromObject({ operation: 'install' }),
    });
    const template = Template.fromStack(stack);
    const groupId = logicalIdOf(template, 'AWS::IoT::ThingGroup');
    template.hasResource('AWS::IoT::ThingGroup', {
      Properties: { QueryString: `${FIELD}.fw.version:1.0.0`, ThingGroupProperties: { ThingGroupDescription: 'Devices on 1.0.0' } },
      // Fleet indexing of the $package shadow comes first.
      DependsOn: Match.arrayWith([indexingId(template)]),
    });
    template.hasResourceProperties('Custom::IotJobWithPackages', {
      Targets: [{ 'Fn::GetAtt': [groupId, 'Arn'] }],
      TargetSelection: 'CONTINUOUS',
    });
  });

  test('a named group: its name, and its name and ARN as references', () => {
    const { stack, v1 } = rollout();
    const group = new DynamicThingGroup(stack, 'G', { query: DeviceQuery.runningVersion(v1), thingGroupName: 'fw-on-1_0_0' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IoT::ThingGroup', { ThingGroupName: 'fw-on-1_0_0' });
    const groupId = logicalIdOf(template, 'AWS::IoT::ThingGroup');
    expect(stack.resolve(group.thingGroupName)).toEqual({ Ref: groupId });
    expect(stack.resolve(group.thingGroupArn)).toEqual({ 'Fn::GetAtt': [groupId, 'Arn'] });
  });

  test.each([
    ['a thing group name with a space', { thingGroupName: 'on v1' },
      'S/G: thingGroupName "on v1" must match [a-zA-Z0-9:_-]+: letters, digits, \':\', \'_\' and \'-\' only.'],
    ['an empty description', { description: '' }, 'S/G: description must be 1-2028 characters long, got 0; leave it unset for none.'],
  ])('%s fails at synth', (_name, props, message) => {
    const { stack, v1 } = rollout();
    expect(() => new DynamicThingGroup(stack, 'G', { query: DeviceQuery.runningVersion(v1), ...props })).toThrow(message);
  });
});

describe('the fleet indexing that queries of the $package shadow need', () => {
  test('without a PackageConfiguration with fleetIndexing in the app, synth fails and says what to add', () => {
    const { app, stack, v1 } = rollout({ configuration: false });
    new DynamicThingGroup(stack, 'G', { query: DeviceQuery.runningVersion(v1) });
    expect(() => app.synth()).toThrow(
      'DynamicThingGroup S/G queries the $package shadow, which fleet indexing must index before it matches any device. ' +
      'Add new PackageConfiguration(scope, id, { fleetIndexing: true }) to a stack of the same account and region, or set ' +
      'assumeFleetIndexing: true if the account already indexes the $package named shadow.');
  });

  test('a configuration without fleetIndexing is not enough', () => {
    const { app, stack, v1 } = rollout({ configuration: false });
    new PackageConfiguration(stack, 'Packages');
    new DynamicThingGroup(stack, 'G', { query: DeviceQuery.runningVersion(v1) });
    expect(() => app.synth()).toThrow('DynamicThingGroup S/G queries the $package shadow');
  });

  test('assumeFleetIndexing: the account indexes the shadow already', () => {
    const { app, stack, v1 } = rollout({ configuration: false });
    new DynamicThingGroup(stack, 'G', { query: DeviceQuery.runningVersion(v1), assumeFleetIndexing: true });
    expect(() => app.synth()).not.toThrow();
  });

  test('a configuration declared after the group is waited for too', () => {
    const { stack, v1 } = rollout({ configuration: false });
    new DynamicThingGroup(stack, 'G', { query: DeviceQuery.runningVersion(v1) });
    new PackageConfiguration(stack, 'Packages', { fleetIndexing: true });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::IoT::ThingGroup', { DependsOn: Match.arrayWith([indexingId(template)]) });
  });

  test('a configuration in another stack of the same environment: the stack waits for that stack', () => {
    const app = new App();
    const account = new Stack(app, 'Account', { env: ENV });
    new PackageConfiguration(account, 'Packages', { fleetIndexing: true });
    const rolloutStack = new Stack(app, 'Rollout', { env: ENV });
    const fw = new SoftwarePackage(rolloutStack, 'Fw', { packageName: 'fw' });
    new DynamicThingGroup(rolloutStack, 'G', { query: DeviceQuery.runningAnyVersionOf(fw) });
    const assembly = app.synth();
    expect(rolloutStack.dependencies).toContain(account);
    expect(assembly.getStackByName('Rollout').dependencies.map((d) => d.id)).toContain('Account');
  });

  test('a configuration of another region does not count', () => {
    const app = new App();
    new PackageConfiguration(new Stack(app, 'Account', { env: { ...ENV, region: 'eu-west-1' } }), 'Packages', { fleetIndexing: true });
    const rolloutStack = new Stack(app, 'Rollout', { env: ENV });
    const fw = new SoftwarePackage(rolloutStack, 'Fw', { packageName: 'fw' });
    new DynamicThingGroup(rolloutStack, 'G', { query: DeviceQuery.runningAnyVersionOf(fw) });
    expect(() => app.synth()).toThrow('DynamicThingGroup Rollout/G queries the $package shadow');
  });
});

describe('PackageAdoption', () => {
  test('one fleet metric per version and one of every device with the package, counted every 5 minutes', () => {
    const { stack, fw, v1, v2 } = rollout();
    new PackageAdoption(stack, 'Adoption', { package: fw, versions: [v1, v2], metricNamePrefix: 'fw-adoption' });
    const template = Template.fromStack(stack);
    const metric = (name: string, query: string) => ({
      MetricName: name,
      QueryString: query,
      AggregationType: { Name: 'Statistics', Values: ['count'] },
      AggregationField: 'registry.version',
      Period: 300,
      IndexName: 'AWS_Things',
      QueryVersion: '2017-09-30',
    });
    template.resourceCountIs('AWS::IoT::FleetMetric', 3);
    template.hasResourceProperties('AWS::IoT::FleetMetric', metric('fw-adoption-total', `${FIELD}.fw.version:*`));
    template.hasResourceProperties('AWS::IoT::FleetMetric', metric('fw-adoption-1.0.0', `${FIELD}.fw.version:1.0.0`));
    template.hasResourceProperties('AWS::IoT::FleetMetric', metric('fw-adoption-1.1.0', `${FIELD}.fw.version:1.1.0`));
    template.allResources('AWS::IoT::FleetMetric', { DependsOn: Match.arrayWith([indexingId(template)]) });
  });

  test('the CloudWatch metrics and the adoption widget', () => {
    const { stack, fw, v1, v2 } = rollout();
    const adoption = new PackageAdoption(stack, 'Adoption', { package: fw, versions: [v1, v2], metricNamePrefix: 'fw', period: Duration.minutes(1) });
    const metric = adoption.metricDevicesOn(v2);
    const { namespace, metricName, dimensions, statistic } = metric;
    expect({ namespace, metricName, dimensions, statistic, period: metric.period.toSeconds() })
      .toEqual({ namespace: 'IoTFleetMetrics', metricName: 'fw-1.1.0', dimensions: { AggregationType: 'count' }, statistic: 'Maximum', period: 60 });
    expect(adoption.metricDevicesWithPackage().metricName).toEqual('fw-total');
    new cloudwatch.Dashboard(stack, 'Dashboard').addWidgets(adoption.widget());
    const body = JSON.stringify(stack.resolve(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard')));
    expect(body).toContain('\\"stacked\\":true');
    expect(body).toContain('[\\"IoTFleetMetrics\\",\\"fw-1.0.0\\",\\"AggregationType\\",\\"count\\"');
    expect(body).toContain('[\\"IoTFleetMetrics\\",\\"fw-1.1.0\\",\\"AggregationType\\",\\"count\\"');
  });

  test.each([
    ['a period that is not whole minutes', { period: Duration.seconds(90) }, 'S/A: period must be whole minutes, got 90 seconds.'],
    ['a period over a day', { period: Duration.days(2) }, 'S/A: period must be 60-86400 seconds, got 172800 seconds.'],
    ['a prefix with a space', { metricNamePrefix: 'fw adoption' }, 'S/A: metricNamePrefix "fw adoption" must be 1-100 characters of [a-zA-Z0-9_.-].'],
    ['no versions', { versions: [] }, 'S/A: versions must list at least 1 version.'],
  ])('%s fails at synth', (_name, props, message) => {
    const { stack, fw, v1 } = rollout();
    expect(() => new PackageAdoption(stack, 'A', { package: fw, versions: [v1], ...props })).toThrow(message);
  });

  test('a version it does not count has no metric', () => {
    const { stack, fw, v1, v2 } = rollout();
    const adoption = new PackageAdoption(stack, 'A', { package: fw, versions: [v1] });
    expect(() => adoption.metricDevicesOn(v2)).toThrow('PackageAdoption S/A counts the devices of the versions it lists; S/Fw/V2 is not one of them.');
  });
});

describe('tags of jobs and job templates', () => {
  test('Tags.of reaches the job (through the IoT API) and the job template', () => {
    const { stack, v1 } = rollout();
    const document = JobDocument.fromObject({ operation: 'install' });
    new JobWithPackages(stack, 'Job', { targets: [JobTargets.thing(stack, 't1')], destinationPackageVersions: [v1], document });
    new JobTemplateWithPackages(stack, 'Template', { description: 'd', destinationPackageVersions: [v1], document });
    Tags.of(stack).add('team', 'fleet');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::IotJobWithPackages', { Tags: { team: 'fleet' } });
    template.hasResourceProperties('AWS::IoT::JobTemplate', { Tags: [{ Key: 'team', Value: 'fleet' }] });
  });

  test('a job template\'s generated id changes with its tags (tags are create-only), and only then', () => {
    const idOf = (tags: Record<string, string>) => {
      const { stack, v1 } = rollout();
      const tpl = new JobTemplateWithPackages(stack, 'Template', { description: 'd', destinationPackageVersions: [v1], document: JobDocument.fromObject({}) });
      for (const [key, value] of Object.entries(tags)) Tags.of(tpl).add(key, value);
      const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::IoT::JobTemplate'));
      return resource.Properties.JobTemplateId as string;
    };
    expect(idOf({})).toEqual(idOf({}));
    expect(idOf({ team: 'fleet' })).toEqual(idOf({ team: 'fleet' }));
    expect(idOf({ team: 'fleet' })).not.toEqual(idOf({}));
    expect(idOf({ team: 'fleet' })).not.toEqual(idOf({ team: 'pumps' }));
  });

  test('a job holds 49 tags beside the owner tag, a job template 50', () => {
    const tagged = (count: number, build: (stack: Stack, v1: PackageVersion) => Construct) => {
      const { app, stack, v1 } = rollout();
      const construct = build(stack, v1);
      for (let i = 0; i < count; i++) Tags.of(construct).add(`k${i}`, 'v');
      return () => app.synth();
    };
    const document = JobDocument.fromObject({});
    const job = (stack: Stack, v1: PackageVersion) => new JobWithPackages(stack, 'Job', { targets: [JobTargets.thing(stack, 't1')], destinationPackageVersions: [v1], document });
    const tpl = (stack: Stack, v1: PackageVersion) => new JobTemplateWithPackages(stack, 'Tpl', { description: 'd', destinationPackageVersions: [v1], document });
    expect(tagged(49, job)).not.toThrow();
    expect(tagged(50, job)).toThrow('at most 49 tags are allowed (a resource holds 50, one of them the stack\'s cdk-iot-package-catalog:stack-id), got 50.');
    expect(tagged(50, tpl)).not.toThrow();
    expect(tagged(51, tpl)).toThrow('at most 50 tags are allowed, got 51.');
  });

  test('a reserved tag key on a job fails at synth', () => {
    const { app, stack, v1 } = rollout();
    const job = new JobWithPackages(stack, 'Job', { targets: [JobTargets.thing(stack, 't1')], destinationPackageVersions: [v1], document: JobDocument.fromObject({}) });
    Tags.of(job).add('aws:team', 'x');
    expect(() => app.synth()).toThrow('tag key "aws:team" is reserved');
  });
});
