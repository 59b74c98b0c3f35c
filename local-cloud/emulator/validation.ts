/**
 * Data-driven request parsing, validation and response serialization, driven by the service
 * model's shapes (required members, string length/pattern/enum, list and map sizes, numeric ranges).
 */
import { OperationDef, ServiceModel, Shape } from './model';

/**
 * The model's patterns are Java regular expressions. Translate the Java-only classes to
 * JavaScript (`\p{Upper}`, `\p{Digit}`, `\p{Graph}`, `\p{Cntrl}` are ASCII POSIX classes in Java)
 * and match the WHOLE value, as the service's Java validators do (`Matcher.matches`).
 */
export function compilePattern(pattern: string): RegExp {
  const js = pattern
    .replace(/\\p\{Upper\}/g, 'A-Z')
    .replace(/\\p\{Digit\}/g, '0-9')
    .replace(/\\p\{Graph\}/g, '\\x21-\\x7E')
    .replace(/\\p\{Cntrl\}/g, '\\x00-\\x1F\\x7F');
  return new RegExp(`^(?:${js})$`, 'u');
}

const patternCache = new Map<string, RegExp>();
function patternOf(p: string): RegExp {
  let r = patternCache.get(p);
  if (!r) {
    r = compilePattern(p);
    patternCache.set(p, r);
  }
  return r;
}

/** Shown as in the service's messages: `Value 'x' at 'a.b' failed to satisfy constraint: ...` */
export class ValidationErrors {
  readonly messages: string[] = [];
  add(path: string, value: unknown, constraint: string): void {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    this.messages.push(`Value '${shown}' at '${path}' failed to satisfy constraint: ${constraint}`);
  }
  addRaw(message: string): void {
    this.messages.push(message);
  }
  get empty(): boolean {
    return this.messages.length === 0;
  }
  toString(): string {
    const n = this.messages.length;
    return `${n} validation error${n === 1 ? '' : 's'} detected: ${this.messages.join('; ')}`;
  }
}

/** Length as Smithy counts it: Unicode code points. */
function lengthOf(s: string): number {
  return [...s].length;
}

export function validateShape(model: ServiceModel, shapeName: string, value: unknown, path: string, errors: ValidationErrors): void {
  const shape: Shape = model.shapes[shapeName];
  if (!shape) throw new Error(`unknown shape ${shapeName}`);
  if (value === undefined || value === null) return;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        errors.add(path, value, 'Member must be a structure');
        return;
      }
      const obj = value as Record<string, unknown>;
      for (const req of shape.required ?? []) {
        if (obj[req] === undefined || obj[req] === null) errors.add(join(path, req), null, 'Member must not be null');
      }
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        validateShape(model, ref.shape, obj[name], join(path, name), errors);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        errors.add(path, value, 'Member must be a list');
        return;
      }
      if (shape.min !== undefined && value.length < shape.min) errors.add(path, value, `Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) errors.add(path, value, `Member must have length less than or equal to ${shape.max}`);
      value.forEach((item, i) => {
        if (item === null || item === undefined) errors.add(`${path}.${i + 1}`, null, 'Member must not be null');
        else validateShape(model, shape.member!.shape, item, `${path}.${i + 1}.member`, errors);
      });
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        errors.add(path, value, 'Member must be a map');
        return;
      }
      const entries = Object.entries(value as Record<string, unknown>);
      if (shape.min !== undefined && entries.length < shape.min) errors.add(path, value, `Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && entries.length > shape.max) errors.add(path, value, `Member must have length less than or equal to ${shape.max}`);
      for (const [k, v] of entries) {
        validateShape(model, shape.key!.shape, k, `${path}.key`, errors);
        if (v === null || v === undefined) errors.add(`${path}.${k}`, null, 'Member must not be null');
        else validateShape(model, shape.value!.shape, v, `${path}.${k}`, errors);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') {
        errors.add(path, value, 'Member must be a string');
        return;
      }
      const len = lengthOf(value);
      if (shape.min !== undefined && len < shape.min) errors.add(path, value, `Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && len > shape.max) errors.add(path, value, `Member must have length less than or equal to ${shape.max}`);
      if (shape.pattern !== undefined && !patternOf(shape.pattern).test(value)) errors.add(path, value, `Member must satisfy regular expression pattern: ${shape.pattern}`);
      if (shape.enum && !shape.enum.includes(value)) errors.add(path, value, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        errors.add(path, value, 'Member must be an integer');
        return;
      }
      checkRange(shape, value, path, errors);
      return;
    }
    case 'double':
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        errors.add(path, value, 'Member must be a number');
        return;
      }
      checkRange(shape, value, path, errors);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') errors.add(path, value, 'Member must be a boolean');
      return;
    case 'timestamp':
      if (typeof value !== 'number' && typeof value !== 'string') errors.add(path, value, 'Member must be a timestamp');
      return;
    case 'blob':
      if (typeof value !== 'string') errors.add(path, value, 'Member must be a blob');
      return;
  }
}

function checkRange(shape: Shape, value: number, path: string, errors: ValidationErrors): void {
  if (shape.min !== undefined && value < shape.min) errors.add(path, value, `Member must have value greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && value > shape.max) errors.add(path, value, `Member must have value less than or equal to ${shape.max}`);
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/**
 * Builds the operation's input from the HTTP request: `uri` members from the path labels,
 * `querystring` members from the query (coerced to the member's type), `header` members from the
 * headers, all other members from the JSON body. Coercion failures are validation errors.
 */
