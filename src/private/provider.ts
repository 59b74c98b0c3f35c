import * as path from 'path';
import { ArnFormat, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeWildcardResource } from './nag';

export interface CustomResourceOptions {
  /** `Custom::...`: permanent once shipped. */
  readonly resourceType: string;
  /** The properties of the contract in contract.ts. */
  readonly properties: object;
  readonly removalPolicy?: RemovalPolicy;
}

/** The IoT actions each kind of resource needs, on the package ARN and its versions. */
const PACKAGE_ACTIONS = [
  'iot:CreatePackage',
  'iot:GetPackage',
  'iot:UpdatePackage',
  'iot:DeletePackage',
  'iot:ListPackageVersions',
  'iot:TagResource',
  'iot:UntagResource',
  'iot:ListTagsForResource',
];
const VERSION_ACTIONS = [
  'iot:CreatePackageVersion',
  'iot:GetPackageVersion',
  'iot:UpdatePackageVersion',
  'iot:DeletePackageVersion',
  'iot:AssociateSbomWithPackageVersion',
  'iot:DisassociateSbomFromPackageVersion',
  'iot:TagResource',
  'iot:UntagResource',
  'iot:ListTagsForResource',
];

const PROVIDER_ID = 'IotPackageCatalogProvider';

/**
 * The stack's one custom-resource provider: a single Lambda function, framework-free (it
 * answers CloudFormation itself), whose role each construct extends with statements scoped
 * to its own package.
 */
