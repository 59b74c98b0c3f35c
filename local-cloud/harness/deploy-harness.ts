/**
 * A local deploy harness that plays CloudFormation for a synthesized cloud assembly: it
 * creates, updates and deletes the stack's resources in dependency order, runs custom
 * resources through their Lambda handlers (from the assembly's assets, with the real
 * custom-resource request/response protocol over a local ResponseURL), and rolls back failed
 * deployments the way CloudFormation does. Ordinary resources are recorded with synthetic
 * physical ids and ARNs unless a `resourceProviders` hook gives them behaviour.
 *
 * ```ts
 * const harness = new DeployHarness({ env: { AWS_ENDPOINT_URL_IOT: emulator.url } });
 * const result = await harness.deploy(synthesize(app), 'MyStack');   // create or update
 * expect(result.status).toBe('CREATE_COMPLETE');
 * await harness.destroy('MyStack');
 * await harness.close();
 * ```
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { FileAssetDestination, readStackArtifact, StackArtifact, Template, TemplateResource } from './assembly';
import { CloudFormationEndpoint, StackDescription } from './cloudformation-endpoint';
import { assertAcyclic, reverseGraph, runGraph } from './graph';
import { applyIamChange, IAM_TYPES } from './iam-resources';
import { evaluateCondition, isObject, referencedResources, resolve, ResolveContext, stringifyScalars, TemplateError } from './intrinsics';
import { FunctionSpec, LambdaRuntime, Settlement } from './lambda-runtime';
import { ReceivedResponse, ResponseServer } from './response-server';
import { AccountEnvironment, attributesFor, physicalIdFor } from './synthetic-resources';
import type { IamAuthority } from '../emulator/iam-authority';

export type { FileAssetDestination } from './assembly';
export type RequestType = 'Create' | 'Update' | 'Delete';

/** The request CloudFormation sends a custom resource's Lambda function. */
export interface CustomResourceEvent {
  readonly RequestType: RequestType;
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
  readonly PhysicalResourceId?: string;
}

export interface ResourceProviderRequest {
  readonly stackName: string;
  /** `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`: where the resource lives. */
  readonly stackId: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly properties: Record<string, unknown>;
  readonly oldProperties?: Record<string, unknown>;
  readonly physicalId?: string;
}

export interface ResourceProviderResult {
  /** Default: a synthetic physical id on create, the current one on update. */
  readonly physicalId?: string;
  /** Attributes for `Fn::GetAtt`, on top of the synthetic `Arn`. */
  readonly attributes?: Record<string, unknown>;
}

/** Real behaviour for an ordinary resource type; a thrown error fails the resource. */
export interface ResourceProvider {
  create(request: ResourceProviderRequest): Promise<ResourceProviderResult>;
  /** Default: the new properties are recorded in place. A new physicalId means replacement. */
  update?(request: ResourceProviderRequest): Promise<ResourceProviderResult>;
  delete?(request: ResourceProviderRequest): Promise<void>;
}

export interface HarnessOptions {
  /** Used when the stack's environment is not concrete. @default 'us-east-1' */
  readonly region?: string;
  /** Used when the stack's environment is not concrete. @default '123456789012' */
  readonly accountId?: string;
  /** Extra environment for every handler, applied last (e.g. AWS_ENDPOINT_URL_IOT). */
  readonly env?: Record<string, string>;
  /** Resource operations in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Receives every harness and handler log line as it happens. */
  readonly log?: (line: string) => void;
  /** Multiplies function timeouts. @default 1 */
  readonly timeScale?: number;
  /** A fresh module for every invocation; false reuses a warm container when one is idle. @default true */
  readonly coldStartEveryInvocation?: boolean;
  /** Deliver a custom-resource event twice (same RequestId); the first response counts. @default false */
  readonly duplicateDelivery?: boolean | ((event: CustomResourceEvent) => boolean);
  /** Behaviour for ordinary resource types, by type name. */
  readonly resourceProviders?: Record<string, ResourceProvider>;
  /**
   * The `node_modules` directory of the Lambda runtime's own packages (its AWS SDK), searched
   * after the code's own directories, as Lambda's `NODE_PATH` is. @default the project's
   * node_modules, which holds the SDK installed for development
   */
  readonly runtimeModules?: string;
  /**
   * Publishes each file asset before the stack deploys, as `cdk deploy` does (e.g. into an S3
   * emulator, which gives the object its version). Bucket placeholders are resolved.
   */
  readonly publishAsset?: (asset: FileAssetDestination) => void;
  /**
   * The account's IAM: roles and policies of the template are applied to it as they are
   * created, updated, reverted and deleted, and each Lambda function runs with its role's
   * credentials, so the emulators can enforce the policies of each moment.
   */
  readonly iam?: IamAuthority;
}

export type StackEventAction = 'CREATE' | 'UPDATE' | 'DELETE';
/** SKIPPED is CloudFormation's DELETE_SKIPPED (DeletionPolicy / UpdateReplacePolicy Retain). */
export type StackEventStatus = 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'SKIPPED';
export type StackEventPhase = 'deploy' | 'cleanup' | 'rollback' | 'destroy';

export interface StackEvent {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly action: StackEventAction;
  readonly physicalId?: string;
  readonly status: StackEventStatus;
  readonly reason?: string;
  readonly phase: StackEventPhase;
}

