import { Fn, IResource, RemovalPolicy, Resource, Stack, TagManager, ITaggable, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PackageVersionArtifact, PackageVersionS3Object } from './package-version-artifact';
import { PackageVersionSbom } from './package-version-sbom';
import { namingErrors } from './private/construct-errors';
import { DefaultVersionProperties, PackageVersionProperties, parsePackageVersionArn, RESOURCE_TYPES, S3ObjectProperty } from './private/contract';
import { DeclaredVersion, packageInternals, policyPackageName, VersionInternals } from './private/internals';
import { ContractResource, contractTags, packageArn, PackageCatalogProvider } from './private/provider';
import { tagErrors, validateAttributes, validateDescription, validateRecipe, validateVersionName } from './private/validation';
import { ISoftwarePackage } from './software-package';

/**
 * The lifecycle status of a package version.
 *
 * A version starts as a draft. Publishing makes it deployable by jobs; deprecating keeps it
 * deployable but marks it as on its way out. Nothing returns to `DRAFT`.
 */
export enum PackageVersionStatus {
  /** Editable (attributes and artifact), not deployable by jobs. */
  DRAFT = 'DRAFT',
  /** Deployable by jobs; attributes and artifact are frozen. */
  PUBLISHED = 'PUBLISHED',
  /** Still deployable, marked as superseded. Can be published again. */
  DEPRECATED = 'DEPRECATED',
}

/**
 * A version of a software package.
 */
export interface IPackageVersion extends IResource {
  /**
   * The ARN of the version:
   * `arn:<partition>:iot:<region>:<account>:package/<packageName>/version/<versionName>`.
   * @attribute
   */
  readonly packageVersionArn: string;

  /**
   * The name of the version.
   * @attribute
   */
  readonly versionName: string;

  /**
   * The name of the package the version belongs to.
   * @attribute
   */
  readonly packageName: string;

  /**
   * Grants an IAM principal the given actions on the version and on its package.
   *
   * IoT checks the version actions (`iot:GetPackageVersion`, `iot:UpdatePackageVersion`, ...)
   * and `iot:CreateJob` against both the package ARN and the version ARN, so the statement
   * names both.
   *
   * @param grantee the principal
   * @param actions the actions, e.g. `iot:GetPackageVersion`
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants an IAM principal reading the version: `iot:GetPackageVersion` and
   * `iot:ListTagsForResource`.
   *
   * @param grantee the principal
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants an IAM principal naming this version as a destination of the jobs it creates:
   * `iot:CreateJob` on the version and its package.
   *
   * `iot:CreateJob` is also checked against the job and each of its targets (and the job
   * template, if any), so the principal needs it there too: for example
   * `JobWithPackages.fromJobId(this, 'Rollout', 'rollout-42').grant(role, 'iot:CreateJob')`,
   * and a statement on the ARNs of the things and thing groups it targets.
   *
   * @param grantee the principal
   */
  grantCreateJob(grantee: iam.IGrantable): iam.Grant;
}

/** What `grantRead` allows on a version. */
const VERSION_READ_ACTIONS = ['iot:GetPackageVersion', 'iot:ListTagsForResource'];

/**
 * Options to add a version to a package with `SoftwarePackage.addVersion`.
 */
export interface PackageVersionOptions {
  /**
   * The name of the version: 1-64 characters of `[a-zA-Z0-9-_.]`. Semantic versioning
   * (`1.2.0`) is recommended.
   *
   * It is the version's identity: changing it replaces the version.
   */
  readonly versionName: string;

  /**
   * A description of the version: at most 1024 characters, no control characters.
   * Editable in any status.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Metadata of the version, readable by job documents through placeholders.
   *
   * Keys match `[a-zA-Z0-9:_-]+`, values are non-empty without control characters, and all
   * keys and values together are at most 3 KB. Editable only while the version is `DRAFT`:
   * once published, a change needs a new `versionName`.
   *
   * @default - no attributes
   */
  readonly attributes?: { [key: string]: string };

