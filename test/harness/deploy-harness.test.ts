import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { App, CfnOutput, CfnResource, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IamAuthority } from '../../local-cloud/emulator/iam-authority';
import { evaluate } from '../../local-cloud/emulator/iam-policy';
import { DeployHarness, HarnessOptions, StackEvent, synthesize } from '../../local-cloud/harness/deploy-harness';
import { assertAcyclic, runGraph } from '../../local-cloud/harness/graph';
import { referencedResources, resolve, ResolveContext, stringifyScalars } from '../../local-cloud/harness/intrinsics';

const FIXTURE = path.join(__dirname, 'fixtures', 'echo-handler');
const STACK = 'S';

/** What the echo fixture recorded about one invocation. */
interface Recorded {
  readonly kind: 'start' | 'end';
  readonly t: number;
  readonly requestType: string;
  readonly logicalId: string;
  readonly requestId: string;
  readonly physicalId?: string;
  readonly props: Record<string, any>;
  readonly oldProps?: Record<string, any>;
  readonly delivery: number;
  readonly loadedAt: string;
  readonly invocationsInThisContainer: number;
  readonly functionName: string;
  readonly region: string;
  readonly probe: string;
  readonly remainingMs: number;
  readonly resolvedModule?: string;
}

type Echo = (id: string, properties?: Record<string, unknown>, options?: { fn?: string; removalPolicy?: RemovalPolicy }) => CustomResource;

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Synthesizes stack S with echo custom resources served by one or more fixture functions. */
function synthEcho(define: (stack: Stack, echo: Echo) => void): string {
  const app = new App({ outdir: tempDir('harness-asm-'), context: {} });
  const stack = new Stack(app, STACK, { env: { account: '123456789012', region: 'us-east-1' } });
  const functions = new Map<string, lambda.Function>();
  const fn = (id: string) => functions.get(id) ?? functions.set(id, new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(FIXTURE),
    timeout: Duration.seconds(2),
    environment: { ECHO_PROBE: `from-${id}` },
  })).get(id)!;
  define(stack, (id, properties = {}, options = {}) => new CustomResource(stack, id, {
    serviceToken: fn(options.fn ?? 'Fn').functionArn,
    resourceType: 'Custom::Echo',
    properties,
    removalPolicy: options.removalPolicy,
  }));
  return synthesize(app);
}

let harness: DeployHarness;
let recordFile: string;

function newHarness(options: HarnessOptions = {}): DeployHarness {
  harness = new DeployHarness({ ...options, env: { ECHO_RECORD_FILE: recordFile, ...options.env } });
  return harness;
}

function recorded(filter: Partial<Pick<Recorded, 'kind' | 'logicalId' | 'requestType'>> = {}): Recorded[] {
  if (!fs.existsSync(recordFile)) {
    return [];
  }
  return fs.readFileSync(recordFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Recorded)
    .filter((r) => Object.entries(filter).every(([k, v]) => r[k as keyof Recorded] === v));
}

function one(filter: Partial<Pick<Recorded, 'kind' | 'logicalId' | 'requestType'>>): Recorded {
  const found = recorded({ kind: 'start', ...filter });
  expect(found).toHaveLength(1);
  return found[0];
}

/** `LOGICAL ACTION_STATUS` of each event (custom resources only unless `all`), in order. */
function steps(events: StackEvent[], phase?: StackEvent['phase'], all = false): string[] {
  return events
    .filter((e) => (all || e.resourceType === 'Custom::Echo') && (!phase || e.phase === phase) && e.status !== 'IN_PROGRESS')
    .map((e) => `${e.logicalId} ${e.action}_${e.status}`);
}

function logicalIdOfType(type: string): string {
  return Object.entries(harness.resources(STACK)).find(([, r]) => r.type === type)![0];
}

beforeEach(() => {
  recordFile = path.join(tempDir('harness-rec-'), 'events.jsonl');
});

afterEach(async () => {
  await harness?.close();
});

afterAll(() => {
  tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
});

