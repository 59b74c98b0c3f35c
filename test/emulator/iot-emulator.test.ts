/**
 * Self-tests of the IoT emulator, through the real @aws-sdk/client-iot over HTTP (and raw HTTP
 * where the SDK cannot send the request shape under test).
 */
import * as fs from 'fs';
import * as iot from '@aws-sdk/client-iot';
import { DEFAULT_FULL_MODEL_PATH, EXTRACTED_MODEL_PATH, extractModel, IMPLEMENTED_OPERATIONS } from '../../local-cloud/emulator/extract-model';
import { IotEmulator, iotClient } from '../../local-cloud/emulator/iot-emulator';
import { compileRoutes, loadModel, operationErrors } from '../../local-cloud/emulator/model';
import { compilePattern } from '../../local-cloud/emulator/validation';

const model = loadModel();
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const pkgArn = (p: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:package/${p}`;
const verArn = (p: string, v: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:package/${p}/version/${v}`;
const thingArn = (t: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:thing/${t}`;
const S3 = { s3Location: { bucket: 'b', key: 'fw/app.bin', version: 'v1' } };
const TOKEN_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const TOKEN_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

let emu: IotEmulator;
let client: iot.IoTClient;

beforeAll(async () => {
  emu = await IotEmulator.start({ jobDeletionDelayMs: 50 });
  client = iotClient(emu);
});
afterAll(async () => {
  client.destroy();
  await emu.stop();
});
beforeEach(() => emu.reset());
afterEach(() => {
  // Every error the emulator returned is one the operation's model lists (or a front-door error).
  for (const call of emu.calls) {
    if (!call.errorType || ['UnknownOperationException', 'NotImplementedException', 'MissingAuthenticationTokenException'].includes(call.errorType)) continue;
    expect([...operationErrors(model, call.operation), 'ThrottlingException']).toContain(call.errorType);
  }
});

/** Runs a command and returns the SDK's error (name, status, message) — fails if it succeeds. */
async function failure(command: any): Promise<{ name: string; status?: number; message: string; error: any }> {
  try {
    await client.send(command);
  } catch (error: any) {
    return { name: error.name, status: error.$metadata?.httpStatusCode, message: error.message, error };
  }
  throw new Error(`expected ${command.constructor.name} to fail`);
}

async function raw(method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: 'AWS4-HMAC-SHA256 test' }) {
  const res = await fetch(`${emu.endpoint}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype') ?? undefined, body: await res.json() as any };
}

async function givenPackage(name = 'p1', extra: Partial<iot.CreatePackageRequest> = {}) {
  return client.send(new iot.CreatePackageCommand({ packageName: name, ...extra }));
}
async function givenVersion(p: string, v: string, status: 'DRAFT' | 'PUBLISHED' | 'DEPRECATED' = 'DRAFT', extra: Partial<iot.CreatePackageVersionRequest> = {}) {
  await client.send(new iot.CreatePackageVersionCommand({ packageName: p, versionName: v, ...extra }));
  if (status !== 'DRAFT') await client.send(new iot.UpdatePackageVersionCommand({ packageName: p, versionName: v, action: 'PUBLISH' }));
  if (status === 'DEPRECATED') await client.send(new iot.UpdatePackageVersionCommand({ packageName: p, versionName: v, action: 'DEPRECATE' }));
}
const statusOf = async (p: string, v: string) => (await client.send(new iot.GetPackageVersionCommand({ packageName: p, versionName: v }))).status;

// ---------------------------------------------------------------------------------------------
describe('service model and routing', () => {
  test('the committed service-model.json is what extract-model.ts extracts from the full model', () => {
    // The full model is vendored in local-cloud/emulator/reference/ and is the source of truth
    // (not $IOT_SERVICE_MODEL, which only points extract-model.ts at another model to extract).
    const committed = JSON.parse(fs.readFileSync(EXTRACTED_MODEL_PATH, 'utf8'));
    expect(committed).toEqual(extractModel(JSON.parse(fs.readFileSync(DEFAULT_FULL_MODEL_PATH, 'utf8'))));
    for (const operation of IMPLEMENTED_OPERATIONS) expect(committed.operations[operation]).toBeDefined();
  });

  test('every pattern of the model compiles as a whole-value JavaScript regex', () => {
    const patterns = Object.values(model.shapes).filter((s) => s.pattern).map((s) => s.pattern!);
    for (const p of patterns) expect(() => compilePattern(p)).not.toThrow();
    expect(compilePattern('[a-zA-Z0-9-_.]+').test('a b')).toBe(false);
    expect(compilePattern('[\\p{Upper}\\p{Digit}_]+').test('ABC_1')).toBe(true);
  });

  test.each([...IMPLEMENTED_OPERATIONS])('%s is routed by its model method and requestUri', async (operation) => {
    const def = model.operations[operation].http;
    const path = def.requestUri.replace(/\{[^}]+\}/g, 'x1');
    await raw(def.method, path, ['GET', 'DELETE'].includes(def.method) ? undefined : {});
    expect(emu.calls[emu.calls.length - 1]).toMatchObject({ operation, method: def.method });
  });

  test('requests the SDK sends arrive on the routes of the model', async () => {
    await givenPackage('p1');
    await givenVersion('p1', 'v1');
    await client.send(new iot.ListPackageVersionsCommand({ packageName: 'p1', status: 'DRAFT', maxResults: 5 }));
    const routes = compileRoutes(model);
    for (const call of emu.calls) {
      const route = routes.find((r) => r.name === call.operation)!;
      expect(route.method).toBe(call.method);
      expect(call.path).toMatch(route.regex);
    }
    expect(emu.callsTo('ListPackageVersions')[0].query).toEqual({ status: 'DRAFT', maxResults: '5' });
  });

  test('an unknown route is 404 UnknownOperationException; a known unimplemented operation is 501', async () => {
    const r = await raw('GET', '/no-such-thing');
    expect(r).toMatchObject({ status: 404, errorType: 'UnknownOperationException' });
    expect(r.body.message).toContain('/no-such-thing');
    const e = await failure(new iot.ListThingsCommand({}));
    expect(e.status).toBe(501);
  });

  test('an unsigned request (no authorization header) is refused with 403', async () => {
    const r = await raw('GET', '/packages', undefined, {});
    expect(r).toMatchObject({ status: 403, errorType: 'MissingAuthenticationTokenException' });
  });

  test('errors carry x-amzn-ErrorType and a JSON {"message"} body', async () => {
    const r = await raw('GET', '/packages/missing');
    expect(r.status).toBe(404);
    expect(r.errorType).toBe('ResourceNotFoundException');
    expect(r.body).toEqual({ message: 'Package missing does not exist' });
  });
});