  /**
   * The status the version should have after deployment.
   *
   * A version is created as `DRAFT` and moved by the service's publish and deprecate
   * actions. Moving a published or deprecated version back to `DRAFT` is not possible.
   *
   * @default PackageVersionStatus.PUBLISHED
   */
  readonly status?: PackageVersionStatus;

  /**
   * Whether this version is the package's default version.
   *
   * At most one version per package can be the default, and it must not be `DRAFT`.
   *
   * @default false
   */
  readonly isDefaultVersion?: boolean;

  /**
   * An inline recipe (at most 3072 characters) that describes how to install the version.
   * Editable in any status.
   *
   * @default - no recipe
   */
  readonly recipe?: string;

  /**
   * The payload of the version (firmware image, archive) in S3, e.g.
   * `PackageVersionArtifact.fromAsset('build/firmware.bin')`.
   *
   * Editable only while the version is `DRAFT`: once published, a new artifact needs a new
   * `versionName`.
   *
   * @default - no artifact
   */
  readonly artifact?: PackageVersionArtifact;

  /**
   * The software bill of materials of the version (a zip archive in S3). Editable in any
   * status; its validation status is the `sbomValidationStatus` attribute.
   *
   * @default - no SBOM
   */
  readonly sbom?: PackageVersionSbom;

  /**
   * What happens to the version when it leaves the stack. A version cannot outlive its
   * package: `RemovalPolicy.RETAIN` on a version of a package that this app destroys fails at
   * synth.
   *
   * @default - the removal policy of the package when it is a `SoftwarePackage` of this app
   * (versions of a retained package are retained with it), else `RemovalPolicy.DESTROY`
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Properties of a `PackageVersion`.
 */
export interface PackageVersionProps extends PackageVersionOptions {
  /**
   * The package the version belongs to.
   */
  readonly package: ISoftwarePackage;
}

/** Version names a job destination may use besides real versions (IoT developer guide). */
const DEFAULT_VERSION_NAME = '$default';
const NULL_VERSION_NAME = '$null';
const SPECIAL_VERSION_NAMES = [DEFAULT_VERSION_NAME, NULL_VERSION_NAME];

abstract class PackageVersionBase extends Resource implements IPackageVersion, VersionInternals {
  public abstract readonly packageVersionArn: string;
  public abstract readonly versionName: string;
  public abstract readonly packageName: string;
  /**
   * The ARN of the version's package, which IoT checks version actions against too.
   * @internal
   */
  public abstract readonly _packageArn: string;
  /** @internal */
  public _declared?: DeclaredVersion;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this._packageArn, this.packageVersionArn],
    });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...VERSION_READ_ACTIONS);
  }

  public grantCreateJob(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'iot:CreateJob');
  }
}

/**
 * A version of a software package, published (by default) so that jobs can deploy it.
 *
 * @resource Custom::IotPackageVersion
 */
export class PackageVersion extends PackageVersionBase implements ITaggable {
  /**
   * Imports an existing version by ARN
   * (`arn:<partition>:iot:<region>:<account>:package/<packageName>/version/<versionName>`).
   */
  public static fromPackageVersionArn(scope: Construct, id: string, packageVersionArn: string): IPackageVersion {
    let packageName: string;
    let versionName: string;
    if (Token.isUnresolved(packageVersionArn)) {
      const parts = Fn.split('/', packageVersionArn);
      packageName = Fn.select(1, parts);
      versionName = Fn.select(3, parts);
    } else {
      ({ packageName, versionName } = namingErrors(`${scope.node.path}/${id}`, () => {
        const names = parsePackageVersionArn(packageVersionArn);
        if (!names) {
          throw new Error(
            `${JSON.stringify(packageVersionArn)} is not a package version ARN: expected ` +
            'arn:<partition>:iot:<region>:<account>:package/<packageName>/version/<versionName>.',
          );
        }
        if (!SPECIAL_VERSION_NAMES.includes(names.versionName)) validateVersionName(names.versionName);
        return names;
      }));
    }
    class Import extends PackageVersionBase {
      public readonly packageVersionArn = packageVersionArn;
      public readonly packageName = packageName;
      public readonly versionName = versionName;
      public readonly _packageArn = packageArnOfVersion(packageVersionArn);
    }
    return new Import(scope, id, { environmentFromArn: packageVersionArn });
  }

