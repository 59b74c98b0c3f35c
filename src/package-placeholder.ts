import { IPackageVersion } from './package-version';
import { placeholderNames, validateAttributeKey } from './private/validation';

/**
 * Placeholders that the IoT job service replaces, in the job document, with what a package
 * version holds: one attribute, all attributes, or a pre-signed URL of its artifact.
 *
 * Each method returns the placeholder text, to be written anywhere in a document given to
 * `JobDocument.fromObject` or `JobDocument.fromString`. A version of this app is named by
 * its literal package and version names, even though `version.versionName` is a
 * CloudFormation attribute; a version known only at deploy time (imported from a token ARN)
 * is named with tokens, and the document renders as an `Fn::Join`.
 *
 * A job or job template checks its document at synth time: every placeholder must name one
 * of its `destinationPackageVersions`, the short forms need exactly one destination version,
 * and an artifact URL needs `presignedUrlConfig`.
 *
 * @see https://docs.aws.amazon.com/iot/latest/developerguide/preparing-jobs-for-service-package-catalog.html
 */
export class PackagePlaceholder {
  /**
   * One attribute of a version:
   * `${aws:iot:package:<packageName>:version:<versionName>:attributes:<key>}`.
   *
   * Attributes are facts about the version (a checksum, the board it targets); for the
   * payload itself, use `artifactUrl`, which the job turns into a pre-signed URL.
   *
   * @example
   * import { JobDocument, PackagePlaceholder, PackageVersion } from 'cdk-iot-package-catalog';
   *
   * declare const firmware: PackageVersion; // attributes: { sha256: '...', board: 'rev-b' }
   * JobDocument.fromObject({
   *   operation: 'install',
   *   url: PackagePlaceholder.artifactUrl(firmware), // the payload: a pre-signed URL of the artifact
   *   sha256: PackagePlaceholder.attribute(firmware, 'sha256'), // facts about it: attributes
   *   board: PackagePlaceholder.attribute(firmware, 'board'),
   * });
   *
   * @param version the version, which the job must list in `destinationPackageVersions`
   * @param key the attribute key: `[a-zA-Z0-9:_-]+`
   */
  public static attribute(version: IPackageVersion, key: string): string {
    validateAttributeKey(key);
    return `${versionPrefix(version)}:attributes:${key}}`;
  }

  /**
   * All attributes of a version, as a JSON object:
   * `${aws:iot:package:<packageName>:version:<versionName>:attributes}`.
   *
   * @example
   * import { JobDocument, PackagePlaceholder, PackageVersion } from 'cdk-iot-package-catalog';
   *
   * declare const firmware: PackageVersion;
   * JobDocument.fromObject({ operation: 'install', attributes: PackagePlaceholder.attributes(firmware) });
   *
   * @param version the version, which the job must list in `destinationPackageVersions`
   */
  public static attributes(version: IPackageVersion): string {
    return `${versionPrefix(version)}:attributes}`;
  }

  /**
   * A pre-signed S3 URL of the version's artifact (the `artifact` of a `PackageVersion`):
   * `${aws:iot:package:<packageName>:version:<versionName>:artifact-location:s3-presigned-url}`.
   *
   * The job needs `presignedUrlConfig`, with a role that can read the artifact.
   *
   * @example
   * import * as iam from 'aws-cdk-lib/aws-iam';
   * import { JobDocument, JobTargets, JobWithPackages, PackagePlaceholder, PackageVersion } from 'cdk-iot-package-catalog';
   *
   * declare const firmware: PackageVersion; // artifact: PackageVersionArtifact.fromAsset('build/firmware.bin')
   * declare const signer: iam.IRole;
   * new JobWithPackages(this, 'Rollout', {
   *   targets: [JobTargets.thingGroup(this, 'fleet')],
   *   destinationPackageVersions: [firmware],
   *   presignedUrlConfig: { role: signer },
   *   document: JobDocument.fromObject({ operation: 'install', url: PackagePlaceholder.artifactUrl(firmware) }),
   * });
   *
   * @param version the version, which the job must list in `destinationPackageVersions`
   */
  public static artifactUrl(version: IPackageVersion): string {
    return `${versionPrefix(version)}:artifact-location:s3-presigned-url}`;
  }

  /**
   * One attribute of the job's only destination version, without naming it:
   * `${aws:iot:package::version::attributes:<key>}`. The job service fills in the package
   * and version from `destinationPackageVersions`, which must then list exactly one version;
   * a document that uses it can serve jobs and templates of different versions.
   *
   * @example
   * import { JobDocument, PackagePlaceholder } from 'cdk-iot-package-catalog';
   *
   * JobDocument.fromObject({ operation: 'install', sha256: PackagePlaceholder.soleVersionAttribute('sha256') });
   *
   * @param key the attribute key: `[a-zA-Z0-9:_-]+`
   */
  public static soleVersionAttribute(key: string): string {
    validateAttributeKey(key);
    return `\${aws:iot:package::version::attributes:${key}}`;
  }

  /**
   * All attributes of the job's only destination version, as a JSON object, without naming
   * it: `${aws:iot:package::version::attributes}`. `destinationPackageVersions` must list
   * exactly one version.
   *
   * @example
   * import { JobDocument, PackagePlaceholder } from 'cdk-iot-package-catalog';
   *
   * JobDocument.fromObject({ operation: 'install', attributes: PackagePlaceholder.soleVersionAttributes() });
   */
  public static soleVersionAttributes(): string {
    return '${aws:iot:package::version::attributes}';
  }

  private constructor() {}
}

/** `${aws:iot:package:<packageName>:version:<versionName>` with the literal names when known. */
function versionPrefix(version: IPackageVersion): string {
  const { packageName, versionName } = placeholderNames(version);
  return `\${aws:iot:package:${packageName}:version:${versionName}`;
}
