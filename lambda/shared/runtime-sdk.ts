import { ResourceError } from './errors';

/**
 * The handler runs on the AWS SDK that the Lambda runtime provides, as aws-cdk's own
 * custom-resource handlers do: the bundle leaves `@aws-sdk/*` out. A runtime whose SDK is too
 * old for a command or a request member the handler sends would fail with a TypeError, or
 * worse, drop the member silently (an older client serializes only the members it knows). So
 * before the handler's code is loaded, the runtime's clients are checked here, and an event
 * the runtime cannot serve fails with a message that says what is missing.
 *
 * Loading a client costs a cold start about 60 ms (`npm run bench`): IoT's is loaded for every
 * event; S3's and CloudFormation's only when an event needs them (`runtimeClient`).
 */

/**
 * What the handler needs of each client: the commands it sends, and the oldest version whose
 * requests have every member it sets. `scripts/runtime-sdk-floor.ts` finds that version by
 * type-checking `lambda/` against each published client; run it when the handler starts to use
 * a new command or request member.
 */
export const RUNTIME_SDK_REQUIREMENTS = {
  '@aws-sdk/client-iot': {
    minimumVersion: '3.652.0',
    commands: [
      'AssociateSbomWithPackageVersionCommand',
      'CancelJobCommand',
      'CreateJobCommand',
      'CreatePackageCommand',
      'CreatePackageVersionCommand',
      'DeleteJobCommand',
      'DeletePackageCommand',
      'DeletePackageVersionCommand',
      'DescribeJobCommand',
      'DisassociateSbomFromPackageVersionCommand',
      'GetIndexingConfigurationCommand',
      'GetJobDocumentCommand',
      'GetPackageCommand',
      'GetPackageConfigurationCommand',
      'GetPackageVersionCommand',
      'IoTClient',
      'ListJobsCommand',
      'ListPackageVersionsCommand',
      'ListTagsForResourceCommand',
      'TagResourceCommand',
      'UntagResourceCommand',
      'UpdateIndexingConfigurationCommand',
      'UpdateJobCommand',
      'UpdatePackageCommand',
      'UpdatePackageConfigurationCommand',
      'UpdatePackageVersionCommand',
    ],
  },
  '@aws-sdk/client-s3': {
    minimumVersion: '3.0.0',
    commands: ['HeadObjectCommand', 'S3Client'],
  },
  '@aws-sdk/client-cloudformation': {
    minimumVersion: '3.0.0',
    commands: ['CloudFormationClient', 'DescribeStacksCommand'],
  },
} as const;

export type RuntimeClient = keyof typeof RUNTIME_SDK_REQUIREMENTS;

/** How a client of the runtime is read: its exports (loading it), and its version (reading its package.json only). */
export interface ClientSource {
  readonly load: () => Record<string, unknown>;
  readonly version: () => string;
}

/*
 * Literal requires, so that the bundler leaves each client to the runtime (they are external)
 * and the lookup follows the runtime's module paths.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const RUNTIME: { readonly [C in RuntimeClient]: ClientSource } = {
  '@aws-sdk/client-iot': {
    load: () => require('@aws-sdk/client-iot'),
    version: () => require('@aws-sdk/client-iot/package.json').version,
  },
  '@aws-sdk/client-s3': {
    load: () => require('@aws-sdk/client-s3'),
    version: () => require('@aws-sdk/client-s3/package.json').version,
  },
  '@aws-sdk/client-cloudformation': {
    load: () => require('@aws-sdk/client-cloudformation'),
    version: () => require('@aws-sdk/client-cloudformation/package.json').version,
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The check's answer for the runtime's own clients, which do not change while the environment lives. */
let runtimeAnswer: { readonly problem?: string } | undefined;

/**
 * Why the runtime's SDK cannot run the handler, or undefined when it can: every client's
 * version, and the IoT client's commands (it is loaded for every event anyway).
 */
export function runtimeSdkProblem(sources: { readonly [C in RuntimeClient]: ClientSource } = RUNTIME): string | undefined {
  if (runtimeAnswer && sources === RUNTIME) return runtimeAnswer.problem;
  const problems = (Object.keys(RUNTIME_SDK_REQUIREMENTS) as RuntimeClient[]).flatMap((client) => {
    const { problem } = inspect(client, sources[client], client === '@aws-sdk/client-iot');
    return problem ? [{ client, problem }] : [];
  });
  const answer = problems.length === 0 ? undefined : `${describe(problems)} Nothing was changed. ${remedy(problems)}`;
  if (sources === RUNTIME) runtimeAnswer = { problem: answer };
  return answer;
}

/**
 * The runtime's client, loaded on first use and checked for the commands the handler sends.
 * Throws a ResourceError that says what is missing.
 */
export function runtimeClient(client: RuntimeClient, source: ClientSource = RUNTIME[client]): Record<string, unknown> {
  const { problem, members } = inspect(client, source, true);
  if (problem) throw new ResourceError(`${describe([{ client, problem }])} ${remedy([{ client, problem }])}`);
  return members;
}

interface Problem {
  readonly client: RuntimeClient;
  readonly problem: string;
}

/** The client's version, and when `load`, its exported members and the commands they lack. */
function inspect(client: RuntimeClient, source: ClientSource, load: boolean): { problem?: string; members: Record<string, unknown> } {
  const requirement = RUNTIME_SDK_REQUIREMENTS[client];
  let version: string;
  let members: Record<string, unknown> = {};
  try {
    version = source.version();
    if (load) members = source.load();
  } catch (error) {
    return { members, problem: `${client} cannot be loaded (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
  const missing = load ? requirement.commands.filter((name) => typeof members[name] !== 'function') : [];
  if (missing.length > 0) return { members, problem: `${client} is ${version}, which lacks ${missing.join(', ')}` };
  if (compareVersions(version, requirement.minimumVersion) < 0) return { members, problem: `${client} is ${version}` };
  return { members };
}

function describe(problems: readonly Problem[]): string {
  return `The AWS SDK of this Lambda runtime (${process.env.AWS_EXECUTION_ENV ?? 'unknown runtime'}) cannot run the handler: ` +
    `${problems.map((p) => p.problem).join('; ')}.`;
}

function remedy(problems: readonly Problem[]): string {
  const needed = problems.map(({ client }) => `${client} ${RUNTIME_SDK_REQUIREMENTS[client].minimumVersion} or later`);
  return `AWS updates the SDK of its Node.js runtimes: deploy again once the runtime in this region has ${needed.join(', ')}.`;
}

/** Compares dotted numeric versions (`3.652.0`); a pre-release suffix is ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split('-')[0].split('.').map((p) => Number.parseInt(p, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