describe('create', () => {
  test('follows dependencies, overlaps independent resources and passes properties as CloudFormation does', async () => {
    // GIVEN
    const dir = synthEcho((stack, echo) => {
      const a = echo('A', { DelayMs: 300, Data: { Out: 'a-out' } });
      const b = echo('B', { DelayMs: 300 });
      echo('C', { FromA: a.getAttString('Out'), RefB: b.ref });
      echo('D', { Num: 42, Ratio: 3.5, Flag: true, List: [1, false, { Deep: 3 }], Text: 'x' });
      new CfnOutput(stack, 'OutOfA', { value: a.getAttString('Out') });
    });
    newHarness();

    // WHEN
    const result = await harness.deploy(dir, STACK);

    // THEN
    expect(result).toMatchObject({ status: 'CREATE_COMPLETE', outputs: { OutOfA: 'a-out' } });
    const [startA, startB, startC] = ['A', 'B', 'C'].map((id) => one({ logicalId: id }).t);
    const [endA, endB] = ['A', 'B'].map((id) => recorded({ kind: 'end', logicalId: id })[0].t);
    expect(startA).toBeLessThan(endB);
    expect(startB).toBeLessThan(endA);
    expect(startC).toBeGreaterThanOrEqual(Math.max(endA, endB));

    expect(one({ logicalId: 'C' }).props).toMatchObject({ FromA: 'a-out', RefB: harness.physicalId(STACK, 'B') });
    expect(one({ logicalId: 'D' }).props).toEqual({
      ServiceToken: expect.stringMatching(/^arn:aws:lambda:us-east-1:123456789012:function:S-Fn/),
      Num: '42',
      Ratio: '3.5',
      Flag: 'true',
      List: ['1', 'false', { Deep: '3' }],
      Text: 'x',
    });

    // The role exists before the function, the function before any custom resource.
    const order = steps(result.events, 'deploy', true);
    const fnId = logicalIdOfType('AWS::Lambda::Function');
    const roleId = logicalIdOfType('AWS::IAM::Role');
    expect(order.indexOf(`${roleId} CREATE_COMPLETE`)).toBeLessThan(order.indexOf(`${fnId} CREATE_COMPLETE`));
    expect(result.events.findIndex((e) => e.logicalId === fnId && e.status === 'COMPLETE'))
      .toBeLessThan(result.events.findIndex((e) => e.resourceType === 'Custom::Echo'));

    // The handler ran as the function: its name, region, environment and timeout.
    const a = one({ logicalId: 'A' });
    expect(a).toMatchObject({ functionName: harness.physicalId(STACK, fnId), region: 'us-east-1', probe: 'from-Fn' });
    expect(a.remainingMs).toBeGreaterThan(0);
    expect(a.remainingMs).toBeLessThanOrEqual(2000);
    expect(harness.resources(STACK)[fnId].properties.Role).toBe(`arn:aws:iam::123456789012:role/${harness.physicalId(STACK, roleId)}`);
  });

  test('hands ordinary resources to a resource provider when one is given', async () => {
    // GIVEN
    const created: string[] = [];
    const dir = synthEcho((stack, echo) => {
      const template = new CfnResource(stack, 'Tpl', { type: 'AWS::IoT::JobTemplate', properties: { JobTemplateId: 'tpl-1', Description: 'd' } });
      echo('UsesTemplate', { Arn: template.getAtt('Arn').toString(), Id: template.ref, Extra: template.getAtt('Extra').toString() });
    });
    newHarness({
      resourceProviders: {
        'AWS::IoT::JobTemplate': {
          create: async (request) => {
            created.push(request.logicalId);
            return { attributes: { Extra: 'from-provider' } };
          },
        },
      },
    });

    // WHEN
    const result = await harness.deploy(dir, STACK);

    // THEN
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(created).toEqual(['Tpl']);
    expect(one({ logicalId: 'UsesTemplate' }).props).toMatchObject({
      Arn: 'arn:aws:iot:us-east-1:123456789012:jobtemplate/tpl-1', Id: 'tpl-1', Extra: 'from-provider',
    });
  });
});

