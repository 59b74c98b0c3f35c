import { awscdk, Component, github, javascript } from 'projen';

/** The runner image of every workflow job, so that the Debian packages below stay the same. */
const RUNNER = 'ubuntu-24.04';

/**
 * The Debian packages that build the Python wheel offline (see `package:python-wheel`), as
 * `.ci/run` installs them: every workflow job that runs the full build installs them first.
 */
function debianPythonBuildTools(): github.workflows.JobStep {
  return {
    name: 'Install the Python wheel build tools',
    run: 'sudo apt-get update -qq && sudo apt-get install -y -qq python3-build python3-wheel python3-setuptools',
  };
}

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-iot-package-catalog',
  description: 'AWS CDK L2 constructs for the AWS IoT Device Management Software Package Catalog: packages, versions that publish, default versions, package configuration and jobs that install package versions.',
  author: 'cdk-iot-package-catalog maintainers',
  authorAddress: 'maintainers@cdk-iot-package-catalog.dev',
  repositoryUrl: 'https://github.com/cdk-iot-package-catalog/cdk-iot-package-catalog.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'aws-iot', 'iot', 'software-package-catalog', 'ota', 'firmware'],
  stability: 'experimental',

  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  projenVersion: '0.103.25',
  minNodeVersion: '20.0.0',
  workflowNodeVersion: '20.x',

  devDeps: [
    '@aws-sdk/client-cloudformation@3.1169.0',
    '@aws-sdk/client-iot@3.1169.0',
    '@aws-sdk/client-s3@3.1169.0',
    '@smithy/types@^4.20.0',
    '@types/aws-lambda',
    '@types/node@^20',
    'esbuild@0.28.2',
    'cdk-nag@3.0.2',
    // cdk-nag 2.x, which most users run as an Aspect, beside 3.x.
    'cdk-nag2@npm:cdk-nag@2.38.2',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
    'tsx',
    // The generated GitHub workflows are checked against the GitHub workflow schema, offline.
    '@action-validator/core@0.6.0',
    'yaml@^2',
  ],

  // Names in each jsii target are permanent once published.
  publishToPypi: {
    distName: 'cdk-iot-package-catalog',
    module: 'cdk_iot_package_catalog',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkiotpackagecatalog',
    mavenGroupId: 'io.github.cdk-iot-package-catalog',
    mavenArtifactId: 'cdk-iot-package-catalog',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkIotPackageCatalog',
    packageId: 'CdkIotPackageCatalog',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-iot-package-catalog/cdk-iot-package-catalog-go',
  },

  // GitHub workflows: a build on every pull request (the same build and tests as `.ci/run`),
  // a release from main that publishes to every registry above, a dependency upgrade, and a
  // check that pull-request titles are Conventional Commits (the changelog is made of them).
  github: true,
  githubOptions: {
    workflowRunsOn: [RUNNER],
    // Pull requests are merged by hand; no merge bot.
    mergify: false,
    pullRequestLintOptions: {
      semanticTitleOptions: {
        types: ['feat', 'fix', 'perf', 'refactor', 'docs', 'test', 'build', 'ci', 'chore', 'revert'],
      },
    },
  },
  pullRequestTemplateContents: [
    '<!-- The title becomes the squashed commit and its changelog line: a Conventional Commit such as',
    '     "feat(jobs): ..." or "fix: ...". Say what changes and why. -->',
    '',
    '- [ ] README, API.md and examples describe the change',
    '- [ ] a test fails without the change',
  ],
  buildWorkflow: true,
  buildWorkflowOptions: {
    // `npm ci`, as `.ci/run` does: a lockfile that does not match package.json fails the build.
    mutableInstall: false,
    preBuildSteps: [debianPythonBuildTools()],
  },
  release: true,
  releaseToNpm: true,
  majorVersion: 0,
  releaseWorkflowSetupSteps: [debianPythonBuildTools()],
  // The publishing CLI of every publish job, pinned like the rest of the toolchain.
  jsiiReleaseVersion: '0.2.1061',
  // The dependency upgrade keeps the versions the project is tested with: exact pins stay, ranges
  // move within their range. projen's bundler requests esbuild without a version, which the
  // upgrade would move to its next 0.x minor: give it the 0.28 range it is tested with.
  depsUpgrade: true,
  bundlerOptions: { esbuildVersion: '^0.28.2' },

  gitignore: ['/assets/', '*.metafile.json', '/cdk.out/', '/examples/cdk.out/', '/.bench/', '.jsii.tabl.json', '__pycache__/'],

  jestOptions: {
    // A snapshot that rewrites itself cannot fail: update snapshots only on purpose (`npx jest -u`).
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 60_000,
      // Jest leaves a core idle by default; the suites spend much of their time waiting on local servers.
      maxWorkers: '100%',
      setupFiles: ['<rootDir>/test/setup.ts'],
      // Coverage is about src/ and lambda/: the tests and the local cloud they run on are not measured.
      coveragePathIgnorePatterns: ['/node_modules/', '/test/', '/local-cloud/'],
    },
  },
  tsconfigDev: {
    include: ['../src/**/*.ts', '../lambda/**/*.ts', '../local-cloud/**/*.ts', '../examples/**/*.ts', '../bench/**/*.ts', '../scripts/**/*.ts', '../.projenrc.ts', '../projenrc/**/*.ts'],
    compilerOptions: {},
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'lambda', 'local-cloud', 'examples', 'bench', 'scripts'],
    // One program for every linted file: the handler, local cloud, examples and benchmarks live outside src/.
    tsconfigPath: './test/tsconfig.json',
    projectService: false,
  },
});

