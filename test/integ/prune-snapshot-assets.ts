/**
 * Removes the asset directories (`asset.<hash>/`, `asset.<hash>.bundle/`) from the committed
 * integ snapshots.
 *
 * integ-runner keeps a stack's assets in its snapshot only to deploy that snapshot first (the
 * update workflow), which these tests turn off. It already drops the handler bundle of the
 * test stacks, but keeps the assertion stack's (~2 MB of @aws-cdk/integ-tests-alpha's SDK
 * handler per test). The snapshot check compares templates and asset manifests only, so the
 * directories are dead weight in git. Run after `integ-runner --update-on-failed`.
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(process.argv[2] ?? path.join(__dirname));
let removed = 0;
for (const snapshot of fs.readdirSync(root).filter((name) => name.endsWith('.snapshot')).sort()) {
  for (const entry of fs.readdirSync(path.join(root, snapshot)).filter((name) => name.startsWith('asset.')).sort()) {
    fs.rmSync(path.join(root, snapshot, entry), { recursive: true, force: true });
    removed++;
  }
}
console.log(`prune-snapshot-assets: removed ${removed} asset entr${removed === 1 ? 'y' : 'ies'} under ${path.relative(process.cwd(), root) || '.'}`);