describe('update', () => {
  test('updates in place, replaces, creates, and deletes removed and replaced resources in cleanup', async () => {
    // GIVEN
    const v1 = synthEcho((_, echo) => {
      echo('A', { V: 1 });
      echo('B', { V: 1 });
      const c = echo('C', { V: 1, PhysicalId: 'c-v1' });
      echo('D', { V: 1 });
      echo('F', { FromC: c.ref });
    });
    const v2 = synthEcho((_, echo) => {
      echo('A', { V: 2 }, { fn: 'Fn2' });
      echo('B', { V: 1 });
      const c = echo('C', { V: 2, PhysicalId: 'c-v2' });
      echo('E', { V: 1 });
      echo('F', { FromC: c.ref });
    });
    newHarness();
    expect((await harness.deploy(v1, STACK)).status).toBe('CREATE_COMPLETE');
    const idOfA = harness.physicalId(STACK, 'A');

    // WHEN
    const result = await harness.deploy(v2, STACK);

    // THEN
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(steps(result.events, 'deploy').sort()).toEqual(['A UPDATE_COMPLETE', 'C UPDATE_COMPLETE', 'E CREATE_COMPLETE', 'F UPDATE_COMPLETE']);
    expect(steps(result.events, 'cleanup').sort()).toEqual(['C DELETE_COMPLETE', 'D DELETE_COMPLETE']);
    const lastDeploy = result.events.map((e) => e.phase).lastIndexOf('deploy');
    const firstCleanup = result.events.findIndex((e) => e.phase === 'cleanup');
    expect(lastDeploy).toBeLessThan(firstCleanup);

    // B was unchanged: no request at all.
    expect(recorded({ kind: 'start', logicalId: 'B' })).toHaveLength(1);
    // A: Update with the old properties, sent to the new ServiceToken's function.
    const updateA = one({ logicalId: 'A', requestType: 'Update' });
    expect(updateA).toMatchObject({ physicalId: idOfA, props: { V: '2' }, oldProps: { V: '1' }, probe: 'from-Fn2' });
    // C: the old physical id is deleted with its old properties.
    expect(one({ logicalId: 'C', requestType: 'Delete' })).toMatchObject({ physicalId: 'c-v1', props: { V: '1' } });
    expect(harness.physicalId(STACK, 'C')).toBe('c-v2');
    // F's template did not change, but the physical id it refers to did: it is updated too.
    expect(one({ logicalId: 'F', requestType: 'Update' })).toMatchObject({ props: { FromC: 'c-v2' }, oldProps: { FromC: 'c-v1' } });
    expect(harness.physicalId(STACK, 'D')).toBeUndefined();

    // Deploying the same template again touches nothing.
    const again = await harness.deploy(v2, STACK);
    expect(again).toMatchObject({ status: 'UPDATE_COMPLETE', events: [] });
  });
});

