import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Package configurations and the jobs that wait for them, per app and per stack. Kept in weak
 * maps keyed by constructs, so nothing outlives the app it belongs to.
 */

/** app root → `account/region` → path of the PackageConfiguration that holds it. */
const CONFIGURATIONS = new WeakMap<IConstruct, Map<string, string>>();
/** stack → its PackageConfiguration. */
const STACK_CONFIGURATION = new WeakMap<Stack, IConstruct>();
/** stack → its jobs. */
const STACK_JOBS = new WeakMap<Stack, IConstruct[]>();

function describeEnvironment(stack: Stack): string {
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    return 'the account and region of environment-agnostic stacks';
  }
  return `account ${stack.account} in region ${stack.region}`;
}

/**
 * Records the package configuration of its stack's account and region: there can be only one
 * per account and region, so a second one in the same app (in any stack of the same
 * environment) fails. Environment-agnostic stacks count as one environment, since they may
 * deploy to the same place. Jobs of the stack created before it start to depend on it.
 */
export function claimPackageConfiguration(configuration: IConstruct): void {
  const stack = Stack.of(configuration);
  const root = configuration.node.root;
  let claims = CONFIGURATIONS.get(root);
  if (!claims) {
    claims = new Map();
    CONFIGURATIONS.set(root, claims);
  }
  const key = `${stack.account}/${stack.region}`;
  const existing = claims.get(key);
  if (existing !== undefined) {
    throw new Error(
      `There can be only one PackageConfiguration per account and region: ${existing} and ` +
      `${configuration.node.path} both configure ${describeEnvironment(stack)}.`,
    );
  }
  claims.set(key, configuration.node.path);
  STACK_CONFIGURATION.set(stack, configuration);
  for (const job of STACK_JOBS.get(stack) ?? []) job.node.addDependency(configuration);
}

/** Makes a job depend on its stack's package configuration, now or when one is added. */
export function registerJob(job: IConstruct): void {
  const stack = Stack.of(job);
  const jobs = STACK_JOBS.get(stack) ?? [];
  jobs.push(job);
  STACK_JOBS.set(stack, jobs);
  const configuration = STACK_CONFIGURATION.get(stack);
  if (configuration) job.node.addDependency(configuration);
}