export type DeployStatus = 'CREATE_COMPLETE' | 'UPDATE_COMPLETE' | 'ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE'
| 'ROLLBACK_FAILED' | 'UPDATE_ROLLBACK_FAILED';

export interface DeployResult {
  readonly status: DeployStatus;
  readonly events: StackEvent[];
  /** The failure that stopped the deployment (and, after it, any failure of the rollback). */
  readonly failure?: string;
  /** The stack's outputs after the operation (the previous ones after an update rollback). */
  readonly outputs: Record<string, string>;
}

export interface DestroyResult {
  readonly status: 'DELETE_COMPLETE' | 'DELETE_FAILED';
  readonly events: StackEvent[];
  readonly failure?: string;
}

export interface ResourceSummary {
  readonly type: string;
  readonly physicalId: string;
  readonly properties: any;
}

/** One body PUT to a ResponseURL. */
export interface ResponseRecord {
  readonly stackName: string;
  readonly logicalId: string;
  readonly requestType: RequestType;
  readonly requestId: string;
  /** 1 for the first delivery of the event, 2 for a duplicate. */
  readonly delivery: number;
  readonly bytes: number;
  readonly body: string;
}

/** Synthesizes the app and returns the cloud assembly directory. */
export function synthesize(app: cdk.App): string {
  return app.synth().directory;
}

interface ResourceRecord {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  /** Resolved properties, as the handler received them (custom resources: stringified). */
  readonly properties: Record<string, unknown>;
  /** Custom resources: the response's Data. Others: synthetic Arn plus provider attributes. */
  readonly attributes: Record<string, unknown>;
  /** Logical ids this resource depends on (references and DependsOn). */
  readonly dependencies: readonly string[];
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
  readonly lambda?: FunctionSpec;
}

export type StackStatus = DeployStatus | 'DELETE_FAILED' | 'CREATE_IN_PROGRESS' | 'UPDATE_IN_PROGRESS' | 'DELETE_IN_PROGRESS'
| 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' | 'ROLLBACK_IN_PROGRESS' | 'UPDATE_ROLLBACK_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'
| 'DELETE_COMPLETE';

interface StackState {
  readonly name: string;
  readonly stackId: string;
  readonly creationTime: Date;
  readonly env: AccountEnvironment;
  status: StackStatus;
  resources: Map<string, ResourceRecord>;
  outputs: Record<string, string>;
}

/** What one deployment did to a resource, for rollback and cleanup. */
type Change =
  | { readonly kind: 'create'; readonly record: ResourceRecord }
  | { readonly kind: 'update'; readonly before: ResourceRecord; readonly after: ResourceRecord }
  | { readonly kind: 'replace'; readonly before: ResourceRecord; readonly after: ResourceRecord };

interface Plan {
  readonly template: Template;
  readonly resources: Map<string, TemplateResource>;
  /** Logical id → logical ids it depends on, in template order. */
  readonly graph: Map<string, string[]>;
  readonly parameters: Record<string, string>;
}

/** One stack operation: its events and where to find Lambda functions by ARN. */
interface Operation {
  readonly stack: StackState;
  readonly events: StackEvent[];
  readonly functionSources: ReadonlyArray<ReadonlyMap<string, ResourceRecord>>;
}

interface ResourceRequest {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly oldProperties?: Record<string, unknown>;
  readonly physicalId?: string;
}

type ActionResult =
  | { readonly ok: true; readonly physicalId: string; readonly attributes: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string; readonly physicalId?: string };

/** CloudFormation reads at most 4096 bytes of a custom resource response. */
const MAX_RESPONSE_BYTES = 4096;
/** The packages installed for development, which include the AWS SDK: what the harness's Lambda runtime provides. */
const PROJECT_NODE_MODULES = path.join(__dirname, '..', '..', 'node_modules');
const RETAIN_POLICIES = new Set(['Retain', 'RetainExceptOnCreate']);
/** States from which CloudFormation accepts a new deployment (ROLLBACK_COMPLETE: the CDK CLI deletes and re-creates). */
const DEPLOYABLE = new Set<StackStatus>(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'ROLLBACK_COMPLETE']);
const BOOTSTRAP_VERSION_PARAMETER = /^\/cdk-bootstrap\/[^/]+\/version$/;

export class DeployHarness {
  private readonly stacks = new Map<string, StackState>();
  private readonly logLines: string[] = [];
  private readonly responseLog: ResponseRecord[] = [];
  private readonly runtime: LambdaRuntime;
  /** Invocations still running: an operation returns only once its handlers have settled. */
  private readonly running = new Set<Promise<Settlement>>();
  private server?: Promise<ResponseServer>;
  private cloudFormation?: Promise<CloudFormationEndpoint>;
  /** Every stack by id, also deleted ones: DescribeStacks by id still finds them. */
  private readonly stacksById = new Map<string, StackState>();
  /** The response server's host and port, once it listens. */
  private responseHosts: ReadonlyMap<string, number> = new Map();
  /** The environment of every handler: the options' env plus the CloudFormation endpoint. */
  private readonly handlerEnv: Record<string, string>;

  constructor(private readonly options: HarnessOptions = {}) {
    this.handlerEnv = { ...options.env };
    this.runtime = new LambdaRuntime({
      env: this.handlerEnv,
      timeScale: options.timeScale ?? 1,
      coldStartEveryInvocation: options.coldStartEveryInvocation ?? true,
      runtimeModules: options.runtimeModules ?? PROJECT_NODE_MODULES,
      log: (line) => this.log(line),
      // Handlers reach the ResponseURL over HTTPS, as Lambda reaches S3's pre-signed URL.
      localHttpsHosts: () => this.responseHosts,
    });
  }

