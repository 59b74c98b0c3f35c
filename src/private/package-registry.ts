import { RemovalPolicy } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Facts about packages that the constructs share but do not publish.
 */
interface PackageFacts {
  /** The literal package name that IAM statements are scoped with. */
  policyName?: string;
  /** What happens to the package when it leaves the stack; versions inherit it. */
  removalPolicy?: RemovalPolicy;
  /** The construct path of the version that is the package's default. */
  defaultVersionPath?: string;
}

const FACTS = new WeakMap<IConstruct, PackageFacts>();

function factsOf(pkg: IConstruct): PackageFacts {
  let facts = FACTS.get(pkg);
  if (!facts) {
    facts = {};
    FACTS.set(pkg, facts);
  }
  return facts;
}

/**
 * Records the literal name of a package and its removal policy. A package of this stack
 * exposes its name as an attribute of its resource; scoping the handler's policy with that
 * attribute would make the policy depend on the resource that needs it.
 */
export function registerPackage(pkg: IConstruct, facts: { policyName: string; removalPolicy: RemovalPolicy }): void {
  Object.assign(factsOf(pkg), facts);
}

/** The removal policy of a package of this app, undefined for an imported one. */
export function packageRemovalPolicy(pkg: IConstruct): RemovalPolicy | undefined {
  return FACTS.get(pkg)?.removalPolicy;
}

/** The name to scope IAM statements with: the recorded literal, else the package's name. */
export function policyPackageName(pkg: IConstruct & { readonly packageName: string }): string {
  return FACTS.get(pkg)?.policyName ?? pkg.packageName;
}

/** Records `version` as the package's default version; at most one per package. */
export function claimDefaultVersion(pkg: IConstruct, version: IConstruct): void {
  const facts = factsOf(pkg);
  if (facts.defaultVersionPath !== undefined && facts.defaultVersionPath !== version.node.path) {
    throw new Error(
      `Package ${pkg.node.path} can have only one default version: ${facts.defaultVersionPath} ` +
      `and ${version.node.path} both set isDefaultVersion.`,
    );
  }
  facts.defaultVersionPath = version.node.path;
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
}

const DECLARED_VERSIONS = new WeakMap<IConstruct, DeclaredVersion>();

export function registerDeclaredVersion(version: IConstruct, declared: DeclaredVersion): void {
  DECLARED_VERSIONS.set(version, declared);
}

/** What the version declares, or undefined for a version not built by this library's construct. */
export function declaredVersion(version: IConstruct): DeclaredVersion | undefined {
  return DECLARED_VERSIONS.get(version);
}

/**
 * What names a version in IoT as known at synth (`<package>/<version>` as declared), or its ARN
 * for a version from elsewhere. A version's ARN attribute is the same token when the version is
 * replaced: generated job and template ids hash this instead, so that they change with it.
 */
export function versionIdentity(version: IConstruct & { readonly packageVersionArn: string }): string {
  const declared = DECLARED_VERSIONS.get(version);
  return declared ? `${declared.packageName}/${declared.versionName}` : version.packageVersionArn;
}
