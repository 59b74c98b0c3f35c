/**
 * Dependency-ordered, bounded-parallel execution, as CloudFormation schedules resource
 * operations: a node starts once every node it depends on has succeeded; independent nodes run
 * side by side.
 */
import { TemplateError } from './intrinsics';

/** Node id → ids of the nodes that must finish first. Ids outside the map are ignored. */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

export interface RunGraphOptions {
  readonly concurrency: number;
  /**
   * false (create/update): after the first failure nothing new starts; operations in flight
   * finish. true (deletes, rollback): keep going with every node the failure does not block.
   */
  readonly continueOnFailure: boolean;
}

export interface RunGraphResult {
  readonly succeeded: string[];
  readonly failed: string[];
}

/** Throws CloudFormation's error for a dependency cycle. */
export function assertAcyclic(graph: DependencyGraph): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') {
      return;
    }
    if (state.get(id) === 'visiting') {
      throw new TemplateError(`Circular dependency between resources: [${path.slice(path.indexOf(id)).join(', ')}]`);
    }
    state.set(id, 'visiting');
    for (const dep of graph.get(id) ?? []) {
      if (graph.has(dep)) {
        visit(dep, [...path, dep]);
      }
    }
    state.set(id, 'done');
  };
  for (const id of graph.keys()) {
    visit(id, [id]);
  }
}

/** The graph for deletion: a node waits for every node that depends on it. */
export function reverseGraph(graph: DependencyGraph): Map<string, string[]> {
  const reversed = new Map<string, string[]>([...graph.keys()].map((id) => [id, []]));
  for (const [id, deps] of graph) {
    for (const dep of deps) {
      reversed.get(dep)?.push(id);
    }
  }
  return reversed;
}

/**
 * Runs `work` for every node in dependency order, at most `concurrency` at a time. `work`
 * resolves true on success; a rejection counts as a failure. Nodes start in map order when
 * several are ready, so runs are reproducible.
 */
export async function runGraph(
  graph: DependencyGraph,
  work: (id: string) => Promise<boolean>,
  options: RunGraphOptions,
): Promise<RunGraphResult> {
  const succeeded = new Set<string>();
  const failed = new Set<string>();
  const started = new Set<string>();
  let running = 0;

  return new Promise((done) => {
    const ready = (id: string) => !started.has(id)
      && (graph.get(id) ?? []).every((dep) => !graph.has(dep) || succeeded.has(dep));
    const pump = () => {
      const halted = failed.size > 0 && !options.continueOnFailure;
      for (const id of graph.keys()) {
        if (halted || running >= options.concurrency) {
          break;
        }
        if (ready(id)) {
          start(id);
        }
      }
      if (running === 0) {
        done({ succeeded: [...succeeded], failed: [...failed] });
      }
    };
    const start = (id: string) => {
      started.add(id);
      running++;
      void work(id).then((ok) => ok, () => false).then((ok) => {
        (ok ? succeeded : failed).add(id);
        running--;
        pump();
      });
    };
    pump();
  });
}
