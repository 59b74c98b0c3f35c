/**
 * integ-runner's snapshot check compares only the test stacks' templates: a changed assertion
 * (the DeployAssert stack) passes it unnoticed. This test closes that gap offline: it
 * synthesizes each integ app the way integ-runner does and compares the assertion stacks with
 * the committed snapshot, ignoring asset hashes and the time-based `salt` that
 * @aws-cdk/integ-tests-alpha puts in every assertion. Refresh with `npx projen integ:update`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The context integ-runner synthesizes with (see its runner-base `getContext`).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RECOMMENDED_FLAGS = require('@aws-cdk/integ-runner/lib/recommended-feature-flags.json');
const INTEG_ENV = { CDK_INTEG_ACCOUNT: '12345678', CDK_INTEG_REGION: 'test-region' };

const apps = fs.readdirSync(__dirname).filter((f) => /^integ\..*\.ts$/.test(f)).sort();

function normalize(templateFile: string): unknown {
  const text = fs.readFileSync(templateFile, 'utf-8')
    .replace(/"salt":\s*"\d+"/g, '"salt":"<time>"')
    .replace(/[0-9a-f]{64}/g, '<hash>');
  return JSON.parse(text);
}

describe('integ assertion stacks match their snapshots', () => {
  test('every integ app has a snapshot', () => {
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) {
      expect(fs.existsSync(path.join(__dirname, `${app}.snapshot`, 'integ.json'))).toBe(true);
    }
  });

  test.each(apps)('%s', (app) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-assert-'));
    try {
      execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, app)], {
        cwd: path.join(__dirname, '..', '..'),
        env: { ...process.env, ...INTEG_ENV, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(RECOMMENDED_FLAGS) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const snapshot = path.join(__dirname, `${app}.snapshot`);
      const integ = JSON.parse(fs.readFileSync(path.join(snapshot, 'integ.json'), 'utf-8'));
      const assertionStacks = Object.values<any>(integ.testCases).map((c) => c.assertionStackName as string);
      expect(assertionStacks.length).toBeGreaterThan(0);
      for (const stack of assertionStacks) {
        const file = `${stack}.template.json`;
        expect({ [file]: normalize(path.join(outdir, file)) }).toEqual({ [file]: normalize(path.join(snapshot, file)) });
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
