import { App, Stack, StackProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { JobDocument, JobTargets, JobWithPackages, PackageConfiguration, PackageVersionStatus, SoftwarePackage } from '../src';

/** Which release of the example catalog to declare. */
export type Release = 'initial' | 'update';

export interface FirmwareCatalogStackProps extends StackProps {
  readonly release: Release;
}

/**
 * An IoT platform team's firmware catalog.
 *
 * - `initial`: 1.0.0 is published and the default; 1.1.0 is a draft under test; a job installs
 *   1.0.0 on the sensor fleet.
 * - `update`: 1.1.0 is published and becomes the default; 1.0.0 is deprecated; the job is
 *   replaced by one that installs 1.1.0.
 *
 * Successful jobs record what they installed in each device's `$package` shadow.
 */
export class FirmwareCatalogStack extends Stack {
  constructor(scope: Construct, id: string, props: FirmwareCatalogStackProps) {
    super(scope, id, props);
    const updated = props.release === 'update';

    const firmware = new SoftwarePackage(this, 'SensorFirmware', {
      packageName: 'sensor-firmware',
      description: 'Firmware of the temperature sensor fleet',
    });
    const configuration = new PackageConfiguration(this, 'PackageConfiguration');

    const v1_0_0 = firmware.addVersion('V1_0_0', {
      versionName: '1.0.0',
      description: 'First field release',
      attributes: { board: 'rev-b', minBootloader: '2.1' },
      status: updated ? PackageVersionStatus.DEPRECATED : PackageVersionStatus.PUBLISHED,
      isDefaultVersion: !updated,
    });
    const v1_1_0 = firmware.addVersion('V1_1_0', {
      versionName: '1.1.0',
      description: 'Lower power in sleep mode',
      attributes: { board: 'rev-b', minBootloader: '2.1' },
      status: updated ? PackageVersionStatus.PUBLISHED : PackageVersionStatus.DRAFT,
      isDefaultVersion: updated,
    });
    Tags.of(firmware).add('team', 'sensor-platform');

    const release = updated ? v1_1_0 : v1_0_0;
    const rollout = new JobWithPackages(this, 'SensorRollout', {
      description: `Install sensor firmware ${updated ? '1.1.0' : '1.0.0'}`,
      targets: [JobTargets.thingGroup(this, 'temperature-sensors')],
      destinationPackageVersions: [release],
      document: JobDocument.fromObject({
        operation: 'firmware-update',
        package: 'sensor-firmware',
        version: updated ? '1.1.0' : '1.0.0',
      }),
    });
    rollout.node.addDependency(configuration);
  }
}

/** The example app, as `cdk synth` would build it. */
export function buildApp(release: Release, outdir?: string): App {
  const app = new App({ outdir });
  new FirmwareCatalogStack(app, 'FirmwareCatalog', {
    release,
    env: { account: '123456789012', region: 'us-east-1' },
  });
  return app;
}

if (require.main === module) {
  buildApp((process.env.RELEASE as Release | undefined) ?? 'initial').synth();
}
