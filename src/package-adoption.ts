import { Duration, Names, Resource, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iot from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';
import { DeviceQuery } from './device-query';
import { IPackageVersion } from './package-version';
import { namingErrors } from './private/construct-errors';
import { policyPackageName } from './private/internals';
import { PackageShadowQuerier, requirePackageShadowIndex } from './private/package-shadow-index';
import { placeholderNames, wholeUnits, checkRange } from './private/validation';
import { ISoftwarePackage } from './software-package';

/** Where IoT publishes fleet metrics in CloudWatch (IoT developer guide, "Fleet metrics"). */
const FLEET_METRICS_NAMESPACE = 'IoTFleetMetrics';
/** The field every thing has: counting it counts the things that match. */
const COUNT_FIELD = 'registry.version';

/**
 * Properties of a `PackageAdoption`.
 */
export interface PackageAdoptionProps {
  /** The package whose adoption is measured. */
  readonly package: ISoftwarePackage;

  /**
   * The versions to count devices of, one fleet metric each; a fleet metric of the devices
   * that report any version of the package is always added.
   */
  readonly versions: IPackageVersion[];

  /**
   * How often IoT counts the devices and publishes the counts: whole minutes, 1 minute to 1 day.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;

  /**
   * The prefix of the fleet metric names: `<prefix>-total` and `<prefix>-<versionName>`.
   *
   * @default - a name derived from the construct path
   */
  readonly metricNamePrefix?: string;

  /**
   * Whether the account already indexes the `$package` named shadow, with fleet indexing set
   * up outside this app. Otherwise the app must declare a `PackageConfiguration` with
   * `fleetIndexing: true` for the same account and region, which the fleet metrics then wait for.
   *
   * @default false
   */
  readonly assumeFleetIndexing?: boolean;
}

/**
 * Who runs which version of a package, over time: fleet metrics (`AWS::IoT::FleetMetric`)
 * that count the devices reporting each version in the `$package` shadow, published to
 * CloudWatch, as `cloudwatch.Metric`s and a graph widget of adoption. The IoT console shows
 * only today's distribution; these keep the history.
 *
 * @resource AWS::IoT::FleetMetric
 *
 * @example
 * import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
 * import { PackageAdoption, SoftwarePackage } from 'cdk-iot-package-catalog';
 *
 * declare const firmware: SoftwarePackage;
 * const v1 = firmware.addVersion('V1', { versionName: '1.0.0' });
 * const v2 = firmware.addVersion('V2', { versionName: '1.1.0' });
 * const adoption = new PackageAdoption(this, 'Adoption', { package: firmware, versions: [v1, v2] });
 * new cloudwatch.Dashboard(this, 'Rollout').addWidgets(adoption.widget());
 */
export class PackageAdoption extends Resource implements PackageShadowQuerier {
  /** The period of the fleet metrics. */
  public readonly period: Duration;
  /** @internal */
  public readonly _queriesPackageShadow = true as const;
  private readonly packageName: string;
  private readonly metricNames = new Map<IPackageVersion, string>();
  private readonly totalMetricName: string;

  constructor(scope: Construct, id: string, props: PackageAdoptionProps) {
    super(scope, id);
    this.period = props.period ?? Duration.minutes(5);
    const seconds = namingErrors(this, () => {
      const value = wholeUnits('period', this.period, 'seconds');
      checkRange('period', value, 60, 86_400, { unit: 'seconds' });
      if (value !== undefined && value % 60 !== 0) throw new Error(`period must be whole minutes, got ${value} seconds.`);
      if (props.versions.length === 0) throw new Error('versions must list at least 1 version.');
      if (props.metricNamePrefix !== undefined && !Token.isUnresolved(props.metricNamePrefix)
        && !/^[a-zA-Z0-9_.-]{1,100}$/.test(props.metricNamePrefix)) {
        throw new Error(`metricNamePrefix ${JSON.stringify(props.metricNamePrefix)} must be 1-100 characters of [a-zA-Z0-9_.-].`);
      }
      return value;
    }) ?? this.period.toSeconds();
    this.packageName = policyPackageName(props.package);
    const prefix = props.metricNamePrefix ?? Names.uniqueResourceName(this, { maxLength: 60, separator: '-', allowedSpecialCharacters: '-_.' });

    this.totalMetricName = `${prefix}-total`;
    this.fleetMetric('Total', this.totalMetricName, DeviceQuery.runningAnyVersionOf(props.package), seconds,
      `Devices that report a version of ${this.packageName}`);
    props.versions.forEach((version, i) => {
      const { versionName } = placeholderNames(version);
      const name = `${prefix}-${Token.isUnresolved(versionName) ? `version${i}` : versionName}`;
      if ([...this.metricNames.values()].includes(name)) {
        throw new Error(`PackageAdoption ${this.node.path}: versions lists ${versionName} twice.`);
      }
      this.metricNames.set(version, name);
      this.fleetMetric(`Version${i}`, name, DeviceQuery.runningVersion(version), seconds, `Devices that report version ${versionName} of ${this.packageName}`);
    });
    requirePackageShadowIndex(this, 'PackageAdoption', props.assumeFleetIndexing ?? false);
  }

  /** The number of devices that report `version`, which must be one of `versions`. */
  public metricDevicesOn(version: IPackageVersion, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const metricName = this.metricNames.get(version);
    if (!metricName) {
      throw new Error(`PackageAdoption ${this.node.path} counts the devices of the versions it lists; ${version.node.path} is not one of them.`);
    }
    return this.metric(metricName, { label: placeholderNames(version).versionName, ...props });
  }

  /** The number of devices that report any version of the package. */
  public metricDevicesWithPackage(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(this.totalMetricName, { label: `any version of ${this.packageName}`, ...props });
  }

  /**
   * A graph of the devices on each version, stacked, over time: how a rollout progresses.
   */
  public widget(props: cloudwatch.GraphWidgetProps = {}): cloudwatch.GraphWidget {
    return new cloudwatch.GraphWidget({
      title: `Devices by version of ${this.packageName}`,
      stacked: true,
      width: 12,
      leftYAxis: { min: 0, label: 'devices', showUnits: false },
      ...props,
      left: [...this.metricNames.keys()].map((version) => this.metricDevicesOn(version)),
    });
  }

  private metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: FLEET_METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { AggregationType: 'count' },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: this.period,
      ...props,
    });
  }

  private fleetMetric(id: string, metricName: string, query: DeviceQuery, period: number, description: string): void {
    new iot.CfnFleetMetric(this, id, {
      metricName,
      queryString: query.queryString,
      aggregationType: { name: 'Statistics', values: ['count'] },
      aggregationField: COUNT_FIELD,
      period,
      indexName: 'AWS_Things',
      queryVersion: '2017-09-30',
      description,
    });
  }
}
