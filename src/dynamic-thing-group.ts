import { IResource, Resource } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';
import { DeviceQuery } from './device-query';
import { namingErrors } from './private/construct-errors';
import { PackageShadowQuerier, requirePackageShadowIndex } from './private/package-shadow-index';
import { validateJobDescription, validateThingName } from './private/validation';

/**
 * A thing group whose members are the things that match a fleet-indexing query.
 */
export interface IDynamicThingGroup extends IResource {
  /**
   * The name of the thing group.
   *
   * @attribute
   */
  readonly thingGroupName: string;

  /**
   * The ARN of the thing group: a job target.
   *
   * @attribute
   */
  readonly thingGroupArn: string;
}

/**
 * Properties of a `DynamicThingGroup`.
 */
export interface DynamicThingGroupProps {
  /** The devices the group holds, as fleet indexing finds them. */
  readonly query: DeviceQuery;

  /**
   * The name of the thing group.
   *
   * @default - CloudFormation generates one
   */
  readonly thingGroupName?: string;

  /**
   * The description of the thing group.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * Whether the account already indexes the `$package` named shadow, with fleet indexing set
   * up outside this app. Otherwise the app must declare a `PackageConfiguration` with
   * `fleetIndexing: true` for the same account and region, which the group then waits for.
   *
   * @default false
   */
  readonly assumeFleetIndexing?: boolean;
}

/**
 * A dynamic thing group (over `AWS::IoT::ThingGroup` with a query string): the devices that
 * run a package version, or do not yet, kept current by fleet indexing. Use its ARN as a job
 * target; with `targetSelection: CONTINUOUS`, devices that join the group later get the job too.
 *
 * @resource AWS::IoT::ThingGroup
 *
 * @example
 * import { DeviceQuery, DynamicThingGroup, JobDocument, JobTargetSelection, JobWithPackages, SoftwarePackage } from 'cdk-iot-package-catalog';
 *
 * declare const firmware: SoftwarePackage;
 * const v1 = firmware.addVersion('V1', { versionName: '1.0.0' });
 * const v2 = firmware.addVersion('V2', { versionName: '1.1.0' });
 * const stillOnV1 = new DynamicThingGroup(this, 'StillOnV1', { query: DeviceQuery.runningVersion(v1) });
 * new JobWithPackages(this, 'Upgrade', {
 *   targets: [stillOnV1.thingGroupArn],
 *   targetSelection: JobTargetSelection.CONTINUOUS,
 *   destinationPackageVersions: [v2],
 *   document: JobDocument.fromObject({ operation: 'install' }),
 * });
 */
export class DynamicThingGroup extends Resource implements IDynamicThingGroup, PackageShadowQuerier {
  public readonly thingGroupName: string;
  public readonly thingGroupArn: string;
  /** The query string the group holds. */
  public readonly queryString: string;
  /** @internal */
  public readonly _queriesPackageShadow = true as const;

  constructor(scope: Construct, id: string, props: DynamicThingGroupProps) {
    super(scope, id, { physicalName: props.thingGroupName });
    namingErrors(this, () => {
      validateThingName('thingGroupName', props.thingGroupName);
      validateJobDescription(props.description);
    });
    this.queryString = props.query.queryString;

    const resource = new iot.CfnThingGroup(this, 'Resource', {
      thingGroupName: props.thingGroupName,
      queryString: this.queryString,
      thingGroupProperties: props.description !== undefined ? { thingGroupDescription: props.description } : undefined,
    });
    this.thingGroupName = this.getResourceNameAttribute(resource.ref);
    this.thingGroupArn = this.getResourceArnAttribute(resource.attrArn, {
      service: 'iot',
      resource: 'thinggroup',
      resourceName: this.physicalName,
    });
    requirePackageShadowIndex(this, 'DynamicThingGroup', props.assumeFleetIndexing ?? false);
  }
}
