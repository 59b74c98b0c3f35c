import { cfnEvent, invoke, startEmulator, TYPES } from './util';
import { run } from '../../lambda/index';
import { IotEmulator } from '../../local-cloud/emulator/iot-emulator';

let emu: IotEmulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.stop());
beforeEach(() => emu.reset());

const versions = (n: number) => Array.from({ length: n }, (_, i) => `1.0.${i}`);

async function deployCatalog(packageName: string, versionNames: string[]) {
  await run(cfnEvent('Create', TYPES.softwarePackage, { PackageName: packageName }, { logicalId: packageName }));
  await Promise.all(versionNames.map((v) => run(cfnEvent('Create', TYPES.packageVersion,
    { PackageName: packageName, VersionName: v, Status: 'PUBLISHED', Attributes: { v } }, { logicalId: `${packageName}${v}` }))));
  await run(cfnEvent('Create', TYPES.defaultVersion, { PackageName: packageName, VersionName: versionNames[0] }, { logicalId: `${packageName}Default` }));
}

async function destroyCatalog(packageName: string, versionNames: string[]) {
  await run(cfnEvent('Delete', TYPES.defaultVersion, { PackageName: packageName, VersionName: versionNames[0] }, { physicalId: `${packageName}/default-version` }));
  await Promise.all(versionNames.map((v) => run(cfnEvent('Delete', TYPES.packageVersion,
    { PackageName: packageName, VersionName: v, Status: 'PUBLISHED' }, { physicalId: `${packageName}/${v}` }))));
  await run(cfnEvent('Delete', TYPES.softwarePackage, { PackageName: packageName }, { physicalId: packageName }));
}

function expectConverged(packageName: string, versionNames: string[]) {
  const [pkg] = emu.snapshot().packages;
  expect(pkg.packageName).toEqual(packageName);
  expect(pkg.defaultVersionName).toEqual(versionNames[0]);
  expect(pkg.versions.map((v) => [v.versionName, v.status])).toEqual([...versionNames].sort().map((v) => [v, 'PUBLISHED']));
}

describe('retries', () => {
  test('a throttling storm (30 % of calls answer HTTP 400 ThrottlingException) converges with no duplicates', async () => {
    emu.faults.throttle(0.3);
    await deployCatalog('fw', versions(12));
    expectConverged('fw', versions(12));
    const throttled = emu.calls.filter((c) => c.errorType === 'ThrottlingException');
    expect(throttled.length).toBeGreaterThan(5);
    expect(throttled.every((c) => c.status === 400)).toBe(true);
    // Each version was created once: every repeated CreatePackageVersion carried the same client token.
    const creates = emu.callsTo('CreatePackageVersion').filter((c) => c.status === 200);
    expect(new Set(creates.map((c) => c.input.versionName)).size).toEqual(12);

    await destroyCatalog('fw', versions(12));
    expect(emu.snapshot().packages).toEqual([]);
  });

  test('5xx bursts are retried', async () => {
    emu.faults.serverErrors(0.3);
    await deployCatalog('fw', versions(8));
    expectConverged('fw', versions(8));
    expect(emu.calls.some((c) => c.status >= 500)).toBe(true);
    await destroyCatalog('fw', versions(8));
    expect(emu.snapshot().packages).toEqual([]);
  });

  test('a run of consecutive throttles is waited out', async () => {
    emu.faults.burst(6, { kind: 'throttle' });
    await deployCatalog('fw', versions(1));
    expectConverged('fw', versions(1));
  });

  test('a token-bucket rate limit is respected by backing off', async () => {
    emu.faults.rateLimit(20, 5);
    await deployCatalog('fw', versions(15));
    expectConverged('fw', versions(15));
    expect(emu.calls.some((c) => c.errorType === 'ThrottlingException')).toBe(true);
  });

  test('other errors fail fast: no retry of a validation error', async () => {
    await run(cfnEvent('Create', TYPES.softwarePackage, { PackageName: 'fw' }));
    emu.clearCalls();
    await expect(run(cfnEvent('Create', TYPES.defaultVersion, { PackageName: 'fw', VersionName: 'missing' })))
      .rejects.toBeDefined();
    expect(emu.callsTo('UpdatePackage')).toHaveLength(1);
  });
});

describe('the response to CloudFormation', () => {
  test('success: status, natural physical id and attributes', async () => {
    const { response } = await invoke((url) => cfnEvent('Create', TYPES.softwarePackage, { PackageName: 'fw' }, { responseUrl: url }));
    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'fw',
      Data: { PackageName: 'fw', PackageArn: 'arn:aws:iot:us-east-1:123456789012:package/fw' },
    });
  });

  test('failure names the operation, the resource and the service error', async () => {
    const { response } = await invoke((url) => cfnEvent('Create', TYPES.packageVersion,
      { PackageName: 'missing', VersionName: '1', Status: 'PUBLISHED' }, { responseUrl: url, logicalId: 'V1', requestId: 'req-1' }));
    expect(response.Status).toEqual('FAILED');
    expect(response.Reason).toMatch(/^Create package version missing\/1 \(V1\): ResourceNotFoundException|ValidationException/);
    // A failed Create answers with an id its rollback Delete recognises as "nothing created".
    expect(response.PhysicalResourceId).toEqual('create-failed:req-1');
  });

  test('a failed Update keeps the physical id', async () => {
    const { response } = await invoke((url) => cfnEvent('Update', TYPES.packageVersion,
      { PackageName: 'fw', VersionName: '1', Status: 'DRAFT' }, { responseUrl: url, physicalId: 'fw/1', old: { PackageName: 'fw', VersionName: '1', Status: 'PUBLISHED' } }));
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'fw/1' });
  });

  test('a long reason is truncated to fit CloudFormation\'s 4096-byte limit', async () => {
    const huge = 'x'.repeat(10_000);
    emu.faults.failOperation('CreatePackage', { resource: 'fw', error: { name: 'ValidationException', status: 400, message: huge } });
    const { response } = await invoke((url) => cfnEvent('Create', TYPES.softwarePackage, { PackageName: 'fw' }, { responseUrl: url }));
    expect(response.Status).toEqual('FAILED');
    expect(response.rawBytes).toBeLessThanOrEqual(4096);
    expect(response.Reason).toMatch(/\[truncated\]$/);
  });

  test('the log holds the event but never the ResponseURL or sensitive values', async () => {
    const { logs, responseUrl } = await invoke((url) => cfnEvent('Create', TYPES.softwarePackage,
      { PackageName: 'fw', Description: 'secret-description' }, { responseUrl: url }));
    const all = logs.join('\n');
    expect(all).toContain('"LogicalResourceId":"Resource"');
    expect(all).toContain('[redacted]');
    expect(all).not.toContain(responseUrl);
    expect(all).not.toContain('signature=SECRET');
    expect(all).not.toContain('secret-description');
  });

  test('an unknown resource type fails clearly', async () => {
    const { response } = await invoke((url) => cfnEvent('Create', 'Custom::Unknown', {}, { responseUrl: url }));
    expect(response).toMatchObject({ Status: 'FAILED', Reason: 'Unknown resource type Custom::Unknown.' });
  });
});