// ---------------------------------------------------------------------------------------------
describe('request validation against the model', () => {
  test.each([
    ['AssociateSbomWithPackageVersion without sbom', () => new iot.AssociateSbomWithPackageVersionCommand({ packageName: 'p', versionName: 'v' } as any), 'ValidationException', "at 'sbom'"],
    ['TagResource without tags', () => new iot.TagResourceCommand({ resourceArn: pkgArn('p') } as any), 'InvalidRequestException', "at 'tags'"],
    ['UntagResource without tagKeys', () => new iot.UntagResourceCommand({ resourceArn: pkgArn('p') } as any), 'InvalidRequestException', "at 'tagKeys'"],
    ['ListTagsForResource without resourceArn', () => new iot.ListTagsForResourceCommand({} as any), 'InvalidRequestException', "at 'resourceArn'"],
    ['CreateJob without targets', () => new iot.CreateJobCommand({ jobId: 'j', document: '{}' } as any), 'InvalidRequestException', "at 'targets'"],
    ['CreateJobTemplate without description', () => new iot.CreateJobTemplateCommand({ jobTemplateId: 't', document: '{}' } as any), 'InvalidRequestException', "at 'description'"],
    ['UpdateIndexingConfiguration without thingIndexingMode', () => new iot.UpdateIndexingConfigurationCommand({ thingIndexingConfiguration: {} } as any), 'InvalidRequestException', "at 'thingIndexingConfiguration.thingIndexingMode'"],
  ])('GIVEN %s THEN the required member is reported', async (_name, make, errorName, where) => {
    const e = await failure(make());
    expect(e).toMatchObject({ name: errorName, status: 400 });
    expect(e.message).toContain(where);
    expect(e.message).toContain('Member must not be null');
  });

  test.each([
    ['packageName over 128 chars', () => new iot.CreatePackageCommand({ packageName: 'a'.repeat(129) }), 'length less than or equal to 128'],
    ['packageName with a space', () => new iot.CreatePackageCommand({ packageName: 'my pkg' }), 'regular expression pattern'],
    ['versionName over 64 chars', () => new iot.CreatePackageVersionCommand({ packageName: 'p', versionName: 'v'.repeat(65) }), 'length less than or equal to 64'],
    ['versionName with a slash', () => new iot.GetPackageVersionCommand({ packageName: 'p', versionName: 'a+b' }), 'regular expression pattern'],
    ['description over 1024 chars', () => new iot.CreatePackageCommand({ packageName: 'p', description: 'd'.repeat(1025) }), 'length less than or equal to 1024'],
    ['description with a control character', () => new iot.CreatePackageCommand({ packageName: 'p', description: 'line1\nline2' }), 'regular expression pattern'],
    ['clientToken shorter than 36', () => new iot.CreatePackageCommand({ packageName: 'p', clientToken: 'short' }), 'length greater than or equal to 36'],
    ['51 tags on create', () => new iot.CreatePackageCommand({ packageName: 'p', tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }), 'length less than or equal to 50'],
    ['an attribute key with a space', () => new iot.CreatePackageVersionCommand({ packageName: 'p', versionName: 'v', attributes: { 'bad key': 'x' } }), 'regular expression pattern'],
    ['an empty attribute value', () => new iot.CreatePackageVersionCommand({ packageName: 'p', versionName: 'v', attributes: { k: '' } }), 'length greater than or equal to 1'],
    ['a recipe over 3072 chars', () => new iot.CreatePackageVersionCommand({ packageName: 'p', versionName: 'v', recipe: 'r'.repeat(3073) }), 'length less than or equal to 3072'],
    ['maxResults 0', () => new iot.ListPackagesCommand({ maxResults: 0 }), 'value greater than or equal to 1'],
    ['maxResults 101', () => new iot.ListPackagesCommand({ maxResults: 101 }), 'value less than or equal to 100'],
    ['an unknown status filter', () => new iot.ListPackageVersionsCommand({ packageName: 'p', status: 'GONE' as any }), 'enum value set'],
    ['an unknown action', () => new iot.UpdatePackageVersionCommand({ packageName: 'p', versionName: 'v', action: 'ARCHIVE' as any }), 'enum value set'],
  ])('GIVEN %s THEN ValidationException 400', async (_name, make, constraint) => {
    const e = await failure(make());
    expect(e).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(e.message).toContain(constraint);
  });

  test('a query parameter of the wrong type is a validation error', async () => {
    const r = await raw('GET', '/packages?maxResults=ten');
    expect(r).toMatchObject({ status: 400, errorType: 'ValidationException' });
  });

  test('older APIs report shape violations as InvalidRequestException', async () => {
    const e = await failure(new iot.CreateJobCommand({ jobId: 'bad id!', targets: [thingArn('t')], document: '{}' }));
    expect(e).toMatchObject({ name: 'InvalidRequestException', status: 400 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('rule 1: packages', () => {
  test('GIVEN CreatePackage twice with the same clientToken and input THEN the same result and one package', async () => {
    const first = await client.send(new iot.CreatePackageCommand({ packageName: 'p1', description: 'd', clientToken: TOKEN_A }));
    const second = await client.send(new iot.CreatePackageCommand({ packageName: 'p1', description: 'd', clientToken: TOKEN_A }));
    expect(second.packageArn).toBe(first.packageArn);
    expect(first.packageArn).toBe(pkgArn('p1'));
    expect(emu.snapshot().packages).toHaveLength(1);
  });

  test('GIVEN a clientToken reused with a different input THEN ConflictException 409', async () => {
    await client.send(new iot.CreatePackageCommand({ packageName: 'p1', description: 'd', clientToken: TOKEN_A }));
    const e = await failure(new iot.CreatePackageCommand({ packageName: 'p1', description: 'other', clientToken: TOKEN_A }));
    expect(e).toMatchObject({ name: 'ConflictException', status: 409 });
  });

  test('GIVEN an existing package WHEN created again with another token THEN ConflictException 409', async () => {
    await client.send(new iot.CreatePackageCommand({ packageName: 'p1', clientToken: TOKEN_A }));
    const e = await failure(new iot.CreatePackageCommand({ packageName: 'p1', clientToken: TOKEN_B }));
    expect(e).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(e.error.resourceId).toBe('p1');
  });

  test('GIVEN a package THEN GetPackage returns it with ARN and dates; a missing one is ResourceNotFoundException 404', async () => {
    await givenPackage('p1', { description: 'hello' });
    const got = await client.send(new iot.GetPackageCommand({ packageName: 'p1' }));
    expect(got).toMatchObject({ packageName: 'p1', packageArn: pkgArn('p1'), description: 'hello' });
    expect(got.creationDate).toBeInstanceOf(Date);
    expect(Math.abs(got.creationDate!.getTime() - Date.now())).toBeLessThan(10_000);
    expect(await failure(new iot.GetPackageCommand({ packageName: 'nope' }))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  test('WHEN UpdatePackage names a default and unsetDefaultVersion=true THEN ValidationException 400, nothing changed', async () => {
    await givenPackage('p1');
    await givenVersion('p1', 'v1', 'PUBLISHED');
    const e = await failure(new iot.UpdatePackageCommand({ packageName: 'p1', defaultVersionName: 'v1', unsetDefaultVersion: true, description: 'x' }));
    expect(e).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(emu.snapshot().packages[0]).not.toHaveProperty('description');
  });

  test('WHEN UpdatePackage sets the default to a DRAFT version THEN ConflictException 409', async () => {
    await givenPackage('p1');
    await givenVersion('p1', 'v1', 'DRAFT');
    const e = await failure(new iot.UpdatePackageCommand({ packageName: 'p1', defaultVersionName: 'v1' }));
    expect(e).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(e.message).toContain('DRAFT');
  });

  test('WHEN UpdatePackage names a missing version as default THEN ResourceNotFoundException 404; a missing package too', async () => {
    await givenPackage('p1');
    expect(await failure(new iot.UpdatePackageCommand({ packageName: 'p1', defaultVersionName: 'nope' }))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(new iot.UpdatePackageCommand({ packageName: 'nope', description: 'd' }))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  test('GIVEN PUBLISHED and DEPRECATED versions THEN each can be the default, and unsetDefaultVersion clears it', async () => {
    await givenPackage('p1');
    await givenVersion('p1', 'v1', 'PUBLISHED');
    await givenVersion('p1', 'v2', 'DEPRECATED');
    await client.send(new iot.UpdatePackageCommand({ packageName: 'p1', defaultVersionName: 'v1' }));
    expect((await client.send(new iot.GetPackageCommand({ packageName: 'p1' }))).defaultVersionName).toBe('v1');
    await client.send(new iot.UpdatePackageCommand({ packageName: 'p1', defaultVersionName: 'v2', description: 'new' }));
    expect(await client.send(new iot.GetPackageCommand({ packageName: 'p1' }))).toMatchObject({ defaultVersionName: 'v2', description: 'new' });
    await client.send(new iot.UpdatePackageCommand({ packageName: 'p1', unsetDefaultVersion: true }));
    expect((await client.send(new iot.GetPackageCommand({ packageName: 'p1' }))).defaultVersionName).toBeUndefined();
  });

  test('GIVEN a package with versions WHEN DeletePackage THEN ValidationException 400 naming them, and the package remains', async () => {
    await givenPackage('p1');
    await givenVersion('p1', 'v1');
    await givenVersion('p1', 'v2');
    const e = await failure(new iot.DeletePackageCommand({ packageName: 'p1' }));
    expect(e).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(e.message).toContain('v1, v2');
    expect(emu.snapshot().packages).toHaveLength(1);
  });

  test('GIVEN a package without versions THEN DeletePackage deletes it; deleting a missing package succeeds (no NotFound in the model)', async () => {
    await givenPackage('p1');
    await client.send(new iot.DeletePackageCommand({ packageName: 'p1' }));
    expect(emu.snapshot().packages).toEqual([]);
    const again = await client.send(new iot.DeletePackageCommand({ packageName: 'p1' }));
    expect(again.$metadata.httpStatusCode).toBe(200);
  });

  test('GIVEN 5 packages WHEN ListPackages pages by 2 THEN 3 pages in name order; a bad nextToken is ValidationException', async () => {
    for (const n of ['e', 'c', 'a', 'd', 'b']) await givenPackage(n);
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new iot.ListPackagesCommand({ maxResults: 2, nextToken }));
      names.push(...page.packageSummaries!.map((s) => s.packageName!));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(pages).toBe(3);
    expect(await failure(new iot.ListPackagesCommand({ nextToken: 'garbage' }))).toMatchObject({ name: 'ValidationException', status: 400 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('rule 2: package versions', () => {
  beforeEach(async () => {
    await givenPackage('p1');
  });

  test('WHEN CreatePackageVersion THEN it is DRAFT with its ARN, attributes, artifact, recipe and tags', async () => {
    const out = await client.send(new iot.CreatePackageVersionCommand({ packageName: 'p1', versionName: '1.0.0', description: 'd', attributes: { a: '1' }, artifact: S3, recipe: '{"r":1}', tags: { t: 'v' } }));
    expect(out).toMatchObject({ packageVersionArn: verArn('p1', '1.0.0'), status: 'DRAFT', attributes: { a: '1' } });
    const got = await client.send(new iot.GetPackageVersionCommand({ packageName: 'p1', versionName: '1.0.0' }));
    expect(got).toMatchObject({ status: 'DRAFT', description: 'd', attributes: { a: '1' }, artifact: S3, recipe: '{"r":1}' });
    expect(emu.snapshot().packages[0].versions[0].tags).toEqual({ t: 'v' });
  });

  test('GIVEN no such package WHEN CreatePackageVersion THEN ValidationException 400 (the model lists no NotFound)', async () => {
    expect(await failure(new iot.CreatePackageVersionCommand({ packageName: 'nope', versionName: 'v1' }))).toMatchObject({ name: 'ValidationException', status: 400 });
  });

  test('GIVEN an existing version WHEN created again with another token THEN ConflictException 409', async () => {
    await givenVersion('p1', 'v1');
    expect(await failure(new iot.CreatePackageVersionCommand({ packageName: 'p1', versionName: 'v1' }))).toMatchObject({ name: 'ConflictException', status: 409 });
  });

  test('WHEN attributes total more than 3 KB THEN ValidationException 400; exactly 3 KB is accepted', async () => {
    const e = await failure(new iot.CreatePackageVersionCommand({ packageName: 'p1', versionName: 'v1', attributes: { k: 'x'.repeat(3072) } }));
    expect(e).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(e.message).toContain('3KB');
    await client.send(new iot.CreatePackageVersionCommand({ packageName: 'p1', versionName: 'v1', attributes: { k: 'x'.repeat(3071) } }));
  });

  test('WHEN an artifact names no S3 object version THEN ValidationException 400', async () => {
    const e = await failure(new iot.CreatePackageVersionCommand({ packageName: 'p1', versionName: 'v1', artifact: { s3Location: { bucket: 'b', key: 'k' } } }));
    expect(e).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(e.message).toContain('s3Location.version');
  });

  test('lifecycle: DRAFT → PUBLISHED → DEPRECATED → PUBLISHED by the documented actions', async () => {
    await givenVersion('p1', 'v1');
    expect(await statusOf('p1', 'v1')).toBe('DRAFT');
    await client.send(new iot.UpdatePackageVersionCommand({ packageName: 'p1', versionName: 'v1', action: 'PUBLISH' }));
    expect(await statusOf('p1', 'v1')).toBe('PUBLISHED');
    await client.send(new iot.UpdatePackageVersionCommand({ packageName: 'p1', versionName: 'v1', action: 'DEPRECATE' }));
    expect(await statusOf('p1', 'v1')).toBe('DEPRECATED');
    await client.send(new iot.UpdatePackageVersionCommand({ packageName: 'p1', versionName: 'v1', action: 'PUBLISH' }));
    expect(await statusOf('p1', 'v1')).toBe('PUBLISHED');
  });

  test('GIVEN a DRAFT version WHEN DEPRECATE THEN ConflictException 409 and it stays DRAFT', async () => {
    await givenVersion('p1', 'v1');
    const e = await failure(new iot.UpdatePackageVersionCommand({ packageName: 'p1', versionName: 'v1', action: 'DEPRECATE' }));
    expect(e).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(await statusOf('p1', 'v1')).toBe('DRAFT');
  });

  test('GIVEN a PUBLISHED version WHEN its attributes change THEN ConflictException 409 saying "new versionName", nothing changed', async () => {
    await givenVersion('p1', 'v1', 'PUBLISHED', { attributes: { a: '1' }, description: 'old' });
    const e = await failure(new iot.UpdatePackageVersionCommand({ packageName: 'p1', versionName: 'v1', attributes: { a: '2' }, description: 'new' }));
    expect(e).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(e.message).toContain('new versionName');
    expect(await client.send(new iot.GetPackageVersionCommand({ packageName: 'p1', versionName: 'v1' }))).toMatchObject({ attributes: { a: '1' }, description: 'old' });
  });

  test('GIVEN a DEPRECATED version WHEN its artifact changes THEN ConflictException 409', async () => {
    await givenVersion('p1', 'v1', 'DEPRECATED');
    expect(await failure(new iot.UpdatePackageVersionCommand({ packageName: 'p1', versionName: 'v1', artifact: S3 }))).toMatchObject({ name: 'ConflictException', status: 409 });
  });

  test('GIVEN a PUBLISHED version THEN description and recipe stay editable', async () => {
    await givenVersion('p1', 'v1', 'PUBLISHED');
    await client.send(new iot.UpdatePackageVersionCommand({ packageName: 'p1', versionName: 'v1', description: 'd2', recipe: 'r2' }));
    expect(await client.send(new iot.GetPackageVersionCommand({ packageName: 'p1', versionName: 'v1' }))).toMatchObject({ description: 'd2', recipe: 'r2', status: 'PUBLISHED' });
  });

  test('GIVEN a DRAFT version THEN attributes and artifact change, and may be published in the same request', async () => {
    await givenVersion('p1', 'v1', 'DRAFT', { attributes: { a: '1', b: '2' } });
    await client.send(new iot.UpdatePackageVersionCommand({ packageName: 'p1', versionName: 'v1', attributes: { a: '9' }, artifact: S3, action: 'PUBLISH' }));
    expect(await client.send(new iot.GetPackageVersionCommand({ packageName: 'p1', versionName: 'v1' }))).toMatchObject({ attributes: { a: '9' }, artifact: S3, status: 'PUBLISHED' });
  });

  test('WHEN UpdatePackageVersion or GetPackageVersion names a missing version THEN ResourceNotFoundException 404', async () => {
    expect(await failure(new iot.UpdatePackageVersionCommand({ packageName: 'p1', versionName: 'nope', description: 'd' }))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(new iot.GetPackageVersionCommand({ packageName: 'p1', versionName: 'nope' }))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  test('GIVEN the default version WHEN DeletePackageVersion THEN ValidationException 400; after unsetting the default it deletes', async () => {
    await givenVersion('p1', 'v1', 'PUBLISHED');
    await client.send(new iot.UpdatePackageCommand({ packageName: 'p1', defaultVersionName: 'v1' }));
    const e = await failure(new iot.DeletePackageVersionCommand({ packageName: 'p1', versionName: 'v1' }));
    expect(e).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(e.message).toContain('default');
    await client.send(new iot.UpdatePackageCommand({ packageName: 'p1', unsetDefaultVersion: true }));
    await client.send(new iot.DeletePackageVersionCommand({ packageName: 'p1', versionName: 'v1' }));
    expect(emu.snapshot().packages[0].versions).toEqual([]);
  });

  test('WHEN DeletePackageVersion names a missing version or package THEN success (no NotFound in the model)', async () => {
    expect((await client.send(new iot.DeletePackageVersionCommand({ packageName: 'p1', versionName: 'nope' }))).$metadata.httpStatusCode).toBe(200);
    expect((await client.send(new iot.DeletePackageVersionCommand({ packageName: 'nope', versionName: 'nope' }))).$metadata.httpStatusCode).toBe(200);
  });

  test('ListPackageVersions filters by status and pages; a missing package is ValidationException', async () => {
    await givenVersion('p1', 'a', 'PUBLISHED');
    await givenVersion('p1', 'b');
    await givenVersion('p1', 'c', 'PUBLISHED');
    await givenVersion('p1', 'd', 'DEPRECATED');
    const published = await client.send(new iot.ListPackageVersionsCommand({ packageName: 'p1', status: 'PUBLISHED' }));
    expect(published.packageVersionSummaries!.map((v) => v.versionName)).toEqual(['a', 'c']);
    const page1 = await client.send(new iot.ListPackageVersionsCommand({ packageName: 'p1', maxResults: 3 }));
    const page2 = await client.send(new iot.ListPackageVersionsCommand({ packageName: 'p1', maxResults: 3, nextToken: page1.nextToken }));
    expect([...page1.packageVersionSummaries!, ...page2.packageVersionSummaries!].map((v) => `${v.versionName}:${v.status}`)).toEqual(['a:PUBLISHED', 'b:DRAFT', 'c:PUBLISHED', 'd:DEPRECATED']);
    expect(page2.nextToken).toBeUndefined();
    // a token of one filter is not valid for another
    expect(await failure(new iot.ListPackageVersionsCommand({ packageName: 'p1', status: 'DRAFT', nextToken: page1.nextToken }))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(new iot.ListPackageVersionsCommand({ packageName: 'nope' }))).toMatchObject({ name: 'ValidationException', status: 400 });
  });

  test('GIVEN a quota of 2 versions per package WHEN a third is created THEN ServiceQuotaExceededException 402', async () => {
    const small = await IotEmulator.start({ quotas: { versionsPerPackage: 2 } });
    const c = iotClient(small);
    try {
      await c.send(new iot.CreatePackageCommand({ packageName: 'p' }));
      await c.send(new iot.CreatePackageVersionCommand({ packageName: 'p', versionName: 'v1' }));
      await c.send(new iot.CreatePackageVersionCommand({ packageName: 'p', versionName: 'v2' }));
      const e = await c.send(new iot.CreatePackageVersionCommand({ packageName: 'p', versionName: 'v3' })).catch((x) => x);
      expect(e).toMatchObject({ name: 'ServiceQuotaExceededException', $metadata: { httpStatusCode: 402 } });
    } finally {
      c.destroy();
      await small.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('rule 3: tags', () => {
  beforeEach(async () => {
    await givenPackage('p1', { tags: { team: 'a' } });
    await givenVersion('p1', 'v1', 'DRAFT', { tags: { stage: 'x' } });
  });
  const tagsOf = async (arn: string) => (await client.send(new iot.ListTagsForResourceCommand({ resourceArn: arn }))).tags;

  test('tags given at create are listed for the package and the version ARNs', async () => {
    expect(await tagsOf(pkgArn('p1'))).toEqual([{ Key: 'team', Value: 'a' }]);
    expect(await tagsOf(verArn('p1', 'v1'))).toEqual([{ Key: 'stage', Value: 'x' }]);
  });

  test('TagResource merges and UntagResource removes tags', async () => {
    await client.send(new iot.TagResourceCommand({ resourceArn: pkgArn('p1'), tags: [{ Key: 'team', Value: 'b' }, { Key: 'cost', Value: '1' }] }));
    expect(await tagsOf(pkgArn('p1'))).toEqual([{ Key: 'cost', Value: '1' }, { Key: 'team', Value: 'b' }]);
    await client.send(new iot.UntagResourceCommand({ resourceArn: pkgArn('p1'), tagKeys: ['team', 'absent'] }));
    expect(await tagsOf(pkgArn('p1'))).toEqual([{ Key: 'cost', Value: '1' }]);
  });

  test('WHEN a resource would exceed 50 tags THEN LimitExceededException 410', async () => {
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const e = await failure(new iot.TagResourceCommand({ resourceArn: verArn('p1', 'v1'), tags }));
    expect(e).toMatchObject({ name: 'LimitExceededException', status: 410 });
  });

  test('WHEN the ARN names a missing resource THEN ResourceNotFoundException 404; a malformed ARN or an aws: key is InvalidRequestException 400', async () => {
    expect(await failure(new iot.ListTagsForResourceCommand({ resourceArn: verArn('p1', 'nope') }))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(new iot.TagResourceCommand({ resourceArn: 'not-an-arn', tags: [{ Key: 'a', Value: 'b' }] }))).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    expect(await failure(new iot.TagResourceCommand({ resourceArn: pkgArn('p1'), tags: [{ Key: 'aws:x', Value: 'b' }] }))).toMatchObject({ name: 'InvalidRequestException', status: 400 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('rule 4: SBOM', () => {
  beforeEach(async () => {
    await givenPackage('p1');
    await givenVersion('p1', 'v1', 'PUBLISHED');
  });

  test('WHEN an SBOM is associated THEN IN_PROGRESS, SUCCEEDED on the next read, with a validation result listed', async () => {
    const out = await client.send(new iot.AssociateSbomWithPackageVersionCommand({ packageName: 'p1', versionName: 'v1', sbom: { s3Location: { bucket: 'b', key: 'sbom/app.zip', version: '1' } } }));
    expect(out.sbomValidationStatus).toBe('IN_PROGRESS');
    expect(await client.send(new iot.GetPackageVersionCommand({ packageName: 'p1', versionName: 'v1' }))).toMatchObject({ sbomValidationStatus: 'SUCCEEDED', sbom: { s3Location: { key: 'sbom/app.zip' } } });
    const results = await client.send(new iot.ListSbomValidationResultsCommand({ packageName: 'p1', versionName: 'v1' }));
    expect(results.validationResultSummaries).toEqual([{ fileName: 'app.zip', validationResult: 'SUCCEEDED' }]);
  });

  test('a test hook holds or fails the validation; Disassociate removes the SBOM', async () => {
    await client.send(new iot.AssociateSbomWithPackageVersionCommand({ packageName: 'p1', versionName: 'v1', sbom: { s3Location: { bucket: 'b', key: 'k.zip', version: '1' } } }));
    emu.setSbomValidationStatus('p1', 'v1', 'IN_PROGRESS');
    expect((await client.send(new iot.GetPackageVersionCommand({ packageName: 'p1', versionName: 'v1' }))).sbomValidationStatus).toBe('IN_PROGRESS');
    emu.setSbomValidationStatus('p1', 'v1', 'FAILED');
    const failed = await client.send(new iot.ListSbomValidationResultsCommand({ packageName: 'p1', versionName: 'v1', validationResult: 'FAILED' }));
    expect(failed.validationResultSummaries![0]).toMatchObject({ validationResult: 'FAILED', errorCode: 'INCOMPATIBLE_FORMAT' });
    await client.send(new iot.DisassociateSbomFromPackageVersionCommand({ packageName: 'p1', versionName: 'v1' }));
    const got = await client.send(new iot.GetPackageVersionCommand({ packageName: 'p1', versionName: 'v1' }));
    expect(got.sbom).toBeUndefined();
    expect(got.sbomValidationStatus).toBeUndefined();
  });

  test('WHEN the version is missing THEN ResourceNotFoundException 404', async () => {
    expect(await failure(new iot.AssociateSbomWithPackageVersionCommand({ packageName: 'p1', versionName: 'nope', sbom: { s3Location: { bucket: 'b', key: 'k', version: '1' } } }))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('rule 5: package configuration', () => {
  const role = `arn:aws:iam::${ACCOUNT}:role/pkg-shadow`;
  test('GIVEN a fresh account THEN disabled; WHEN updated THEN returned as set', async () => {
    expect((await client.send(new iot.GetPackageConfigurationCommand({}))).versionUpdateByJobsConfig).toEqual({ enabled: false });
    await client.send(new iot.UpdatePackageConfigurationCommand({ versionUpdateByJobsConfig: { enabled: true, roleArn: role } }));
    expect((await client.send(new iot.GetPackageConfigurationCommand({}))).versionUpdateByJobsConfig).toEqual({ enabled: true, roleArn: role });
  });

  test('WHEN enabled without a role, or with a non-role ARN THEN ValidationException 400', async () => {
    expect(await failure(new iot.UpdatePackageConfigurationCommand({ versionUpdateByJobsConfig: { enabled: true } }))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(await failure(new iot.UpdatePackageConfigurationCommand({ versionUpdateByJobsConfig: { enabled: true, roleArn: 'arn:aws:iam::123456789012:user/bob' } }))).toMatchObject({ name: 'ValidationException', status: 400 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('rule 6: indexing configuration', () => {
  const packageIndexing = { thingIndexingMode: 'REGISTRY_AND_SHADOW' as const, namedShadowIndexingMode: 'ON' as const, filter: { namedShadowNames: ['$package'] } };

  test('GIVEN a fresh account THEN indexing is OFF; WHEN $package indexing is enabled THEN returned as set', async () => {
    expect(await client.send(new iot.GetIndexingConfigurationCommand({}))).toMatchObject({ thingIndexingConfiguration: { thingIndexingMode: 'OFF' }, thingGroupIndexingConfiguration: { thingGroupIndexingMode: 'OFF' } });
    await client.send(new iot.UpdateIndexingConfigurationCommand({ thingIndexingConfiguration: packageIndexing }));
    expect((await client.send(new iot.GetIndexingConfigurationCommand({}))).thingIndexingConfiguration).toEqual(packageIndexing);
  });

  test.each([
    ['namedShadowNames without namedShadowIndexingMode ON', { thingIndexingMode: 'REGISTRY_AND_SHADOW', filter: { namedShadowNames: ['$package'] } }],
    ['namedShadowIndexingMode ON with thingIndexingMode REGISTRY', { thingIndexingMode: 'REGISTRY', namedShadowIndexingMode: 'ON' }],
    ['11 named shadow names', { ...packageIndexing, filter: { namedShadowNames: Array.from({ length: 11 }, (_, i) => `s${i}`) } }],
    ['connectivity with thing indexing OFF', { thingIndexingMode: 'OFF', thingConnectivityIndexingMode: 'STATUS' }],
    ['a shadow name with a space', { ...packageIndexing, filter: { namedShadowNames: ['bad name'] } }],
    ['an unknown mode', { thingIndexingMode: 'ALL' }],
  ])('WHEN %s THEN InvalidRequestException 400 and nothing changes', async (_name, cfg) => {
    const e = await failure(new iot.UpdateIndexingConfigurationCommand({ thingIndexingConfiguration: cfg as any }));
    expect(e).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    expect(emu.snapshot().indexingConfiguration.thingIndexingConfiguration).toEqual({ thingIndexingMode: 'OFF' });
  });
});

// ---------------------------------------------------------------------------------------------
describe('rule 7: jobs', () => {
  const doc = JSON.stringify({ steps: [] });
  beforeEach(async () => {
    await givenPackage('p1');
    await givenVersion('p1', 'pub', 'PUBLISHED');
    await givenVersion('p1', 'dep', 'DEPRECATED');
    await givenVersion('p1', 'draft');
  });
  const createJob = (jobId: string, extra: Partial<iot.CreateJobRequest> = {}) =>
    client.send(new iot.CreateJobCommand({ jobId, targets: [thingArn('t1')], document: doc, destinationPackageVersions: [verArn('p1', 'pub')], ...extra }));
  const jobStatus = async (jobId: string) => (await client.send(new iot.DescribeJobCommand({ jobId }))).job!.status;

  test('WHEN CreateJob with PUBLISHED and DEPRECATED versions THEN the job is IN_PROGRESS, SNAPSHOT, and described', async () => {
    const out = await createJob('j1', { destinationPackageVersions: [verArn('p1', 'pub'), verArn('p1', 'dep')], description: 'd' });
    expect(out).toMatchObject({ jobId: 'j1', jobArn: `arn:aws:iot:${REGION}:${ACCOUNT}:job/j1`, description: 'd' });
    const job = (await client.send(new iot.DescribeJobCommand({ jobId: 'j1' }))).job!;
    expect(job).toMatchObject({ status: 'IN_PROGRESS', targetSelection: 'SNAPSHOT', destinationPackageVersions: [verArn('p1', 'pub'), verArn('p1', 'dep')] });
    expect(job.createdAt).toBeInstanceOf(Date);
  });

  test('WHEN the job id exists THEN ResourceAlreadyExistsException 409', async () => {
    await createJob('j1');
    expect(await failure(new iot.CreateJobCommand({ jobId: 'j1', targets: [thingArn('t1')], document: doc }))).toMatchObject({ name: 'ResourceAlreadyExistsException', status: 409 });
  });

  test('WHEN a destination version is DRAFT THEN InvalidRequestException 400; missing THEN ResourceNotFoundException 404; 26 THEN InvalidRequestException', async () => {
    expect(await failure(new iot.CreateJobCommand({ jobId: 'j1', targets: [thingArn('t1')], document: doc, destinationPackageVersions: [verArn('p1', 'draft')] }))).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    expect(await failure(new iot.CreateJobCommand({ jobId: 'j1', targets: [thingArn('t1')], document: doc, destinationPackageVersions: [verArn('p1', 'nope')] }))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    const many = Array.from({ length: 26 }, (_, i) => verArn('p1', `v${i}`));
    expect(await failure(new iot.CreateJobCommand({ jobId: 'j1', targets: [thingArn('t1')], document: doc, destinationPackageVersions: many }))).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    expect(emu.snapshot().jobs).toEqual([]);
  });

  test('WHEN the document is missing, not JSON, or uses a pre-signed URL placeholder without presignedUrlConfig.roleArn THEN InvalidRequestException', async () => {
    expect(await failure(new iot.CreateJobCommand({ jobId: 'j1', targets: [thingArn('t1')] }))).toMatchObject({ name: 'InvalidRequestException' });
    expect(await failure(new iot.CreateJobCommand({ jobId: 'j1', targets: [thingArn('t1')], document: '{not json' }))).toMatchObject({ name: 'InvalidRequestException' });
    const presigned = JSON.stringify({ url: '${aws:iot:package:p1:version:pub:artifact-location:s3-presigned-url}' });
    expect(await failure(new iot.CreateJobCommand({ jobId: 'j1', targets: [thingArn('t1')], document: presigned }))).toMatchObject({ name: 'InvalidRequestException' });
    await createJob('j1', { document: presigned, presignedUrlConfig: { roleArn: `arn:aws:iam::${ACCOUNT}:role/dl`, expiresInSec: 3600 } });
  });

  test('WHEN a target is not a thing or thing group ARN THEN InvalidRequestException', async () => {
    expect(await failure(new iot.CreateJobCommand({ jobId: 'j1', targets: ['arn:aws:s3:::bucket'], document: doc }))).toMatchObject({ name: 'InvalidRequestException', status: 400 });
  });

  test('GIVEN an IN_PROGRESS job WHEN DeleteJob without force THEN InvalidStateTransitionException 409; with force THEN DELETION_IN_PROGRESS, then gone', async () => {
    await createJob('j1');
    expect(await failure(new iot.DeleteJobCommand({ jobId: 'j1' }))).toMatchObject({ name: 'InvalidStateTransitionException', status: 409 });
    await client.send(new iot.DeleteJobCommand({ jobId: 'j1', force: true }));
    expect(emu.callsTo('DeleteJob')[1].query).toEqual({ force: 'true' });
    expect(await jobStatus('j1')).toBe('DELETION_IN_PROGRESS');
    expect(await failure(new iot.DeleteJobCommand({ jobId: 'j1', force: true }))).toMatchObject({ name: 'InvalidStateTransitionException', status: 409 });
    await new Promise((r) => setTimeout(r, 80));
    expect(await failure(new iot.DescribeJobCommand({ jobId: 'j1' }))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  test('GIVEN 10 jobs DELETION_IN_PROGRESS WHEN an 11th is deleted THEN LimitExceededException 410', async () => {
    // Deletions here last an hour, so a slow machine cannot finish one before the 11th request.
    const slow = await IotEmulator.start({ jobDeletionDelayMs: 3_600_000 });
    const c = iotClient(slow);
    try {
      await c.send(new iot.CreatePackageCommand({ packageName: 'p1' }));
      await c.send(new iot.CreatePackageVersionCommand({ packageName: 'p1', versionName: 'pub' }));
      await c.send(new iot.UpdatePackageVersionCommand({ packageName: 'p1', versionName: 'pub', action: 'PUBLISH' }));
      for (let i = 0; i < 11; i++) {
        await c.send(new iot.CreateJobCommand({ jobId: `j${i}`, targets: [thingArn('t1')], document: doc, destinationPackageVersions: [verArn('p1', 'pub')] }));
      }
      for (let i = 0; i < 10; i++) await c.send(new iot.DeleteJobCommand({ jobId: `j${i}`, force: true }));
      const e = await c.send(new iot.DeleteJobCommand({ jobId: 'j10', force: true })).catch((x) => x);
      expect(e).toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 410 } });
      slow.finishJobDeletions();
      await c.send(new iot.DeleteJobCommand({ jobId: 'j10', force: true }));
    } finally {
      c.destroy();
      await slow.stop();
    }
  });

  test('CancelJob moves IN_PROGRESS to CANCELED (force recorded); a canceled job deletes without force; cancel again is InvalidRequestException', async () => {
    await createJob('j1');
    await client.send(new iot.CancelJobCommand({ jobId: 'j1', force: true, reasonCode: 'SUPERSEDED', comment: 'c' }));
    expect((await client.send(new iot.DescribeJobCommand({ jobId: 'j1' }))).job).toMatchObject({ status: 'CANCELED', forceCanceled: true, reasonCode: 'SUPERSEDED' });
    expect(await failure(new iot.CancelJobCommand({ jobId: 'j1' }))).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    await client.send(new iot.DeleteJobCommand({ jobId: 'j1' }));
  });

  test('the completeJob hook completes a job; UpdateJob changes only its mutable configuration; ListJobs filters by status', async () => {
    await createJob('j1');
    await createJob('j2');
    emu.completeJob('j1');
    await client.send(new iot.UpdateJobCommand({ jobId: 'j2', description: 'new', timeoutConfig: { inProgressTimeoutInMinutes: 10 } }));
    expect((await client.send(new iot.DescribeJobCommand({ jobId: 'j2' }))).job).toMatchObject({ description: 'new', timeoutConfig: { inProgressTimeoutInMinutes: 10 } });
    const completed = await client.send(new iot.ListJobsCommand({ status: 'COMPLETED' }));
    expect(completed.jobs!.map((j) => j.jobId)).toEqual(['j1']);
    expect(await failure(new iot.UpdateJobCommand({ jobId: 'nope', description: 'x' }))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('rule 8: job templates', () => {
  beforeEach(async () => {
    await givenPackage('p1');
    await givenVersion('p1', 'pub', 'PUBLISHED');
  });

  test('create, describe, list and delete a template with destinationPackageVersions; a job can be created from it', async () => {
    const out = await client.send(new iot.CreateJobTemplateCommand({ jobTemplateId: 't1', description: 'd', document: '{}', destinationPackageVersions: [verArn('p1', 'pub')] }));
    expect(out.jobTemplateArn).toBe(`arn:aws:iot:${REGION}:${ACCOUNT}:jobtemplate/t1`);
    expect(await client.send(new iot.DescribeJobTemplateCommand({ jobTemplateId: 't1' }))).toMatchObject({ description: 'd', document: '{}', destinationPackageVersions: [verArn('p1', 'pub')] });
    expect((await client.send(new iot.ListJobTemplatesCommand({}))).jobTemplates!.map((t) => t.jobTemplateId)).toEqual(['t1']);
    await client.send(new iot.CreateJobCommand({ jobId: 'j1', targets: [thingArn('t')], jobTemplateArn: out.jobTemplateArn }));
    expect(emu.snapshot().jobs[0].destinationPackageVersions).toEqual([verArn('p1', 'pub')]);
    await client.send(new iot.DeleteJobTemplateCommand({ jobTemplateId: 't1' }));
    expect(await failure(new iot.DescribeJobTemplateCommand({ jobTemplateId: 't1' }))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(new iot.DeleteJobTemplateCommand({ jobTemplateId: 't1' }))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  test('WHEN the template id exists THEN ConflictException 409', async () => {
    await client.send(new iot.CreateJobTemplateCommand({ jobTemplateId: 't1', description: 'd', document: '{}' }));
    expect(await failure(new iot.CreateJobTemplateCommand({ jobTemplateId: 't1', description: 'd', document: '{}' }))).toMatchObject({ name: 'ConflictException', status: 409 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('fault injection', () => {
  async function outcomes(e: IotEmulator, n: number): Promise<string[]> {
    const c = iotClient(e);
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      out.push(await c.send(new iot.ListPackagesCommand({})).then(() => 'ok', (x) => `${x.name}:${x.$metadata.httpStatusCode}`));
    }
    c.destroy();
    return out;
  }

  test('throttling with a probability is deterministic per seed and is HTTP 400 ThrottlingException', async () => {
    const [a, b, c] = await Promise.all([IotEmulator.start({ seed: 42 }), IotEmulator.start({ seed: 42 }), IotEmulator.start({ seed: 7 })]);
    try {
      for (const e of [a, b, c]) e.faults.throttle(0.5);
      const [oa, ob, oc] = [await outcomes(a, 30), await outcomes(b, 30), await outcomes(c, 30)];
      expect(oa).toEqual(ob);
      expect(oa).not.toEqual(oc);
      expect(oa).toContain('ThrottlingException:400');
      expect(oa).toContain('ok');
      a.reset();
      a.faults.throttle(0.5);
      expect(await outcomes(a, 30)).toEqual(oa); // reset re-seeds
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });

  test('server errors use the operation\'s own 5xx error from the model', async () => {
    emu.faults.serverErrors(1);
    expect(await failure(new iot.ListPackagesCommand({}))).toMatchObject({ name: 'InternalServerException', status: 500 });
    expect(await failure(new iot.ListTagsForResourceCommand({ resourceArn: pkgArn('p') }))).toMatchObject({ name: 'InternalFailureException', status: 500 });
    expect(await failure(new iot.CreateJobCommand({ jobId: 'j', targets: [thingArn('t')], document: '{}' }))).toMatchObject({ name: 'ServiceUnavailableException', status: 503 });
  });

  test('a burst fails exactly the next N matching calls', async () => {
    emu.faults.burst(2, { operations: ['GetPackageConfiguration'], kind: '5xx' });
    await client.send(new iot.ListPackagesCommand({}));
    expect(await failure(new iot.GetPackageConfigurationCommand({}))).toMatchObject({ name: 'InternalServerException' });
    expect(await failure(new iot.GetPackageConfigurationCommand({}))).toMatchObject({ name: 'InternalServerException' });
    await client.send(new iot.GetPackageConfigurationCommand({}));
  });

  test('a token-bucket rate limit throttles calls beyond the burst and refills over time', async () => {
    emu.faults.rateLimit(20, 3);
    const first = await outcomes(emu, 5);
    expect(first).toEqual(['ok', 'ok', 'ok', 'ThrottlingException:400', 'ThrottlingException:400']);
    await new Promise((r) => setTimeout(r, 120));
    expect((await outcomes(emu, 1))[0]).toBe('ok');
  });

  test('failOperation fails an operation for one resource, a given number of times, with a chosen error', async () => {
    await givenPackage('p1');
    await givenPackage('p2');
    emu.faults.failOperation('GetPackage', { resource: 'p1', times: 1 });
    emu.faults.failOperation('DeletePackageVersion', { resource: 'p2/v1', error: { name: 'ThrottlingException', status: 400, message: 'slow down' } });
    expect(await failure(new iot.GetPackageCommand({ packageName: 'p1' }))).toMatchObject({ name: 'InternalServerException', status: 500 });
    await client.send(new iot.GetPackageCommand({ packageName: 'p1' }));
    await client.send(new iot.GetPackageCommand({ packageName: 'p2' }));
    for (let i = 0; i < 3; i++) expect(await failure(new iot.DeletePackageVersionCommand({ packageName: 'p2', versionName: 'v1' }))).toMatchObject({ name: 'ThrottlingException', message: 'slow down' });
    await client.send(new iot.DeletePackageVersionCommand({ packageName: 'p2', versionName: 'v2' }));
    emu.faults.clear();
    await client.send(new iot.DeletePackageVersionCommand({ packageName: 'p2', versionName: 'v1' }));
  });

  test('an injected fault changes nothing', async () => {
    emu.faults.burst(1, { operations: ['CreatePackage'] });
    await failure(new iot.CreatePackageCommand({ packageName: 'p1' }));
    expect(emu.snapshot().packages).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('call log, snapshot and reset', () => {
  test('every call is recorded in order with operation, method, path, query, input, status and error type', async () => {
    await client.send(new iot.CreatePackageCommand({ packageName: 'p1', clientToken: TOKEN_A }));
    await failure(new iot.GetPackageCommand({ packageName: 'nope' }));
    expect(emu.calls.map((c) => c.operation)).toEqual(['CreatePackage', 'GetPackage']);
    expect(emu.calls[0]).toMatchObject({ method: 'PUT', path: '/packages/p1', query: { clientToken: TOKEN_A }, input: { packageName: 'p1', clientToken: TOKEN_A }, status: 200 });
    expect(emu.calls[0].errorType).toBeUndefined();
    expect(emu.calls[1]).toMatchObject({ method: 'GET', path: '/packages/nope', status: 404, errorType: 'ResourceNotFoundException' });
    expect(emu.calls[1].at).toBeGreaterThanOrEqual(emu.calls[0].at);
    expect(emu.callsTo('GetPackage')).toHaveLength(1);
    emu.clearCalls();
    expect(emu.calls).toEqual([]);
  });

  test('the snapshot is plain JSON in a deterministic order', async () => {
    await givenPackage('b', { tags: { z: '1', a: '2' } });
    await givenPackage('a', { description: 'first' });
    await givenVersion('b', 'v2', 'PUBLISHED', { attributes: { y: '1', x: '2' } });
    await givenVersion('b', 'v1');
    await client.send(new iot.UpdatePackageCommand({ packageName: 'b', defaultVersionName: 'v2' }));
    const snap = emu.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap).toEqual({
      packages: [
        { packageName: 'a', description: 'first', tags: {}, versions: [] },
        {
          packageName: 'b',
          defaultVersionName: 'v2',
          tags: { a: '2', z: '1' },
          versions: [
            { versionName: 'v1', status: 'DRAFT', attributes: {}, tags: {} },
            { versionName: 'v2', status: 'PUBLISHED', attributes: { x: '2', y: '1' }, tags: {} },
          ],
        },
      ],
      packageConfiguration: { versionUpdateByJobsConfig: { enabled: false } },
      indexingConfiguration: { thingIndexingConfiguration: { thingIndexingMode: 'OFF' }, thingGroupIndexingConfiguration: { thingGroupIndexingMode: 'OFF' } },
      jobs: [],
      jobTemplates: [],
    });
    expect(JSON.stringify(emu.snapshot())).toBe(JSON.stringify(snap));
  });

  test('reset clears state, calls and faults', async () => {
    await givenPackage('p1');
    emu.faults.throttle(1);
    emu.reset();
    expect(emu.calls).toEqual([]);
    expect(emu.snapshot().packages).toEqual([]);
    await client.send(new iot.ListPackagesCommand({}));
  });

  test('region and account shape the ARNs', async () => {
    const eu = await IotEmulator.start({ region: 'eu-west-1', accountId: '111122223333' });
    const c = iotClient(eu);
    try {
      expect(eu.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const out = await c.send(new iot.CreatePackageCommand({ packageName: 'p' }));
      expect(out.packageArn).toBe('arn:aws:iot:eu-west-1:111122223333:package/p');
    } finally {
      c.destroy();
      await eu.stop();
    }
  });
});
