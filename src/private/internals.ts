import { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * What the library's constructs know of each other beyond their public interfaces. Each fact
 * is an internal member of the construct it belongs to (`_`-prefixed, left out of the public
 * API); these functions read it from an `ISoftwarePackage` or `IPackageVersion`, which may
 * also be an implementation from outside the library that has none.
 */

/**
 * Internal members of the library's packages (`SoftwarePackage` and its imports).
 *
 * @internal
 */
export interface PackageInternals {
  /**
   * The literal name IAM statements are scoped with. A package of this stack exposes its name
   * as an attribute of its resource; scoping the handler's policy with that attribute would
   * make the policy depend on the resource that needs it.
   */
  readonly _policyName: string;
  /** What happens to the package when it leaves the stack; undefined for an imported package. */
  readonly _removalPolicy?: RemovalPolicy;
  /** Records `version` as the package's default version: at most one per package. */
  _claimDefaultVersion(version: IConstruct): void;
}

/**
 * What a package version of this app declares, for checks and placeholders that need the
 * names as written (its `versionName` and `packageName` attributes are resource attributes).
 */
export interface DeclaredVersion {
  /** The package name as declared: a literal, or the token the app gave. */
  readonly packageName: string;
  /** The version name as declared: a literal, or the token the app gave. */
  readonly versionName: string;
  /** The attribute keys, when the attributes are a literal map. */
  readonly attributeKeys?: readonly string[];
  readonly hasArtifact: boolean;
  /** For a `$default` destination: the package whose default version it stands for. */
  readonly defaultOf?: IConstruct;
  /**
   * The version's custom resource, whose deletion policy says whether the stack deletes it;
   * undefined for a `$default` or `$null` destination, which the app does not create.
   */
  readonly resource?: CfnResource;
}

/**
 * Internal members of the library's versions.
 *
 * @internal
 */
export interface VersionInternals {
  readonly _declared?: DeclaredVersion;
}

export function packageInternals(pkg: object): PackageInternals | undefined {
  return isPackageInternals(pkg) ? pkg : undefined;
}

function isPackageInternals(pkg: object): pkg is PackageInternals {
  return '_policyName' in pkg && '_claimDefaultVersion' in pkg;
}

function isVersionInternals(version: object): version is VersionInternals {
  return '_declared' in version;
}

/** The name to scope IAM statements with: the recorded literal, else the package's name. */
export function policyPackageName(pkg: { readonly packageName: string }): string {
  return packageInternals(pkg)?._policyName ?? pkg.packageName;
}

/** What the version declares, or undefined for a version not built by this library. */
export function declaredVersion(version: object): DeclaredVersion | undefined {
  return isVersionInternals(version) ? version._declared : undefined;
}

/**
 * What names a version in IoT as known at synth (`<package>/<version>` as declared), or its ARN
 * for a version from elsewhere. A version's ARN attribute is the same token when the version is
 * replaced: generated job and template ids hash this instead, so that they change with it.
 */
export function versionIdentity(version: { readonly packageVersionArn: string }): string {
  const declared = declaredVersion(version);
  return declared ? `${declared.packageName}/${declared.versionName}` : version.packageVersionArn;
}
