import * as path from 'path';
import {
  ArnFormat, Aspects, AssetStaging, Aws, CfnElement, CfnResource, CfnResourceProps, Duration, FileAssetPackaging, IResolvable, Lazy,
  RemovalPolicy, Stack, TagManager, TagType, Token,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { AttributesOf, OWNER_TAG_KEY, PropertiesOf, ResourceType } from './contract';
import { GrantPool, INLINE_POLICIES_MAX_CHARS, ManagedPolicyCount, StatementGrant } from './grant-pool';
import { acknowledgeWildcardResource } from './nag';

export interface CustomResourceOptions<T extends ResourceType> {
  /** `Custom::...`: permanent once shipped. */
  readonly resourceType: T;
  /** What the resource type's contract takes. */
  readonly properties: PropertiesOf<T>;
  readonly removalPolicy?: RemovalPolicy;
  /** The policies holding the grants this resource's calls need (besides the provider's main policy). */
  readonly grants?: ReadonlyArray<iam.Policy | iam.ManagedPolicy>;
  /**
   * Tags rendered into the `Tags` property when the template is written, as L1 resources render
   * theirs (a Lazy token per resource costs synth time in stacks of hundreds of versions).
   * Create it with `contractTags`.
   */
  readonly tags?: TagManager;
}

/** A tag manager whose tags a contract resource renders as its `Tags` map. */
export function contractTags(resourceType: ResourceType): TagManager {
  return new TagManager(TagType.MAP, resourceType, undefined, { tagPropertyName: 'Tags' });
}

/** Package-level actions, on the package ARN. */
const PACKAGE_ACTIONS = [
  'iot:CreatePackage',
  'iot:GetPackage',
  'iot:UpdatePackage',
  'iot:DeletePackage',
  'iot:ListPackageVersions',
];
/**
 * Version actions: the service checks them on both the package ARN and the version ARN. The
 * API reference names the action of DisassociateSbomFromPackageVersion
 * `DisassociateSbomWithPackageVersion`, and CloudFormation's handler grants the operation's
 * name: both are granted.
 */
const VERSION_ACTIONS = [
  'iot:CreatePackageVersion',
  'iot:GetPackageVersion',
  'iot:UpdatePackageVersion',
  'iot:DeletePackageVersion',
  'iot:AssociateSbomWithPackageVersion',
  'iot:DisassociateSbomFromPackageVersion',
  'iot:DisassociateSbomWithPackageVersion',
];
const TAG_ACTIONS = ['iot:TagResource', 'iot:UntagResource', 'iot:ListTagsForResource'];
/**
 * On the packages this stack declares: everything, and naming their versions as job
 * destinations (CreateJob is also checked on each destination package and version).
 */
const DECLARED_PACKAGE_ACTIONS = [...PACKAGE_ACTIONS, ...VERSION_ACTIONS, ...TAG_ACTIONS, 'iot:CreateJob'];
/** On packages declared elsewhere that this stack adds versions to: no package-level changes but the default. */
const IMPORTED_PACKAGE_ACTIONS = [...VERSION_ACTIONS, ...TAG_ACTIONS, 'iot:GetPackage', 'iot:UpdatePackage', 'iot:CreateJob'];
/**
 * On a job's ARN, and CreateJob's other resources (targets, destinations from elsewhere, the
 * template): each action applies to its own resource types only, so one list serves them all
 * (the job actions to the job; GetPackageVersion and GetPackage, which check that destinations
 * are deployable, to the destinations).
 */
const JOB_ACTIONS = [
  'iot:CreateJob', 'iot:DescribeJob', 'iot:GetJobDocument', 'iot:UpdateJob', 'iot:CancelJob', 'iot:DeleteJob',
  'iot:GetPackageVersion', 'iot:GetPackage',
];
/**
 * What the handler may do to a package, version or job that carries this stack's owner tag,
 * whatever its name: deleting the old resource after a replacement (CloudFormation's cleanup
 * runs under the new template's policy), deleting what a failed update created (its rollback
 * runs under the reverted policy), and converging a resource back during a rollback.
 */
const OWNED_RESOURCE_ACTIONS = [
  'iot:GetPackage', 'iot:UpdatePackage', 'iot:DeletePackage', 'iot:ListPackageVersions',
  'iot:GetPackageVersion', 'iot:UpdatePackageVersion', 'iot:DeletePackageVersion',
  'iot:AssociateSbomWithPackageVersion', 'iot:DisassociateSbomFromPackageVersion', 'iot:DisassociateSbomWithPackageVersion',
  'iot:TagResource', 'iot:UntagResource', 'iot:ListTagsForResource',
  'iot:DescribeJob', 'iot:GetJobDocument', 'iot:UpdateJob', 'iot:CancelJob', 'iot:DeleteJob',
];

const PROVIDER_ID = 'IotPackageCatalogProvider';
/** The bundled handler, shipped in the npm package under assets/. */
const HANDLER_CODE = path.join(__dirname, '..', '..', 'assets', 'lambda', 'index');
/**
 * Characters of the role's inline policies kept for the main policy's fixed statements (about
 * 1,300 resolved) and the policies of a package configuration and its fleet indexing (about
 * 800): the rest of IAM's 10,240 holds package grants before managed policies are added.
 */
const MAIN_POLICY_RESERVE = 2_200;

/**
 * The stack's one custom-resource provider: a single Lambda function, framework-free (it
 * answers CloudFormation itself). Its role's main policy holds what every resource needs; the
 * grants scoped to each package and job fill the rest of it, then managed policies, within
 * IAM's size limits, and each resource waits for the policy that holds its grants.
 */
export class PackageCatalogProvider extends Construct {
  /** The providers of an app's stacks: only stages and stacks are searched, never what a stack holds. */
  public static allInApp(root: IConstruct): PackageCatalogProvider[] {
    const providers: PackageCatalogProvider[] = [];
    const visit = (scope: IConstruct) => {
      for (const child of scope.node.children) {
        if (Stack.isStack(child)) {
          const provider = child.node.tryFindChild(PROVIDER_ID);
          if (provider instanceof PackageCatalogProvider) providers.push(provider);
        }
        // A stack holds stacks only as nested stacks; stages and plain constructs may hold stacks.
        if (!Stack.isStack(child) || child.nested) visit(child);
      }
    };
    visit(root);
    return providers;
  }

  /** The stack's provider, created on first use. */
  public static of(scope: IConstruct): PackageCatalogProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    return existing instanceof PackageCatalogProvider ? existing : new PackageCatalogProvider(stack, PROVIDER_ID);
  }

  /** The handler's ARN, in the form the template renders it. */
  private readonly serviceToken: IResolvable;
  /** The handler's role, which every grant of the stack goes to. */
  public readonly role: iam.IRole;
  private readonly policy: iam.Policy;
  /** Grants of packages and versions: they name only literals, so the main policy can hold them too. */
  private readonly packageGrants: GrantPool;
  /**
   * Grants of jobs: they name resources of the stack (roles, buckets, templates) that may wait
   * for the provider's main policy, so they live in managed policies on which only jobs wait.
   */
  private readonly jobGrants: GrantPool;
  /** The library's resources in the stack, whose logical ids are fixed once the app is built. */
  private readonly fixedLogicalIds: CfnElement[] = [];
  /** The policy holding each package's grant, by kind and name. */
  private readonly packagePolicies = new Map<string, iam.Policy | iam.ManagedPolicy>();
  /** Packages whose versions any job of the stack may name as destinations. */
  private readonly destinationPackages = new Set<string>();
  /** The stack's package configuration, and its jobs: a job waits for the configuration. */
  private packageConfiguration?: IConstruct;
  private readonly jobs: IConstruct[] = [];
  /** The stack's packages by literal name. */
  private readonly packagesByName = new Map<string, IConstruct>();
  /** The stack's fleet indexing of the `$package` shadow, if a package configuration declares it. */
  public packageShadowIndexing?: IConstruct;

  private constructor(scope: Construct, id: string) {
    super(scope, id);

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Manages IoT software packages and versions for this stack',
    });
    // The L1 of logs.LogGroup, at its path (Logs/Resource): the same resource and logical id,
    // without loading and running the L2 in every app's synth.
    const logGroup = new logs.CfnLogGroup(new Construct(this, 'Logs'), 'Resource', { retentionInDays: 365 });
    logGroup.applyRemovalPolicy(RemovalPolicy.DESTROY);

    const stack = Stack.of(this);
    const ownedResources = [
      iotArn(stack, 'package', '*'),
      iotArn(stack, 'job', '*'),
    ];
    this.policy = new iam.Policy(this, 'Policy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.attrArn],
        }),
        // Create and update calls of the package catalog also read the indexing configuration;
        // a job's deletion is awaited among the jobs being deleted. Neither has a resource-level scope.
        new iam.PolicyStatement({
          actions: ['iot:GetIndexingConfiguration', 'iot:ListJobs'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          actions: OWNED_RESOURCE_ACTIONS,
          resources: ownedResources,
          conditions: { StringEquals: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: Aws.STACK_ID } },
        }),
        // Tells a rollback from a forward update, to accept what the service cannot undo.
        new iam.PolicyStatement({
          actions: ['cloudformation:DescribeStacks'],
          resources: [Aws.STACK_ID],
        }),
      ],
    });
    const attached: ManagedPolicyCount = { count: 0 };
    this.packageGrants = new GrantPool(this, 'Grants', role, attached, { policy: this.policy, budget: INLINE_POLICIES_MAX_CHARS - MAIN_POLICY_RESERVE });
    this.jobGrants = new GrantPool(this, 'JobGrants', role, attached);

    // The L1 function and its asset, as lambda.Function with Code.fromAsset would render them,
    // without the asset construct's bucket import and the L2's work: a fixed cost of every
    // stack's synth (`npm run bench`).
    const code = new AssetStaging(this, 'HandlerCode', { sourcePath: HANDLER_CODE });
    const location = stack.synthesizer.addFileAsset({
      sourceHash: code.assetHash,
      fileName: code.relativeStagedPath(stack),
      packaging: FileAssetPackaging.ZIP_DIRECTORY,
    });
    // At the path of the L2 it replaced (Handler/Resource): the logical id, and so the service
    // token of every custom resource, stays; CloudFormation cannot change a service token.
    const handler = new lambda.CfnFunction(new Construct(this, 'Handler'), 'Resource', {
      description: 'Custom resources of the AWS IoT Software Package Catalog',
      runtime: lambda.Runtime.NODEJS_24_X.name,
      code: { s3Bucket: location.bucketName, s3Key: location.objectKey },
      handler: 'index.handler',
      // Below CloudFormation's one-hour wait, and leaves room to wait out running jobs.
      timeout: Duration.minutes(14).toSeconds(),
      memorySize: 256,
      role: role.roleArn,
      loggingConfig: { logGroup: logGroup.ref },
    });
    handler.node.addDependency(role);
    this.role = role;
    // Logical ids are a hash of the construct path, computed again wherever a template names
    // the resource: once the app is built (aspects run first in synth), each resource of the
    // library and the policies they wait for keep the id they have, computed once.
    Aspects.of(this).add({ visit: (node) => node === this && this.fixLogicalIds() });
    // Every custom resource names the handler: its GetAtt is rendered once per synth, not once
    // per resource (a CfnReference recomputes the logical id, a hash of the path, each time).
    // The resources are in the handler's stack, so no cross-stack reference is lost.
    this.serviceToken = Lazy.any({ produce: () => ({ 'Fn::GetAtt': [stack.resolve(handler.logicalId), 'Arn'] }) });
    acknowledgeWildcardResource(this.policy, '*',
      'iot:GetIndexingConfiguration and iot:ListJobs (to await a job\'s deletion) support no resource-level scope.');
    for (const resource of ownedResources) {
      acknowledgeWildcardResource(this.policy, resource,
        'Only packages, versions and jobs tagged as created by this stack (aws:ResourceTag condition on the stack id): ' +
        'the resources a replacement or a rollback leaves to delete are no longer named in the policy of that moment.');
    }
  }

  /** Records the stack's package configuration: its jobs, declared before or after it, wait for it. */
  public setPackageConfiguration(configuration: IConstruct): void {
    this.packageConfiguration = configuration;
    for (const job of this.jobs) job.node.addDependency(configuration);
  }

  /**
   * Records a package of the stack by its literal name, and returns the package of the app
   * that already has that name in the same account and region, if any. Environment-agnostic
   * stacks count as one environment, since they may deploy to the same place.
   */
  public claimPackageName(pkg: IConstruct, packageName: string): IConstruct | undefined {
    const stack = Stack.of(this);
    let other: IConstruct | undefined;
    for (const provider of PackageCatalogProvider.allInApp(this.node.root)) {
      const providerStack = Stack.of(provider);
      if (providerStack.account !== stack.account || providerStack.region !== stack.region) continue;
      other ??= provider.packagesByName.get(packageName);
    }
    if (!other) this.packagesByName.set(packageName, pkg);
    return other;
  }

  /** Overrides each logical id with the one the stack gives it: the same id, no longer recomputed. */
  private fixLogicalIds(): void {
    const policies = [this.policy, ...this.packageGrants.managedPolicies, ...this.jobGrants.managedPolicies]
      .map((policy) => policy.node.defaultChild as CfnElement);
    const stack = Stack.of(this);
    for (const element of [...policies, ...this.fixedLogicalIds]) {
      try {
        element.overrideLogicalId(stack.resolve(element.logicalId));
      } catch {
        // Stack.exportValue locked it already: it keeps its id, computed as before.
      }
    }
  }

  /** Records a job of the stack: it waits for the stack's package configuration, if any. */
  public addJob(job: IConstruct): void {
    this.jobs.push(job);
    if (this.packageConfiguration) job.node.addDependency(this.packageConfiguration);
  }

  /**
   * A custom resource served by this provider, which waits until the provider's permissions
   * are in place. An L1 resource with an L1 dependency: the template is what CustomResource
   * would render, at a fraction of the synth time for stacks of hundreds of versions
   * (`npm run bench`). DeletionPolicy is written only when it is not CloudFormation's default.
   */
  public createResource<T extends ResourceType>(scope: Construct, id: string, options: CustomResourceOptions<T>): ContractResource<T> {
    const resource = new ContractResource<T>(scope, id, {
      type: options.resourceType,
      properties: { ServiceToken: this.serviceToken, ...options.properties },
    }, options.tags);
    this.fixedLogicalIds.push(resource);
    resource.node.addDependency(this.policy);
    for (const grant of options.grants ?? []) {
      if (grant !== this.policy) resource.node.addDependency(grant);
    }
    const removalPolicy = options.removalPolicy ?? RemovalPolicy.DESTROY;
    if (removalPolicy !== RemovalPolicy.DESTROY) {
      resource.applyRemovalPolicy(removalPolicy);
    }
    return resource;
  }

  /**
   * Grants what a package of this stack needs, and its versions (the service checks version
   * calls against both the package ARN and the version ARN): every version of the package
   * rather than each one, so that a stack of hundreds of versions keeps one grant per package.
   */
  public grantPackage(scope: IConstruct, packageName: string): iam.Policy | iam.ManagedPolicy {
    return this.grantPackageOfKind(scope, packageName, 'declared');
  }

  /**
   * Grants adding versions to a package that this stack does not declare (and setting its
   * default): version actions, not package-level changes.
   */
  public grantVersions(scope: IConstruct, packageName: string): iam.Policy | iam.ManagedPolicy {
    if (this.packagePolicies.has(`package:declared:${packageName}`)) return this.grantPackage(scope, packageName);
    return this.grantPackageOfKind(scope, packageName, 'imported');
  }

  /**
   * Grants what an account-level setting needs, in a policy of its own that lives and goes with
   * the construct: when it leaves the stack, CloudFormation deletes its resource (in cleanup or
   * in a rollback) before this policy, so the handler may still turn the setting off. The
   * settings have no resource-level scope; a role handed to IoT may be passed to IoT only.
   */
  public grantAccountSetting(scope: Construct, id: string, actions: string[], passRoles: iam.IRole[] = []): iam.Policy {
    const policy = new iam.Policy(scope, id, {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions, resources: ['*'] }),
        ...(passRoles.length > 0 ? [passRoleToIot(passRoles.map((r) => r.roleArn))] : []),
      ],
    });
    acknowledgeWildcardResource(policy, '*', `${actions.join(', ')} act on account-level settings and support no resource-level scope.`);
    return policy;
  }

  /**
   * Grants what one job needs, in a managed policy that only jobs wait for: its statements name
   * resources of the stack (roles, buckets, templates) whose own resources may wait for the
   * provider's main policy. The job's resource must depend on the returned policy.
   */
  public grantJob(scope: Construct, grants: JobGrants): iam.ManagedPolicy {
    const destinations = grants.versions.filter((v) => !this.destinationPackages.has(v.packageName));
    const statements: StatementGrant[] = [
      {
        kind: 'jobs',
        actions: JOB_ACTIONS,
        resources: [
          grants.jobArn,
          ...grants.targets,
          ...destinations.flatMap((v) => [v.packageArn, v.versionArn]),
          ...(grants.jobTemplateArn ? [grants.jobTemplateArn] : []),
        ],
      },
      // The handler tags the job it creates as this stack's.
      { kind: 'job-tags', actions: ['iot:TagResource'], resources: [grants.jobArn] },
    ];
    if (grants.passRoles.length > 0) {
      statements.push(passRoleGrant(grants.passRoles.map((r) => r.roleArn)));
    }
    if (grants.documents.length > 0) {
      statements.push({ kind: 's3-documents', actions: ['s3:GetObject'], resources: grants.documents.map((d) => d.bucket.arnForObjects(d.key)) });
    }
    const keys = grants.documents.flatMap((d) => (d.bucket.encryptionKey ? [d.bucket.encryptionKey.keyArn] : []));
    if (keys.length > 0) {
      statements.push({ kind: 'kms-decrypt', actions: ['kms:Decrypt'], resources: keys });
    }
    const policy = this.jobGrants.grant(`job:${scope.node.path}`, statements) as iam.ManagedPolicy;
    if (grants.jobArn.endsWith('*')) {
      acknowledgeWildcardResource(policy, grants.jobArn,
        `Jobs of ${scope.node.path} only: the job id is derived from its construct path and a hash of what the service cannot ` +
        'change in place, so the previous job of a replacement stays in scope for its deletion.');
    }
    return policy;
  }

  /**
   * Grants reading one object of an artifact or SBOM: IoT reads it with the caller's
   * permissions (`s3:GetObjectVersion`), and the handler looks up its latest version
   * (`s3:GetObject`, for HeadObject) when none is given.
   */
  public grantObjectRead(bucket: s3.IBucket, objectKey: string, objectVersion?: string): iam.Policy | iam.ManagedPolicy {
    const actions = objectVersion === undefined ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObjectVersion'];
    const resource = bucket.arnForObjects(objectKey);
    return this.packageGrants.grant(`s3:${resource}:${actions.join(',')}`, [{ kind: `s3:${actions.join(',')}`, actions, resources: [resource] }]);
  }

  private grantPackageOfKind(scope: IConstruct, packageName: string, kind: 'declared' | 'imported'): iam.Policy | iam.ManagedPolicy {
    const key = `package:${kind}:${packageName}`;
    // Every version asks: the answer is known after the first.
    const granted = this.packagePolicies.get(key);
    if (granted) return granted;
    const pkg = packageArn(scope, packageName);
    const versions = `${pkg}/version/*`;
    const policy = this.packageGrants.grant(key, [{
      kind,
      actions: kind === 'declared' ? DECLARED_PACKAGE_ACTIONS : IMPORTED_PACKAGE_ACTIONS,
      resources: [pkg, versions],
    }]);
    this.packagePolicies.set(key, policy);
    this.destinationPackages.add(packageName);
    acknowledgeWildcardResource(policy, versions,
      `Version actions are scoped to the versions of package ${packageName}; a statement per version ` +
      'would outgrow the size limit of IAM policies in stacks with hundreds of versions.');
    return policy;
  }

}

