/**
 * The GitHub workflows projen generates from .projenrc.ts: each one is valid against the GitHub
 * workflow schema (SchemaStore's, which @action-validator/core carries, so nothing is fetched),
 * and they keep what README.md and CONTRIBUTING.md say about the build and the release.
 */
import * as fs from 'fs';
import * as path from 'path';
import { validateWorkflow, ValidationError } from '@action-validator/core';
import { parse, stringify } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');
const FILES = fs.readdirSync(WORKFLOWS).filter((name) => name.endsWith('.yml')).sort();
const CONTRIBUTING = fs.readFileSync(path.join(ROOT, 'CONTRIBUTING.md'), 'utf8');
const CI_RUN = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
const TASKS = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly 'needs'?: string | string[];
  readonly 'if'?: string;
  readonly 'environment'?: string;
  readonly 'permissions'?: Record<string, string>;
  readonly 'runs-on'?: string | string[];
  readonly 'steps'?: Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}

const source = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), 'utf8');
const load = (file: string): Workflow => parse(source(file));
const needsOf = (job: Job) => [job.needs ?? []].flat();
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps ?? []);
const runs = (job: Job) => (job.steps ?? []).flatMap((step) => (step.run ? [step.run] : []));

/** The schema violations of a workflow's YAML text, one line each (nested alternatives included). */
function schemaErrors(yaml: string): string[] {
  const lines = (errors: ValidationError[]): string[] => errors.flatMap((error) => [
    `${'path' in error ? error.path : ''} ${error.code}: ${error.title}${error.detail ? ` (${error.detail})` : ''}`,
    ...('states' in error ? lines((error.states ?? []).flatMap((state) => state.errors)) : []),
  ]);
  return lines(validateWorkflow(yaml).errors);
}

describe('schema', () => {
  test('the workflows are the build, the release, the dependency upgrade and the title check', () => {
    expect(FILES).toEqual(['build.yml', 'pull-request-lint.yml', 'release.yml', 'upgrade-main.yml']);
  });

  test.each(FILES)('%s is valid against the GitHub workflow schema', (file) => {
    expect(schemaErrors(source(file))).toEqual([]);
  });

  // The check above can fail: each change below breaks release.yml, and the validator says where.
  type Breakage = readonly [what: string, change: (workflow: any) => void, expected: string];
  test.each<Breakage>([
    ['a permission level that does not exist', (w) => { w.jobs.integ.permissions['id-token'] = 'writ'; }, '/jobs/integ/permissions/id-token enum'],
    ['a publish job that needs a job that does not exist', (w) => { w.jobs.release_npm.needs.push('integration'); }, '/jobs/release_npm/needs unresolved_job'],
    ['an event that does not exist', (w) => { w.on.pushed = w.on.push; delete w.on.push; }, '/on '],
    ['a job without a runner', (w) => { delete w.jobs.integ['runs-on']; }, '/jobs/integ/runs-on required'],
    ['a step that both runs and uses', (w) => { w.jobs.integ.steps[0].run = 'true'; }, '/jobs/integ/steps/0 '],
  ])('the validator reports %s', (_what, change, expected) => {
    const workflow = parse(source('release.yml'));
    change(workflow);
    expect(schemaErrors(stringify(workflow)).join('\n')).toContain(expected);
  });
});

