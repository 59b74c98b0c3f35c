/**
 * A strict local emulator of the AWS IoT control-plane API (REST-JSON) for the software package
 * catalog, package configuration, fleet indexing configuration, tags, jobs and job templates.
 *
 * - Routes: the requestUri templates of ALL operations of the service model are compiled; an
 *   unknown route answers 404 UnknownOperationException, a known but unimplemented operation 501.
 * - Requests: `authorization` header required (signature not checked); input read from the uri
 *   labels, query string, headers and JSON body as the model's input shape places them, then
 *   validated against the shape (required, length, pattern, enum, ranges, list/map sizes).
 * - Errors: HTTP status from the error shape, `x-amzn-ErrorType: <Name>`, body `{"message": ...}`;
 *   only errors the operation's model `errors` list names (see errors.ts for the mapping rule).
 * - Idempotency: a repeated clientToken with the same input returns the first response; with a
 *   different input it is a conflict.
 * Usage: `const emu = await IotEmulator.start(); process.env.AWS_ENDPOINT_URL_IOT = emu.endpoint;`
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { IoTClient } from '@aws-sdk/client-iot';
import { ErrorFactory, ServiceError } from './errors';
import { FailOperationOptions, FaultInjector } from './faults';
import { EmulatorOptions, HANDLERS, resourcesOf } from './handlers';
import { accessKeyIdOf, IamAuthority } from './iam-authority';
import { requiredAuthorizations } from './iot-authorization';
import { compileRoutes, CompiledRoute, loadModel, matchRoute, ServiceModel } from './model';
import { CatalogSnapshot, EmulatorState, JobStatus, SbomStatus, snapshotOf } from './state';
import { parseInput, serializeOutput, validateShape, ValidationErrors } from './validation';

export type { CatalogSnapshot } from './state';
export type { FailOperationOptions, FaultRule, InjectedError } from './faults';

export interface RecordedCall {
  operation: string;
  method: string;
  path: string;
  query: Record<string, string>;
  input: Record<string, any>;
  status: number;
  errorType?: string;
  at: number;
  /** The response of a call that succeeded. */
  output?: unknown;
}

export interface IotEmulatorOptions {
  region?: string;
  accountId?: string;
  /** seed of the fault-injection RNG (default 1) */
  seed?: number;
  /** page size when a List call gives no maxResults (default 25) */
  defaultPageSize?: number;
  /** delay before a DELETION_IN_PROGRESS job disappears (default 100 ms; 0: at once) */
  jobDeletionDelayMs?: number;
  /** SBOM validation outcome on the read after association (default SUCCEEDED; MANUAL: stays IN_PROGRESS) */
  sbomValidationResult?: 'SUCCEEDED' | 'FAILED' | 'MANUAL';
  /** require s3Location.version on artifacts and SBOMs (default true) */
  requireS3ObjectVersion?: boolean;
  quotas?: { packages?: number; versionsPerPackage?: number };
  /** Checks each request against the caller's IAM policies (see iot-authorization.ts); without it every call is allowed. */
  iam?: IamAuthority;
}

export interface EmulatorFaults {
  throttle(probability: number, opts?: { operations?: string[] }): void;
  serverErrors(probability: number, opts?: { operations?: string[]; status?: number }): void;
  burst(count: number, opts?: { operations?: string[]; kind?: 'throttle' | '5xx' }): void;
  rateLimit(tps: number, burst?: number): void;
  failOperation(operation: string, opts: FailOperationOptions): void;
  clear(): void;
}

/** Answer to a request that matches no requestUri of the service model. */
const UNKNOWN_OPERATION = 'UnknownOperationException';

