import { Annotations, ArnFormat, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PackageConfigurationProperties, PackageFleetIndexingProperties, RESOURCE_TYPES } from './private/contract';
import { acknowledgeWildcardResource } from './private/nag';
import { providePackageShadowIndex } from './private/package-shadow-index';
import { PackageCatalogProvider } from './private/provider';

/** The reserved named shadow in which jobs record the package versions of a thing. */
const PACKAGE_SHADOW_NAME = '$package';

/**
 * Properties of a `PackageConfiguration`.
 */
export interface PackageConfigurationProps {
  /**
   * Whether successful jobs record the package versions they installed in each thing's
   * `$package` reserved named shadow.
   *
   * @default true
   */
  readonly versionUpdateByJobs?: boolean;

  /**
   * The role the jobs service assumes to update the `$package` shadow. It must trust
   * `iot.amazonaws.com`. The handler is granted `iam:PassRole` on it, towards IoT only.
   *
   * @default - a role that trusts `iot.amazonaws.com` and may call `iot:DescribeEndpoint` and
   * `iot:GetThingShadow`/`iot:UpdateThingShadow` on `thing/*\/$package` only
   */
  readonly role?: iam.IRole;

  /**
   * What happens to the configuration when it leaves the stack.
   *
   * `RemovalPolicy.DESTROY` disables the configuration on delete, but only while it still
   * uses this construct's role; `RemovalPolicy.RETAIN` leaves it as it is.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether to index the `$package` shadow in fleet indexing, so that things can be searched
   * and grouped by installed package versions.
   *
   * Merges `$package` into the thing indexing configuration's named-shadow filter, and turns
   * on what that needs (thing indexing `REGISTRY_AND_SHADOW`, named-shadow indexing `ON`)
   * without changing any other setting. On delete, it removes only what it added. Indexing
   * shadows has a cost; see the fleet indexing pricing.
   *
   * @default false
   */
  readonly fleetIndexing?: boolean;
}

/**
 * The account-and-region package configuration of the Software Package Catalog: whether jobs
 * record installed versions in the `$package` reserved named shadow, and with which role.
 *
 * There is one configuration per account and region: at most one `PackageConfiguration` per
 * environment in an app. A configuration that is already enabled with another role is never
 * changed: the deployment fails and says so.
 *
 * @resource Custom::IotPackageConfiguration
 */
export class PackageConfiguration extends Resource {
  /** The reserved named shadow in which jobs record the package versions of a thing. */
  public static readonly PACKAGE_SHADOW_NAME = PACKAGE_SHADOW_NAME;

  /** The role the jobs service uses to update the `$package` shadow. */
  public readonly role: iam.IRole;

  /** Whether successful jobs update the `$package` shadow. */
  public readonly versionUpdateByJobs: boolean;

  constructor(scope: Construct, id: string, props: PackageConfigurationProps = {}) {
    super(scope, id);
    this.claimAccountAndRegion();
    this.versionUpdateByJobs = props.versionUpdateByJobs ?? true;
    this.role = props.role ?? this.defaultRole();
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;

    const provider = PackageCatalogProvider.of(this);
    provider.setPackageConfiguration(this);
    const grant = provider.grantAccountSetting(this, 'HandlerPolicy', ['iot:GetPackageConfiguration', 'iot:UpdatePackageConfiguration'], [this.role]);

    const properties: PackageConfigurationProperties = {
      RoleArn: this.role.roleArn,
      VersionUpdateByJobs: this.versionUpdateByJobs ? 'true' : 'false',
    };
    const resource = provider.createResource(this, 'Resource', {
      resourceType: RESOURCE_TYPES.packageConfiguration,
      properties,
      removalPolicy,
      grants: [grant],
    });
    // The role's permissions are in place before the service is told to use it.
    resource.node.addDependency(this.role);

    if (props.fleetIndexing) {
      const indexingProperties: PackageFleetIndexingProperties = { ShadowName: PACKAGE_SHADOW_NAME };
      const fleetIndexing = provider.createResource(this, 'FleetIndexing', {
        resourceType: RESOURCE_TYPES.packageFleetIndexing,
        properties: indexingProperties,
        removalPolicy,
        grants: [provider.grantAccountSetting(this, 'FleetIndexingHandlerPolicy', ['iot:UpdateIndexingConfiguration'])],
      });
      providePackageShadowIndex(fleetIndexing);
    }
  }

  /**
   * There is one configuration per account and region: a second one in the same app (in any
   * stack of the same environment) fails. Environment-agnostic stacks count as one
   * environment, since they may deploy to the same place.
   */
  private claimAccountAndRegion(): void {
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      Annotations.of(this).addWarningV2('cdk-iot-package-catalog:package-configuration-without-env',
        `PackageConfiguration ${this.node.path} is in an environment-agnostic stack: it configures the account and region ` +
        'that the stack is deployed to, and the check of one PackageConfiguration per account and region cannot tell ' +
        'two such stacks apart. Set the stack\'s env (account and region).');
    }
    const other = this.node.root.node.findAll().find((c) => c instanceof PackageConfiguration && c !== this
      && Stack.of(c).account === stack.account && Stack.of(c).region === stack.region);
    if (other) {
      const where = Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)
        ? 'the account and region of environment-agnostic stacks'
        : `account ${stack.account} in region ${stack.region}`;
      throw new Error(
        `There can be only one PackageConfiguration per account and region: ${other.node.path} and ` +
        `${this.node.path} both configure ${where}.`,
      );
    }
  }

  private defaultRole(): iam.IRole {
    const stack = Stack.of(this);
    // Shadow actions are authorized on the thing ARN; a named shadow adds /<shadowName>.
    const packageShadows = stack.formatArn({
      service: 'iot',
      resource: 'thing',
      resourceName: `*/${PACKAGE_SHADOW_NAME}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const role = new iam.Role(this, 'Role', {
      // Confused-deputy protection: only IoT acting for this account may assume the role. The
      // jobs service is not documented to set aws:SourceArn when it updates the shadow, and a
      // condition on a key it leaves out would deny every update.
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Lets IoT jobs record installed package versions in the $package reserved named shadow',
      inlinePolicies: {
        PackageShadow: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['iot:DescribeEndpoint'],
              resources: ['*'],
            }),
            new iam.PolicyStatement({
              actions: ['iot:GetThingShadow', 'iot:UpdateThingShadow'],
              resources: [packageShadows],
            }),
          ],
        }),
      },
    });
    acknowledgeWildcardResource(role, '*', 'iot:DescribeEndpoint supports no resource-level scope.');
    acknowledgeWildcardResource(role, packageShadows,
      'Jobs update the $package reserved named shadow of whichever thing they install a version on; ' +
      'the statement allows that one shadow name and no other.');
    return role;
  }
}
