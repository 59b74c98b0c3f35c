/**
 * The two-minute tour: synthesize the example app, deploy it onto the local IoT emulator with
 * the deploy harness (CloudFormation's part, played locally with the bundled handler), apply an
 * update, destroy, and print the catalog and the API calls at each step. No AWS account needed.
 */
import { buildApp, Release } from './firmware-app';
import { buildRolloutApp, RolloutStage } from './staged-rollout';
import { LocalCloud } from '../local-cloud';

const STACK = 'FirmwareCatalog';
const ROLLOUT_STACK = 'PumpFirmwareRollout';

async function main() {
  const cloud = await LocalCloud.start();
  try {
    await step(cloud, '1. cdk deploy (initial release: 1.0.0 published and default, 1.1.0 in draft)', () => deploy(cloud, 'initial'));
    await step(cloud, '2. cdk deploy (update: publish 1.1.0, make it the default, deprecate 1.0.0)', () => deploy(cloud, 'update'));
    await step(cloud, '3. cdk destroy', async () => {
      const result = await cloud.harness.destroy(STACK);
      if (result.status !== 'DELETE_COMPLETE') throw new Error(`destroy ended ${result.status}: ${result.failure}`);
      return result.status;
    });
    await step(cloud, '4. cdk deploy PumpFirmwareRollout (a staged rollout: 2.0.0 on the canary group first)', () => deployRollout(cloud, 'canary'));
    await step(cloud, '5. cdk deploy PumpFirmwareRollout (then every pump not on 2.0.0, through a dynamic thing group)', () => deployRollout(cloud, 'fleet'));
    await step(cloud, '6. cdk destroy PumpFirmwareRollout', async () => {
      const result = await cloud.harness.destroy(ROLLOUT_STACK);
      if (result.status !== 'DELETE_COMPLETE') throw new Error(`destroy ended ${result.status}: ${result.failure}`);
      return result.status;
    }, ROLLOUT_STACK);
  } finally {
    await cloud.stop();
  }
}

async function deploy(cloud: LocalCloud, release: Release): Promise<string> {
  const assembly = cloud.synth((outdir) => buildApp(release, outdir));
  const result = await cloud.harness.deploy(assembly, STACK);
  if (!result.status.endsWith('_COMPLETE') || result.status.includes('ROLLBACK')) {
    throw new Error(`deploy ended ${result.status}: ${result.failure}`);
  }
  return result.status;
}

/** What a step prints after its header, besides the catalog and the calls. */
let afterHeader: (() => void) | undefined;

/** Deploys a stage of the staged-rollout example, and prints the queries, groups and metrics it declares. */
async function deployRollout(cloud: LocalCloud, stage: RolloutStage): Promise<string> {
  let declared: Array<{ kind: string; name: string; detail: string }> = [];
  const assembly = cloud.synth((outdir) => {
    const built = buildRolloutApp(stage, outdir);
    declared = built.stack.declared;
    return built.app;
  });
  const result = await cloud.harness.deploy(assembly, ROLLOUT_STACK);
  if (!result.status.endsWith('_COMPLETE') || result.status.includes('ROLLBACK')) {
    throw new Error(`deploy ended ${result.status}: ${result.failure}`);
  }
  const indexing = cloud.iot.snapshot().indexingConfiguration.thingIndexingConfiguration;
  afterHeader = () => {
    console.log(`\n    Fleet indexing: ${indexing.thingIndexingMode}, named shadows: ${(indexing.filter?.namedShadowNames ?? []).join(', ') || 'none'}`);
    console.log('\n    Device queries the stack declares (over the $package shadow)');
    printTable(['kind', 'name', 'query'], declared.map((d) => [d.kind, d.name, d.detail]));
  };
  return result.status;
}

async function step(cloud: LocalCloud, title: string, action: () => Promise<string>, stack = title.includes(ROLLOUT_STACK) ? ROLLOUT_STACK : STACK) {
  cloud.iot.clearCalls();
  const started = Date.now();
  const status = await action();
  console.log(`\n=== ${title}\n    stack ${stack}: ${status} in ${Date.now() - started} ms`);
  afterHeader?.();
  afterHeader = undefined;
  printCatalog(cloud);
  printCalls(cloud);
}

function printCatalog(cloud: LocalCloud) {
  const { packages, packageConfiguration, jobs } = cloud.iot.snapshot();
  const config = packageConfiguration.versionUpdateByJobsConfig;
  console.log(`\n    Package configuration: version updates by jobs ${config.enabled ? `enabled, role ${config.roleArn}` : 'disabled'}`);
  const activeJobs = jobs.filter((job) => job.status !== 'DELETION_IN_PROGRESS');
  if (activeJobs.length > 0) {
    console.log('\n    Jobs');
    printTable(['job id', 'status', 'installs', 'targets'], activeJobs.map((job) => [
      job.jobId,
      job.status,
      job.destinationPackageVersions.map((arn) => arn.split(':package/')[1]).join(', '),
      job.targets.map((arn) => arn.split(':').pop()!).join(', '),
    ]));
  }
  if (packages.length === 0) {
    console.log('\n    Catalog: empty');
    return;
  }
  for (const pkg of packages) {
    console.log(`\n    Package ${pkg.packageName}${pkg.description ? ` - ${pkg.description}` : ''}`);
    console.log(`      tags: ${formatMap(pkg.tags)}`);
    const rows = pkg.versions.map((v) => [
      v.versionName,
      v.status,
      v.versionName === pkg.defaultVersionName ? 'yes' : '',
      formatMap(v.attributes),
      v.description ?? '',
    ]);
    printTable(['version', 'status', 'default', 'attributes', 'description'], rows);
  }
}

function printCalls(cloud: LocalCloud) {
  const counts = new Map<string, number>();
  for (const call of cloud.iot.calls) {
    const name = call.input.action ? `${call.operation} (${call.input.action})` : call.operation;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  console.log(`\n    IoT API calls: ${cloud.iot.calls.length}`);
  printTable(['operation', 'calls'], [...counts.entries()].map(([name, n]) => [name, String(n)]));
}

function printTable(header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `      ${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}

function formatMap(map: Record<string, string>): string {
  return Object.entries(map).map(([k, v]) => `${k}=${v}`).join(', ');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
