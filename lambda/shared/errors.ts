/** An error whose message is meant for the person reading the CloudFormation event. */
export class ResourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceError';
  }
}

/** A change the service does not allow; refused before anything changes. */
export class ForbiddenChangeError extends ResourceError {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenChangeError';
  }
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isNotFound(error: unknown): boolean {
  return errorName(error) === 'ResourceNotFoundException';
}

/** The answer of a read, or undefined when the resource does not exist. */
export async function ifExists<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function isAccessDenied(error: unknown): boolean {
  return errorName(error) === 'AccessDeniedException';
}

/** `<what>: <ServiceError>: <message>`, naming the resource and the service's error. */
export function describeFailure(what: string, error: unknown): string {
  if (error instanceof ResourceError) return error.message;
  return `${what}: ${errorName(error)}: ${messageOf(error)}`;
}
