import { cfnEvent, mutatingCalls, startEmulator, TYPES } from './util';
import { run } from '../../lambda/index';
import { IotEmulator } from '../../local-cloud/emulator/iot-emulator';
import { S3Emulator } from '../../local-cloud/emulator/s3-emulator';

let emu: IotEmulator;
let s3: S3Emulator;

beforeAll(async () => {
  emu = await startEmulator();
  s3 = await S3Emulator.start();
  process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
});
afterAll(async () => {
  await emu.stop();
  await s3.stop();
});
beforeEach(async () => {
  emu.reset();
  s3.reset();
  await run(cfnEvent('Create', TYPES.softwarePackage, { PackageName: 'fw' }));
});

const props = (extra: Record<string, unknown> = {}) => ({ PackageName: 'fw', VersionName: '1.0.0', Status: 'PUBLISHED', ...extra });
const version = () => emu.snapshot().packages[0].versions[0];

describe('artifact', () => {
  test('an explicit object version is passed as given', async () => {
    await run(cfnEvent('Create', TYPES.packageVersion, props({ Artifact: { Bucket: 'releases', Key: 'fw.bin', Version: 'abc' } })));
    expect(version().artifact).toEqual({ s3Location: { bucket: 'releases', key: 'fw.bin', version: 'abc' } });
    expect(s3.requests).toEqual([]);
  });

  test('without a version (an asset), the latest object version is looked up at deploy time', async () => {
    const versionId = s3.putObject('cdk-assets', 'abc123.bin', 'firmware image');
    await run(cfnEvent('Create', TYPES.packageVersion, props({ Artifact: { Bucket: 'cdk-assets', Key: 'abc123.bin' } })));
    expect(version().artifact).toEqual({ s3Location: { bucket: 'cdk-assets', key: 'abc123.bin', version: versionId } });
    expect(s3.requests).toEqual(['HEAD /cdk-assets/abc123.bin']);
  });

  test('an unversioned bucket fails clearly and creates nothing', async () => {
    s3.setUnversioned('plain');
    s3.putObject('plain', 'fw.bin', 'x');
    await expect(run(cfnEvent('Create', TYPES.packageVersion, props({ Artifact: { Bucket: 'plain', Key: 'fw.bin' } }))))
      .rejects.toThrow('The artifact of fw/1.0.0 s3://plain/fw.bin has no object version: IoT reads a specific version, so the bucket must have versioning enabled, or pass the objectVersion explicitly.');
    expect(emu.snapshot().packages[0].versions).toEqual([]);
  });

  test('a missing object fails clearly and creates nothing', async () => {
    await expect(run(cfnEvent('Create', TYPES.packageVersion, props({ Artifact: { Bucket: 'cdk-assets', Key: 'missing.bin' } }))))
      .rejects.toThrow('The artifact of fw/1.0.0 s3://cdk-assets/missing.bin cannot be read: NotFound.');
    expect(emu.snapshot().packages[0].versions).toEqual([]);
  });

  test('a new artifact for a PUBLISHED version is refused before any change', async () => {
    const before = props({ Artifact: { Bucket: 'releases', Key: 'fw.bin', Version: 'a' } });
    await run(cfnEvent('Create', TYPES.packageVersion, before));
    emu.clearCalls();
    await expect(run(cfnEvent('Update', TYPES.packageVersion, props({ Artifact: { Bucket: 'releases', Key: 'fw.bin', Version: 'b' } }),
      { physicalId: 'fw/1.0.0', old: before })))
      .rejects.toThrow('Version fw/1.0.0 is PUBLISHED: its artifact can change only while it is DRAFT. To ship the change, use a new versionName.');
    expect(mutatingCalls(emu)).toEqual([]);
    expect(version().artifact?.s3Location?.version).toEqual('a');
  });

  test('a DRAFT version takes a new artifact', async () => {
    const before = props({ Status: 'DRAFT', Artifact: { Bucket: 'releases', Key: 'fw.bin', Version: 'a' } });
    await run(cfnEvent('Create', TYPES.packageVersion, before));
    await run(cfnEvent('Update', TYPES.packageVersion, props({ Status: 'DRAFT', Artifact: { Bucket: 'releases', Key: 'fw2.bin', Version: 'b' } }),
      { physicalId: 'fw/1.0.0', old: before }));
    expect(version().artifact).toEqual({ s3Location: { bucket: 'releases', key: 'fw2.bin', version: 'b' } });
  });
});

describe('SBOM', () => {
  test('associated at create; its validation status is an attribute', async () => {
    const result = await run(cfnEvent('Create', TYPES.packageVersion, props({ Sbom: { Bucket: 'releases', Key: 'sbom.zip', Version: 's1' } })));
    expect(result.data).toMatchObject({ SbomValidationStatus: 'IN_PROGRESS' });
    expect(version().sbom).toEqual({ s3Location: { bucket: 'releases', key: 'sbom.zip', version: 's1' } });
    expect(mutatingCalls(emu)).toContain('AssociateSbomWithPackageVersion 200');
  });

  test('replaced on a PUBLISHED version: disassociate the old, associate the new', async () => {
    const before = props({ Sbom: { Bucket: 'releases', Key: 'sbom.zip', Version: 's1' } });
    await run(cfnEvent('Create', TYPES.packageVersion, before));
    emu.clearCalls();
    const result = await run(cfnEvent('Update', TYPES.packageVersion, props({ Sbom: { Bucket: 'releases', Key: 'sbom.zip', Version: 's2' } }),
      { physicalId: 'fw/1.0.0', old: before }));
    expect(mutatingCalls(emu)).toEqual(['DisassociateSbomFromPackageVersion 200', 'AssociateSbomWithPackageVersion 200']);
    expect(version().sbom?.s3Location?.version).toEqual('s2');
    expect(result.data).toMatchObject({ SbomValidationStatus: 'IN_PROGRESS' });
  });

  test('an unchanged SBOM reports its current validation status', async () => {
    const before = props({ Sbom: { Bucket: 'releases', Key: 'sbom.zip', Version: 's1' } });
    await run(cfnEvent('Create', TYPES.packageVersion, before));
    const result = await run(cfnEvent('Update', TYPES.packageVersion, { ...before, Description: 'now described' }, { physicalId: 'fw/1.0.0', old: before }));
    expect(result.data).toMatchObject({ SbomValidationStatus: 'SUCCEEDED' });
  });

  test('removed: disassociated', async () => {
    const before = props({ Sbom: { Bucket: 'releases', Key: 'sbom.zip', Version: 's1' } });
    await run(cfnEvent('Create', TYPES.packageVersion, before));
    await run(cfnEvent('Update', TYPES.packageVersion, props(), { physicalId: 'fw/1.0.0', old: before }));
    expect(version().sbom).toBeUndefined();
  });

  test('a failed association at create undoes the version', async () => {
    emu.faults.failOperation('AssociateSbomWithPackageVersion', { error: { name: 'ValidationException', status: 400, message: 'not a zip' } });
    await expect(run(cfnEvent('Create', TYPES.packageVersion, props({ Sbom: { Bucket: 'releases', Key: 'sbom.zip', Version: 's1' } }))))
      .rejects.toThrow('not a zip');
    expect(emu.snapshot().packages[0].versions).toEqual([]);
  });
});