  /**
   * Creates the stack, or updates it when it exists, like `cdk deploy`. Template errors (and a
   * stack in a state that cannot be updated) throw, as CreateStack/UpdateStack would; resource
   * failures roll back and are reported in the result.
   */
  public async deploy(assemblyDir: string, stackName: string): Promise<DeployResult> {
    await this.startCloudFormation();
    return this.settling(() => this.deployStack(assemblyDir, stackName));
  }

  /**
   * Deletes every resource in reverse dependency order (DeletionPolicy Retain skips it). After
   * a failed delete the stack is DELETE_FAILED and keeps what is left; destroy again to retry.
   */
  public async destroy(stackName: string): Promise<DestroyResult> {
    await this.startCloudFormation();
    return this.settling(() => this.destroyStack(stackName));
  }

  /** The CloudFormation API endpoint the handlers reach (DescribeStacks). */
  public async cloudFormationEndpoint(): Promise<CloudFormationEndpoint> {
    return this.startCloudFormation();
  }

  public physicalId(stackName: string, logicalId: string): string | undefined {
    return this.stacks.get(stackName)?.resources.get(logicalId)?.physicalId;
  }

  public resources(stackName: string): Record<string, ResourceSummary> {
    const records = this.stacks.get(stackName)?.resources.values() ?? [];
    return Object.fromEntries([...records].map((r) => [r.logicalId, { type: r.type, physicalId: r.physicalId, properties: r.properties }]));
  }

  /** The stack's status, or undefined when it does not exist. */
  public status(stackName: string): StackStatus | undefined {
    return this.stacks.get(stackName)?.status;
  }

  /** Every harness and handler log line so far (handler lines carry the function's logical id). */
  public logs(): string[] {
    return [...this.logLines];
  }

  /** Every response body PUT to a ResponseURL so far, including duplicates. */
  public responses(): ResponseRecord[] {
    return [...this.responseLog];
  }

  /** Stops the response server and restores the process environment and console. */
  public async close(): Promise<void> {
    this.runtime.dispose();
    const server = this.server;
    this.server = undefined;
    await (await server)?.close();
    const cloudFormation = this.cloudFormation;
    this.cloudFormation = undefined;
    await (await cloudFormation)?.close();
  }

  private startCloudFormation(): Promise<CloudFormationEndpoint> {
    this.cloudFormation ??= CloudFormationEndpoint.start((nameOrId) => this.describeStack(nameOrId), this.options.iam).then((endpoint) => {
      this.handlerEnv.AWS_ENDPOINT_URL_CLOUDFORMATION ??= endpoint.url;
      return endpoint;
    });
    return this.cloudFormation;
  }

  private describeStack(nameOrId: string): StackDescription | undefined {
    const stack = this.stacksById.get(nameOrId) ?? this.stacks.get(nameOrId);
    return stack && { stackName: stack.name, stackId: stack.stackId, status: stack.status, creationTime: stack.creationTime };
  }

