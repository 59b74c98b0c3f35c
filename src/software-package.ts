import { IResource, Names, RemovalPolicy, Resource, TagManager, ITaggable, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { PackageVersion, PackageVersionOptions } from './package-version';
import { iotResourceName } from './private/arn';
import { namingErrors } from './private/construct-errors';
import { RESOURCE_TYPES, SoftwarePackageProperties } from './private/contract';
import { PackageInternals } from './private/internals';
import { contractTags, packageArn, PackageCatalogProvider } from './private/provider';
import { tagErrors, validateDescription, validatePackageName } from './private/validation';

/**
 * A software package of the AWS IoT Software Package Catalog.
 */
export interface ISoftwarePackage extends IResource {
  /**
   * The name of the package.
   * @attribute
   */
  readonly packageName: string;

  /**
   * The ARN of the package: `arn:<partition>:iot:<region>:<account>:package/<packageName>`.
   * @attribute
   */
  readonly packageArn: string;

  /**
   * Adds a version to this package.
   */
  addVersion(id: string, options: PackageVersionOptions): PackageVersion;

  /**
   * Grants an IAM principal the given actions on the package and on every version of it.
   *
   * The statement names the package ARN and `<packageArn>/version/*`: IoT checks the version
   * actions (`iot:GetPackageVersion`, `iot:UpdatePackageVersion`, ...) against both the
   * package and the version.
   *
   * @param grantee the principal
   * @param actions the actions, e.g. `iot:GetPackage`
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants an IAM principal reading the package and its versions: `iot:GetPackage`,
   * `iot:ListPackageVersions`, `iot:GetPackageVersion` and `iot:ListTagsForResource`.
   *
   * @param grantee the principal
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** What `grantRead` allows on a package and its versions. */
const PACKAGE_READ_ACTIONS = ['iot:GetPackage', 'iot:ListPackageVersions', 'iot:GetPackageVersion', 'iot:ListTagsForResource'];

/**
 * Properties of a `SoftwarePackage`.
 */
export interface SoftwarePackageProps {
  /**
   * The name of the package: 1-128 characters of `[a-zA-Z0-9-_.]`.
   *
   * Changing it replaces the package and every version this stack declares in it.
   *
   * @default - a unique valid name derived from the construct path
   */
  readonly packageName?: string;

  /**
   * A description of the package: at most 1024 characters, no control characters.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * What happens to the package when it leaves the stack.
   *
   * `RemovalPolicy.RETAIN` leaves the package in place with its versions and its default
   * version: versions added to it inherit the package's removal policy unless they set their own.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether deleting the package also deletes versions that this stack did not create.
   *
   * When false, deleting a package that still holds such versions fails and names them,
   * so nothing published outside the stack is lost by accident.
   *
   * @default false
   */
  readonly autoDeleteVersions?: boolean;
}

abstract class SoftwarePackageBase extends Resource implements ISoftwarePackage, PackageInternals {
  public abstract readonly packageName: string;
  public abstract readonly packageArn: string;
  /** @internal */
  public abstract readonly _policyName: string;
  /** @internal */
  public readonly _removalPolicy?: RemovalPolicy;
  private defaultVersionPath?: string;

  public addVersion(id: string, options: PackageVersionOptions): PackageVersion {
    return new PackageVersion(this, id, { ...options, package: this });
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.packageArn, `${this.packageArn}/version/*`],
    });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...PACKAGE_READ_ACTIONS);
  }

  /** @internal */
  public _claimDefaultVersion(version: IConstruct): void {
    if (this.defaultVersionPath !== undefined && this.defaultVersionPath !== version.node.path) {
      throw new Error(
        `Package ${this.node.path} can have only one default version: ${this.defaultVersionPath} ` +
        `and ${version.node.path} both set isDefaultVersion.`,
      );
    }
    this.defaultVersionPath = version.node.path;
  }
}

/**
 * A software package in the AWS IoT Software Package Catalog.
 *
 * @resource Custom::IotSoftwarePackage
 */
export class SoftwarePackage extends SoftwarePackageBase implements ITaggable {
  /**
   * Imports an existing package by name.
   */
  public static fromPackageName(scope: Construct, id: string, packageName: string): ISoftwarePackage {
    namingErrors(`${scope.node.path}/${id}`, () => validatePackageName(packageName));
    class Import extends SoftwarePackageBase {
      public readonly packageName = packageName;
      public readonly packageArn = packageArn(this, packageName);
      public readonly _policyName = packageName;
    }
    return new Import(scope, id);
  }

  /**
   * Imports an existing package by ARN (`arn:<partition>:iot:<region>:<account>:package/<name>`).
   */
  public static fromPackageArn(scope: Construct, id: string, arn: string): ISoftwarePackage {
    const packageName = namingErrors(`${scope.node.path}/${id}`, () => {
      const name = iotResourceName(scope, arn, 'package', 'package', 'arn:<partition>:iot:<region>:<account>:package/<packageName>');
      validatePackageName(name);
      return name;
    });
    class Import extends SoftwarePackageBase {
      public readonly packageName = packageName;
      public readonly packageArn = arn;
      public readonly _policyName = packageName;
    }
    return new Import(scope, id, { environmentFromArn: arn });
  }

  public readonly packageName: string;
  public readonly packageArn: string;
  /** @internal */
  public readonly _policyName: string;
  /** @internal */
  public readonly _removalPolicy: RemovalPolicy;

  /**
   * Tags of the package, applied through the IoT API. Use `Tags.of(pkg).add(key, value)`.
   */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: SoftwarePackageProps = {}) {
    super(scope, id);
    namingErrors(this, () => {
      validatePackageName(props.packageName);
      validateDescription(props.description);
    });

    const packageName = props.packageName ?? Names.uniqueResourceName(this, {
      maxLength: 128,
      separator: '-',
      allowedSpecialCharacters: '-_.',
    });
    this._policyName = packageName;
    this._removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    this.claimPackageName(packageName);
    this.tags = contractTags(RESOURCE_TYPES.softwarePackage);
    this.node.addValidation({ validate: () => tagErrors(this.tags.tagValues()) });

    const provider = PackageCatalogProvider.of(this);
    const grant = provider.grantPackage(this, packageName);

    const properties: SoftwarePackageProperties = {
      PackageName: packageName,
      Description: props.description,
      AutoDeleteVersions: props.autoDeleteVersions ? 'true' : undefined,
    };
    const resource = provider.createResource(this, 'Resource', {
      resourceType: RESOURCE_TYPES.softwarePackage,
      properties,
      removalPolicy: props.removalPolicy,
      grants: [grant],
      tags: this.tags,
    });

    this.packageName = resource.attribute('PackageName');
    this.packageArn = resource.attribute('PackageArn');
  }

  /**
   * A package name is one package per account and region: two packages of the app with the
   * same name in the same environment (environment-agnostic stacks count as one, since they
   * may deploy to the same place) would both create it, and the second stack's deploy fail.
   */
  private claimPackageName(packageName: string): void {
    if (Token.isUnresolved(packageName)) return;
    const other = PackageCatalogProvider.of(this).claimPackageName(this, packageName);
    if (other) {
      throw new Error(
        `Package name ${JSON.stringify(packageName)} is declared twice for the same account and region: ${other.node.path} and ` +
        `${this.node.path} would both create it. Declare the package once, and use it elsewhere through ` +
        `SoftwarePackage.fromPackageName(scope, id, ${JSON.stringify(packageName)}).`,
      );
    }
  }


}
