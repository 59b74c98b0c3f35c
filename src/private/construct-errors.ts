import { IConstruct } from 'constructs';

/**
 * Runs synth-time checks for a construct: an error they throw names the construct (its path),
 * so that in an app of many packages and jobs the message says which one.
 */
export function namingErrors<T>(path: string | IConstruct, check: () => T): T {
  try {
    return check();
  } catch (error) {
    // The path only when it is needed: computing it walks the tree, for every construct.
    const where = typeof path === 'string' ? path : path.node.path;
    if (error instanceof Error && !error.message.includes(where)) {
      error.message = `${where}: ${error.message}`;
    }
    throw error;
  }
}