describe('release', () => {
  const release = load('release.yml');
  const integ = release.jobs.integ;
  const publishJobs = Object.keys(release.jobs).filter((id) => id.startsWith('release_')).sort();

  test('runs on every push to main, and by hand with a dry run', () => {
    expect(release.on.push).toEqual({ branches: ['main'] });
    expect(release.on.workflow_dispatch).toMatchObject({ inputs: { dry_run: { type: 'boolean' } } });
  });

  test('publishes to npm, PyPI, Maven Central, NuGet, the Go module repository and GitHub Releases', () => {
    expect(publishJobs).toEqual(['release_github', 'release_golang', 'release_maven', 'release_npm', 'release_nuget', 'release_pypi']);
  });

  test.each(publishJobs)('%s waits for the integ tests on AWS', (id) => {
    expect(needsOf(release.jobs[id])).toEqual(expect.arrayContaining(['release', 'integ']));
  });

  test('the integ tests run after the release build, under the publish jobs\' condition', () => {
    expect(needsOf(integ)).toEqual(['release']);
    expect(integ.if).toBe(release.jobs.release_npm.if);
    expect(integ.environment).toBe('integ');
  });

  test('the integ job signs in through GitHub\'s OIDC provider, with no stored AWS keys', () => {
    expect(integ.permissions).toEqual({ 'contents': 'read', 'id-token': 'write' });
    const signIn = (integ.steps ?? []).filter((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(signIn).toHaveLength(1);
    expect(signIn[0].with).toEqual({
      'role-to-assume': '${{ vars.INTEG_ROLE_ARN }}',
      'aws-region': '${{ vars.INTEG_REGION }}',
      'role-session-name': expect.any(String),
    });
    for (const file of FILES) {
      expect(source(file)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/);
    }
  });

  test('the integ job deploys, asserts and destroys every integ test', () => {
    expect(runs(integ)).toContain('npx projen integ:deploy');
    const integRunner = TASKS['integ:deploy'].steps.map((step: { exec?: string }) => step.exec ?? '').find((exec: string) => exec.startsWith('integ-runner'));
    expect(integRunner).toContain('--force');
    expect(integRunner).toContain('--directory test/integ');
    expect(integRunner).toContain('--parallel-regions $AWS_REGION');
    expect(integRunner).not.toMatch(/--dry-run|--no-clean/);
  });

  test('the release build installs the Python wheel build tools, then runs the release task', () => {
    const commands = runs(release.jobs.release);
    expect(commands.findIndex((run) => aptPackages(run).length > 0)).toBeLessThan(commands.indexOf('npx projen release'));
    expect(commands.flatMap(aptPackages).sort()).toEqual(aptPackages(CI_RUN).sort());
  });
});

describe('build', () => {
  const build = load('build.yml');

  test('runs on every pull request', () => {
    expect(Object.keys(build.on).sort()).toEqual(['pull_request', 'workflow_dispatch']);
  });

  test('runs what .ci/run runs: a clean install, Debian\'s Python build tools, the build, the newest aws-cdk-lib', () => {
    const commands = runs(build.jobs.build);
    const order = ['npm ci', 'npx projen build', 'npx projen test:latest-cdk'].map((command) => commands.indexOf(command));
    expect(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]))).toBe(true);
    expect(commands.flatMap(aptPackages).sort()).toEqual(aptPackages(CI_RUN).sort());
    for (const command of ['npm ci', 'npx projen build', 'npx projen test:latest-cdk']) {
      expect(CI_RUN).toContain(command);
    }
  });

  test('fails when the build changes a committed file (self-mutation check)', () => {
    expect(build.jobs.build.steps?.some((step) => step.run?.includes('git diff --staged --patch --exit-code'))).toBe(true);
    expect(build.jobs['self-mutation']).toBeDefined();
  });

  test('packages every language in a job of its own', () => {
    expect(Object.keys(build.jobs).filter((id) => id.startsWith('package-')).sort())
      .toEqual(['package-dotnet', 'package-go', 'package-java', 'package-js', 'package-python']);
  });
});

describe('pull requests', () => {
  const lint = load('pull-request-lint.yml');
  const check = lint.jobs.validate.steps?.find((step) => step.uses?.startsWith('amannn/action-semantic-pull-request@'));
  const types = String(check?.with?.types ?? '').split('\n');

  test('titles must be Conventional Commits of the types the history uses', () => {
    expect(lint.on).toHaveProperty('pull_request_target');
    expect(types).toEqual(expect.arrayContaining(['feat', 'fix', 'perf', 'refactor', 'docs', 'test', 'build', 'ci', 'chore']));
  });

  test('the dependency upgrade\'s pull-request title passes the check', () => {
    const title = String(steps(load('upgrade-main.yml')).find((step) => step.with?.title)?.with?.title);
    expect(types).toContain(title.replace(/[(:].*$/, ''));
  });
});

describe('pinned versions', () => {
  const all = FILES.map(load);

  test('every action is pinned to a commit or to a full version', () => {
    const uses = all.flatMap(steps).flatMap((step) => (step.uses ? [step.uses] : []));
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter((ref) => !/@([0-9a-f]{40}|v\d+\.\d+\.\d+)$/.test(ref))).toEqual([]);
  });

  test('Node.js 20.x and one runner image in every job', () => {
    const nodes = all.flatMap(steps).filter((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(nodes.length).toBeGreaterThan(0);
    expect(new Set(nodes.map((step) => step.with?.['node-version']))).toEqual(new Set(['20.x']));
    const runners = all.flatMap((workflow) => Object.values(workflow.jobs).map((job) => job['runs-on']));
    expect(new Set(runners.flat())).toEqual(new Set(['ubuntu-24.04']));
  });

  test('the publishing CLI has a fixed version', () => {
    const publib = all.flatMap(steps).flatMap((step) => step.run?.match(/publib@[^' ]+/g) ?? []);
    expect(publib.length).toBeGreaterThan(0);
    expect(publib.filter((ref) => !/^publib@\d+\.\d+\.\d+$/.test(ref))).toEqual([]);
  });
});

describe('CONTRIBUTING.md', () => {
  const all = FILES.map(source).join('\n');

  test.each([...new Set([...all.matchAll(/secrets\.([A-Z0-9_]+)/g)].map((m) => m[1]))].filter((name) => name !== 'GITHUB_TOKEN').sort())(
    'names the secret %s', (name) => {
      expect(CONTRIBUTING).toContain(`\`${name}\``);
    });

  test.each([...new Set([...all.matchAll(/vars\.([A-Z0-9_]+)/g)].map((m) => m[1]))].sort())('names the variable %s', (name) => {
    expect(CONTRIBUTING).toContain(`\`${name}\``);
  });
});

/** The Debian packages an `apt-get install` line in a script installs. */
function aptPackages(script: string): string[] {
  return [...script.matchAll(/apt-get install ([^>&\n]*)/g)]
    .flatMap((m) => m[1].split(/\s+/))
    .filter((word) => word && !word.startsWith('-'));
}
