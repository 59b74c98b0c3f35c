/**
 * Service errors, named as the operation's model `errors` list names them.
 *
 * Mapping rule used everywhere (stated once here):
 *  - malformed / invalid request → `ValidationException` when the operation lists it (package
 *    catalog APIs), else `InvalidRequestException` (older IoT APIs such as CreateJob, tagging,
 *    indexing);
 *  - a named resource that does not exist → `ResourceNotFoundException` (404) when listed, else
 *    the validation error above (e.g. CreatePackageVersion of a missing package);
 *  - a request that conflicts with the resource's CURRENT STATE → `ConflictException` (409) when
 *    listed ("The request conflicts with the current state of the resource." — model), else the
 *    validation error (e.g. DeletePackage while versions remain: DeletePackage lists only
 *    Throttling/InternalServer/Validation);
 *  - an id already taken → `ConflictException` when listed, else `ResourceAlreadyExistsException`;
 *  - quota → `ServiceQuotaExceededException` (402) when listed, else `LimitExceededException` (410).
 * HTTP status codes come from the error shapes (`error.httpStatusCode`).
 */
import { operationErrors, ServiceModel } from './model';

export class ServiceError extends Error {
  constructor(readonly errorName: string, readonly status: number, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

/** Errors any operation may return although a few operations' lists omit one of them. */
const ALWAYS_ALLOWED = new Set(['ThrottlingException']);

export class ErrorFactory {
  private readonly listed: Set<string>;
  constructor(private readonly model: ServiceModel, readonly operation: string) {
    this.listed = new Set(operationErrors(model, operation));
  }

  lists(name: string): boolean {
    return this.listed.has(name);
  }

  /** An error by name; the name must be in the operation's model error list (emulator self-check). */
  named(name: string, message: string, extra: Record<string, unknown> = {}): ServiceError {
    if (!this.listed.has(name) && !ALWAYS_ALLOWED.has(name)) {
      throw new Error(`emulator bug: ${this.operation} does not list ${name} in the service model`);
    }
    const status = this.model.shapes[name]?.error?.httpStatusCode ?? 400;
    return new ServiceError(name, status, message, extra);
  }

  private first(names: string[], message: string, extra: Record<string, unknown> = {}): ServiceError {
    const name = names.find((n) => this.listed.has(n));
    if (!name) throw new Error(`emulator bug: ${this.operation} lists none of ${names.join(', ')}`);
    return this.named(name, message, extra);
  }

  validation(message: string): ServiceError {
    return this.first(['ValidationException', 'InvalidRequestException'], message);
  }

  notFound(message: string): ServiceError {
    return this.first(['ResourceNotFoundException', 'ValidationException', 'InvalidRequestException'], message);
  }

  stateConflict(message: string, resourceId?: string): ServiceError {
    return this.first(['ConflictException', 'ValidationException', 'InvalidRequestException'], message, resourceId ? { resourceId } : {});
  }

  alreadyExists(message: string, resourceId: string, resourceArn?: string): ServiceError {
    return this.first(['ConflictException', 'ResourceAlreadyExistsException', 'ValidationException', 'InvalidRequestException'], message, { resourceId, ...(resourceArn ? { resourceArn } : {}) });
  }

  quota(message: string): ServiceError {
    return this.first(['ServiceQuotaExceededException', 'LimitExceededException', 'ValidationException', 'InvalidRequestException'], message);
  }

  /** Throttling is HTTP 400 ThrottlingException in IoT. */
  throttling(message = 'Rate exceeded'): ServiceError {
    return this.named('ThrottlingException', message);
  }

  /** The operation's 5xx: InternalServerException (catalog), InternalFailureException or ServiceUnavailableException (older APIs). */
  serverError(status?: number, message = 'Internal failure (injected by the IoT emulator)'): ServiceError {
    const name = ['InternalServerException', 'InternalFailureException', 'ServiceUnavailableException'].find((n) => this.listed.has(n)) ?? 'InternalFailureException';
    return new ServiceError(name, status ?? this.model.shapes[name]?.error?.httpStatusCode ?? 500, message);
  }
}
