import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { IamAuthority } from './emulator/iam-authority';
import { iotClient, IotEmulator, IotEmulatorOptions } from './emulator/iot-emulator';
import { S3Emulator } from './emulator/s3-emulator';
import { DeployHarness, HarnessOptions } from './harness/deploy-harness';
import { nativeIotProviders, NativeRetryOptions } from './harness/native-iot';

/**
 * A local stand-in for an AWS account: the IoT emulator, an S3 emulator for assets, the
 * account's IAM, and the deploy harness playing CloudFormation with the bundled handler. Every
 * call a deployed handler makes is checked against the policies its role has at that moment of
 * the deploy. Used by the lifecycle tests, the demo and the benchmarks.
 */
export interface LocalCloudOptions {
  readonly iot?: IotEmulatorOptions;
  readonly harness?: HarnessOptions;
  /** The handler's retry base delay (IOT_RETRY_BASE_DELAY_MS). @default 5 */
  readonly retryBaseDelayMs?: number;
  /**
   * Gives CloudFormation's own IoT resource types (`AWS::IoT::SoftwarePackage`,
   * `SoftwarePackageVersion`, `JobTemplate`) their behaviour through the IoT API, with the
   * deployer's (unrestricted) credentials and these retries; providers given in
   * `harness.resourceProviders` win. @default - those types are only recorded
   */
  readonly nativeIot?: NativeRetryOptions;
}

export class LocalCloud {
  public static async start(options: LocalCloudOptions = {}): Promise<LocalCloud> {
    const iam = new IamAuthority();
    const iot = await IotEmulator.start({ iam, ...options.iot });
    const s3 = await S3Emulator.start({ iam });
    // CloudFormation calls the service with the deployer's credentials: keys IAM did not issue here.
    const deployer = iotClient(iot);
    const harness: HarnessOptions = options.nativeIot
      ? { ...options.harness, resourceProviders: { ...nativeIotProviders(() => deployer, options.nativeIot), ...options.harness?.resourceProviders } }
      : options.harness ?? {};
    return new LocalCloud(iam, iot, s3, harness, options.retryBaseDelayMs ?? 5);
  }

  public readonly harness: DeployHarness;
  private readonly outdirs: string[] = [];

  private constructor(
    public readonly iam: IamAuthority, public readonly iot: IotEmulator, public readonly s3: S3Emulator,
    harnessOptions: HarnessOptions, retryBaseDelayMs: number,
  ) {
    this.harness = new DeployHarness({
      iam,
      ...harnessOptions,
      env: {
        AWS_ENDPOINT_URL_IOT: iot.endpoint,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        IOT_RETRY_BASE_DELAY_MS: String(retryBaseDelayMs),
        JOB_POLL_BASE_DELAY_MS: '50',
        ...harnessOptions.env,
      },
      // As `cdk deploy` publishes assets: the versioned bootstrap bucket gives each upload a version.
      publishAsset: (asset) => {
        const body = fs.statSync(asset.sourcePath).isDirectory() ? `directory ${asset.sourcePath}` : fs.readFileSync(asset.sourcePath);
        s3.putObject(asset.bucketName, asset.objectKey, body);
      },
    });
  }

  /** Synthesizes the app into a fresh directory and returns the assembly's path. */
  public synth(build: (outdir: string) => App): string {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-iot-pc-'));
    this.outdirs.push(outdir);
    return build(outdir).synth().directory;
  }

  public async stop(): Promise<void> {
    await this.harness.close();
    await this.iot.stop();
    await this.s3.stop();
    for (const dir of this.outdirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}
