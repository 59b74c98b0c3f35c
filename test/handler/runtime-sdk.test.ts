/**
 * What the handler requires of the Lambda runtime's SDK: the list is complete (every client and
 * command `lambda/` imports), and the check names what is missing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ClientSource, compareVersions, RUNTIME_SDK_REQUIREMENTS, runtimeClient, runtimeSdkProblem, RuntimeClient } from '../../lambda/shared/runtime-sdk';

const LAMBDA = path.join(__dirname, '..', '..', 'lambda');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory()
    ? sources(path.join(dir, e.name))
    : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

/**
 * The classes `lambda/` constructs (`new XCommand(`, `new XClient(`), by the SDK client its
 * file imports (a file that constructs SDK classes imports one client, as a value or a type).
 */
function constructedFromSdk(): Record<string, string[]> {
  const constructed: Record<string, Set<string>> = {};
  for (const file of sources(LAMBDA)) {
    const text = fs.readFileSync(file, 'utf8');
    const classes = [...text.matchAll(/\bnew (?:\w+\.)?(\w+(?:Command|Client))\(/g)].map((m) => m[1]);
    if (classes.length === 0) continue;
    const clients = [...new Set([...text.matchAll(/^import (?:type )?(?:\{[^}]*\}|\* as \w+) from '(@aws-sdk\/[^']+)';/gm)].map((m) => m[1]))];
    if (clients.length !== 1) throw new Error(`${file} constructs ${classes.join(', ')} but imports ${clients.length} SDK clients`);
    for (const name of classes) (constructed[clients[0]] ??= new Set()).add(name);
  }
  return Object.fromEntries(Object.entries(constructed).map(([client, names]) => [client, [...names].sort()]));
}

test('the requirements list every client and command the handler constructs', () => {
  const required = Object.fromEntries(Object.entries(RUNTIME_SDK_REQUIREMENTS).map(([client, r]) => [client, [...r.commands].sort()]));
  expect(required).toEqual(constructedFromSdk());
});

test('the SDK installed for development meets them', () => {
  expect(runtimeSdkProblem()).toBeUndefined();
});

describe('an SDK that cannot run the handler', () => {
  const real = (client: RuntimeClient): ClientSource => ({
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    load: () => require(client) as Record<string, unknown>,
    version: () => RUNTIME_SDK_REQUIREMENTS[client].minimumVersion,
  });
  const clients = {
    '@aws-sdk/client-iot': real('@aws-sdk/client-iot'),
    '@aws-sdk/client-s3': real('@aws-sdk/client-s3'),
    '@aws-sdk/client-cloudformation': real('@aws-sdk/client-cloudformation'),
  };
  const notFound = (client: string) => () => {
    throw new Error(`Cannot find module '${client}'\nRequire stack: ...`);
  };

  test('at the minimum versions, with every command, there is no problem', () => {
    expect(runtimeSdkProblem(clients)).toBeUndefined();
  });

  test.each<[string, Partial<typeof clients>, string]>([
    ['a client that is not there', { '@aws-sdk/client-s3': { load: notFound('@aws-sdk/client-s3'), version: notFound('@aws-sdk/client-s3/package.json') } },
      "cannot run the handler: @aws-sdk/client-s3 cannot be loaded (Cannot find module '@aws-sdk/client-s3/package.json'). Nothing was changed."],
    ['IoT commands missing', { '@aws-sdk/client-iot': { load: () => ({}), version: () => '3.100.0' } },
      'cannot run the handler: @aws-sdk/client-iot is 3.100.0, which lacks AssociateSbomWithPackageVersionCommand, CancelJobCommand'],
    ['an older client, whatever its commands', { '@aws-sdk/client-cloudformation': { ...clients['@aws-sdk/client-cloudformation'], version: () => '2.1.0' } },
      'cannot run the handler: @aws-sdk/client-cloudformation is 2.1.0. Nothing was changed.'],
  ])('%s', (_name, override, message) => {
    const problem = runtimeSdkProblem({ ...clients, ...override });
    expect(problem).toContain(message);
    expect(problem).toMatch(/^The AWS SDK of this Lambda runtime \(.*\) cannot run the handler: /);
    expect(problem).toMatch(/deploy again once the runtime in this region has @aws-sdk\/[a-z0-9-]+ [\d.]+ or later\.$/);
  });

  test('the S3 and CloudFormation clients are not loaded by the check, but on first use, and checked then', () => {
    const load = jest.fn(() => ({ S3Client: class {} }));
    expect(runtimeSdkProblem({ ...clients, '@aws-sdk/client-s3': { load, version: () => '3.700.0' } })).toBeUndefined();
    expect(load).not.toHaveBeenCalled();
    expect(() => runtimeClient('@aws-sdk/client-s3', { load, version: () => '3.700.0' })).toThrow(
      /cannot run the handler: @aws-sdk\/client-s3 is 3\.700\.0, which lacks HeadObjectCommand\. AWS updates the SDK/);
    expect(load).toHaveBeenCalledTimes(1);
    expect(runtimeClient('@aws-sdk/client-s3', clients['@aws-sdk/client-s3'])).toHaveProperty('HeadObjectCommand');
  });
});

test.each([
  ['3.652.0', '3.652.0', 0], ['3.1169.0', '3.652.0', 1], ['3.99.1', '3.100.0', -1], ['3.652.0-beta.1', '3.652.0', 0], ['3.652', '3.652.0', 0],
])('compareVersions(%s, %s) is %d', (a, b, expected) => {
  expect(compareVersions(a, b)).toBe(expected);
});
