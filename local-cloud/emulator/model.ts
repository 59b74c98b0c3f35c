/**
 * The (extracted) IoT service model: shapes, operations and the HTTP routes of every operation.
 * Source of truth: reference/iot-2015-05-28.service-2.json, trimmed by extract-model.ts.
 */
import * as fs from 'fs';
import { EXTRACTED_MODEL_PATH } from './extract-model';

export interface MemberRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'statusCode' | 'headers';
  locationName?: string;
  idempotencyToken?: boolean;
}

export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'double' | 'float' | 'boolean' | 'timestamp' | 'blob';
  members?: Record<string, MemberRef>;
  required?: string[];
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  error?: { httpStatusCode: number };
  exception?: boolean;
  fault?: boolean;
}

export interface OperationDef {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: { shape: string };
  output?: { shape: string };
  errors?: { shape: string }[];
  idempotent?: boolean;
}

export interface RouteDef { name: string; method: string; requestUri: string; responseCode: number }

export interface ServiceModel {
  metadata: Record<string, unknown>;
  routes: RouteDef[];
  operations: Record<string, OperationDef>;
  shapes: Record<string, Shape>;
}

let cached: ServiceModel | undefined;
export function loadModel(): ServiceModel {
  if (!cached) cached = JSON.parse(fs.readFileSync(EXTRACTED_MODEL_PATH, 'utf8')) as ServiceModel;
  return cached;
}

/** Names of the errors an operation may return, from the model's `errors` list. */
export function operationErrors(model: ServiceModel, operation: string): string[] {
  return (model.operations[operation]?.errors ?? []).map((e) => e.shape);
}

export interface CompiledRoute extends RouteDef {
  regex: RegExp;
  labels: { name: string; greedy: boolean }[];
  /** literal query pairs required by the requestUri (e.g. `?action=x`) */
  staticQuery: Record<string, string>;
  /** number of literal characters: the more specific route wins */
  specificity: number;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles every requestUri template of the model (`/packages/{packageName}`, `{arn+}`) to a regex. */
export function compileRoutes(model: ServiceModel): CompiledRoute[] {
  return model.routes.map((route) => {
    const [pathPart, queryPart] = route.requestUri.split('?');
    const labels: { name: string; greedy: boolean }[] = [];
    let specificity = 0;
    const source = pathPart.split(/(\{[^}]+\})/).map((piece) => {
      const m = /^\{([^}+]+)(\+?)\}$/.exec(piece);
      if (m) {
        labels.push({ name: m[1], greedy: m[2] === '+' });
        return m[2] === '+' ? '(.+)' : '([^/]+)';
      }
      specificity += piece.length;
      return escapeRegex(piece);
    }).join('');
    const staticQuery: Record<string, string> = {};
    if (queryPart) {
      for (const [k, v] of new URLSearchParams(queryPart)) staticQuery[k] = v;
      specificity += queryPart.length;
    }
    return { ...route, regex: new RegExp(`^${source}/?$`), labels, staticQuery, specificity };
  });
}

export interface RouteMatch { route: CompiledRoute; labels: Record<string, string> }

export function matchRoute(routes: CompiledRoute[], method: string, pathname: string, query: URLSearchParams): RouteMatch | undefined {
  let best: RouteMatch | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.regex.exec(pathname);
    if (!m) continue;
    if (Object.entries(route.staticQuery).some(([k, v]) => query.get(k) !== v)) continue;
    if (best && best.route.specificity >= route.specificity) continue;
    const labels: Record<string, string> = {};
    route.labels.forEach((label, i) => {
      const raw = m[i + 1];
      labels[label.name] = label.greedy ? raw.split('/').map(decodeURIComponent).join('/') : decodeURIComponent(raw);
    });
    best = { route, labels };
  }
  return best;
}