  /**
   * The package's default version as a job destination (`.../version/$default`): the job
   * installs whichever version is the default when it is created. A job document can read it
   * only through placeholders that also name `$default`.
   */
  public static defaultVersionOf(scope: Construct, id: string, softwarePackage: ISoftwarePackage): IPackageVersion {
    return PackageVersion.specialVersion(scope, id, softwarePackage, DEFAULT_VERSION_NAME);
  }

  /**
   * A job destination that uninstalls the package (`.../version/$null`): the job removes the
   * package from each device's `$package` shadow.
   */
  public static uninstallOf(scope: Construct, id: string, softwarePackage: ISoftwarePackage): IPackageVersion {
    return PackageVersion.specialVersion(scope, id, softwarePackage, NULL_VERSION_NAME);
  }

  private static specialVersion(scope: Construct, id: string, softwarePackage: ISoftwarePackage, versionName: string): IPackageVersion {
    class Special extends PackageVersionBase {
      public readonly packageVersionArn = `${softwarePackage.packageArn}/version/${versionName}`;
      public readonly packageName = softwarePackage.packageName;
      public readonly versionName = versionName;
      public readonly _packageArn = softwarePackage.packageArn;
    }
    const version = new Special(scope, id);
    version._declared = {
      packageName: policyPackageName(softwarePackage),
      versionName,
      hasArtifact: false,
      defaultOf: versionName === DEFAULT_VERSION_NAME ? softwarePackage : undefined,
    };
    return version;
  }

  // Attributes are tokens made when first read: most versions of a large stack are never
  // referenced, and each token costs synth time (`npm run bench`).
  public get packageVersionArn(): string {
    return this.resource.attribute('PackageVersionArn');
  }

  public get versionName(): string {
    return this.resource.attribute('VersionName');
  }

  public get packageName(): string {
    return this.resource.attribute('PackageName');
  }

  /**
   * By the name as declared, as the handler's grants: the package's ARN attribute would make
   * the grantee's policy reference the package's stack.
   * @internal
   */
  public get _packageArn(): string {
    this.packageArnOfName ??= packageArn(this, this._declared!.packageName);
    return this.packageArnOfName;
  }

  /**
   * The status this version is deployed with.
   */
  public readonly status: PackageVersionStatus;

  /**
   * The validation status of the SBOM (`IN_PROGRESS`, `SUCCEEDED` or `FAILED`) as of the last
   * deployment that changed it, or undefined when the version has no SBOM.
   * @attribute
   */
  public readonly sbomValidationStatus?: string;

  /**
   * Tags of the version, applied through the IoT API. `Tags.of(pkg)` reaches the versions
   * added with `pkg.addVersion`.
   */
  public readonly tags: TagManager;

  private readonly resource: ContractResource<typeof RESOURCE_TYPES.packageVersion>;
  private packageArnOfName?: string;

