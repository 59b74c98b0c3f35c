import { Token, Tokenization } from 'aws-cdk-lib';
import type { IPackageVersion } from '../../package-version';
import { declaredVersion } from '../internals';

/*
 * Job-document placeholders (IoT developer guide, "Preparing AWS IoT Jobs"):
 *
 *   ${aws:iot:package:<packageName>:version:<versionName>:attributes:<key>}   one attribute
 *   ${aws:iot:package:<packageName>:version:<versionName>:attributes}         all attributes (JSON)
 *   ${aws:iot:package:<packageName>:version:<versionName>:artifact-location:s3-presigned-url}
 *   ${aws:iot:package::version::attributes[:<key>]}   names filled in from destinationPackageVersions
 *
 * "Confirm the software package and package version referenced in the job document match the
 * software package and package version stated in the destinationPackageVersions parameter";
 * `$null` is a version name for destinationPackageVersions only (it uninstalls the package).
 */


/**
 * The package and version names to write in a placeholder: as the version declares them
 * (literal names, or the tokens the app gave), else the version's own attributes (which
 * render as part of an `Fn::Join`).
 */
export function placeholderNames(version: IPackageVersion): { packageName: string; versionName: string } {
  const declared = declaredVersion(version);
  return {
    packageName: declared?.packageName ?? version.packageName,
    versionName: declared?.versionName ?? version.versionName,
  };
}

function literal(value: string): string | undefined {
  return Token.isUnresolved(value) ? undefined : value;
}

/** What the app knows of a destination version at synth time; undefined means unknown. */
interface VersionFacts {
  readonly packageName?: string;
  readonly versionName?: string;
  /** The attribute keys, when the version is of this app and its attributes are literal. */
  readonly attributeKeys?: readonly string[];
  /** Whether it has an artifact, when the version is of this app. */
  readonly hasArtifact?: boolean;
}

function versionFacts(version: IPackageVersion): VersionFacts {
  const names = placeholderNames(version);
  const declared = declaredVersion(version);
  return {
    packageName: literal(names.packageName),
    versionName: literal(names.versionName),
    attributeKeys: declared?.attributeKeys,
    hasArtifact: declared?.hasArtifact,
  };
}

/** Stands for a token inside the document text: never part of a literal name. */
const TOKEN_MARK = '\u0000';
const PLACEHOLDER = /\$\{aws:iot:package:([^:}]*):version:([^:}]*):([^}]*)\}/g;
const ARTIFACT_URL = 'artifact-location:s3-presigned-url';

/** The document as JSON with its tokens kept as token strings, or undefined when it cannot be serialized. */
export function jsonWithTokens(obj: unknown): string | undefined {
  try {
    return JSON.stringify(obj);
  } catch {
    return undefined;
  }
}

export interface DocumentPlaceholderCheck {
  /** The `JobDocument` (to read the text of object documents). */
  readonly document?: { _text(): string | undefined };
  /** The document as bound: a literal, a string with tokens, or a token. */
  readonly text?: string;
  readonly destinationPackageVersions: IPackageVersion[];
  readonly hasPresignedUrlRole: boolean;
}

/**
 * Checks the package placeholders of an inline document against the job's destination
 * versions. Only the literal parts of the document are read: a placeholder whose package or
 * version name is a token is checked as far as its literal parts go, and a document that is
 * a token (or in S3) is not checked.
 */
export function validateDocumentPlaceholders(check: DocumentPlaceholderCheck): void {
  const raw = check.document?._text() ?? check.text;
  if (raw === undefined) return;
  const text = Tokenization.reverseString(raw)
    .mapTokens({ mapToken: () => TOKEN_MARK })
    .join({ join: (left: unknown, right: unknown) => `${left ?? ''}${right ?? ''}` }) as string | undefined;
  if (!text) return;

  const versions = check.destinationPackageVersions;
  const facts = versions.map(versionFacts);
  for (const match of text.matchAll(PLACEHOLDER)) {
    const [found, packagePart, versionPart, rest] = match;
    const placeholder = JSON.stringify(found.split(TOKEN_MARK).join('<token>'));
    if (versionPart === '$null') {
      throw new Error(
        `document placeholder ${placeholder} names version $null: $null belongs in destinationPackageVersions ` +
        '(a version ARN ending in /version/$null uninstalls the package), and a document cannot read it.',
      );
    }
    const packageName = packagePart === '' ? undefined : packagePart;
    const versionName = versionPart === '' ? undefined : versionPart;
    if ((packageName === undefined || versionName === undefined) && versions.length > 1) {
      const left = packageName === undefined && versionName === undefined ? 'the package and version names'
        : packageName === undefined ? 'the package name' : 'the version name';
      throw new Error(
        `document placeholder ${placeholder} leaves out ${left}, which the job fills in only when ` +
        `destinationPackageVersions lists exactly one version (it lists ${versions.length}): name the version, ` +
        'e.g. with PackagePlaceholder.attribute(version, key).',
      );
    }
    const named = facts.filter((f) => mayBe(f.packageName, packageName) && mayBe(f.versionName, versionName));
    if (named.length === 0) {
      const name = `${packageName ?? facts[0].packageName ?? '<token>'}/${versionName ?? facts[0].versionName ?? '<token>'}`
        .split(TOKEN_MARK).join('<token>');
      throw new Error(
        `document placeholder ${placeholder} names version ${name}, which destinationPackageVersions does not list ` +
        `(it lists ${facts.map(describeVersion).join(', ')}): the job service substitutes only the versions the job deploys.`,
      );
    }
    const target = named.length === 1 ? named[0] : undefined;
    if (rest === ARTIFACT_URL) {
      if (!check.hasPresignedUrlRole) {
        throw new Error('document uses an artifact pre-signed URL placeholder: set presignedUrlConfig with a role that can read the artifacts.');
      }
      if (target?.hasArtifact === false) {
        throw new Error(
          `document placeholder ${placeholder} needs the artifact of version ${describeVersion(target)}, which has no artifact: ` +
          'set the version\'s artifact (PackageVersionArtifact.fromAsset or fromBucket).',
        );
      }
    }
    const key = rest.startsWith('attributes:') ? rest.slice('attributes:'.length) : undefined;
    if (key !== undefined && !key.includes(TOKEN_MARK) && target?.attributeKeys && !target.attributeKeys.includes(key)) {
      const has = target.attributeKeys.length === 0 ? 'it has no attributes' : `its attributes: ${target.attributeKeys.join(', ')}`;
      throw new Error(
        `document placeholder ${placeholder} reads attribute ${JSON.stringify(key)} of version ${describeVersion(target)}, ` +
        `which does not have it (${has}).`,
      );
    }
  }
}

/** Whether a known (or unknown) name may be the wanted one; an unwanted (short form) part matches anything. */
function mayBe(known: string | undefined, wanted: string | undefined): boolean {
  return wanted === undefined || wanted.includes(TOKEN_MARK) || known === undefined || known === wanted;
}

function describeVersion(facts: VersionFacts): string {
  return `${facts.packageName ?? '<token>'}/${facts.versionName ?? '<token>'}`;
}