describe('rollback', () => {
  test('a failed create deletes what was created in reverse order, the failed resource included', async () => {
    // GIVEN
    const broken = synthEcho((_, echo) => {
      const a = echo('A');
      echo('B', { After: a.ref, FailOn: 'Create', PhysicalId: 'b-failed' });
    });
    newHarness();

    // WHEN
    const result = await harness.deploy(broken, STACK);

    // THEN
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failure).toContain('B: Received response status [FAILED] from custom resource. Message returned: echo: Create failed as instructed');
    expect(steps(result.events, 'rollback', true).map((s) => s.split(' ')[0])).toEqual([
      'B', 'A', logicalIdOfTypeIn(result.events, 'AWS::Lambda::Function'), logicalIdOfTypeIn(result.events, 'AWS::IAM::Role'),
    ]);
    expect(one({ logicalId: 'B', requestType: 'Delete' }).physicalId).toBe('b-failed');
    expect(harness.resources(STACK)).toEqual({});

    // A stack in ROLLBACK_COMPLETE is created anew by the next deploy.
    const fixed = synthEcho((_, echo) => {
      const a = echo('A');
      echo('B', { After: a.ref });
    });
    expect((await harness.deploy(fixed, STACK)).status).toBe('CREATE_COMPLETE');
  });

  test('a failed delete during rollback leaves ROLLBACK_FAILED, which cannot be deployed', async () => {
    // GIVEN
    const dir = synthEcho((_, echo) => {
      const a = echo('A', { FailOn: 'Delete' });
      echo('B', { After: a.ref, FailOn: 'Create' });
    });
    newHarness();

    // WHEN
    const result = await harness.deploy(dir, STACK);

    // THEN
    expect(result.status).toBe('ROLLBACK_FAILED');
    expect(result.failure).toMatch(/^B: .*; rollback failed: A: .*echo: Delete failed as instructed/);
    expect(Object.keys(harness.resources(STACK))).toContain('A');
    await expect(harness.deploy(dir, STACK)).rejects.toThrow('Stack S is in ROLLBACK_FAILED state and can not be updated');
  });

  test('a failed update restores the previous state', async () => {
    // GIVEN
    const v1 = synthEcho((_, echo) => {
      const a = echo('A', { V: 1 });
      const r = echo('R', { V: 1, PhysicalId: 'r-v1' });
      echo('Z', { V: 1, A: a.ref, R: r.ref });
      echo('D', { V: 1 });
    });
    const v2 = synthEcho((_, echo) => {
      const a = echo('A', { V: 2 });
      const r = echo('R', { V: 2, PhysicalId: 'r-v2' });
      const n = echo('N', { V: 1 });
      echo('Z', { V: 2, A: a.ref, R: r.ref, N: n.ref, FailOn: 'Update' });
    });
    newHarness();
    await harness.deploy(v1, STACK);
    const before = harness.resources(STACK);

    // WHEN
    const result = await harness.deploy(v2, STACK);

    // THEN
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.failure).toContain('Z: Received response status [FAILED]');
    expect(steps(result.events, 'deploy').sort()).toEqual(['A UPDATE_COMPLETE', 'N CREATE_COMPLETE', 'R UPDATE_COMPLETE', 'Z UPDATE_FAILED']);
    // Updates back first, in dependency order (the replaced R too); then the deletes.
    const rollback = steps(result.events, 'rollback');
    expect(rollback.slice(0, 2).sort()).toEqual(['A UPDATE_COMPLETE', 'R UPDATE_COMPLETE']);
    expect(rollback[2]).toEqual('Z UPDATE_COMPLETE');
    expect(rollback.slice(3).sort()).toEqual(['N DELETE_COMPLETE', 'R DELETE_COMPLETE']);
    // The replaced custom resource is asked to return: its new physical id, the previous properties.
    const [, rollbackR] = recorded({ kind: 'start', logicalId: 'R', requestType: 'Update' });
    expect(rollbackR).toMatchObject({ physicalId: 'r-v2', props: { V: '1', PhysicalId: 'r-v1' }, oldProps: { V: '2', PhysicalId: 'r-v2' } });

    // Rollback updates carry the previous properties, and the ones applied as old ones.
    const [, rollbackA] = recorded({ kind: 'start', logicalId: 'A', requestType: 'Update' });
    expect(rollbackA).toMatchObject({ props: { V: '1' }, oldProps: { V: '2' } });
    const [, rollbackZ] = recorded({ kind: 'start', logicalId: 'Z', requestType: 'Update' });
    expect(rollbackZ).toMatchObject({ props: { V: '1' }, oldProps: { V: '2', FailOn: 'Update' } });
    // The replacement's new physical id is deleted; the removed resource D never was.
    expect(one({ logicalId: 'R', requestType: 'Delete' }).physicalId).toBe('r-v2');
    expect(recorded({ kind: 'start', logicalId: 'D', requestType: 'Delete' })).toHaveLength(0);
    expect(harness.resources(STACK)).toEqual(before);
    expect(harness.status(STACK)).toBe('UPDATE_ROLLBACK_COMPLETE');
  });
});

