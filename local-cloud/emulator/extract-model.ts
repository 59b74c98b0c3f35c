/**
 * Extracts the part of the IoT service model (iot-2015-05-28) the emulator needs into
 * `service-model.json` beside this file:
 *  - `routes`: method + requestUri (+ success code) of EVERY operation, so unknown routes can be
 *    told apart from known-but-unimplemented ones;
 *  - `operations`: full definitions (input, output, errors) of the implemented operations;
 *  - `shapes`: the closure of shapes those operations reach, with documentation stripped.
 *
 * Run: `npx tsx local-cloud/emulator/extract-model.ts [path/to/iot-2015-05-28.service-2.json]`
 * (default: the vendored `reference/iot-2015-05-28.service-2.json` beside this file, or
 * $IOT_SERVICE_MODEL). The self-test re-runs `extractModel` on the full model and compares it
 * with the committed file, so the two cannot drift apart silently.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The operations the emulator implements (routes of all the others are still recognised). */
export const IMPLEMENTED_OPERATIONS = [
  // software package catalog
  'CreatePackage', 'GetPackage', 'UpdatePackage', 'DeletePackage', 'ListPackages',
  'CreatePackageVersion', 'GetPackageVersion', 'UpdatePackageVersion', 'DeletePackageVersion', 'ListPackageVersions',
  'AssociateSbomWithPackageVersion', 'DisassociateSbomFromPackageVersion', 'ListSbomValidationResults',
  'GetPackageConfiguration', 'UpdatePackageConfiguration',
  // tags
  'TagResource', 'UntagResource', 'ListTagsForResource',
  // fleet indexing
  'GetIndexingConfiguration', 'UpdateIndexingConfiguration',
  // jobs and job templates
  'CreateJob', 'DescribeJob', 'GetJobDocument', 'UpdateJob', 'CancelJob', 'DeleteJob', 'ListJobs',
  'CreateJobTemplate', 'DescribeJobTemplate', 'DeleteJobTemplate', 'ListJobTemplates',
] as const;

export type ImplementedOperation = typeof IMPLEMENTED_OPERATIONS[number];

export const DEFAULT_FULL_MODEL_PATH = path.join(__dirname, 'reference', 'iot-2015-05-28.service-2.json');
export const EXTRACTED_MODEL_PATH = path.join(__dirname, 'service-model.json');

export function fullModelPath(): string {
  return process.env.IOT_SERVICE_MODEL ?? DEFAULT_FULL_MODEL_PATH;
}

function strip(value: any): any {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === 'object') {
    const out: any = {};
    for (const key of Object.keys(value)) {
      if (key === 'documentation' || key === 'documentationUrl' || key === 'deprecatedMessage') continue;
      out[key] = strip(value[key]);
    }
    return out;
  }
  return value;
}

export function extractModel(full: any): any {
  const routes = Object.keys(full.operations).sort().map((name) => {
    const op = full.operations[name];
    return { name, method: op.http.method, requestUri: op.http.requestUri, responseCode: op.http.responseCode ?? 200 };
  });
  const operations: Record<string, any> = {};
  const shapeNames = new Set<string>();
  const visit = (name: string) => {
    if (shapeNames.has(name)) return;
    shapeNames.add(name);
    const shape = full.shapes[name];
    if (!shape) throw new Error(`shape ${name} missing from the model`);
    for (const member of Object.values<any>(shape.members ?? {})) visit(member.shape);
    if (shape.member) visit(shape.member.shape);
    if (shape.key) visit(shape.key.shape);
    if (shape.value) visit(shape.value.shape);
  };
  for (const name of IMPLEMENTED_OPERATIONS) {
    const op = full.operations[name];
    if (!op) throw new Error(`operation ${name} missing from the model`);
    operations[name] = strip(op);
    if (op.input) visit(op.input.shape);
    if (op.output) visit(op.output.shape);
    for (const e of op.errors ?? []) visit(e.shape);
  }
  // Errors the emulator may raise outside an operation's list (throttling, server faults).
  for (const extra of ['ThrottlingException', 'InternalServerException', 'InternalFailureException', 'ServiceUnavailableException']) visit(extra);
  const shapes: Record<string, any> = {};
  for (const name of [...shapeNames].sort()) shapes[name] = strip(full.shapes[name]);
  return { metadata: strip(full.metadata), routes, operations, shapes };
}

if (require.main === module) {
  const source = process.argv[2] ?? fullModelPath();
  const full = JSON.parse(fs.readFileSync(source, 'utf8'));
  const extracted = extractModel(full);
  fs.writeFileSync(EXTRACTED_MODEL_PATH, JSON.stringify(extracted, null, 1) + '\n');
  const size = fs.statSync(EXTRACTED_MODEL_PATH).size;
  // eslint-disable-next-line no-console
  console.log(`wrote ${EXTRACTED_MODEL_PATH}: ${Object.keys(extracted.operations).length} operations, ${Object.keys(extracted.shapes).length} shapes, ${extracted.routes.length} routes, ${size} bytes`);
}