  private async deployStack(assemblyDir: string, stackName: string): Promise<DeployResult> {
    const artifact = readStackArtifact(assemblyDir, stackName);
    if (this.options.publishAsset) {
      const account = artifact.account ?? this.options.accountId ?? '123456789012';
      const region = artifact.region ?? this.options.region ?? 'us-east-1';
      for (const asset of artifact.fileAssets) {
        this.options.publishAsset({
          ...asset,
          bucketName: asset.bucketName.replace('${AWS::AccountId}', account).replace('${AWS::Region}', region).replace('${AWS::Partition}', 'aws'),
        });
      }
    }
    const existing = this.stacks.get(stackName);
    if (existing && !DEPLOYABLE.has(existing.status)) {
      throw new Error(`Stack ${stackName} is in ${existing.status} state and can not be updated`);
    }
    const isCreate = !existing || existing.status === 'ROLLBACK_COMPLETE';
    const stack = isCreate ? this.newStack(stackName, artifact) : existing!;
    const plan = planDeployment(artifact.template, stack);
    this.stacks.set(stackName, stack);
    this.setStatus(stack, isCreate ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS');
    const previous = stack.resources;
    const working = new Map(isCreate ? [] : previous);
    const op: Operation = { stack, events: [], functionSources: [working, previous] };
    const changes = new Map<string, Change>();
    const failures: string[] = [];

    await runGraph(plan.graph, async (logicalId) => {
      const failure = await this.applyResource(op, plan, artifact, logicalId, previous, working, changes);
      if (failure) {
        failures.push(`${logicalId}: ${failure}`);
      }
      return failure === undefined;
    }, { concurrency: this.concurrency, continueOnFailure: false });

    let outputs: Record<string, string> = {};
    if (failures.length === 0) {
      try {
        outputs = resolveOutputs(plan, this.resolveContext(stack, plan, working));
      } catch (error) {
        failures.push(`Outputs: ${errorMessage(error)}`);
      }
    }
    if (failures.length > 0) {
      return this.rollback(op, isCreate, previous, working, changes, failures[0]);
    }

    // Cleanup runs only after every create and update succeeded: removed resources and the
    // old physical ids of replaced ones are deleted in reverse dependency order. A failed
    // cleanup delete does not fail the stack; CloudFormation forgets the resource.
    const removed = [...previous.values()].filter((r) => !plan.resources.has(r.logicalId));
    const replaced = [...changes.values()].flatMap((c) => (c.kind === 'replace' ? [c.before] : []));
    if (!isCreate) this.setStatus(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    await this.deleteAll(op, 'cleanup', [...removed, ...replaced], (r) => RETAIN_POLICIES.has(
      (plan.resources.has(r.logicalId) ? r.updateReplacePolicy : r.deletionPolicy) ?? 'Delete'));

    stack.resources = new Map([...working].filter(([id]) => plan.resources.has(id)));
    stack.outputs = outputs;
    const status = isCreate ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE';
    this.setStatus(stack, status);
    return { status, events: op.events, outputs: { ...outputs } };
  }

  private async destroyStack(stackName: string): Promise<DestroyResult> {
    const stack = this.stacks.get(stackName);
    if (!stack) {
      return { status: 'DELETE_COMPLETE', events: [] };
    }
    if (stack.status.endsWith('_IN_PROGRESS')) {
      throw new Error(`Stack ${stackName} is in ${stack.status} state and can not be deleted`);
    }
    this.setStatus(stack, 'DELETE_IN_PROGRESS');
    const op: Operation = { stack, events: [], functionSources: [stack.resources] };
    const { remaining, failure } = await this.deleteAll(op, 'destroy', [...stack.resources.values()],
      (r) => RETAIN_POLICIES.has(r.deletionPolicy ?? 'Delete'));
    if (remaining.length === 0) {
      this.stacks.delete(stackName);
      this.setStatus(stack, 'DELETE_COMPLETE');
      return { status: 'DELETE_COMPLETE', events: op.events };
    }
    stack.resources = new Map(remaining.map((r) => [r.logicalId, r]));
    this.setStatus(stack, 'DELETE_FAILED');
    return { status: 'DELETE_FAILED', events: op.events, failure };
  }

  /**
   * Runs a stack operation, then waits until every handler it invoked has returned or timed
   * out, so no handler activity outlives the operation (CloudFormation itself moves on as soon
   * as a response arrives, and so do the resource operations within).
   */
  private async settling<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } finally {
      await Promise.all(this.running);
    }
  }

  private get concurrency(): number {
    return Math.max(1, this.options.concurrency ?? 8);
  }

  /** Creates, updates or leaves one resource; returns the failure reason, if any. */
  private async applyResource(
    op: Operation, plan: Plan, artifact: StackArtifact, logicalId: string,
    previous: ReadonlyMap<string, ResourceRecord>, working: Map<string, ResourceRecord>, changes: Map<string, Change>,
  ): Promise<string | undefined> {
    const definition = plan.resources.get(logicalId)!;
    const type = definition.Type;
    const before = previous.get(logicalId);
    const base = {
      logicalId,
      type,
      dependencies: plan.graph.get(logicalId)!,
      deletionPolicy: definition.DeletionPolicy,
      updateReplacePolicy: definition.UpdateReplacePolicy,
    };

    let properties: Record<string, unknown>;
    try {
      const resolved = resolve(definition.Properties ?? {}, this.resolveContext(op.stack, plan, working)) as Record<string, unknown>;
      // CloudFormation passes custom resources every scalar as a string.
      properties = isCustomResource(type) ? stringifyScalars(resolved) as Record<string, unknown> : resolved;
    } catch (error) {
      const reason = errorMessage(error);
      this.event(op, { logicalId, resourceType: type, action: before ? 'UPDATE' : 'CREATE', status: 'FAILED', reason, phase: 'deploy' });
      return reason;
    }
    const toRecord = (physicalId: string, attributes: Record<string, unknown>): ResourceRecord => ({
      ...base,
      physicalId,
      properties,
      attributes,
      lambda: type === 'AWS::Lambda::Function' ? this.functionSpec(logicalId, physicalId, attributes, properties, artifact, op.stack.env) : undefined,
    });

    if (!before) {
      const result = await this.act(op, 'deploy', 'CREATE', { logicalId, type, properties });
      if (result.ok) {
        const record = toRecord(result.physicalId, result.attributes);
        working.set(logicalId, record);
        changes.set(logicalId, { kind: 'create', record });
        return undefined;
      }
      if (isCustomResource(type)) {
        // CloudFormation sends a failed custom resource a Delete on rollback, with the physical
        // id of its FAILED response (or a generated one when there was no valid response).
        changes.set(logicalId, { kind: 'create', record: toRecord(result.physicalId ?? physicalIdFor(type, logicalId, {}, op.stack.name, op.stack.env), {}) });
      }
      return result.reason;
    }

    if (before.type !== type) {
      const reason = `Update of resource type is not permitted. The new template modifies resource type of resource ${logicalId} (${before.type} → ${type}).`;
      this.event(op, { logicalId, resourceType: type, action: 'UPDATE', physicalId: before.physicalId, status: 'FAILED', reason, phase: 'deploy' });
      return reason;
    }
    if (canonical(before.properties) === canonical(properties)) {
      // Unchanged resources are not touched. A Lambda function's code directory is refreshed:
      // the same S3 key is the same code, found in this assembly.
      working.set(logicalId, toRecord(before.physicalId, before.attributes));
      return undefined;
    }
    const result = await this.act(op, 'deploy', 'UPDATE', {
      logicalId, type, properties, oldProperties: before.properties, physicalId: before.physicalId,
    });
    if (!result.ok) {
      // A failed update is rolled back with an Update to the previous properties, too.
      changes.set(logicalId, { kind: 'update', before, after: toRecord(before.physicalId, before.attributes) });
      return result.reason;
    }
    const after = toRecord(result.physicalId, result.attributes);
    working.set(logicalId, after);
    if (before.lambda && after.lambda) {
      this.runtime.discard(before.lambda);
    }
    // A different physical id from an Update is a replacement: the old one goes in cleanup.
    changes.set(logicalId, { kind: result.physicalId === before.physicalId ? 'update' : 'replace', before, after });
    return undefined;
  }