export function parseInput(
  model: ServiceModel, op: OperationDef, labels: Record<string, string>, query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>, body: Record<string, unknown>, errors: ValidationErrors,
): Record<string, any> {
  const input: Record<string, any> = {};
  if (!op.input) return input;
  const shape = model.shapes[op.input.shape];
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const memberShape = model.shapes[ref.shape];
    const wire = ref.locationName ?? name;
    switch (ref.location) {
      case 'uri':
        if (labels[wire] !== undefined) input[name] = labels[wire];
        break;
      case 'querystring': {
        if (memberShape.type === 'list') {
          const all = query.getAll(wire);
          if (all.length > 0) input[name] = all;
        } else if (query.has(wire)) {
          input[name] = coerce(memberShape, query.get(wire)!, name, errors);
        }
        break;
      }
      case 'header': {
        const h = headers[wire.toLowerCase()];
        if (h !== undefined) input[name] = coerce(memberShape, Array.isArray(h) ? h.join(',') : h, name, errors);
        break;
      }
      default:
        if (body[name] !== undefined) input[name] = body[name];
    }
  }
  return input;
}

function coerce(shape: Shape, raw: string, path: string, errors: ValidationErrors): unknown {
  switch (shape.type) {
    case 'integer':
    case 'long':
      if (!/^-?\d+$/.test(raw)) {
        errors.add(path, raw, 'Member must be an integer');
        return undefined;
      }
      return Number(raw);
    case 'double':
    case 'float':
      if (!Number.isFinite(Number(raw))) {
        errors.add(path, raw, 'Member must be a number');
        return undefined;
      }
      return Number(raw);
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') {
        errors.add(path, raw, 'Member must be a boolean');
        return undefined;
      }
      return raw === 'true';
    default:
      return raw;
  }
}

/**
 * Serializes a handler's result as the output shape: only the shape's members, timestamps as
 * epoch seconds (rest-json default), undefined members left out.
 */
export function serializeOutput(model: ServiceModel, shapeName: string | undefined, value: unknown): unknown {
  if (!shapeName || value === undefined || value === null) return undefined;
  const shape = model.shapes[shapeName];
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      const obj = value as Record<string, unknown>;
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        if (ref.location) continue;
        const v = serializeOutput(model, ref.shape, obj[name]);
        if (v !== undefined) out[ref.locationName ?? name] = v;
      }
      return out;
    }
    case 'list':
      return (value as unknown[]).map((item) => serializeOutput(model, shape.member!.shape, item));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = serializeOutput(model, shape.value!.shape, v);
      return out;
    }
    case 'timestamp':
      if (value instanceof Date) return value.getTime() / 1000;
      if (typeof value === 'number') return value / 1000; // internal timestamps are epoch milliseconds
      return value;
    default:
      return value;
  }
}
