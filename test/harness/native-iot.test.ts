/**
 * CloudFormation's own IoT resource types in the deploy harness (local-cloud/harness/native-iot.ts)
 * against the IoT emulator: create, in-place update, replacement and delete of
 * `AWS::IoT::SoftwarePackage` and `AWS::IoT::SoftwarePackageVersion`; and the stack a team
 * writes without this library (those types plus aws-cdk's AwsCustomResource, whose handler runs
 * in the harness's Lambda runtime with the runtime's SDK and answers its ResponseURL over HTTPS).
 */
import { DeletePackageVersionCommand, IoTClient } from '@aws-sdk/client-iot';
import { App, CfnOutput, Stack, Tags } from 'aws-cdk-lib';
import { CfnSoftwarePackage, CfnSoftwarePackageVersion } from 'aws-cdk-lib/aws-iot';
import { buildWorkaroundApp } from '../../bench/stacks/workaround';
import { LocalCloud } from '../../local-cloud';
import { iotClient } from '../../local-cloud/emulator/iot-emulator';

const STACK = 'Native';
const ENV = { account: '123456789012', region: 'us-east-1' };

let cloud: LocalCloud;
let sdk: IoTClient;
beforeEach(async () => {
  cloud = await LocalCloud.start({ nativeIot: {} });
  sdk = iotClient(cloud.iot);
});
afterEach(async () => cloud.stop());

interface Declared {
  readonly packageName?: string;
  readonly description?: string;
  readonly versions: ReadonlyArray<{
    readonly id: string;
    readonly versionName: string;
    readonly description?: string;
    readonly tags?: Record<string, string>;
  }>;
}

function nativeApp(declared: Declared) {
  return (outdir: string) => {
    const app = new App({ outdir });
    const stack = new Stack(app, STACK, { env: ENV });
    const pkg = new CfnSoftwarePackage(stack, 'Package', { packageName: declared.packageName ?? 'fw', description: declared.description });
    new CfnOutput(stack, 'PackageArn', { value: pkg.attrPackageArn });
    for (const v of declared.versions) {
      const version = new CfnSoftwarePackageVersion(stack, v.id, { packageName: pkg.ref, versionName: v.versionName, description: v.description });
      for (const [key, value] of Object.entries(v.tags ?? {})) Tags.of(version).add(key, value);
      new CfnOutput(stack, `${v.id}Arn`, { value: version.attrPackageVersionArn });
    }
    return app;
  };
}

const deploy = (declared: Declared) => cloud.harness.deploy(cloud.synth(nativeApp(declared)), STACK);
const catalog = () => cloud.iot.snapshot().packages;

describe('AWS::IoT::SoftwarePackage and AWS::IoT::SoftwarePackageVersion', () => {
  test('create: the package and DRAFT versions exist, with the Ref and GetAtt CloudFormation gives', async () => {
    const deployed = await deploy({ description: 'firmware', versions: [{ id: 'V1', versionName: '1.0.0', tags: { team: 'ota' } }, { id: 'V2', versionName: '2.0.0' }] });

    expect(deployed.status).toBe('CREATE_COMPLETE');
    expect(catalog()).toEqual([expect.objectContaining({
      packageName: 'fw',
      description: 'firmware',
      versions: [
        expect.objectContaining({ versionName: '1.0.0', status: 'DRAFT', tags: { team: 'ota' } }),
        expect.objectContaining({ versionName: '2.0.0', status: 'DRAFT' }),
      ],
    })]);
    expect(cloud.harness.physicalId(STACK, 'V1')).toBe('fw|1.0.0');
    expect(deployed.outputs).toEqual({
      PackageArn: 'arn:aws:iot:us-east-1:123456789012:package/fw',
      V1Arn: 'arn:aws:iot:us-east-1:123456789012:package/fw/version/1.0.0',
      V2Arn: 'arn:aws:iot:us-east-1:123456789012:package/fw/version/2.0.0',
    });
  });

  test('update: descriptions and tags change in place; a new versionName or packageName is a replacement', async () => {
    await deploy({ description: 'firmware', versions: [{ id: 'V1', versionName: '1.0.0', tags: { team: 'ota' } }] });

    const inPlace = await deploy({ description: 'pump firmware', versions: [{ id: 'V1', versionName: '1.0.0', description: 'first', tags: { stage: 'beta' } }] });
    expect(inPlace.status).toBe('UPDATE_COMPLETE');
    expect(catalog()).toEqual([expect.objectContaining({
      description: 'pump firmware',
      versions: [expect.objectContaining({ versionName: '1.0.0', description: 'first', tags: { stage: 'beta' } })],
    })]);
    expect(cloud.iot.calls.slice(-4).map((c) => c.operation).sort()).toEqual(['TagResource', 'UntagResource', 'UpdatePackage', 'UpdatePackageVersion']);

    const renamed = await deploy({ description: 'pump firmware', versions: [{ id: 'V1', versionName: '1.0.1' }] });
    expect(renamed.status).toBe('UPDATE_COMPLETE');
    expect(catalog()[0].versions.map((v) => v.versionName)).toEqual(['1.0.1']);
    expect(cloud.harness.physicalId(STACK, 'V1')).toBe('fw|1.0.1');

    const moved = await deploy({ packageName: 'fw2', versions: [{ id: 'V1', versionName: '1.0.1' }] });
    expect(moved.status).toBe('UPDATE_COMPLETE');
    expect(catalog().map((p) => [p.packageName, p.versions.map((v) => v.versionName)])).toEqual([['fw2', ['1.0.1']]]);
  });

  test('delete: versions before their package; something already gone is success', async () => {
    await deploy({ versions: [{ id: 'V1', versionName: '1.0.0' }, { id: 'V2', versionName: '2.0.0' }] });
    await sdk.send(new DeletePackageVersionCommand({ packageName: 'fw', versionName: '2.0.0' }));

    const destroyed = await cloud.harness.destroy(STACK);

    expect(destroyed.status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual([]);
  });
});

describe('the workaround: L1 resources plus AwsCustomResource calls', () => {
  test('aws-cdk\'s handler publishes every version and sets the default under the stack\'s IAM; destroy leaves nothing', async () => {
    const deployed = await cloud.harness.deploy(cloud.synth((outdir) => buildWorkaroundApp(3, outdir).app), 'BenchWorkaround');

    expect(deployed.status).toBe('CREATE_COMPLETE');
    expect(catalog()).toEqual([expect.objectContaining({
      packageName: 'bench-firmware',
      defaultVersionName: '1.0.2',
      versions: ['1.0.0', '1.0.1', '1.0.2'].map((versionName) => expect.objectContaining({ versionName, status: 'PUBLISHED' })),
    })]);
    expect(cloud.iam.denials).toEqual([]);

    const destroyed = await cloud.harness.destroy('BenchWorkaround');
    expect(destroyed.status).toBe('DELETE_COMPLETE');
    expect(catalog()).toEqual([]);
    expect(cloud.iot.calls.filter((c) => c.operation === 'UpdatePackage').map((c) => c.input.unsetDefaultVersion ?? false)).toEqual([false, true]);
  });
});
