import { App, Duration, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  DeviceQuery, DynamicThingGroup, JobAbortAction, JobDocument, JobExecutionFailureType, JobTargets, JobTargetSelection,
  JobWithPackages, PackageAdoption, PackageConfiguration, PackagePlaceholder, PackageVersionStatus, SoftwarePackage,
} from '../src';

/** Which stage of the rollout to declare. */
export type RolloutStage = 'canary' | 'fleet';

export interface StagedRolloutStackProps extends StackProps {
  readonly stage: RolloutStage;
}

/**
 * A staged firmware rollout, declared as a stack and deployed twice:
 *
 * - `canary`: 2.0.0 is published and goes to the canary thing group, with abort criteria.
 * - `fleet`: once the canary looks good, every pump not yet on 2.0.0 gets it too, devices that
 *   join the fleet later included (a dynamic thing group and a continuous job).
 *
 * Both stages chart adoption: the devices on each version over time, in a dashboard.
 */
export class StagedRolloutStack extends Stack {
  /** The queries, groups and metrics the stack declares, by name, for the demo to print. */
  public readonly declared: Array<{ readonly kind: string; readonly name: string; readonly detail: string }> = [];

  constructor(scope: Construct, id: string, props: StagedRolloutStackProps) {
    super(scope, id, props);

    // Fleet indexing of the $package shadow: what the groups and metrics below query.
    new PackageConfiguration(this, 'Packages', { fleetIndexing: true });

    const firmware = new SoftwarePackage(this, 'PumpFirmware', { packageName: 'pump-firmware' });
    const v1 = firmware.addVersion('V1_0_0', { versionName: '1.0.0', status: PackageVersionStatus.DEPRECATED });
    const v2 = firmware.addVersion('V2_0_0', {
      versionName: '2.0.0',
      attributes: { sha256: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae' },
      isDefaultVersion: true,
    });
    const document = JobDocument.fromObject({ operation: 'firmware-update', sha256: PackagePlaceholder.attribute(v2, 'sha256') });
    // Stop a stage when a tenth of the devices that ran it failed.
    const abortConfig = {
      criteria: [{
        failureType: JobExecutionFailureType.FAILED, action: JobAbortAction.CANCEL, thresholdPercentage: 10, minNumberOfExecutedThings: 5,
      }],
    };

    // Stage 1: the canary group.
    new JobWithPackages(this, 'Canary', {
      jobId: 'pump-firmware-2_0_0-canary',
      description: 'pump-firmware 2.0.0 on the canary pumps',
      targets: [JobTargets.thingGroup(this, 'pump-canary')],
      destinationPackageVersions: [v2],
      document,
      abortConfig,
      timeoutConfig: { inProgressTimeout: Duration.hours(1) },
    });

    // Stage 2: every pump still on another version, now and later.
    if (props.stage === 'fleet') {
      const pumpsToUpdate = DeviceQuery.allOf(DeviceQuery.ofThingType('pump'), DeviceQuery.notRunningVersion(v2));
      const notOnV2 = new DynamicThingGroup(this, 'PumpsNotOn2_0_0', {
        thingGroupName: 'pumps-not-on-pump-firmware-2_0_0',
        query: pumpsToUpdate,
        description: 'Pumps that do not report pump-firmware 2.0.0',
      });
      new JobWithPackages(this, 'Fleet', {
        jobId: 'pump-firmware-2_0_0-fleet',
        description: 'pump-firmware 2.0.0 on every pump',
        targets: [notOnV2.thingGroupArn],
        targetSelection: JobTargetSelection.CONTINUOUS,
        destinationPackageVersions: [v2],
        document,
        abortConfig,
        jobExecutionsRolloutConfig: {
          maximumPerMinute: 200,
          exponentialRate: { baseRatePerMinute: 10, incrementFactor: 2, rateIncreaseCriteria: { numberOfSucceededThings: 50 } },
        },
      });
      this.declared.push({ kind: 'dynamic thing group', name: 'pumps-not-on-pump-firmware-2_0_0', detail: pumpsToUpdate.queryString });
    }

    const adoption = new PackageAdoption(this, 'Adoption', { package: firmware, versions: [v1, v2], metricNamePrefix: 'pump-firmware' });
    new cloudwatch.Dashboard(this, 'RolloutDashboard', { dashboardName: 'pump-firmware-rollout' }).addWidgets(adoption.widget());
    for (const [version, query] of [['1.0.0', DeviceQuery.runningVersion(v1)], ['2.0.0', DeviceQuery.runningVersion(v2)]] as const) {
      this.declared.push({ kind: 'fleet metric', name: `pump-firmware-${version}`, detail: query.queryString });
    }
    this.declared.push({ kind: 'fleet metric', name: 'pump-firmware-total', detail: DeviceQuery.runningAnyVersionOf(firmware).queryString });
    Tags.of(this).add('rollout', 'pump-firmware-2.0.0');
  }
}

/** The example app at a stage of the rollout, as `cdk synth` would build it. */
export function buildRolloutApp(stage: RolloutStage, outdir?: string): { app: App; stack: StagedRolloutStack } {
  const app = new App({ outdir });
  const stack = new StagedRolloutStack(app, 'PumpFirmwareRollout', { stage, env: { account: '123456789012', region: 'us-east-1' } });
  return { app, stack };
}

if (require.main === module) {
  buildRolloutApp((process.env.STAGE as RolloutStage | undefined) ?? 'canary').app.synth();
}
