/**
 * Fleet-indexing queries over the `$package` shadow: each form's rendered string, the escaping
 * of odd names, and the names and combinations that fail when the query is built.
 */
import { App, Fn, Stack } from 'aws-cdk-lib';
import { ENV } from './util';
import { DeviceQuery, PackageVersion, SoftwarePackage } from '../../src';

const Q = DeviceQuery;
const FIELD = 'shadow.name.$package.reported';

function fleet() {
  const stack = new Stack(new App(), 'S', { env: ENV });
  const fw = new SoftwarePackage(stack, 'Fw', { packageName: 'sensor-fw' });
  const v1 = fw.addVersion('V1', { versionName: '1.0.0' });
  const v2 = fw.addVersion('V2', { versionName: '1.1.0-rc1' });
  const ui = new SoftwarePackage(stack, 'Ui', { packageName: 'ui.web_app' });
  const u1 = ui.addVersion('U1', { versionName: '-beta' });
  return { stack, fw, v1, v2, ui, u1 };
}

describe('the rendered query of each form', () => {
  const { fw, v1, v2, ui, u1 } = fleet();
  test.each<[string, DeviceQuery, string, number]>([
    ['devices on a version', Q.runningVersion(v1), `${FIELD}.sensor-fw.version:1.0.0`, 1],
    ['devices on any version of a package', Q.runningAnyVersionOf(fw), `${FIELD}.sensor-fw.version:*`, 1],
    ['devices on no version of a package (anchored to every thing)', Q.runningNoVersionOf(fw),
      `thingName:* AND NOT ${FIELD}.sensor-fw.version:*`, 2],
    ['devices not on a version', Q.notRunningVersion(v1), `thingName:* AND NOT ${FIELD}.sensor-fw.version:1.0.0`, 2],
    ['a version of a thing type', Q.allOf(Q.runningVersion(v1), Q.ofThingType('pump_sensor')),
      `${FIELD}.sensor-fw.version:1.0.0 AND thingTypeName:pump_sensor`, 2],
    ['devices that have the package, but not this version (exclusions after the terms)', Q.allOf(Q.notRunningVersion(v2), Q.runningAnyVersionOf(fw)),
      `${FIELD}.sensor-fw.version:* AND NOT ${FIELD}.sensor-fw.version:1.1.0-rc1`, 2],
    ['either version', Q.anyOf(Q.runningVersion(v1), Q.runningVersion(v2)),
      `${FIELD}.sensor-fw.version:1.0.0 OR ${FIELD}.sensor-fw.version:1.1.0-rc1`, 2],
    ['a version, or no version (an exclusion in an OR is anchored)', Q.anyOf(Q.runningVersion(v1), Q.runningNoVersionOf(fw)),
      `${FIELD}.sensor-fw.version:1.0.0 OR (thingName:* AND NOT ${FIELD}.sensor-fw.version:*)`, 3],
    ['on none of two versions', Q.noneOf(Q.runningVersion(v1), Q.runningVersion(v2)),
      `thingName:* AND NOT (${FIELD}.sensor-fw.version:1.0.0 OR ${FIELD}.sensor-fw.version:1.1.0-rc1)`, 3],
    ['a double negation keeps its anchor', Q.noneOf(Q.noneOf(Q.runningVersion(v1))),
      `thingName:* AND NOT (thingName:* AND NOT ${FIELD}.sensor-fw.version:1.0.0)`, 3],
    ['nested AND in OR', Q.anyOf(Q.allOf(Q.runningVersion(v1), Q.inThingGroup('canary')), Q.runningVersion(u1)),
      `(${FIELD}.sensor-fw.version:1.0.0 AND thingGroupNames:canary) OR ${FIELD}.ui.web_app.version:\\-beta`, 3],
    ['nested ANDs are one AND', Q.allOf(Q.allOf(Q.runningVersion(v1), Q.inThingGroup('canary')), Q.withAttribute('site', 'berlin')),
      `${FIELD}.sensor-fw.version:1.0.0 AND thingGroupNames:canary AND attributes.site:berlin`, 3],
    ['one query is itself', Q.allOf(Q.runningAnyVersionOf(ui)), `${FIELD}.ui.web_app.version:*`, 1],
  ])('%s', (_name, query, expected, terms) => {
    expect(query.queryString).toEqual(expected);
    expect(query.termCount).toEqual(terms);
  });
});