describe('destroy', () => {
  test('deletes in reverse dependency order, skips retained resources and resumes after DELETE_FAILED', async () => {
    // GIVEN
    const failFlag = path.join(path.dirname(recordFile), 'fail-delete');
    const dir = synthEcho((_, echo) => {
      const a = echo('A');
      const b = echo('B', { After: a.ref });
      echo('C', { After: b.ref, FailOn: 'Delete', FailWhileFile: failFlag });
      echo('K', {}, { removalPolicy: RemovalPolicy.RETAIN });
    });
    newHarness();
    await harness.deploy(dir, STACK);
    const fnId = logicalIdOfType('AWS::Lambda::Function');
    const roleId = logicalIdOfType('AWS::IAM::Role');
    fs.writeFileSync(failFlag, '');

    // WHEN
    const failed = await harness.destroy(STACK);

    // THEN
    expect(failed.status).toBe('DELETE_FAILED');
    expect(failed.failure).toContain('C: Received response status [FAILED]');
    expect(steps(failed.events, 'destroy').sort()).toEqual(['C DELETE_FAILED', 'K DELETE_SKIPPED']);
    expect(Object.keys(harness.resources(STACK)).sort()).toEqual(['A', 'B', 'C', fnId, roleId].sort());

    // WHEN the cause is gone, destroy again
    fs.rmSync(failFlag);
    const retried = await harness.destroy(STACK);

    // THEN
    expect(retried.status).toBe('DELETE_COMPLETE');
    expect(steps(retried.events, 'destroy', true)).toEqual([
      'C DELETE_COMPLETE', 'B DELETE_COMPLETE', 'A DELETE_COMPLETE', `${fnId} DELETE_COMPLETE`, `${roleId} DELETE_COMPLETE`,
    ]);
    expect(recorded({ kind: 'start', logicalId: 'K', requestType: 'Delete' })).toHaveLength(0);
    expect(harness.status(STACK)).toBeUndefined();
    expect(harness.physicalId(STACK, 'A')).toBeUndefined();
  });
});