export class IotEmulator {
  static async start(options: IotEmulatorOptions = {}): Promise<IotEmulator> {
    const emu = new IotEmulator(options);
    await new Promise<void>((resolve, reject) => {
      emu.server.once('error', reject);
      emu.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = emu.server.address() as AddressInfo;
    (emu as { endpoint: string }).endpoint = `http://127.0.0.1:${port}`;
    return emu;
  }

  readonly endpoint: string = '';
  readonly region: string;
  readonly accountId: string;
  readonly calls: RecordedCall[] = [];
  readonly faults: EmulatorFaults;

  private readonly model: ServiceModel;
  private readonly routes: CompiledRoute[];
  private readonly opts: EmulatorOptions;
  private readonly injector: FaultInjector;
  private readonly server: http.Server;
  private readonly iam?: IamAuthority;
  private state = new EmulatorState();
  private requestCounter = 0;

  private constructor(options: IotEmulatorOptions) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.opts = {
      region: this.region,
      accountId: this.accountId,
      defaultPageSize: options.defaultPageSize ?? 25,
      jobDeletionDelayMs: options.jobDeletionDelayMs ?? 100,
      sbomValidationResult: options.sbomValidationResult ?? 'SUCCEEDED',
      requireS3ObjectVersion: options.requireS3ObjectVersion ?? true,
      quotas: { packages: options.quotas?.packages ?? 10_000, versionsPerPackage: options.quotas?.versionsPerPackage ?? 1_000 },
    };
    this.iam = options.iam;
    this.model = loadModel();
    this.routes = compileRoutes(this.model);
    this.injector = new FaultInjector(options.seed ?? 1);
    const inj = this.injector;
    this.faults = {
      throttle: (p, o) => inj.throttle(p, o),
      serverErrors: (p, o) => inj.serverErrors(p, o),
      burst: (c, o) => inj.burst(c, o),
      rateLimit: (tps, burst) => inj.rateLimit(tps, burst),
      failOperation: (op, o) => {
        if (!this.model.routes.some((r) => r.name === op)) throw new Error(`failOperation: unknown operation ${op}`);
        inj.failOperation(op, o);
      },
      clear: () => inj.clear(),
    };
    this.server = http.createServer((req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 1000;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Clears state, the call log and faults (and re-seeds the fault RNG). */
  reset(): void {
    this.state = new EmulatorState();
    this.calls.length = 0;
    this.injector.reset();
  }

  callsTo(operation: string): RecordedCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  snapshot(): CatalogSnapshot {
    this.sweepJobs();
    return snapshotOf(this.state);
  }

  // ---- test hooks (state changes the service makes on its own) --------------------------------

  /** Completes a job as if all its executions finished (IN_PROGRESS → COMPLETED). */
  completeJob(jobId: string): void {
    this.setJobStatus(jobId, 'COMPLETED');
  }

  setJobStatus(jobId: string, status: JobStatus): void {
    const job = this.state.jobs.get(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    job.status = status;
    job.lastUpdatedAt = Date.now();
    if (status === 'COMPLETED' || status === 'CANCELED') job.completedAt = Date.now();
  }

  /** Finishes every pending job deletion now. */
  finishJobDeletions(): void {
    for (const [id, job] of this.state.jobs) if (job.status === 'DELETION_IN_PROGRESS') this.state.jobs.delete(id);
  }

  /** Sets the SBOM validation status of a version (e.g. keep IN_PROGRESS, or FAILED). */
  setSbomValidationStatus(packageName: string, versionName: string, status: SbomStatus): void {
    const ver = this.state.packages.get(packageName)?.versions.get(versionName);
    if (!ver) throw new Error(`no package version ${packageName}/${versionName}`);
    ver.sbomValidationStatus = status;
    ver.sbomPendingResult = undefined;
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private sweepJobs(): void {
    const now = Date.now();
    for (const [id, job] of this.state.jobs) if (job.status === 'DELETION_IN_PROGRESS' && job.deleteAt !== undefined && job.deleteAt <= now) this.state.jobs.delete(id);
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        this.handle(req, Buffer.concat(chunks).toString('utf8'), res);
      } catch (e) {
        // An emulator bug: fail loudly, never as a service error the handler would retry silently.
        this.send(res, 500, 'EmulatorInternalError', { message: `IoT emulator bug: ${(e as Error).stack ?? e}` });
      }
    });
  }

  private handle(req: http.IncomingMessage, rawBody: string, res: http.ServerResponse): void {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = url.pathname;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const record = (operation: string, input: Record<string, any>, status: number, errorType?: string, output?: unknown) => {
      this.calls.push({ operation, method, path: pathname, query, input, status, errorType, at: Date.now(), output });
    };

    const match = matchRoute(this.routes, method, pathname, url.searchParams);
    if (!match) {
      const message = `No IoT operation matches ${method} ${pathname}`;
      record('Unknown', {}, 404, UNKNOWN_OPERATION);
      return this.send(res, 404, UNKNOWN_OPERATION, { message });
    }
    const operation = match.route.name;
    const op = this.model.operations[operation];
    if (!op || !HANDLERS[operation]) {
      record(operation, {}, 501, 'NotImplementedException');
      return this.send(res, 501, 'NotImplementedException', { message: `The IoT emulator does not implement ${operation}` });
    }
    const err = new ErrorFactory(this.model, operation);
    // Requests from the SDK are SigV4-signed; the signature is not checked, but unsigned requests are refused.
    if (!req.headers.authorization) {
      record(operation, {}, 403, 'MissingAuthenticationTokenException');
      return this.send(res, 403, 'MissingAuthenticationTokenException', { message: 'Missing Authentication Token' });
    }

    const errors = new ValidationErrors();
    let body: Record<string, unknown> = {};
    if (rawBody.trim().length > 0) {
      try {
        const parsed = JSON.parse(rawBody);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed;
        else errors.addRaw('The request body must be a JSON object');
      } catch {
        errors.addRaw('The request body is not valid JSON');
      }
    }
    const input = parseInput(this.model, op, match.labels, url.searchParams, req.headers, body, errors);

    const fail = (e: ServiceError) => {
      record(operation, input, e.status, e.errorName);
      this.send(res, e.status, e.errorName, { message: e.message, ...e.extra });
    };

    // Faults act at the front door, before validation, as the service's throttling does.
    const injected = this.injector.check({
      operation,
      resources: resourcesOf(input),
      input,
      errorFor: (kind, status) => {
        const e = kind === 'throttle' ? err.throttling() : err.serverError(status);
        return { name: e.errorName, status: e.status, message: e.message };
      },
    });
    if (injected) return fail(new ServiceError(injected.name, injected.status, injected.message ?? injected.name));

    if (op.input) validateShape(this.model, op.input.shape, input, '', errors);
    if (!errors.empty) return fail(err.validation(errors.toString()));

    this.sweepJobs();

    // IAM: every action on every resource the request touches, with the caller's policies of this moment.
    if (this.iam) {
      const denial = this.iam.authorize(accessKeyIdOf(req.headers.authorization), requiredAuthorizations(operation, input, this.state, this.opts));
      if (denial) return fail(new ServiceError('AccessDeniedException', 403, denial.message));
    }

    // clientToken idempotency (members marked idempotencyToken in the model).
    const inputMembers = op.input ? this.model.shapes[op.input.shape].members ?? {} : {};
    const tokenMember = Object.entries(inputMembers).find(([, m]) => m.idempotencyToken)?.[0];
    const token = tokenMember ? input[tokenMember] : undefined;
    let fingerprint = '';
    if (token !== undefined) {
      const { [tokenMember!]: _omit, ...rest } = input;
      fingerprint = stableJson(rest);
      const seen = this.state.idempotency.get(`${operation}\n${token}`);
      if (seen) {
        if (seen.fingerprint !== fingerprint) return fail(err.stateConflict(`clientToken ${token} was already used with different parameters for ${operation}`));
        record(operation, input, match.route.responseCode, undefined, seen.response);
        return this.sendOk(res, match.route.responseCode, seen.response);
      }
    }

    let output: unknown;
    try {
      output = HANDLERS[operation]({ op: operation, input, state: this.state, opts: this.opts, err, now: Date.now() });
    } catch (e) {
      if (e instanceof ServiceError) return fail(e);
      throw e;
    }
    const response = serializeOutput(this.model, op.output?.shape, output) ?? {};
    if (token !== undefined) this.state.idempotency.set(`${operation}\n${token}`, { fingerprint, response });
    record(operation, input, match.route.responseCode, undefined, response);
    return this.sendOk(res, match.route.responseCode, response);
  }

  private sendOk(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body ?? {});
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': this.nextRequestId(),
    });
    res.end(text);
  }

  private send(res: http.ServerResponse, status: number, errorType: string, body: Record<string, unknown>): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-amzn-errortype': errorType,
      'x-amzn-requestid': this.nextRequestId(),
    });
    res.end(text);
  }

  private nextRequestId(): string {
    this.requestCounter++;
    return `00000000-0000-4000-8000-${this.requestCounter.toString(16).padStart(12, '0')}`;
  }
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = v[k];
      return out;
    }
    return v;
  });
}

/** A real IoTClient pointed at the emulator: its region, static dummy credentials, no SDK retries. */
export function iotClient(emu: IotEmulator): IoTClient {
  return new IoTClient({
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: { accessKeyId: 'AKIAEMULATOR000000', secretAccessKey: 'emulator-secret' },
    maxAttempts: 1,
  });
}
