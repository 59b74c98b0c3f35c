import { ArnFormat, IResource, Lazy, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';
import { JobDocument, JobMaintenanceWindow, JobWithPackagesOptionsBase } from './job-config';
import { iotResourceName } from './private/arn';
import { namingErrors } from './private/construct-errors';
import { generatedId } from './private/generated-id';
import { versionIdentity } from './private/internals';
import { renderMaintenanceWindows, validateAndRenderShared } from './private/job-render';
import {
  tagErrors, validateDocumentPlaceholders, validateJobDescription, validateJobDocument, validateJobIdentifier, validateMaintenanceWindow,
} from './private/validation';

/**
 * A job template that installs package versions.
 */
export interface IJobTemplateWithPackages extends IResource {
  /**
   * The id of the job template.
   * @attribute
   */
  readonly jobTemplateId: string;

  /**
   * The ARN of the job template: `arn:<partition>:iot:<region>:<account>:jobtemplate/<id>`.
   * @attribute
   */
  readonly jobTemplateArn: string;
}

/**
 * Properties of a `JobTemplateWithPackages`.
 */
export interface JobTemplateWithPackagesProps extends JobWithPackagesOptionsBase {
  /**
   * The job document of jobs created from the template.
   */
  readonly document: JobDocument;

  /**
   * A description of the template: 1-2028 characters, no control characters.
   */
  readonly description: string;

  /**
   * The id of the template: 1-64 characters of `[a-zA-Z0-9_-]`.
   *
   * Every property of a job template is fixed at creation: CloudFormation replaces the
   * template on any change. A replacement with the same explicit id fails (the id is taken
   * until the old template is deleted), so leave it generated unless it must be known.
   *
   * @default - an id derived from the construct path and a hash of the properties and tags,
   * so that a change gives a new id and the replacement succeeds
   */
  readonly jobTemplateId?: string;

  /**
   * Recurring windows in which jobs created from the template roll out.
   *
   * @default - no maintenance windows
   */
  readonly maintenanceWindows?: JobMaintenanceWindow[];

  /**
   * What happens to the template when it leaves the stack.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An AWS IoT job template that names the package versions its jobs install: the native
 * `AWS::IoT::JobTemplate` with typed configurations and synth-time validation.
 *
 * @resource AWS::IoT::JobTemplate
 */
export class JobTemplateWithPackages extends Resource implements IJobTemplateWithPackages {
  /**
   * Imports a job template by id, in the account and region of the scope's stack.
   */
  public static fromJobTemplateId(scope: Construct, id: string, jobTemplateId: string): IJobTemplateWithPackages {
    namingErrors(`${scope.node.path}/${id}`, () => validateJobIdentifier('jobTemplateId', jobTemplateId));
    class Import extends Resource implements IJobTemplateWithPackages {
      public readonly jobTemplateId = jobTemplateId;
      public readonly jobTemplateArn = Stack.of(scope).formatArn({
        service: 'iot', resource: 'jobtemplate', resourceName: jobTemplateId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    }
    return new Import(scope, id);
  }

  /**
   * Imports a job template by ARN (`arn:<partition>:iot:<region>:<account>:jobtemplate/<jobTemplateId>`).
   */
  public static fromJobTemplateArn(scope: Construct, id: string, jobTemplateArn: string): IJobTemplateWithPackages {
    const jobTemplateId = namingErrors(`${scope.node.path}/${id}`, () => {
      const name = iotResourceName(scope, jobTemplateArn, 'jobtemplate', 'job template',
        'arn:<partition>:iot:<region>:<account>:jobtemplate/<jobTemplateId>');
      validateJobIdentifier('jobTemplateId', name);
      return name;
    });
    class Import extends Resource implements IJobTemplateWithPackages {
      public readonly jobTemplateId = jobTemplateId;
      public readonly jobTemplateArn = jobTemplateArn;
    }
    return new Import(scope, id, { environmentFromArn: jobTemplateArn });
  }

  public readonly jobTemplateId: string;
  public readonly jobTemplateArn: string;

  constructor(scope: Construct, id: string, props: JobTemplateWithPackagesProps) {
    super(scope, id);
    const { shared, document } = namingErrors(this, () => {
      validateJobIdentifier('jobTemplateId', props.jobTemplateId);
      if (!Token.isUnresolved(props.description) && props.description.length === 0) {
        throw new Error('description must be 1-2028 characters long, got 0: a job template needs one.');
      }
      validateJobDescription(props.description);
      const rendered = validateAndRenderShared(props);
      (props.maintenanceWindows ?? []).forEach((w, i) => validateMaintenanceWindow(`maintenanceWindows[${i}]`, w));
      const bound = props.document.bind(this);
      validateJobDocument(bound.document);
      validateDocumentPlaceholders({
        document: props.document,
        text: bound.document,
        destinationPackageVersions: props.destinationPackageVersions,
        hasPresignedUrlRole: props.presignedUrlConfig !== undefined,
      });
      return { shared: rendered, document: bound };
    });

    const rollout = shared.JobExecutionsRolloutConfig;
    const retry = shared.JobExecutionsRetryConfig;
    const windows = renderMaintenanceWindows(props.maintenanceWindows);
    const settings = {
      description: props.description,
      document: document.document,
      documentSource: document.documentSource,
      destinationPackageVersions: props.destinationPackageVersions.map((v) => v.packageVersionArn),
      // The L1 passes these untyped properties through as given: CloudFormation's names.
      presignedUrlConfig: shared.PresignedUrlConfig,
      abortConfig: shared.AbortConfig,
      timeoutConfig: shared.TimeoutConfig,
      jobExecutionsRolloutConfig: rollout && {
        MaximumPerMinute: rollout.MaximumPerMinute,
        ExponentialRolloutRate: rollout.ExponentialRate,
      },
      jobExecutionsRetryConfig: retry && {
        retryCriteriaList: retry.CriteriaList.map((c) => ({ failureType: c.FailureType, numberOfRetries: c.NumberOfRetries as number })),
      },
      maintenanceWindows: windows?.map((w) => ({ startTime: w.StartTime, durationInMinutes: w.DurationInMinutes })),
    };
    // Every property is create-only: the id must change with the versions' names, which their
    // ARN attributes do not show at synth, and with the tags, which Tags.of adds after this.
    let resource: iot.CfnJobTemplate | undefined;
    const identity = {
      ...settings,
      destinationPackageVersions: props.destinationPackageVersions.map(versionIdentity),
      tags: Lazy.any({ produce: () => resource?.tags.renderTags() }),
    };
    const jobTemplateId = props.jobTemplateId ?? generatedId(this, identity).id;
    resource = new iot.CfnJobTemplate(this, 'Resource', { jobTemplateId, ...settings });
    const tags = resource.tags;
    this.node.addValidation({ validate: () => tagErrors(tags.tagValues(), { ownerTag: false }) });
    resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);

    this.jobTemplateId = jobTemplateId;
    this.jobTemplateArn = resource.attrArn;
  }

}
