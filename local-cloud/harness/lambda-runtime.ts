/**
 * Runs Lambda handlers from a cloud assembly's asset directories inside this Node process, the
 * way the Lambda Node.js runtime would: Node's real `require` (never jest's module registry), a
 * fresh module per cold start, modules looked up in the code's directory and then in the
 * runtime's own packages (where Lambda keeps its AWS SDK) only, the function's environment, a
 * Lambda-like context, the function's timeout, and console output captured per invocation.
 *
 * Handlers load in Node's main context, whose `process` and `console` differ from those jest
 * gives a test file. Invocations of different functions overlap, so the environment and the
 * console are routed per invocation through AsyncLocalStorage: while a handler (or anything it
 * awaits) runs, `process.env` is its function's environment and `console.*` writes to the
 * harness log.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { format } from 'util';
import * as vm from 'vm';

export interface FunctionSpec {
  readonly logicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly region: string;
  /** The code's identity (its S3 object key): a warm container runs only the code it loaded. */
  readonly codeKey: string;
  /** The asset directory the code runs from; undefined when the code is not a local asset. */
  readonly codeDir?: string;
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  /** The credentials of the function's role (Lambda's AWS_ACCESS_KEY_ID...); default: an unrestricted example key. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string };
}

export interface LambdaRuntimeOptions {
  /** Extra environment for every handler, applied last. */
  readonly env: Readonly<Record<string, string>>;
  /** Multiplies every function timeout (tests shrink it). */
  readonly timeScale: number;
  readonly coldStartEveryInvocation: boolean;
  /**
   * The runtime's own packages (Lambda's `/var/runtime/node_modules`, which holds its AWS SDK):
   * a module the code does not hold itself is looked up there, as Lambda's `NODE_PATH` makes it.
   */
  readonly runtimeModules: string;
  readonly log: (line: string) => void;
  /**
   * Hosts the harness serves over plain HTTP on a local port (the ResponseURL's): an HTTPS
   * request the code makes to one of them on the default port reaches that port instead, as
   * Lambda reaches S3's pre-signed ResponseURL over HTTPS (aws-cdk's own handlers PUT to the
   * URL's hostname and path with `https.request`, whatever its protocol and port).
   */
  readonly localHttpsHosts?: () => ReadonlyMap<string, number>;
}

/** How an invocation ended, as far as the Lambda service can tell. */
export type Settlement =
  | { readonly kind: 'returned' }
  | { readonly kind: 'threw'; readonly error: string }
  | { readonly kind: 'timeout'; readonly seconds: number };

interface InvocationScope {
  readonly env: Record<string, string | undefined>;
  readonly log: (level: string, message: string) => void;
}

type Handler = (event: unknown, context: LambdaContext, callback: (error?: unknown, result?: unknown) => void) => unknown;

interface LambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/** A warm execution environment: the loaded handler of one code version of one function. */
interface Container {
  readonly handler: Handler;
}

const mainContext = vm.runInThisContext('globalThis') as typeof globalThis;
const realProcess = mainContext.process;
const realModule = realProcess.getBuiltinModule('module');
const scopes = new AsyncLocalStorage<InvocationScope>();
const CONSOLE_LEVELS = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' } as const;

/** Routes the main context's `process.env` and `console` through the invocation scope. */
class ProcessRouting {
  private users = 0;
  private restore?: () => void;

  public acquire(): void {
    if (this.users++ > 0) {
      return;
    }
    const originalEnv = realProcess.env;
    const target = () => scopes.getStore()?.env ?? originalEnv;
    const routedEnv = new Proxy({} as NodeJS.ProcessEnv, {
      get: (_, key) => Reflect.get(target(), key),
      set: (_, key, value) => Reflect.set(target(), key, typeof key === 'string' ? String(value) : value),
      has: (_, key) => Reflect.has(target(), key),
      deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    });
    realProcess.env = routedEnv;

    const console = mainContext.console;
    const originals = Object.keys(CONSOLE_LEVELS).map((name) => {
      const method = name as keyof typeof CONSOLE_LEVELS;
      const original = console[method];
      console[method] = (...args: unknown[]) => {
        const scope = scopes.getStore();
        if (scope) {
          scope.log(CONSOLE_LEVELS[method], format(...args));
        } else {
          original.apply(console, args);
        }
      };
      return [method, original] as const;
    });

    this.restore = () => {
      if (realProcess.env === routedEnv) {
        realProcess.env = originalEnv;
      }
      for (const [method, original] of originals) {
        console[method] = original;
      }
    };
  }

