import * as path from 'path';
import { ArnFormat, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';

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
      runtime: lambda.Runtime.NODEJS_22_X,
      code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', 'lambda', 'index')),
      handler: 'index.handler',
      // Below CloudFormation's one-hour wait, and leaves room to wait out running jobs.
      timeout: Duration.minutes(14),
      memorySize: 256,
      role,
      logGroup,
    });
    this.serviceToken = this.function.functionArn;
  }

  /** Makes a custom resource of this provider wait until its permissions are in place. */
  public bind(resource: CustomResource): void {
    resource.node.addDependency(this.policy);
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
    this.grantOnce(`versions:${packageName}`, () => new iam.PolicyStatement({
      actions: [...VERSION_ACTIONS, 'iot:GetPackage', 'iot:UpdatePackage'],
      resources: [packageArn(scope, packageName), `${packageArn(scope, packageName)}/version/*`],
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