describe('responses', () => {
  test('an oversized, missing or late response fails the resource', async () => {
    // GIVEN
    const dir = synthEcho((_, echo) => {
      echo('Oversize', { OversizeOn: 'Create' });
      echo('Silent', { SilentOn: 'Create' });
      echo('Throws', { ThrowOn: 'Create' });
      echo('Hangs', { HangOn: 'Create' });
    });
    newHarness({ timeScale: 0.05 });

    // WHEN
    const started = Date.now();
    const result = await harness.deploy(dir, STACK);

    // THEN
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const reasons = Object.fromEntries(result.events.filter((e) => e.status === 'FAILED').map((e) => [e.logicalId, e.reason]));
    expect(reasons).toEqual({
      Oversize: 'Response object is too long.',
      Silent: expect.stringContaining('the handler returned without sending a response'),
      Throws: expect.stringContaining('the handler threw Error: echo: Create threw as instructed'),
      Hangs: expect.stringContaining('the function timed out after 2 seconds'),
    });
    expect(reasons.Silent).toMatch(/^CloudFormation did not receive a response from your Custom Resource/);
    expect(harness.responses().find((r) => r.logicalId === 'Oversize')!.bytes).toBeGreaterThan(4096);
    // Every failed create still gets its rollback Delete.
    expect(steps(result.events, 'rollback').sort()).toEqual(['Hangs', 'Oversize', 'Silent', 'Throws'].map((id) => `${id} DELETE_COMPLETE`));
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('duplicate delivery sends the same event twice and keeps the first response', async () => {
    // GIVEN
    const dir = synthEcho((_, echo) => {
      const a = echo('A');
      echo('B', { DeliveryOfA: a.getAttString('Delivery') });
    });
    newHarness({ duplicateDelivery: true });

    // WHEN
    const result = await harness.deploy(dir, STACK);

    // THEN
    expect(result.status).toBe('CREATE_COMPLETE');
    const deliveries = recorded({ kind: 'start', logicalId: 'A' });
    expect(deliveries.map((d) => d.delivery)).toEqual([1, 2]);
    expect(deliveries[0].requestId).toBe(deliveries[1].requestId);
    expect(recorded({ kind: 'start', logicalId: 'B' }).map((b) => b.props.DeliveryOfA)).toEqual(['1', '1']);
    expect(harness.responses().filter((r) => r.logicalId === 'A').map((r) => r.delivery)).toEqual([1, 2]);
    expect(harness.physicalId(STACK, 'A')).toBe(`A-${deliveries[0].requestId.slice(0, 8)}`);
  });
});

describe('Lambda runtime', () => {
  test('captures handler console output; the ResponseURL shows up only when a handler leaks it', async () => {
    // GIVEN
    const dir = synthEcho((_, echo) => {
      echo('Careful');
      echo('Leaky', { LeakUrl: 'true' });
    });
    const streamed: string[] = [];
    newHarness({ log: (line) => streamed.push(line) });
    const consoleLog = jest.spyOn(console, 'log');

    // WHEN
    await harness.deploy(dir, STACK);

    // THEN
    const logs = harness.logs();
    expect(streamed).toEqual(logs);
    const handlerLines = logs.filter((line) => /\tINFO\tevent /.test(line));
    expect(handlerLines).toHaveLength(2);
    expect(handlerLines.find((line) => line.includes('Careful'))).toContain('"ResponseURL":"[redacted]"');
    expect(logs.filter((line) => line.includes('X-Amz-Signature='))).toEqual([expect.stringContaining('"LogicalResourceId":"Leaky"')]);
    expect(consoleLog).not.toHaveBeenCalled();
  });

  test.each([
    ['cold-starts every invocation by default', {}, false],
    ['reuses an idle warm container when asked to', { coldStartEveryInvocation: false }, true],
  ])('%s', async (_, options: HarnessOptions, warm) => {
    // GIVEN
    const v1 = synthEcho((_stack, echo) => echo('A', { V: 1 }));
    const v2 = synthEcho((_stack, echo) => echo('A', { V: 2 }));
    newHarness(options);
    await harness.deploy(v1, STACK);

    // WHEN
    await harness.deploy(v2, STACK);

    // THEN
    const create = one({ logicalId: 'A', requestType: 'Create' });
    const update = one({ logicalId: 'A', requestType: 'Update' });
    expect(update.loadedAt === create.loadedAt).toBe(warm);
    expect(update.invocationsInThisContainer).toBe(warm ? 2 : 1);
  });
});

describe('the runtime\'s packages', () => {
  test('a module the code does not hold comes from the runtime\'s packages, never from the host\'s', async () => {
    // GIVEN a runtime whose packages hold only @aws-sdk/client-iot, and one that holds nothing
    const sdk = path.dirname(require.resolve('@aws-sdk/client-iot/package.json'));
    const withSdk = tempDir('runtime-modules-');
    fs.mkdirSync(path.join(withSdk, '@aws-sdk'));
    fs.symlinkSync(sdk, path.join(withSdk, '@aws-sdk', 'client-iot'));
    const dir = synthEcho((_, echo) => {
      echo('Iot', { ResolveModule: '@aws-sdk/client-iot' });
      echo('S3', { ResolveModule: '@aws-sdk/client-s3' });
    });

    // WHEN
    newHarness({ runtimeModules: withSdk });
    await harness.deploy(dir, STACK);

    // THEN the handler finds what the runtime provides (Node resolves the link to its target),
    // and not what the host has installed
    expect(one({ logicalId: 'Iot' }).resolvedModule).toEqual(require.resolve('@aws-sdk/client-iot'));
    expect(one({ logicalId: 'S3' }).resolvedModule).toEqual('MODULE_NOT_FOUND');
  });

  test('by default the runtime provides the SDK installed for development', async () => {
    const dir = synthEcho((_, echo) => echo('Iot', { ResolveModule: '@aws-sdk/client-iot' }));
    newHarness();
    await harness.deploy(dir, STACK);
    expect(one({ logicalId: 'Iot' }).resolvedModule).toEqual(require.resolve('@aws-sdk/client-iot'));
  });
});

describe('intrinsics', () => {
  const ctx: ResolveContext = {
    pseudo: { region: 'eu-west-1', accountId: '111122223333', partition: 'aws', urlSuffix: 'amazonaws.com', stackName: 'S', stackId: 'arn:stack' },
    parameters: { Env: 'prod' },
    conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] } },
    mappings: { M: { eu: { Size: 3 } } },
    ref: (id) => `${id}-phys`,
    getAtt: (id, attribute) => `${id}.${attribute}`,
  };

  test.each([
    [{ 'Fn::Join': ['-', ['a', { Ref: 'R' }]] }, 'a-R-phys'],
    [{ 'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${R}/${R.Arn}/${!Literal}' }, 'arn:aws:x:eu-west-1:111122223333:R-phys/R.Arn/${Literal}'],
    [{ 'Fn::Sub': ['${V}-${AWS::StackName}', { V: { Ref: 'Env' } }] }, 'prod-S'],
    [{ 'Fn::Select': ['1', { 'Fn::Split': [',', 'a,b,c'] }] }, 'b'],
    [{ 'Fn::If': ['IsProd', 'big', 'small'] }, 'big'],
    [{ 'Fn::If': ['NotProd', 'big', 'small'] }, 'small'],
    [{ 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Or': [{ Condition: 'NotProd' }, { 'Fn::Equals': ['1', 1] }] }] }, true],
    [{ 'Fn::GetAZs': '' }, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']],
    [{ 'Fn::FindInMap': ['M', 'eu', 'Size'] }, 3],
    [{ Keep: 1, Drop: { Ref: 'AWS::NoValue' }, List: ['x', { 'Fn::If': ['NotProd', 'y', { Ref: 'AWS::NoValue' }] }] }, { Keep: 1, List: ['x'] }],
    [{ 'Fn::GetAtt': ['R', 'Out'] }, 'R.Out'],
  ])('resolves %j', (input, expected) => {
    expect(resolve(input, ctx)).toEqual(expected);
  });

  test('rejects Fn::ImportValue and unknown intrinsics', () => {
    expect(() => resolve({ 'Fn::ImportValue': 'Shared' }, ctx)).toThrow(/cross-stack references are not supported/);
    expect(() => resolve({ 'Fn::Nope': [] }, ctx)).toThrow('Unsupported intrinsic function Fn::Nope');
  });

  test('finds references in Ref, GetAtt and Sub but not in Sub variables or literals', () => {
    const ids = new Set(['A', 'B', 'C', 'D', 'E']);
    const value = {
      x: { Ref: 'A' },
      y: [{ 'Fn::GetAtt': ['B', 'Arn'] }, { 'Fn::Sub': ['${C.Out}-${Local}-${!D}', { Local: { Ref: 'AWS::Region' } }] }],
      z: { Ref: 'NotAResource' },
    };
    expect([...referencedResources(value, ids)].sort()).toEqual(['A', 'B', 'C']);
  });

  test('stringifies scalars recursively', () => {
    expect(stringifyScalars({ n: 1, b: false, l: [2, { t: true }], s: 's', z: null })).toEqual({ n: '1', b: 'false', l: ['2', { t: 'true' }], s: 's', z: null });
  });
});

describe('graph', () => {
  test('bounds concurrency and respects dependencies', async () => {
    let inFlight = 0;
    let peak = 0;
    const finished: string[] = [];
    const graph = new Map([['a', []], ['b', []], ['c', []], ['d', []], ['e', ['a', 'b', 'c', 'd']]]);
    await runGraph(graph, async (id) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 10));
      inFlight--;
      finished.push(id);
      return true;
    }, { concurrency: 2, continueOnFailure: false });
    expect(peak).toBe(2);
    expect(finished[4]).toBe('e');
  });

  test('rejects a cycle', () => {
    expect(() => assertAcyclic(new Map([['a', ['b']], ['b', ['a']]]))).toThrow('Circular dependency between resources: [a, b, a]');
  });
});