// The custom-resource handler runs on the AWS SDK of the Lambda runtime, as aws-cdk's own
// handlers do; it checks that SDK before loading the code that uses it (lambda/shared/runtime-sdk.ts).
project.bundler.addBundle('./lambda/index.ts', {
  platform: 'node',
  // The provider's function runs on Node.js 24 (lambda.Runtime.NODEJS_24_X).
  target: 'node24',
  minify: true,
  sourcemap: false,
  externals: ['@aws-sdk/*', '@smithy/*'],
  esbuildArgs: { '--main-fields': 'module,main', '--legal-comments': 'none' },
});

// The npm package ships the bundled handler under assets/, never its sources.
for (const pattern of ['/lambda/', '*.metafile.json', '/local-cloud/', '/examples/', '/bench/', '/cdk.out/', '/.bench/', '/.ci/', '/docs/', '/scripts/', '/rosetta/', '.jsii.tabl.json']) {
  project.addPackageIgnore(pattern);
}

// Local builds and CI package the same targets: JavaScript, and the Python wheel built offline
// (projen's package:python pip-installs its build tools, and PyPI is out of reach). The GitHub
// workflows package each language again in a job of its own with projen's `package:<language>`
// tasks, on runners that have the toolchains and reach the registries: those are what is published.
const pythonWheel = project.addTask('package:python-wheel', {
  description: 'Generate the Python sources with jsii-pacmak and build the wheel offline with Debian\'s Python build tools',
  steps: [
    { exec: 'rm -rf dist/python dist/.python-src' },
    { exec: 'jsii-pacmak --target python --code-only --outdir dist/.python-src' },
    { exec: '/usr/bin/python3 -m compileall -q dist/.python-src/python/src' },
    { exec: 'cd dist/.python-src/python && /usr/bin/python3 -m build --no-isolation --skip-dependency-check --wheel --outdir ../../python' },
    { exec: 'node scripts/check-wheel.js dist/python' },
  ],
});
for (const name of ['package', 'package-all']) {
  const task = project.tasks.tryFind(name)!;
  task.reset();
  task.spawn(project.tasks.tryFind('package:js')!);
  task.spawn(pythonWheel);
}

// Every README example compiles in strict mode, so Construct Hub can render it in each language.
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile the README examples with jsii-rosetta (strict)',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);

// Tests exercise the bundled handler: build it first on a fresh clone.
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);

// esbuild does not type-check: check the handler, local cloud, tests, examples and benchmarks with tsc.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check the handler, local cloud, tests, examples and benchmarks',
  exec: 'tsc --noEmit -p test/tsconfig.json',
});
project.testTask.prependSpawn(typecheck);

// The demo deploys the example app onto the local IoT emulator; the benchmarks print figures.
// Both run the bundled handler, so both bundle first.
const demo = project.addTask('demo', {
  description: 'Synthesize the example app and deploy, update and destroy it on the local IoT emulator',
});
demo.spawn(project.tasks.tryFind('bundle')!);
demo.exec('tsx examples/demo.ts');
const bench = project.addTask('bench', {
  description: 'Measure synth, bundle, API calls and throttled deploys side by side with the L1 resources',
});
bench.spawn(project.tasks.tryFind('bundle')!);
bench.exec('tsx bench/run.ts', { receiveArgs: true });

// Integration tests for real accounts; here their snapshots are verified offline (synth and
// compare, no deploy). integ-runner ignores asset hashes; `integ:update` rewrites snapshots.
const integApp = 'integ-runner --directory test/integ --language typescript --app "node --import tsx {filePath}"';
// AWS_REGION skips a region probe of the EC2 metadata service (about 9 s per test offline).
const integ = project.addTask('integ', {
  description: 'Verify the integ test snapshots offline',
  env: { AWS_REGION: 'us-east-1' },
});
integ.spawn(project.tasks.tryFind('bundle')!);
integ.exec(integApp, { receiveArgs: true });
const integUpdate = project.addTask('integ:update', {
  description: 'Rewrite the integ test snapshots from a fresh synth, without deploying',
  env: { AWS_REGION: 'us-east-1' },
});
integUpdate.spawn(project.tasks.tryFind('bundle')!);
integUpdate.exec(`${integApp} --update-on-failed --force --dry-run --parallel-regions us-east-1`);
integUpdate.exec('tsx test/integ/prune-snapshot-assets.ts');
project.testTask.spawn(integ);
project.gitignore.exclude('/test/integ/cdk-integ.out.*', '/test/integ/*.snapshot/asset.*');