describe('odd names are escaped where the syntax would read an operator', () => {
  const { stack, u1 } = fleet();
  test.each<[string, () => DeviceQuery, string]>([
    ['a version name that starts with "-" (exclusion)', () => Q.runningVersion(u1), `${FIELD}.ui.web_app.version:\\-beta`],
    ['a version name with "-" inside stays one term', () => Q.runningVersion(fleet().v2), `${FIELD}.sensor-fw.version:1.1.0-rc1`],
    ['a thing type with ":" (which would start a value)', () => Q.ofThingType('acme:pump'), 'thingTypeName:acme\\:pump'],
    ['an attribute name with ":"', () => Q.withAttribute('hw:rev', 'b'), 'attributes.hw\\:rev:b'],
    ['an attribute value with "=", "[", "]" and ":"', () => Q.withAttribute('cfg', 'a=[1]:2'), 'attributes.cfg:a\\=\\[1\\]\\:2'],
    ['a leading "-" in a thing group name', () => Q.inThingGroup('-canary'), 'thingGroupNames:\\-canary'],
    ['a version of an imported package by ARN', () => Q.runningVersion(
      PackageVersion.fromPackageVersionArn(stack, 'Imported', 'arn:aws:iot:us-east-1:123456789012:package/my_pkg/version/2.0')),
    `${FIELD}.my_pkg.version:2.0`],
  ])('%s', (_name, build, expected) => {
    expect(build().queryString).toEqual(expected);
  });

  test('tokens pass through unchecked and unescaped', () => {
    const s = new Stack(new App(), 'T');
    const pkg = SoftwarePackage.fromPackageName(s, 'P', Fn.importValue('PackageName'));
    const query = Q.allOf(Q.runningAnyVersionOf(pkg), Q.ofThingType(Fn.importValue('ThingType')));
    expect(s.resolve(query.queryString)).toEqual({
      'Fn::Join': ['', [`${FIELD}.`, { 'Fn::ImportValue': 'PackageName' }, '.version:* AND thingTypeName:', { 'Fn::ImportValue': 'ThingType' }]],
    });
  });
});

describe('bad names and impossible combinations fail when the query is built', () => {
  const { fw, v1, v2, ui, u1 } = fleet();
  test.each<[string, () => unknown, string]>([
    ['a thing type with a space', () => Q.ofThingType('pump sensor'),
      'thingTypeName "pump sensor" must match [a-zA-Z0-9:_-]+: letters, digits, \':\', \'_\' and \'-\' only.'],
    ['a thing group name over 128 characters', () => Q.inThingGroup('g'.repeat(129)),
      `thingGroupName "${'g'.repeat(77)}..." must be 1-128 characters long, got 129.`],
    ['an attribute value the query syntax cannot search ("@")', () => Q.withAttribute('owner', 'ops@example'),
      'attribute value "ops@example" holds "@", which fleet-indexing queries cannot search for.'],
    ['an attribute value with "/"', () => Q.withAttribute('path', 'a/b'),
      'attribute value "a/b" holds "/", which fleet-indexing queries cannot search for.'],
    ['an empty attribute value', () => Q.withAttribute('site', ''),
      'attribute value "" must be 1-800 characters of [a-zA-Z0-9_.,@/:#=[]-].'],
    ['an attribute name with a space', () => Q.withAttribute('my site', 'x'),
      'attribute name "my site" must be 1-128 characters of [a-zA-Z0-9_.,@/:#-].'],
    ['the $default version', () => Q.runningVersion(PackageVersion.defaultVersionOf(fw.stack, 'Default', fw)),
      'A device reports the version it runs, never $default: query a version of the package.'],
    ['the $null version', () => Q.runningVersion(PackageVersion.uninstallOf(fw.stack, 'Uninstall', fw)),
      'A device reports the version it runs, never $null: query a version of the package.'],
    ['two versions of one package at once', () => Q.allOf(Q.runningVersion(v1), Q.runningVersion(v2)),
      'No device runs versions "1.0.0" and "1.1.0-rc1" of package "sensor-fw" at once: a device reports one version of a package. Use DeviceQuery.anyOf.'],
    ['a version and no version of its package', () => Q.allOf(Q.runningVersion(v1), Q.runningNoVersionOf(fw)),
      'No device both runs a version of package "sensor-fw" and runs none of its versions.'],
    ['a version and not that version', () => Q.allOf(Q.runningVersion(v1), Q.notRunningVersion(v1)),
      'No device both runs and does not run version "1.0.0" of package "sensor-fw".'],
    ['two thing types at once', () => Q.allOf(Q.ofThingType('pump'), Q.ofThingType('valve')),
      'No thing matches thingTypeName "pump" and "valve" at once: a thing has one type. Use DeviceQuery.anyOf.'],
    ['no query to combine', () => Q.anyOf(), 'DeviceQuery.anyOf needs at least one query.'],
    ['more than 12 terms', () => Q.anyOf(...Array.from({ length: 13 }, (_, i) => Q.inThingGroup(`g${i}`))),
      'A fleet-indexing query can have at most 12 terms, this one has 13: thingGroupNames:g0 OR'],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });

  test('combinations a device can match are accepted', () => {
    expect(() => Q.allOf(Q.runningVersion(v1), Q.runningVersion(u1))).not.toThrow();
    expect(() => Q.allOf(Q.runningVersion(v1), Q.notRunningVersion(v2))).not.toThrow();
    expect(() => Q.anyOf(Q.runningVersion(v1), Q.runningVersion(v2))).not.toThrow();
    expect(() => Q.allOf(Q.runningAnyVersionOf(ui), Q.runningNoVersionOf(fw))).not.toThrow();
    expect(() => Q.anyOf(...Array.from({ length: 12 }, (_, i) => Q.inThingGroup(`g${i}`)))).not.toThrow();
  });
});
