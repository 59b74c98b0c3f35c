/**
 * Fault injection: seeded (deterministic) throttling and 5xx, bursts, a token-bucket rate limit,
 * and "operation X fails for resource Y". Errors are chosen from the operation's model error
 * list (ThrottlingException is HTTP 400 in IoT; the 5xx name is InternalServerException for the
 * package catalog APIs, InternalFailureException or ServiceUnavailableException for older ones).
 */

export interface InjectedError { name: string; status: number; message?: string }

export type FaultRule =
  | { kind: 'throttle'; probability: number; operations?: string[] }
  | { kind: '5xx'; probability: number; operations?: string[]; status?: number }
  | { kind: 'burst'; remaining: number; operations?: string[]; fault: 'throttle' | '5xx' }
  | { kind: 'failOperation'; operation: string; resource?: string; remaining: number; error?: InjectedError; when?: (input: Record<string, any>) => boolean };

/** mulberry32: small, fast, deterministic PRNG. */
/* eslint-disable no-bitwise */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
/* eslint-enable no-bitwise */

export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(readonly tps: number, readonly capacity: number, private readonly now: () => number) {
    this.tokens = capacity;
    this.last = now();
  }
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.tps);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

export interface FailOperationOptions {
  /** only calls addressing this resource (package name, package/version, job id, ARN...) */
  resource?: string;
  /** how many matching calls fail (default: all) */
  times?: number;
  error?: InjectedError;
  /** only calls whose input satisfies this, e.g. `(i) => i.action === 'PUBLISH'` */
  when?: (input: Record<string, any>) => boolean;
}

export interface FaultContext {
  operation: string;
  /** identifiers of the resource the call addresses: packageName, packageName/versionName, jobId, ARN... */
  resources: string[];
  /** the parsed request input */
  input: Record<string, any>;
  /** picks the operation's model error for a fault kind */
  errorFor(kind: 'throttle' | '5xx', status?: number): InjectedError;
}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private bucket?: TokenBucket;
  private rng: SeededRandom;

  constructor(private readonly seed: number, private readonly now: () => number = () => Date.now()) {
    this.rng = new SeededRandom(seed);
  }

  /** Each matching call fails with ThrottlingException with the given probability (seeded RNG). */
  throttle(probability: number, opts: { operations?: string[] } = {}): void {
    checkProbability(probability);
    this.rules.push({ kind: 'throttle', probability, operations: opts.operations });
  }

  /** Each matching call fails with the operation's 5xx error with the given probability. */
  serverErrors(probability: number, opts: { operations?: string[]; status?: number } = {}): void {
    checkProbability(probability);
    this.rules.push({ kind: '5xx', probability, operations: opts.operations, status: opts.status });
  }

  /** The next `count` matching calls fail (default kind: throttle). */
  burst(count: number, opts: { operations?: string[]; kind?: 'throttle' | '5xx' } = {}): void {
    this.rules.push({ kind: 'burst', remaining: count, operations: opts.operations, fault: opts.kind ?? 'throttle' });
  }

  /** Token bucket over all calls: `tps` tokens per second, `burst` capacity (default: tps). */
  rateLimit(tps: number, burst?: number): void {
    if (!(tps > 0)) throw new Error('rateLimit: tps must be > 0');
    this.bucket = new TokenBucket(tps, burst ?? Math.max(1, tps), this.now);
  }

  /**
   * `operation` fails for `resource` (any resource when omitted) `times` times (default: always)
   * with `error` (default: the operation's 5xx error).
   */
  failOperation(operation: string, opts: FailOperationOptions = {}): void {
    this.rules.push({ kind: 'failOperation', operation, resource: opts.resource, remaining: opts.times ?? Infinity, error: opts.error, when: opts.when });
  }

  clear(): void {
    this.rules = [];
    this.bucket = undefined;
  }

  /** Back to the initial seed: the same call sequence gives the same faults again. */
  reset(): void {
    this.clear();
    this.rng = new SeededRandom(this.seed);
  }

  get activeRules(): readonly FaultRule[] {
    return this.rules;
  }

  /** Returns the error to inject for this call, if any. */
  check(ctx: FaultContext): InjectedError | undefined {
    if (this.bucket && !this.bucket.take()) {
      return { ...ctx.errorFor('throttle'), message: 'Rate exceeded' };
    }
    for (const rule of this.rules) {
      switch (rule.kind) {
        case 'burst':
          if (rule.remaining > 0 && matchesOps(rule.operations, ctx.operation)) {
            rule.remaining--;
            return ctx.errorFor(rule.fault);
          }
          break;
        case 'failOperation':
          if (rule.remaining > 0 && rule.operation === ctx.operation
            && (rule.resource === undefined || ctx.resources.includes(rule.resource))
            && (rule.when === undefined || rule.when(ctx.input))) {
            rule.remaining--;
            return rule.error ? { ...rule.error } : ctx.errorFor('5xx');
          }
          break;
        default:
          break;
      }
    }
    for (const rule of this.rules) {
      if ((rule.kind === 'throttle' || rule.kind === '5xx') && matchesOps(rule.operations, ctx.operation)) {
        if (this.rng.next() < rule.probability) {
          return rule.kind === 'throttle' ? ctx.errorFor('throttle') : ctx.errorFor('5xx', rule.status);
        }
      }
    }
    return undefined;
  }
}

function matchesOps(ops: string[] | undefined, op: string): boolean {
  return !ops || ops.includes(op);
}

function checkProbability(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`probability must be within [0, 1], got ${p}`);
}
