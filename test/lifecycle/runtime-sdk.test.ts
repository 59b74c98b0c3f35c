/**
 * The handler runs on the AWS SDK of the Lambda runtime, never one of its own: the bundle holds
 * none, the harness's runtime provides the SDK installed for development (every other lifecycle
 * test runs on it), and a runtime whose SDK lacks a command the handler needs fails the
 * resource with a message that says so, changes nothing, and the stack rolls back completely.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { catalogApp, STACK } from './catalog-app';
import { RUNTIME_SDK_REQUIREMENTS } from '../../lambda/shared/runtime-sdk';
import { LocalCloud } from '../../local-cloud';

const CLIENTS = Object.keys(RUNTIME_SDK_REQUIREMENTS);
const IOT_MINIMUM = RUNTIME_SDK_REQUIREMENTS['@aws-sdk/client-iot'].minimumVersion;

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/**
 * A runtime's packages: the development SDK's clients, except that client-iot reports
 * `iotVersion` and lacks the `without` commands.
 */
function runtimeModules(options: { iotVersion?: string; without?: string[]; empty?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-modules-'));
  scratch.push(dir);
  if (options.empty) return dir;
  fs.mkdirSync(path.join(dir, '@aws-sdk'));
  for (const client of CLIENTS) {
    const real = path.dirname(require.resolve(`${client}/package.json`));
    const target = path.join(dir, client);
    if (client !== '@aws-sdk/client-iot') {
      fs.symlinkSync(real, target);
      continue;
    }
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'package.json'), JSON.stringify({ name: client, version: options.iotVersion, main: 'index.js' }));
    fs.writeFileSync(path.join(target, 'index.js'), [
      `const real = require(${JSON.stringify(real)});`,
      'module.exports = { ...real };',
      ...(options.without ?? []).map((name) => `delete module.exports[${JSON.stringify(name)}];`),
    ].join('\n'));
  }
  return dir;
}

const RELEASE = { versions: [{ id: 'V1', versionName: '1.0.0', isDefault: true }] };

async function deployOn(modules: string | undefined) {
  const cloud = await LocalCloud.start({ harness: { runtimeModules: modules } });
  try {
    const result = await cloud.harness.deploy(cloud.synth(catalogApp(RELEASE)), STACK);
    return { result, snapshot: cloud.iot.snapshot(), calls: cloud.iot.calls.length, denials: cloud.iam.denials };
  } finally {
    await cloud.stop();
  }
}

test('on the SDK of the runtime, which the development install provides here, the stack deploys', async () => {
  const { result, snapshot, denials } = await deployOn(undefined);
  expect(result.status).toEqual('CREATE_COMPLETE');
  expect(snapshot.packages).toEqual([expect.objectContaining({ packageName: 'fw', defaultVersionName: '1.0.0' })]);
  expect(denials).toEqual([]);
});

test('the bundle holds no SDK: on a runtime without one, every client is missing, and nothing is created', async () => {
  const { result, snapshot, calls } = await deployOn(runtimeModules({ empty: true }));
  expect(result.status).toEqual('ROLLBACK_COMPLETE');
  for (const client of CLIENTS) expect(result.failure).toContain(`${client} cannot be loaded (Cannot find module '${client}/package.json'`);
  expect(snapshot.packages).toEqual([]);
  expect(calls).toBe(0);
});

test('a runtime SDK that lacks a command: a clear failure, nothing changed, and the rollback completes', async () => {
  const { result, snapshot, calls } = await deployOn(runtimeModules({ iotVersion: '3.363.0', without: ['AssociateSbomWithPackageVersionCommand'] }));
  expect(result.status).toEqual('ROLLBACK_COMPLETE');
  expect(result.failure).toContain(
    'The AWS SDK of this Lambda runtime (AWS_Lambda_nodejs24.x) cannot run the handler: @aws-sdk/client-iot is 3.363.0, ' +
    'which lacks AssociateSbomWithPackageVersionCommand. Nothing was changed. AWS updates the SDK of its Node.js runtimes: ' +
    `deploy again once the runtime in this region has @aws-sdk/client-iot ${IOT_MINIMUM} or later.`);
  expect(snapshot.packages).toEqual([]);
  expect(calls).toBe(0);
});

test('a runtime SDK older than the handler needs, though it has every command, fails the same way', async () => {
  const { result, calls } = await deployOn(runtimeModules({ iotVersion: '3.500.0' }));
  expect(result.status).toEqual('ROLLBACK_COMPLETE');
  expect(result.failure).toContain('cannot run the handler: @aws-sdk/client-iot is 3.500.0. Nothing was changed.');
  expect(calls).toBe(0);
});

test('a runtime SDK at the minimum version runs the handler', async () => {
  const { result } = await deployOn(runtimeModules({ iotVersion: IOT_MINIMUM }));
  expect(result.status).toEqual('CREATE_COMPLETE');
});