export class PackageCatalogProvider extends Construct {
  /** The stack's provider, created on first use. */
  public static of(scope: IConstruct): PackageCatalogProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    return existing instanceof PackageCatalogProvider ? existing : new PackageCatalogProvider(stack, PROVIDER_ID);
  }

  public readonly serviceToken: string;
  public readonly function: lambda.Function;
  private readonly policy: iam.Policy;
  private readonly granted = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Manages IoT software packages and versions for this stack',
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.policy = new iam.Policy(this, 'Policy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        // Create and update calls of the package catalog also read the indexing configuration,
        // which has no resource-level scope.
        new iam.PolicyStatement({
          actions: ['iot:GetIndexingConfiguration'],
          resources: ['*'],
        }),
      ],
    });

    this.function = new lambda.Function(this, 'Handler', {
      description: 'Custom resources of the AWS IoT Software Package Catalog',
      runtime: lambda.Runtime.NODEJS_24_X,
      code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', 'lambda', 'index')),
      handler: 'index.handler',
      // Below CloudFormation's one-hour wait, and leaves room to wait out running jobs.
      timeout: Duration.minutes(14),
      memorySize: 256,
      role,
      logGroup,
    });
    this.serviceToken = this.function.functionArn;
    acknowledgeWildcardResource(this.policy, '*',
      'iot:GetIndexingConfiguration, iot:GetPackageConfiguration, iot:UpdatePackageConfiguration and ' +
      'iot:UpdateIndexingConfiguration act on account-level settings and support no resource-level scope.');
  }

  /**
   * A custom resource served by this provider, which waits until the provider's permissions
   * are in place. An L1 resource with an L1 dependency: the template is what CustomResource
   * would render, at a fraction of the synth time for stacks of hundreds of versions
   * (`npm run bench`). DeletionPolicy is written only when it is not CloudFormation's default.
   */
  public createResource(scope: Construct, id: string, options: CustomResourceOptions): CfnResource {
    const resource = new CfnResource(scope, id, {
      type: options.resourceType,
      properties: { ServiceToken: this.serviceToken, ...options.properties },
    });
    resource.addDependency(this.policy.node.defaultChild as CfnResource);
    const removalPolicy = options.removalPolicy ?? RemovalPolicy.DESTROY;
    if (removalPolicy !== RemovalPolicy.DESTROY) {
      resource.applyRemovalPolicy(removalPolicy);
    }
    return resource;
  }

  /** Grants the package-level actions on one package. */
  public grantPackage(scope: IConstruct, packageName: string): void {
    this.grantOnce(`package:${packageName}`, () => new iam.PolicyStatement({
      actions: PACKAGE_ACTIONS,
      resources: [packageArn(scope, packageName)],
    }));
  }

  /**
   * Grants the version actions on every version of one package: the service checks version
   * calls against both the package ARN and the version ARN. The scope is the package, not each
   * version, so that a stack of hundreds of versions keeps one statement per package.
   */
  public grantVersions(scope: IConstruct, packageName: string): void {
    this.grantOnce(`versions:${packageName}`, () => {
      const versions = `${packageArn(scope, packageName)}/version/*`;
      acknowledgeWildcardResource(this.policy, versions,
        `Version actions are scoped to the versions of package ${packageName}; a statement per version ` +
        'would outgrow the size limit of IAM policies in stacks with hundreds of versions.');
      return new iam.PolicyStatement({
        actions: [...VERSION_ACTIONS, 'iot:GetPackage', 'iot:UpdatePackage'],
        resources: [packageArn(scope, packageName), versions],
      });
    });
  }

  /**
   * Grants reading and changing the account's package configuration (no resource-level scope
   * exists for it), and passing `role` to IoT only.
   */
  public grantPackageConfiguration(role: iam.IRole): void {
    this.grantOnce('package-configuration', () => new iam.PolicyStatement({
      actions: ['iot:GetPackageConfiguration', 'iot:UpdatePackageConfiguration'],
      resources: ['*'],
    }));
    this.grantOnce(`pass-role:${role.node.path}`, () => passRoleToIot(role));
  }

  /** Grants changing the fleet indexing configuration (no resource-level scope exists for it). */
  public grantFleetIndexing(): void {
    this.grantOnce('fleet-indexing', () => new iam.PolicyStatement({
      actions: ['iot:UpdateIndexingConfiguration'],
      resources: ['*'],
    }));
  }

  /**
   * Grants what one job needs, in a policy of its own attached to the provider's role. The
   * statements name resources of the stack (versions, roles, buckets) whose own custom
   * resources wait for the provider's main policy: a separate policy, on which only the job
   * waits, keeps the dependency graph free of cycles. The job's resource must depend on it.
   */
  public grantJob(scope: Construct, grants: JobGrants): iam.Policy {
    const statements = [
      new iam.PolicyStatement({
        actions: ['iot:CreateJob'],
        resources: [
          grants.jobArn,
          ...grants.targets,
          ...grants.versions.flatMap((v) => [v.packageArn, v.versionArn]),
          ...(grants.jobTemplateArn ? [grants.jobTemplateArn] : []),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['iot:DescribeJob', 'iot:UpdateJob', 'iot:CancelJob', 'iot:DeleteJob'],
        resources: [grants.jobArn],
      }),
      new iam.PolicyStatement({
        actions: ['iot:GetPackageVersion'],
        resources: grants.versions.flatMap((v) => [v.packageArn, v.versionArn]),
      }),
      // A $default destination is checked through the package's default version.
      new iam.PolicyStatement({
        actions: ['iot:GetPackage'],
        resources: grants.versions.map((v) => v.packageArn),
      }),
      ...grants.passRoles.map(passRoleToIot),
      ...grants.documents.map((d) => new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [d.bucket.arnForObjects(d.key)],
      })),
    ];
    for (const d of grants.documents) {
      if (d.bucket.encryptionKey) {
        statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [d.bucket.encryptionKey.keyArn] }));
      }
    }
    return new iam.Policy(scope, 'HandlerPolicy', {
      roles: [this.function.role!],
      statements,
    });
  }

  /**
   * Grants reading one object of an artifact or SBOM: IoT reads it with the caller's
   * permissions (`s3:GetObjectVersion`), and the handler looks up its latest version
   * (`s3:GetObject`, for HeadObject) when none is given.
   */
  public grantObjectRead(bucket: s3.IBucket, objectKey: string, objectVersion?: string): void {
    const actions = objectVersion === undefined ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObjectVersion'];
    this.grantOnce(`s3:${bucket.bucketName}/${objectKey}:${actions.join(',')}`, () => new iam.PolicyStatement({
      actions,
      resources: [bucket.arnForObjects(objectKey)],
    }));
  }

  private grantOnce(key: string, statement: () => iam.PolicyStatement): void {
    if (this.granted.has(key)) return;
    this.granted.add(key);
    this.policy.addStatements(statement());
  }
}

/** `arn:<partition>:iot:<region>:<account>:package/<name>` of the scope's stack. */
export function packageArn(scope: IConstruct, packageName: string): string {
  return Stack.of(scope).formatArn({
    service: 'iot',
    resource: 'package',
    resourceName: packageName,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** `arn:<partition>:iot:<region>:<account>:package/<package>/version/<version>`. */
export function packageVersionArn(scope: IConstruct, packageName: string, versionName: string): string {
  return `${packageArn(scope, packageName)}/version/${versionName}`;
}

/** `iam:PassRole` on one role, only towards IoT. */
function passRoleToIot(role: iam.IRole): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [role.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
  });
}

/** What one job's handler calls touch. */
export interface JobGrants {
  readonly jobArn: string;
  readonly targets: string[];
  readonly versions: ReadonlyArray<{ readonly packageArn: string; readonly versionArn: string }>;
  readonly jobTemplateArn?: string;
  readonly passRoles: iam.IRole[];
  readonly documents: ReadonlyArray<{ readonly bucket: s3.IBucket; readonly key: string }>;
}