  public release(): void {
    if (--this.users === 0) {
      this.restore?.();
      this.restore = undefined;
    }
  }
}

const routing = new ProcessRouting();

export class LambdaRuntime {
  /** Idle warm containers by function identity (reused only when cold starts are not forced). */
  private readonly idle = new Map<string, Container[]>();
  private active = false;

  constructor(private readonly options: LambdaRuntimeOptions) {}

  /**
   * Invokes the function asynchronously, as CloudFormation does. Resolves when the handler
   * returns, throws or runs out of time, whichever comes first; a handler still running at its
   * timeout is abandoned (its container is never reused).
   */
  public async invoke(fn: FunctionSpec, event: unknown): Promise<Settlement> {
    if (!this.active) {
      routing.acquire();
      this.active = true;
    }
    const requestId = randomUUID();
    const timeoutMs = fn.timeoutSeconds * 1000 * this.options.timeScale;
    const deadline = Date.now() + timeoutMs;
    const logStreamName = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${requestId.replace(/-/g, '')}`;
    const scope: InvocationScope = {
      env: this.environment(fn, logStreamName),
      log: (level, message) => this.options.log(`[${fn.logicalId}] ${requestId}\t${level}\t${message}`),
    };
    const context: LambdaContext = {
      awsRequestId: requestId,
      functionName: fn.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.functionArn,
      memoryLimitInMB: String(fn.memoryMb),
      logGroupName: `/aws/lambda/${fn.functionName}`,
      logStreamName,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    const key = containerKey(fn);

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Settlement>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timeout', seconds: fn.timeoutSeconds }), timeoutMs);
    });
    let container: Container | undefined;
    const ran = scopes.run(scope, async (): Promise<Settlement> => {
      try {
        container = this.idle.get(key)?.pop() ?? this.coldStart(fn);
        await callHandler(container.handler, event, context);
        return { kind: 'returned' };
      } catch (error) {
        // The Node.js runtime logs an uncaught error as "Invoke Error" before reporting it.
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        scope.log('ERROR', `Invoke Error ${JSON.stringify({ errorType: error instanceof Error ? error.name : typeof error, errorMessage: message })}`);
        return { kind: 'threw', error: message };
      }
    });
    const settlement = await Promise.race([ran, timedOut]);
    clearTimeout(timer);
    if (settlement.kind !== 'timeout' && container && !this.options.coldStartEveryInvocation) {
      this.idle.set(key, [...(this.idle.get(key) ?? []), container]);
    }
    return settlement;
  }

  /** Forgets warm containers of a deleted or changed function. */
  public discard(fn: FunctionSpec): void {
    this.idle.delete(containerKey(fn));
  }

  /** Restores `process.env` and `console` once no runtime uses them. */
  public dispose(): void {
    this.idle.clear();
    if (this.active) {
      routing.release();
      this.active = false;
    }
  }

  /**
   * A cold start: every module loaded from the asset directory is dropped from Node's require
   * cache, then the handler file is loaded again, inside the invocation scope (so top-level
   * code sees the function's environment).
   */
  private coldStart(fn: FunctionSpec): Container {
    if (!fn.codeDir) {
      throw new Error(`Runtime.ImportModuleError: the code of ${fn.logicalId} is not a directory asset of the cloud assembly`);
    }
    const dot = fn.handler.lastIndexOf('.');
    const [file, exportName] = [fn.handler.slice(0, dot), fn.handler.slice(dot + 1)];
    const requireFromCode = realModule.createRequire(path.join(fn.codeDir, 'index.js'));
    const prefix = fn.codeDir + path.sep;
    for (const cached of Object.keys(requireFromCode.cache)) {
      if (cached.startsWith(prefix)) {
        delete requireFromCode.cache[cached];
      }
    }
    const exported = this.load(requireFromCode.resolve(path.join(fn.codeDir, file)));
    const handler = exported[exportName];
    if (typeof handler !== 'function') {
      throw new Error(`Runtime.HandlerNotFound: ${file}.${exportName} is undefined or not exported`);
    }
    this.options.log(`[${fn.logicalId}] INIT_START cold start of ${fn.functionName} from ${fn.codeDir}`);
    return { handler: handler as Handler };
  }

  /**
   * Loads the handler file as a module whose lookup paths are the code's own, then the
   * runtime's modules, and nothing else: the host's node_modules (where this harness runs) stay
   * out of reach, as they would on Lambda.
   */
  private load(filename: string): Record<string, unknown> {
    const internals = realModule as unknown as { _nodeModulePaths(from: string): string[] };
    const codeRoot = path.dirname(filename);
    const module = new realModule(filename) as InstanceType<typeof realModule> & { _compile(content: string, file: string): void };
    module.filename = filename;
    const localHosts = this.options.localHttpsHosts;
    if (localHosts) {
      // The code's `require` calls its module's `require`: the code gets the routed `https`.
      const load = module.require.bind(module);
      const routed = routedHttps(localHosts);
      module.require = ((id: string) => (id === 'https' || id === 'node:https' ? routed : load(id))) as NodeJS.Require;
    }
    // Set before the code runs (Module#load would recompute them from the file's directory).
    module.paths = [...internals._nodeModulePaths(codeRoot).filter((p) => p.startsWith(codeRoot)), this.options.runtimeModules];
    module._compile(fs.readFileSync(filename, 'utf8'), filename);
    module.loaded = true;
    return module.exports as Record<string, unknown>;
  }

  /** Host environment, then the function's variables, then Lambda's reserved ones, then HarnessOptions.env. */
  private environment(fn: FunctionSpec, logStreamName: string): Record<string, string | undefined> {
    return {
      ...scopes.exit(() => ({ ...realProcess.env })),
      ...fn.environment,
      AWS_REGION: fn.region,
      AWS_DEFAULT_REGION: fn.region,
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_ACCESS_KEY_ID: fn.credentials?.accessKeyId ?? 'ASIAHARNESSEXAMPLE00',
      AWS_SECRET_ACCESS_KEY: fn.credentials?.secretAccessKey ?? 'harness/secret/access/key/EXAMPLE0000000',
      AWS_SESSION_TOKEN: fn.credentials?.sessionToken ?? 'harness-session-token',
      LAMBDA_TASK_ROOT: fn.codeDir,
      ...this.options.env,
    };
  }
}

/**
 * The `https` module as the handler's code sees it: requests to a host in `hosts()` on the
 * default port go to the harness's local port over plain HTTP; every other request is HTTPS.
 */
function routedHttps(hosts: () => ReadonlyMap<string, number>): typeof https {
  const route = (args: unknown[]): unknown[] | undefined => {
    const [first, second] = args;
    const target = typeof first === 'string' || first instanceof URL ? new URL(first) : undefined;
    const options = (target ? (typeof second === 'object' && second !== null ? second : {}) : first ?? {}) as https.RequestOptions;
    const hostname = options.hostname ?? options.host?.replace(/:\d+$/, '') ?? target?.hostname;
    const port = options.port ?? (target?.port || undefined);
    const local = hostname ? hosts().get(hostname) : undefined;
    if (local === undefined || (port !== undefined && Number(port) !== 443)) return undefined;
    const callback = args.find((a) => typeof a === 'function');
    const requestPath = options.path ?? (target ? `${target.pathname}${target.search}` : '/');
    return [{ ...options, host: undefined, hostname, port: local, path: requestPath, protocol: 'http:', agent: undefined }, ...(callback ? [callback] : [])];
  };
  type Request = (...a: unknown[]) => http.ClientRequest;
  const request = (...args: unknown[]) => {
    const local = route(args);
    return local ? (http.request as Request)(...local) : (https.request as Request)(...args);
  };
  const get = (...args: unknown[]) => {
    const req = request(...args);
    req.end();
    return req;
  };
  return { ...https, request, get } as typeof https;
}

/** Awaits an async handler, or a callback-style one (three parameters) until it calls back. */
function callHandler(handler: Handler, event: unknown, context: LambdaContext): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown) => (error ? reject(error) : resolve(result));
    const returned = handler(event, context, callback);
    if (isThenable(returned)) {
      returned.then(resolve, reject);
    } else if (handler.length < 3) {
      resolve(returned);
    }
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

function containerKey(fn: FunctionSpec): string {
  return JSON.stringify([fn.functionArn, fn.codeKey, fn.handler, fn.environment]);
}
