/**
 * Finds the oldest published `@aws-sdk/client-iot` that has every command, request member and
 * response member the handler uses: it type-checks `lambda/` against each candidate client
 * (installed from the npm registry into a scratch directory) and bisects the published
 * versions. The answer goes into `RUNTIME_SDK_REQUIREMENTS` in `lambda/shared/runtime-sdk.ts`,
 * which the handler checks against the Lambda runtime's SDK.
 *
 *   npx tsx scripts/runtime-sdk-floor.ts [--client @aws-sdk/client-iot] [--from 3.400.0]
 *   npx tsx scripts/runtime-sdk-floor.ts --only 3.652.0     (check one release)
 *
 * Only diagnostics that mean "the client lacks this" count: a missing export (a command), an
 * unknown member in an object literal (a request member), and an unknown property (a response
 * member). Other type differences between client generations are printed, not counted.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
/**
 * TS2305/TS2724: no exported member; TS2353/TS2561: unknown member of an object literal;
 * TS2339/TS2551: unknown property; TS2769: no overload matches, which is how an unknown member
 * shows where a command's constructor is overloaded (counting it may only raise the floor).
 */
const LACKS = new Set([2305, 2724, 2353, 2561, 2339, 2551, 2769]);

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const client = arg('client', '@aws-sdk/client-iot');
const from = arg('from', '3.0.0');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-sdk-floor-'));

function compare(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** The diagnostics of `lambda/` type-checked against `version` of the client, split by whether they mean "lacks". */
function check(version: string): { lacks: string[]; other: string[] } {
  const dir = path.join(scratch, version);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"private":true}');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--silent', `${client}@${version}`], { cwd: dir, stdio: 'ignore' });
  const tsconfig = {
    extends: path.join(ROOT, 'tsconfig.json'),
    compilerOptions: {
      noEmit: true,
      rootDir: ROOT,
      paths: { [client]: [path.join(dir, 'node_modules', client)] },
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    },
    files: [path.join(ROOT, 'lambda', 'index.ts'), path.join(ROOT, 'lambda', 'dispatch.ts')],
  };
  const config = path.join(dir, 'tsconfig.json');
  fs.writeFileSync(config, JSON.stringify(tsconfig));
  let output = '';
  try {
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', config], { encoding: 'utf8' });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? '');
  }
  fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
  const lines = output.split('\n').filter((l) => /error TS\d+/.test(l));
  const code = (l: string) => Number(/error TS(\d+)/.exec(l)![1]);
  return { lacks: lines.filter((l) => LACKS.has(code(l))), other: lines.filter((l) => !LACKS.has(code(l))) };
}

function main(): void {
  const published = (JSON.parse(execFileSync('npm', ['view', client, 'versions', '--json'], { encoding: 'utf8' })) as string[])
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && compare(v, from) >= 0)
    .sort(compare);
  console.log(`${client}: ${published.length} releases from ${published[0]} to ${published[published.length - 1]}`);
  const newest = published[published.length - 1];
  const newestCheck = check(newest);
  if (newestCheck.lacks.length > 0) {
    throw new Error(`Even ${newest} lacks what the handler uses:\n${newestCheck.lacks.join('\n')}`);
  }
  // Invariant: published[hi] has everything; published[lo - 1] (if any) lacks something.
  let [lo, hi] = [0, published.length - 1];
  let lastLacks: string[] = [];
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const { lacks, other } = check(published[mid]);
    console.log(`  ${published[mid]}: ${lacks.length === 0 ? 'has everything' : `lacks ${lacks.length}`}`);
    other.forEach((l) => console.log(`    (not counted) ${l.replace(ROOT + '/', '')}`));
    if (lacks.length === 0) {
      hi = mid;
    } else {
      lo = mid + 1;
      lastLacks = lacks;
    }
  }
  console.log(`\nOldest ${client} with everything the handler uses: ${published[lo]}`);
  if (lo > 0) console.log(`The release before it (${published[lo - 1]}) lacks, among others:\n${lastLacks.slice(0, 10).map((l) => `  ${l.replace(ROOT + '/', '')}`).join('\n')}`);
  fs.rmSync(scratch, { recursive: true, force: true });
}

if (process.argv.includes('--only')) {
  console.log(check(arg('only', '')));
} else {
  main();
}