function logicalIdOfTypeIn(events: StackEvent[], type: string): string {
  return events.find((e) => e.resourceType === type)!.logicalId;
}

describe('IAM', () => {
  /** A role with an inline policy and a managed policy, each allowing one action, and a probe that fails on demand. */
  function synthIam(version: { inline: string; managed: string; managedChars?: number; probeFails?: boolean }): string {
    const app = new App({ outdir: tempDir('harness-iam-'), context: {} });
    const stack = new Stack(app, STACK, { env: { account: '123456789012', region: 'us-east-1' } });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new iam.Policy(stack, 'Inline', { roles: [role], statements: [new iam.PolicyStatement({ actions: [version.inline], resources: ['*'] })] });
    new iam.ManagedPolicy(stack, 'Managed', {
      roles: [role],
      statements: [new iam.PolicyStatement({
        actions: [version.managed],
        resources: ['*', ...(version.managedChars ? [`arn:aws:s3:::${'x'.repeat(version.managedChars)}`] : [])],
      })],
    });
    const probe = new CfnResource(stack, 'Probe', { type: 'Test::Probe', properties: { Fails: version.probeFails ? 'yes' : 'no' } });
    probe.node.addDependency(role);
    return synthesize(app);
  }

  const allows = (authority: IamAuthority, action: string) => {
    const roleArn = `arn:aws:iam::123456789012:role/${harness.physicalId(STACK, logicalIdOfType('AWS::IAM::Role'))}`;
    return evaluate(authority.policiesOf(roleArn), { action, resource: '*' }).decision === 'Allow';
  };
  const probeProvider = { create: async (r: { properties: Record<string, unknown> }) => { if (r.properties.Fails === 'yes') throw new Error('probe failed'); return {}; } };

  test('roles and policies apply as they are created, updated, reverted in a rollback and deleted', async () => {
    const authority = new IamAuthority();
    newHarness({ iam: authority, resourceProviders: { 'Test::Probe': { ...probeProvider, update: probeProvider.create } } });

    // create
    await harness.deploy(synthIam({ inline: 'iot:GetPackage', managed: 'iot:ListPackages' }), STACK);
    expect([allows(authority, 'iot:GetPackage'), allows(authority, 'iot:ListPackages'), allows(authority, 'iot:DeletePackage')]).toEqual([true, true, false]);

    // update: the old statements are gone as the new ones arrive
    await harness.deploy(synthIam({ inline: 'iot:DeletePackage', managed: 'iot:ListJobs' }), STACK);
    expect([allows(authority, 'iot:GetPackage'), allows(authority, 'iot:ListPackages'), allows(authority, 'iot:DeletePackage'), allows(authority, 'iot:ListJobs')])
      .toEqual([false, false, true, true]);

    // a failed update: its rollback reverts the policies
    const failed = await harness.deploy(synthIam({ inline: 'iot:CreatePackage', managed: 'iot:CreateJob', probeFails: true }), STACK);
    expect(failed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect([allows(authority, 'iot:CreatePackage'), allows(authority, 'iot:CreateJob'), allows(authority, 'iot:DeletePackage'), allows(authority, 'iot:ListJobs')])
      .toEqual([false, false, true, true]);

    // destroy
    expect((await harness.destroy(STACK)).status).toBe('DELETE_COMPLETE');
    expect(authority.roleArns()).toEqual([]);
    expect(authority.managedPolicies()).toEqual([]);
  });

  test('a managed policy over 6,144 characters fails as IAM refuses it, and changes nothing', async () => {
    const authority = new IamAuthority();
    newHarness({ iam: authority, resourceProviders: { 'Test::Probe': probeProvider } });

    const result = await harness.deploy(synthIam({ inline: 'iot:GetPackage', managed: 'iot:ListPackages', managedChars: 6_100 }), STACK);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failure).toContain('Cannot exceed quota for PolicySize: 6144');
    expect(authority.managedPolicies()).toEqual([]);
  });

  test('DescribeStacks answers the stack\'s status of the moment, for the stack\'s own role only', async () => {
    const authority = new IamAuthority();
    const seen: string[] = [];
    const endpointStatus = async () => {
      const endpoint = await harness.cloudFormationEndpoint();
      const client = new CloudFormationClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDADMIN', secretAccessKey: 'x' } });
      const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: STACK }));
      return Stacks?.[0]?.StackStatus ?? 'none';
    };
    const record = async () => { seen.push(await endpointStatus()); return {}; };
    newHarness({
      iam: authority,
      resourceProviders: {
        'Test::Probe': {
          create: async (r) => { await record(); if (r.properties.Fails === 'yes') throw new Error('probe failed'); return {}; },
          update: async (r) => { await record(); if (r.properties.Fails === 'yes') throw new Error('probe failed'); return {}; },
          delete: async () => { await record(); },
        },
      },
    });

    await harness.deploy(synthIam({ inline: 'iot:GetPackage', managed: 'iot:ListPackages' }), STACK);
    await harness.deploy(synthIam({ inline: 'iot:GetPackage', managed: 'iot:ListPackages', probeFails: true }), STACK);

    expect(seen).toEqual(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS']);
    // a role without cloudformation:DescribeStacks is refused
    const roleArn = `arn:aws:iam::123456789012:role/${harness.physicalId(STACK, logicalIdOfType('AWS::IAM::Role'))}`;
    const { accessKeyId, secretAccessKey, sessionToken } = authority.credentialsFor(roleArn);
    const endpoint = await harness.cloudFormationEndpoint();
    const asRole = new CloudFormationClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey, sessionToken } });
    await expect(asRole.send(new DescribeStacksCommand({ StackName: STACK }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