  constructor(scope: Construct, id: string, props: PackageVersionProps) {
    super(scope, id);
    namingErrors(this, () => {
      validateVersionName(props.versionName);
      validateDescription(props.description);
      validateAttributes(props.attributes);
      validateRecipe(props.recipe);
    });

    this.status = props.status ?? PackageVersionStatus.PUBLISHED;
    const removalPolicy = versionRemovalPolicy(this, props);
    this.tags = contractTags(RESOURCE_TYPES.packageVersion);
    this.node.addValidation({ validate: () => tagErrors(this.tags.tagValues()) });

    const provider = PackageCatalogProvider.of(this);
    const packageGrant = provider.grantVersions(this, policyPackageName(props.package));
    const artifact = props.artifact?.bind(this);
    const sbom = props.sbom?.bind(this);
    const grants = [packageGrant];
    for (const object of [artifact, sbom]) {
      if (object) grants.push(provider.grantObjectRead(object.bucket, object.objectKey, object.objectVersion));
    }

    const properties: PackageVersionProperties = {
      PackageName: props.package.packageName,
      VersionName: props.versionName,
      Status: this.status,
      Description: props.description,
      Attributes: props.attributes,
      Recipe: props.recipe,
      Artifact: artifact && s3ObjectProperty(artifact),
      Sbom: sbom && s3ObjectProperty(sbom),
    };
    const resource = provider.createResource(this, 'Resource', {
      resourceType: RESOURCE_TYPES.packageVersion,
      properties,
      removalPolicy,
      grants,
      tags: this.tags,
    });
    this.resource = resource;
    this.sbomValidationStatus = sbom ? resource.attribute('SbomValidationStatus') : undefined;
    this._declared = {
      packageName: policyPackageName(props.package),
      versionName: props.versionName,
      attributeKeys: props.attributes === undefined ? []
        : Token.isUnresolved(props.attributes) || Object.keys(props.attributes).some((key) => Token.isUnresolved(key))
          ? undefined : Object.keys(props.attributes),
      hasArtifact: props.artifact !== undefined,
      resource,
    };

    if (props.isDefaultVersion) {
      if (this.status === PackageVersionStatus.DRAFT) {
        throw new Error(
          `PackageVersion ${this.node.path}: version ${JSON.stringify(props.versionName)} cannot be the default version while DRAFT: ` +
          'only a PUBLISHED or DEPRECATED version can be the default.',
        );
      }
      packageInternals(props.package)?._claimDefaultVersion(this);
      this.addDefaultVersionPointer(provider, props.package, removalPolicy, packageGrant);
    }
  }

  /**
   * The package's default-version pointer. It lives beside the package when both are in one
   * stack, so that moving the default to another version is one in-place update.
   */
  private addDefaultVersionPointer(
    provider: PackageCatalogProvider, pkg: ISoftwarePackage, removalPolicy: RemovalPolicy, grant: iam.Policy | iam.ManagedPolicy,
  ) {
    const scope = Stack.of(pkg) === Stack.of(this) ? pkg : this;
    const properties: DefaultVersionProperties = {
      PackageName: pkg.packageName,
      VersionName: this.versionName,
    };
    provider.createResource(scope, 'DefaultVersion', {
      resourceType: RESOURCE_TYPES.defaultVersion,
      properties,
      removalPolicy,
      grants: [grant],
    });
  }
}

/**
 * The version's removal policy: its own, else its package's. A retained version of a package
 * that is destroyed would make the package's deletion fail (a package cannot be deleted while
 * it has versions), or be deleted with it by `autoDeleteVersions`.
 */
function versionRemovalPolicy(version: PackageVersion, props: PackageVersionProps): RemovalPolicy {
  const inherited = packageInternals(props.package)?._removalPolicy;
  const removalPolicy = props.removalPolicy ?? inherited ?? RemovalPolicy.DESTROY;
  const kept = (policy: RemovalPolicy | undefined) => policy === RemovalPolicy.RETAIN || policy === RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
  if (inherited !== undefined && kept(removalPolicy) && !kept(inherited)) {
    throw new Error(
      `PackageVersion ${version.node.path} has removalPolicy ${policyName(removalPolicy)} but its package ${props.package.node.path} ` +
      `has ${policyName(inherited)}: a package cannot be deleted while it has versions. Give the package ` +
      `removalPolicy ${policyName(removalPolicy)} too, or leave the version's removalPolicy unset to follow the package.`,
    );
  }
  return removalPolicy;
}

function policyName(policy: RemovalPolicy): string {
  return `RemovalPolicy.${Object.entries(RemovalPolicy).find(([, value]) => value === policy)?.[0] ?? policy}`;
}

/**
 * The package ARN of a version ARN: what precedes `/version/`, at synth for a literal, in
 * CloudFormation for a token.
 */
function packageArnOfVersion(versionArn: string): string {
  return Token.isUnresolved(versionArn)
    ? Fn.select(0, Fn.split('/version/', versionArn))
    : versionArn.slice(0, versionArn.lastIndexOf('/version/'));
}

function s3ObjectProperty(object: PackageVersionS3Object): S3ObjectProperty {
  return { Bucket: object.bucket.bucketName, Key: object.objectKey, Version: object.objectVersion };
}