// On a real account: deploy every integ test in the region of the current credentials
// ($AWS_REGION), run its assertions and destroy it. The release runs this before publishing;
// CONTRIBUTING.md describes the account it needs. A passing run rewrites the snapshots, whose
// asset directories are pruned again as `integ:update` does.
const integDeploy = project.addTask('integ:deploy', {
  description: 'Deploy every integ test to the AWS account and region ($AWS_REGION) of the current credentials, assert and destroy',
  requiredEnv: ['AWS_REGION'],
});
integDeploy.spawn(project.tasks.tryFind('bundle')!);
integDeploy.exec(`${integApp} --force --no-update-workflow --parallel-regions $AWS_REGION`, { receiveArgs: true });
integDeploy.exec('tsx test/integ/prune-snapshot-assets.ts');

// The release deploys the integ tests before anything is published. The `integ` job signs in
// to AWS through GitHub's OIDC provider with a role that trusts this repository's `integ`
// environment only: no AWS keys are stored in GitHub. The role ARN and the region are variables
// of that environment.
const INTEG_JOB_ID = 'integ';
const release = project.release!;
release.addJobs({
  [INTEG_JOB_ID]: {
    name: 'Integ tests on AWS',
    needs: ['release'],
    // The publish jobs' own condition: the version is new and main has not moved since the build.
    if: release.publisher.condition,
    environment: 'integ',
    runsOn: [RUNNER],
    // Stacks are destroyed at the end of each test; IoT deletes jobs in the background.
    timeoutMinutes: 60,
    permissions: {
      contents: github.workflows.JobPermission.READ,
      idToken: github.workflows.JobPermission.WRITE,
    },
    steps: [
      github.WorkflowSteps.checkout(),
      ...project.renderWorkflowSetup({ mutable: false }),
      {
        name: 'Check the integ environment',
        env: { ROLE_ARN: '${{ vars.INTEG_ROLE_ARN }}', REGION: '${{ vars.INTEG_REGION }}' },
        run: [
          'if [ -z "$ROLE_ARN" ] || [ -z "$REGION" ]; then',
          '  echo "::error::Set the variables INTEG_ROLE_ARN and INTEG_REGION of the integ environment (CONTRIBUTING.md, Releasing)"',
          '  exit 1',
          'fi',
        ].join('\n'),
      },
      {
        name: 'Assume the integ deploy role',
        uses: github.ActionRefs.AWS_ACTIONS_CONFIGURE_AWS_CREDENTIALS,
        with: {
          'role-to-assume': '${{ vars.INTEG_ROLE_ARN }}',
          'aws-region': '${{ vars.INTEG_REGION }}',
          'role-session-name': 'integ-${{ github.run_id }}',
        },
      },
      {
        name: 'Deploy, assert and destroy the integ tests',
        run: project.runTaskCommand(integDeploy),
      },
    ],
  },
});

/** Every publish job of the release workflow waits for the integ tests on AWS. */
class PublishAfterInteg extends Component {
  public preSynthesize(): void {
    // Runs after the release component has added its publish jobs (`release_<registry>`).
    const workflow = project.github!.tryFindWorkflow('release')!;
    for (const [id, job] of Object.entries(workflow.jobs)) {
      if (!id.startsWith('release_')) continue;
      const needs = job.needs ?? [];
      if (!needs.includes(INTEG_JOB_ID)) workflow.updateJob(id, { ...job, needs: [...needs, INTEG_JOB_ID] });
    }
  }
}
new PublishAfterInteg(project);

// The library supports aws-cdk-lib from 2.257.0 (the devDependency) to the newest: CI also runs
// the construct, cdk-nag and lifecycle suites against the newest release measured here. This
// changes node_modules without saving; `npm ci` restores them.
project.addTask('test:latest-cdk', {
  description: 'Run the construct, cdk-nag and lifecycle tests against the newest aws-cdk-lib',
  steps: [
    { exec: 'npm install --no-save --no-audit --no-fund aws-cdk-lib@2.276.0' },
    { exec: 'jest --coverage=false --ci test/constructs test/nag test/lifecycle' },
  ],
});

project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// The pull-request build runs what `.ci/run` runs: the full build, then the newest aws-cdk-lib.
project.buildWorkflow!.addPostBuildSteps({
  name: 'Test against the newest aws-cdk-lib',
  run: project.runTaskCommand(project.tasks.tryFind('test:latest-cdk')!),
});

project.synth();
