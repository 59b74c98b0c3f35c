import { Annotations, ArnFormat, CfnDeletionPolicy, CfnResource, IResource, ITaggable, RemovalPolicy, Resource, Stack, TagManager } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { JobDocument, JobSchedulingConfig, JobTargetSelection, JobWithPackagesOptionsBase } from './job-config';
import { IJobTemplateWithPackages } from './job-template-with-packages';
import { IPackageVersion } from './package-version';
import { iotResourceName } from './private/arn';
import { namingErrors } from './private/construct-errors';
import { JobWithPackagesProperties, RESOURCE_TYPES } from './private/contract';
import { generatedId } from './private/generated-id';
import { declaredVersion, versionIdentity } from './private/internals';
import { validateAndRenderScheduling, validateAndRenderShared } from './private/job-render';
import { contractTags, packageArn, PackageCatalogProvider, packageVersionArn } from './private/provider';
import {
  tagErrors, validateDocumentPlaceholders, validateJobDescription, validateJobDocument, validateJobIdentifier, validateTargets,
} from './private/validation';

/**
 * A job that installs package versions.
 */
export interface IJobWithPackages extends IResource {
  /**
   * The id of the job.
   * @attribute
   */
  readonly jobId: string;

  /**
   * The ARN of the job: `arn:<partition>:iot:<region>:<account>:job/<jobId>`.
   * @attribute
   */
  readonly jobArn: string;

  /**
   * Grants an IAM principal the given actions on the job.
   *
   * @param grantee the principal
   * @param actions the actions, e.g. `iot:UpdateJob`
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants an IAM principal reading the job and its document: `iot:DescribeJob` and
   * `iot:GetJobDocument`.
   *
   * @param grantee the principal
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** What `grantRead` allows on a job. */
const JOB_READ_ACTIONS = ['iot:DescribeJob', 'iot:GetJobDocument'];
const JOB_ARN_FORMAT = 'arn:<partition>:iot:<region>:<account>:job/<jobId>';

/**
 * Properties of a `JobWithPackages`.
 */
export interface JobWithPackagesProps extends JobWithPackagesOptionsBase {
  /**
   * The things and thing groups the job runs on, as ARNs of this account and region (see
   * `JobTargets.thing` and `JobTargets.thingGroup`). Changing them replaces the job.
   */
  readonly targets: string[];

  /**
   * The job document. Changing it replaces the job.
   *
   * @default - the document of `jobTemplate`; one of `document` and `jobTemplate` is required
   */
  readonly document?: JobDocument;

  /**
   * A job template to start from: the job takes its document, and the configurations this
   * job does not set.
   *
   * @default - no template; `document` is required
   */
  readonly jobTemplate?: IJobTemplateWithPackages;

  /**
   * The id of the job: 1-64 characters of `[a-zA-Z0-9_-]`. It is the job's identity: changing
   * it replaces the job. With an explicit id, a change that the service cannot apply in place
   * (targets, document, versions, target selection, scheduling) fails and asks for a new id.
   *
   * @default - an id derived from the construct path and a hash of the properties the service
   * cannot change, so that changing them replaces the job
   */
  readonly jobId?: string;

  /**
   * A description of the job: 1-2028 characters, no control characters. Editable in place.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Whether the job completes once the things targeted at creation have run it, or keeps
   * running on things that join a target group later.
   *
   * @default JobTargetSelection.SNAPSHOT
   */
  readonly targetSelection?: JobTargetSelection;

  /**
   * When the job rolls out.
   *
   * @default - the job starts when it is created
   */
  readonly schedulingConfig?: JobSchedulingConfig;

  /**
   * Whether deleting the job (on destroy, on removal, and when a change replaces it) also
   * cancels the executions that devices are running, mid-install.
   *
   * By default the job is canceled without force and then deleted: no device that has not
   * started it receives it any more, and devices already installing finish their install
   * (they can no longer report its status). With `true`, in-progress executions are canceled
   * too; IoT warns that a device must then be able to recover from an interrupted install.
   *
   * @default false
   */
  readonly forceDelete?: boolean;