/** A custom resource of one contract: its attributes are read by the contract's names. */
export class ContractResource<T extends ResourceType> extends CfnResource {
  /** Read by CfnResource when it renders the properties; `Tags.of` reaches it too. */
  public readonly tags?: TagManager;

  constructor(scope: Construct, id: string, props: CfnResourceProps, tags?: TagManager) {
    super(scope, id, props);
    this.tags = tags;
  }

  /** An attribute the handler answers, as a token. */
  public attribute(name: keyof AttributesOf<T> & string): string {
    return Token.asString(this.getAtt(name));
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

/** `iam:PassRole` on roles, only towards IoT. */
function passRoleToIot(roleArns: string[]): iam.PolicyStatement {
  const grant = passRoleGrant(roleArns);
  return new iam.PolicyStatement({ actions: [...grant.actions], resources: [...grant.resources], conditions: grant.conditions });
}

function passRoleGrant(roleArns: string[]): StatementGrant {
  return {
    kind: 'pass-role',
    actions: ['iam:PassRole'],
    resources: roleArns,
    conditions: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
  };
}

function iotArn(stack: Stack, resource: string, resourceName: string): string {
  return stack.formatArn({ service: 'iot', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/** What one job's handler calls touch. */
export interface JobGrants {
  /** The job's ARN, or a prefix pattern (`job/<base>-*`) that also covers its previous generated ids. */
  readonly jobArn: string;
  readonly targets: string[];
  /** Destination versions, with the package name as scoped in this stack's grants. */
  readonly versions: ReadonlyArray<{ readonly packageName: string; readonly packageArn: string; readonly versionArn: string }>;
  readonly jobTemplateArn?: string;
  readonly passRoles: iam.IRole[];
  readonly documents: ReadonlyArray<{ readonly bucket: s3.IBucket; readonly key: string }>;
}