  /**
   * Rolls back a failed deployment, as CloudFormation does.
   * - Create (ROLLBACK_IN_PROGRESS): every resource created so far is deleted in reverse
   *   dependency order (RetainExceptOnCreate resources too; Retain ones are kept).
   *   → ROLLBACK_COMPLETE.
   * - Update (UPDATE_ROLLBACK_IN_PROGRESS): resources updated in this deployment get an Update
   *   back to their previous properties, in dependency order: OldResourceProperties are the
   *   ones attempted, the physical id is the one that last succeeded (a failed update's: the
   *   previous one; a replaced custom resource's: the new one, since CloudFormation cannot
   *   undo a replacement it learned of from the handler's answer). Then
   *   (UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS) resources created in it, and physical ids
   *   the rollback left behind, are deleted in reverse order; removed resources were never
   *   deleted. → UPDATE_ROLLBACK_COMPLETE with the previous state.
   * Any failure in rollback → *_ROLLBACK_FAILED.
   */
  private async rollback(
    deployOp: Operation, isCreate: boolean, previous: Map<string, ResourceRecord>, working: Map<string, ResourceRecord>,
    changes: Map<string, Change>, failure: string,
  ): Promise<DeployResult> {
    const { stack } = deployOp;
    const restored = new Map(previous);
    // ServiceTokens resolve to the restored functions first (a rolled-back function runs its old code).
    const op: Operation = { ...deployOp, functionSources: [restored, working] };
    const all = [...changes.values()];
    let rollbackFailure: string | undefined;

    if (isCreate) {
      this.setStatus(stack, 'ROLLBACK_IN_PROGRESS', failure);
      const created = all.flatMap((c) => (c.kind === 'create' ? [c.record] : []));
      const { remaining, failure: deleteFailure } = await this.deleteAll(op, 'rollback', created, (r) => r.deletionPolicy === 'Retain');
      rollbackFailure = deleteFailure;
      stack.resources = new Map(remaining.map((r) => [r.logicalId, r]));
      stack.outputs = {};
    } else {
      this.setStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', failure);
      const reverted = new Map(all.flatMap((c) => (c.kind === 'update' || (c.kind === 'replace' && isCustomResource(c.before.type))
        ? [[c.before.logicalId, c] as const] : [])));
      /** Physical ids the rollback no longer uses: deleted in the rollback's cleanup. */
      const leftBehind: ResourceRecord[] = all.flatMap((c) => (c.kind === 'create' ? [c.record]
        : c.kind === 'replace' && !isCustomResource(c.before.type) ? [c.after] : []));
      const graph = new Map([...reverted.values()].map((c) => [c.before.logicalId, c.before.dependencies.filter((d) => reverted.has(d))]));
      await runGraph(graph, async (logicalId) => {
        const { before, after } = reverted.get(logicalId)!;
        const result = await this.act(op, 'rollback', 'UPDATE', {
          logicalId, type: before.type, properties: before.properties, oldProperties: after.properties, physicalId: after.physicalId,
        });
        if (!result.ok) {
          rollbackFailure ??= `${logicalId}: ${result.reason}`;
          restored.set(logicalId, after);
          return false;
        }
        if (result.physicalId !== after.physicalId) {
          // A different id answers the rollback Update: CloudFormation deletes the one it replaces in cleanup.
          leftBehind.push(after);
        }
        if (result.physicalId !== before.physicalId) {
          this.log(`${stack.name}: rollback Update of ${logicalId} answered PhysicalResourceId ${result.physicalId}, not the previous ${before.physicalId}`);
        }
        restored.set(logicalId, { ...before, physicalId: result.physicalId, attributes: result.attributes });
        return true;
      }, { concurrency: this.concurrency, continueOnFailure: true });

      this.setStatus(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
      const { remaining, failure: deleteFailure } = await this.deleteAll(op, 'rollback', leftBehind,
        (r) => !previous.has(r.logicalId) && r.deletionPolicy === 'Retain');
      rollbackFailure ??= deleteFailure;
      for (const record of remaining.filter((r) => !previous.has(r.logicalId))) {
        restored.set(record.logicalId, record);
      }
      stack.resources = restored;
    }
    const status: DeployStatus = isCreate
      ? (rollbackFailure ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE')
      : (rollbackFailure ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE');
    this.setStatus(stack, status, failure);
    return {
      status,
      events: op.events,
      failure: rollbackFailure ? `${failure}; rollback failed: ${rollbackFailure}` : failure,
      outputs: { ...stack.outputs },
    };
  }

  /**
   * Deletes records in reverse dependency order, independent ones in parallel, continuing past
   * failures with whatever they do not block. Returns the records still there.
   */
  private async deleteAll(
    op: Operation, phase: StackEventPhase, records: ResourceRecord[], retained: (record: ResourceRecord) => boolean,
  ): Promise<{ remaining: ResourceRecord[]; failure?: string }> {
    const byId = new Map(records.map((r) => [r.logicalId, r]));
    const graph = new Map(records.map((r) => [r.logicalId, r.dependencies.filter((d) => byId.has(d))]));
    let failure: string | undefined;
    const { succeeded } = await runGraph(reverseGraph(graph), async (logicalId) => {
      const record = byId.get(logicalId)!;
      if (retained(record)) {
        this.event(op, { logicalId, resourceType: record.type, action: 'DELETE', physicalId: record.physicalId, status: 'SKIPPED', reason: 'Retained (DeletionPolicy/UpdateReplacePolicy)', phase });
        return true;
      }
      const result = await this.act(op, phase, 'DELETE', record);
      if (!result.ok) {
        failure ??= `${logicalId}: ${result.reason}`;
        return false;
      }
      if (record.lambda) {
        this.runtime.discard(record.lambda);
      }
      return true;
    }, { concurrency: this.concurrency, continueOnFailure: true });
    const done = new Set(succeeded);
    return { remaining: records.filter((r) => !done.has(r.logicalId)), failure };
  }

  /** Performs one resource operation and records its events. */
  private async act(op: Operation, phase: StackEventPhase, action: StackEventAction, request: ResourceRequest): Promise<ActionResult> {
    const { logicalId, type } = request;
    this.event(op, { logicalId, resourceType: type, action, physicalId: request.physicalId, status: 'IN_PROGRESS', phase });
    const result = isCustomResource(type)
      ? await this.invokeCustomResource(op, action, request)
      : await this.applyOrdinaryResource(op, action, request);
    this.event(op, result.ok
      ? { logicalId, resourceType: type, action, physicalId: result.physicalId, status: 'COMPLETE', phase }
      : { logicalId, resourceType: type, action, physicalId: result.physicalId ?? request.physicalId, status: 'FAILED', reason: result.reason, phase });
    return result;
  }

  /** Ordinary resources are recorded, or handed to a `resourceProviders` hook. */
  private async applyOrdinaryResource(op: Operation, action: StackEventAction, request: ResourceRequest): Promise<ActionResult> {
    const provider = this.options.resourceProviders?.[request.type];
    const providerRequest: ResourceProviderRequest = {
      stackName: op.stack.name,
      stackId: op.stack.stackId,
      logicalId: request.logicalId,
      resourceType: request.type,
      properties: request.properties,
      oldProperties: request.oldProperties,
      physicalId: request.physicalId,
    };
    const iam = this.options.iam;
    const applyIam = (physicalId: string) => {
      if (iam && IAM_TYPES.has(request.type)) {
        applyIamChange(iam, op.stack.env, {
          stackName: op.stack.name,
          logicalId: request.logicalId,
          type: request.type,
          action,
          physicalId,
          properties: request.properties,
          oldProperties: request.oldProperties,
        });
      }
    };
    try {
      if (action === 'DELETE') {
        await provider?.delete?.(providerRequest);
        applyIam(request.physicalId!);
        return { ok: true, physicalId: request.physicalId!, attributes: {} };
      }
      const result = action === 'CREATE' ? await provider?.create(providerRequest) : await provider?.update?.(providerRequest);
      const physicalId = result?.physicalId ?? request.physicalId
        ?? physicalIdFor(request.type, request.logicalId, request.properties, op.stack.name, op.stack.env);
      applyIam(physicalId);
      return { ok: true, physicalId, attributes: { ...attributesFor(request.type, physicalId, op.stack.env), ...result?.attributes } };
    } catch (error) {
      return { ok: false, reason: errorMessage(error) };
    }
  }

  /**
   * Sends the custom-resource request to the Lambda function named by ServiceToken and waits
   * for the response at the ResponseURL. The first response wins; a handler that returns or
   * throws without responding, or runs past its timeout, fails the resource (CloudFormation
   * would wait an hour and then fail it).
   */
  private async invokeCustomResource(op: Operation, action: StackEventAction, request: ResourceRequest): Promise<ActionResult> {
    const { stack } = op;
    const serviceToken = String(request.properties.ServiceToken ?? '');
    const fn = findFunction(op, serviceToken);
    if (!fn) {
      return { ok: false, reason: `ServiceToken ${serviceToken} is not the Arn of a Lambda function of stack ${stack.name}; the harness invokes only functions of the same stack` };
    }
    const server = await this.responseServer();
    const requestId = randomUUID();
    const requestType = (action[0] + action.slice(1).toLowerCase()) as RequestType;
    const slot = server.newSlot(stack.stackId, request.logicalId, requestId);
    const event: CustomResourceEvent = {
      RequestType: requestType,
      ServiceToken: serviceToken,
      ResponseURL: slot.url,
      StackId: stack.stackId,
      RequestId: requestId,
      LogicalResourceId: request.logicalId,
      ResourceType: request.type,
      ResourceProperties: request.properties,
      ...(requestType === 'Update' ? { OldResourceProperties: request.oldProperties } : {}),
      ...(requestType !== 'Create' ? { PhysicalResourceId: request.physicalId } : {}),
    };
    const duplicate = this.options.duplicateDelivery;
    const deliveries = (typeof duplicate === 'function' ? duplicate(event) : duplicate === true) ? 2 : 1;
    this.log(`${stack.name}: ${requestType} ${request.logicalId} (${request.type}) → ${fn.functionName}, RequestId ${requestId}${deliveries > 1 ? ', delivered twice' : ''}`);

    let noResponse: Settlement | undefined;
    for (let delivery = 1; delivery <= deliveries; delivery++) {
      const seen = slot.received.length;
      const responded = slot.waitForCount(seen + 1).then(() => undefined);
      const invocation = this.runtime.invoke(fn, structuredClone(event));
      this.running.add(invocation);
      void invocation.then(() => this.running.delete(invocation));
      const settlement = await Promise.race([responded, invocation]);
      for (const response of slot.received.slice(seen)) {
        this.responseLog.push({ stackName: stack.name, logicalId: request.logicalId, requestType, requestId, delivery, ...response });
      }
      if (slot.received.length === seen && delivery === 1) {
        noResponse = settlement;
      }
    }
    server.release(slot);

    const [first] = slot.received;
    if (!first) {
      return { ok: false, reason: noResponseReason(requestId, noResponse) };
    }
    return this.parseResponse(stack, request, requestType, requestId, first);
  }

  private parseResponse(
    stack: StackState, request: ResourceRequest, requestType: RequestType, requestId: string, response: ReceivedResponse,
  ): ActionResult {
    if (response.bytes > MAX_RESPONSE_BYTES) {
      return { ok: false, reason: 'Response object is too long.' };
    }
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch (error) {
      return { ok: false, reason: `Invalid response object: ${errorMessage(error)}` };
    }
    if (!isObject(body) || (body.Status !== 'SUCCESS' && body.Status !== 'FAILED')) {
      return { ok: false, reason: 'Invalid response object: Status must be SUCCESS or FAILED' };
    }
    const physicalId = typeof body.PhysicalResourceId === 'string' && body.PhysicalResourceId !== '' ? body.PhysicalResourceId : undefined;
    if (body.Status === 'FAILED') {
      return { ok: false, physicalId, reason: `Received response status [FAILED] from custom resource. Message returned: ${String(body.Reason ?? '')} (RequestId: ${requestId})` };
    }
    if (!physicalId) {
      return { ok: false, reason: 'Invalid PhysicalResourceId' };
    }
    if (requestType === 'Delete' && physicalId !== request.physicalId) {
      this.log(`${stack.name}: warning: Delete of ${request.logicalId} answered PhysicalResourceId ${physicalId}, not ${request.physicalId}`);
    }
    return { ok: true, physicalId, attributes: isObject(body.Data) ? body.Data : {} };
  }

  private resolveContext(stack: StackState, plan: Plan, resources: ReadonlyMap<string, ResourceRecord>): ResolveContext {
    const lookup = (logicalId: string): ResourceRecord => {
      const record = resources.get(logicalId);
      if (!record || !plan.resources.has(logicalId)) {
        throw new TemplateError(`Unresolved resource dependency ${logicalId}: it does not exist or has not been created`);
      }
      return record;
    };
    return {
      pseudo: {
        region: stack.env.region,
        accountId: stack.env.accountId,
        partition: stack.env.partition,
        urlSuffix: stack.env.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
        stackName: stack.name,
        stackId: stack.stackId,
      },
      parameters: plan.parameters,
      conditions: plan.template.Conditions ?? {},
      mappings: plan.template.Mappings ?? {},
      ref: (logicalId) => lookup(logicalId).physicalId,
      getAtt: (logicalId, attribute) => {
        const record = lookup(logicalId);
        if (attribute in record.attributes) {
          return record.attributes[attribute];
        }
        if (isCustomResource(record.type)) {
          throw new TemplateError(`CustomResource attribute error: Vendor response doesn't contain ${attribute} key in object ${stack.stackId}|${logicalId}`);
        }
        return attribute in record.properties ? record.properties[attribute] : `${record.physicalId}.${attribute}`;
      },
    };
  }

  /** A function as Lambda runs it; with an IAM authority, under its role's credentials. */
  private functionSpec(
    logicalId: string, physicalId: string, attributes: Record<string, unknown>, properties: Record<string, unknown>,
    artifact: StackArtifact, env: AccountEnvironment,
  ): FunctionSpec {
    const spec = functionSpec(logicalId, physicalId, attributes, properties, artifact, env);
    const role = typeof properties.Role === 'string' ? properties.Role : undefined;
    return this.options.iam && role ? { ...spec, credentials: this.options.iam.credentialsFor(role) } : spec;
  }

  private newStack(name: string, artifact: StackArtifact): StackState {
    const region = artifact.region ?? this.options.region ?? 'us-east-1';
    const accountId = artifact.account ?? this.options.accountId ?? '123456789012';
    const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    const stack: StackState = {
      name,
      stackId: `arn:${partition}:cloudformation:${region}:${accountId}:stack/${name}/${randomUUID()}`,
      creationTime: new Date(),
      env: { region, accountId, partition },
      status: 'CREATE_IN_PROGRESS',
      resources: new Map(),
      outputs: {},
    };
    this.stacksById.set(stack.stackId, stack);
    return stack;
  }

  private setStatus(stack: StackState, status: StackStatus, detail?: string): void {
    stack.status = status;
    this.log(`${stack.name}: ${status}${detail ? `: ${detail}` : ''}`);
  }

  private responseServer(): Promise<ResponseServer> {
    this.server ??= ResponseServer.start().then((server) => {
      const { hostname, port } = new URL(server.baseUrl);
      this.responseHosts = new Map([[hostname, Number(port)]]);
      return server;
    });
    return this.server;
  }

  private event(op: Operation, event: StackEvent): void {
    op.events.push(event);
    const id = event.physicalId ? ` [${event.physicalId}]` : '';
    this.log(`${op.stack.name}: ${event.phase} ${event.logicalId}${id} ${event.action}_${event.status}${event.reason ? `: ${event.reason}` : ''}`);
  }

  private log(line: string): void {
    this.logLines.push(line);
    this.options.log?.(line);
  }
}

/**
 * Validates the template and orders its resources: conditions decide which resources exist,
 * AWS::CDK::Metadata is skipped, Rules (CDK's CheckBootstrapVersion) are ignored, and the
 * dependency graph comes from Ref / Fn::GetAtt / Fn::Sub references plus DependsOn.
 */
function planDeployment(template: Template, stack: StackState): Plan {
  const parameters = parameterValues(template);
  const all = template.Resources ?? {};
  const allIds = new Set(Object.keys(all));
  const conditionContext: ResolveContext = {
    pseudo: { ...stack.env, urlSuffix: 'amazonaws.com', stackName: stack.name, stackId: stack.stackId },
    parameters,
    conditions: template.Conditions ?? {},
    mappings: template.Mappings ?? {},
    ref: (id) => { throw new TemplateError(`Conditions cannot reference resource ${id}`); },
    getAtt: (id) => { throw new TemplateError(`Conditions cannot reference resource ${id}`); },
  };
  const resources = new Map(Object.entries(all).filter(([, r]) => r.Type !== 'AWS::CDK::Metadata'
    && (r.Condition === undefined || evaluateCondition(r.Condition, conditionContext))));

  const graph = new Map<string, string[]>();
  for (const [id, resource] of resources) {
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    const missing = dependsOn.filter((d) => !allIds.has(d));
    if (missing.length > 0) {
      throw new TemplateError(`Template format error: Unresolved resource dependencies [${missing.join(', ')}] in the Resources block of the template`);
    }
    const deps = new Set([...referencedResources(resource.Properties ?? {}, allIds), ...dependsOn]);
    graph.set(id, [...deps].filter((d) => resources.has(d)));
  }
  assertAcyclic(graph);
  return { template, resources, graph, parameters };
}

/** Parameter defaults; CDK's SSM-typed BootstrapVersion reads as a current bootstrap version. */
function parameterValues(template: Template): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    if (parameter.Default === undefined) {
      throw new TemplateError(`Parameters: [${name}] must have values`);
    }
    const value = Array.isArray(parameter.Default) ? parameter.Default.join(',') : String(parameter.Default);
    if (parameter.Type.startsWith('AWS::SSM::Parameter::Value')) {
      if (!BOOTSTRAP_VERSION_PARAMETER.test(value)) {
        throw new TemplateError(`Parameter ${name}: the harness cannot read SSM parameter ${value}`);
      }
      values[name] = '30';
    } else {
      values[name] = value;
    }
  }
  return values;
}

function resolveOutputs(plan: Plan, ctx: ResolveContext): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(plan.template.Outputs ?? {})) {
    if (output.Condition === undefined || evaluateCondition(output.Condition, ctx)) {
      const value = resolve(output.Value, ctx);
      outputs[name] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  return outputs;
}

function functionSpec(
  logicalId: string, physicalId: string, attributes: Record<string, unknown>, properties: Record<string, unknown>,
  artifact: StackArtifact, env: AccountEnvironment,
): FunctionSpec {
  const code = isObject(properties.Code) ? properties.Code : {};
  const codeKey = typeof code.S3Key === 'string' ? code.S3Key : JSON.stringify(code);
  const assetPath = artifact.assetPaths.get(codeKey);
  const environment = isObject(properties.Environment) && isObject(properties.Environment.Variables) ? properties.Environment.Variables : {};
  return {
    logicalId,
    functionName: physicalId,
    functionArn: String(attributes.Arn),
    region: env.region,
    codeKey,
    codeDir: assetPath && fs.statSync(assetPath).isDirectory() ? assetPath : undefined,
    handler: String(properties.Handler ?? 'index.handler'),
    runtime: String(properties.Runtime ?? 'nodejs'),
    timeoutSeconds: Number(properties.Timeout ?? 3),
    memoryMb: Number(properties.MemorySize ?? 128),
    environment: Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v)])),
  };
}

function findFunction(op: Operation, arn: string): FunctionSpec | undefined {
  for (const source of op.functionSources) {
    for (const record of source.values()) {
      if (record.lambda?.functionArn === arn) {
        return record.lambda;
      }
    }
  }
  return undefined;
}

function noResponseReason(requestId: string, settlement: Settlement | undefined): string {
  const detail = settlement?.kind === 'timeout'
    ? `the function timed out after ${settlement.seconds} seconds`
    : settlement?.kind === 'threw'
      ? `the handler threw ${settlement.error} without sending a response`
      : 'the handler returned without sending a response';
  return `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}]. (harness: ${detail}; CloudFormation would wait 1 hour)`;
}

function isCustomResource(type: string): boolean {
  return type === 'AWS::CloudFormation::CustomResource' || type.startsWith('Custom::');
}

/** JSON with sorted keys, to compare resolved properties. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
