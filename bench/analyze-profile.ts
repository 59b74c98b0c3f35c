/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): self time by module and by function,
 * and inclusive time of the functions that contain the most time.
 * `npx tsx bench/analyze-profile.ts <file.cpuprofile> [top=25] [filter] [under]` (under: only samples
 * whose stack holds a function matching the regex)
 */
import * as fs from 'fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface ProfileSummary {
  readonly totalMs: number;
  readonly selfByModule: Array<[string, number]>;
  readonly selfByFunction: Array<[string, number]>;
  readonly inclusiveByFunction: Array<[string, number]>;
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '').replace(/^\/work\/main\//, '') || '(native)';
}

export function summarize(file: string, top = 25, filter?: RegExp, under?: RegExp): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const selfByModule = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    if (under) {
      let inside = false;
      for (let cur: number | undefined = id; cur !== undefined && !inside; cur = parent.get(cur)) inside = under.test(label(byId.get(cur)!));
      if (!inside) continue;
    }
    const moduleName = shortUrl(node.callFrame.url).replace(/\/lib\/.*$/, '').replace(/:.*/, '');
    selfByModule.set(moduleName, (selfByModule.get(moduleName) ?? 0) + us);
    selfByFunction.set(label(node), (selfByFunction.get(label(node)) ?? 0) + us);
    // Inclusive: every distinct function on the stack gets the sample's time once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (!seen.has(l)) {
        seen.add(l);
        inclusive.set(l, (inclusive.get(l) ?? 0) + us);
      }
    }
  }
  const sorted = (m: Map<string, number>) => [...m].filter(([k]) => !filter || filter.test(k))
    .sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => [k, Math.round(v / 100) / 10] as [string, number]);
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    selfByModule: sorted(selfByModule),
    selfByFunction: sorted(selfByFunction),
    inclusiveByFunction: sorted(inclusive),
  };
}

if (require.main === module) {
  const [file, topText, filterText, underText] = process.argv.slice(2);
  const s = summarize(file, Number(topText ?? 25), filterText ? new RegExp(filterText) : undefined, underText ? new RegExp(underText) : undefined);
  console.log(`total ${Math.round(s.totalMs)} ms`);
  for (const [title, rows] of [['self by module', s.selfByModule], ['self by function', s.selfByFunction], ['inclusive by function', s.inclusiveByFunction]] as const) {
    console.log(`\n## ${title} (ms)`);
    for (const [k, v] of rows) console.log(`${String(v).padStart(8)}  ${k}`);
  }
}