  /**
   * What happens to the job when it leaves the stack. `RemovalPolicy.RETAIN` leaves the job;
   * synth warns when the job deploys versions of this app that the stack deletes, since the job
   * would keep naming them (retain those versions too).
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

abstract class JobWithPackagesBase extends Resource implements IJobWithPackages {
  public abstract readonly jobId: string;
  public abstract readonly jobArn: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.jobArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...JOB_READ_ACTIONS);
  }
}

/**
 * An AWS IoT job that installs software package versions on things and thing groups.
 *
 * The job is created after its versions (which must be PUBLISHED or DEPRECATED) and after
 * the stack's `PackageConfiguration`, if any. On delete, a running job is canceled and
 * deleted, and the handler waits until it is gone, so that its versions can be deleted next.
 *
 * @resource Custom::IotJobWithPackages
 */
export class JobWithPackages extends JobWithPackagesBase implements ITaggable {
  /**
   * Imports an existing job by id, in the account and region of the scope's stack.
   */
  public static fromJobId(scope: Construct, id: string, jobId: string): IJobWithPackages {
    namingErrors(`${scope.node.path}/${id}`, () => validateJobIdentifier('jobId', jobId));
    class Import extends JobWithPackagesBase {
      public readonly jobId = jobId;
      public readonly jobArn = Stack.of(scope).formatArn({ service: 'iot', resource: 'job', resourceName: jobId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    }
    return new Import(scope, id);
  }

  /**
   * Imports an existing job by ARN (`arn:<partition>:iot:<region>:<account>:job/<jobId>`).
   */
  public static fromJobArn(scope: Construct, id: string, jobArn: string): IJobWithPackages {
    const jobId = namingErrors(`${scope.node.path}/${id}`, () => {
      const name = iotResourceName(scope, jobArn, 'job', 'job', JOB_ARN_FORMAT);
      validateJobIdentifier('jobId', name);
      return name;
    });
    class Import extends JobWithPackagesBase {
      public readonly jobId = jobId;
      public readonly jobArn = jobArn;
    }
    return new Import(scope, id, { environmentFromArn: jobArn });
  }

  public readonly jobId: string;
  public readonly jobArn: string;
  /**
   * Tags of the job, applied through the IoT API. Use `Tags.of(job).add(key, value)`; a change
   * of tags updates the job in place.
   */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: JobWithPackagesProps) {
    super(scope, id);
    this.tags = contractTags(RESOURCE_TYPES.jobWithPackages);
    this.node.addValidation({ validate: () => tagErrors(this.tags.tagValues()) });
    const { shared, scheduling, document } = namingErrors(this, () => {
      validateJobIdentifier('jobId', props.jobId);
      validateJobDescription(props.description);
      validateTargets(props.targets);
      const rendered = { shared: validateAndRenderShared(props), scheduling: validateAndRenderScheduling(props.schedulingConfig) };
      if (!props.document && !props.jobTemplate) {
        throw new Error(`JobWithPackages ${this.node.path} needs a document or a jobTemplate.`);
      }
      if (props.document && props.jobTemplate) {
        throw new Error(`JobWithPackages ${this.node.path} takes a document or a jobTemplate, not both: with a template, the job uses the template's document.`);
      }
      const bound = props.document?.bind(this);
      validateJobDocument(bound?.document);
      validateDocumentPlaceholders({
        document: props.document,
        text: bound?.document,
        destinationPackageVersions: props.destinationPackageVersions,
        hasPresignedUrlRole: props.presignedUrlConfig !== undefined,
      });
      return { ...rendered, document: bound };
    });

    const immutable = {
      Targets: props.targets,
      TargetSelection: props.targetSelection ?? JobTargetSelection.SNAPSHOT,
      DestinationPackageVersions: props.destinationPackageVersions.map((v) => v.packageVersionArn),
      Document: document?.document,
      DocumentSource: document?.documentSource,
      JobTemplateArn: props.jobTemplate?.jobTemplateArn,
      SchedulingConfig: scheduling,
    };
    // The versions and the template by the names known at synth: their ARNs are attributes,
    // the same tokens when a version or the template is replaced.
    const identity = {
      ...immutable,
      DestinationPackageVersions: props.destinationPackageVersions.map(versionIdentity),
      JobTemplateArn: props.jobTemplate?.jobTemplateId,
    };
    const generated = generatedId(this, identity);
    const jobId = props.jobId ?? generated.id;
    const stack = Stack.of(this);
    const jobArnOf = (name: string) => stack.formatArn({ service: 'iot', resource: 'job', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const jobArn = jobArnOf(jobId);

    const provider = PackageCatalogProvider.of(this);
    const policy = provider.grantJob(this, {
      // A generated id changes with the job's immutable properties: the policy covers every id this
      // construct generates, so that the previous job stays deletable in CloudFormation's cleanup.
      jobArn: props.jobId ? jobArn : jobArnOf(`${generated.prefix}*`),
      targets: props.targets,
      // By the names as declared: a version's ARN attribute would make the policy wait for the version.
      versions: props.destinationPackageVersions.map((v) => {
        const declared = declaredVersion(v);
        const packageName = declared?.packageName ?? v.packageName;
        return {
          packageName,
          packageArn: packageArn(this, packageName),
          versionArn: declared ? packageVersionArn(this, declared.packageName, declared.versionName) : v.packageVersionArn,
        };
      }),
      jobTemplateArn: props.jobTemplate?.jobTemplateArn,
      passRoles: props.presignedUrlConfig ? [props.presignedUrlConfig.role] : [],
      documents: document?.bucket && document.key !== undefined ? [{ bucket: document.bucket, key: document.key }] : [],
    });

    const properties: JobWithPackagesProperties = {
      JobId: jobId,
      ...immutable,
      Description: props.description,
      ...shared,
      ForceDelete: props.forceDelete ? 'true' : 'false',
    };
    const resource = provider.createResource(this, 'Resource', {
      resourceType: RESOURCE_TYPES.jobWithPackages,
      properties,
      removalPolicy: props.removalPolicy,
      grants: [policy],
      tags: this.tags,
    });
    provider.addJob(this);
    // A $default destination is the package's default when the job is created: wait for the
    // package, whose default-version designation lives beside it.
    for (const version of props.destinationPackageVersions) {
      const defaultOf = declaredVersion(version)?.defaultOf;
      if (defaultOf) resource.node.addDependency(defaultOf);
    }

    this.jobId = resource.attribute('JobId');
    this.jobArn = resource.attribute('JobArn');
    // At synth, once every removal policy is applied (also with applyRemovalPolicy).
    this.node.addValidation({ validate: () => this.warnOfDeletedVersions(resource, props.destinationPackageVersions) });
  }

  /**
   * A retained job outlives the stack: the versions of this app it installs should too. A
   * warning rather than an error, so that an app may keep a job on purpose (returns no errors).
   */
  private warnOfDeletedVersions(resource: CfnResource, versions: IPackageVersion[]): string[] {
    if (!isRetained(resource)) return [];
    const deleted = versions.flatMap((v) => {
      const versionResource = declaredVersion(v)?.resource;
      return versionResource && !isRetained(versionResource) ? [v.node.path] : [];
    });
    if (deleted.length > 0) {
      Annotations.of(this).addWarningV2('cdk-iot-package-catalog:retained-job-deploys-deleted-version',
        `JobWithPackages ${this.node.path} is retained, but it deploys versions that the stack deletes: ${deleted.join(', ')}. ` +
        'When the stack is destroyed, the job would keep naming deleted versions as its destinations (or make their deletion ' +
        'fail while it references them). Retain those versions too (removalPolicy: RemovalPolicy.RETAIN on their package, ' +
        'or on versions of an imported package), or let the job be destroyed with them.');
    }
    return [];
  }
}

/** Whether CloudFormation leaves the resource in place when the stack deletes it. */
function isRetained(resource: CfnResource): boolean {
  const policy = resource.cfnOptions.deletionPolicy;
  return policy === CfnDeletionPolicy.RETAIN || policy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
}
