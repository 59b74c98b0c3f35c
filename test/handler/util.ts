import { randomUUID } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { handler } from '../../lambda/index';
import { IotEmulator } from '../../local-cloud/emulator/iot-emulator';
import { RESOURCE_TYPES } from '../../src/private/contract';

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/HandlerTest/4f2a0c10-0000-4000-8000-000000000000';
export const TYPES = RESOURCE_TYPES;

/**
 * Starts the emulator and points the handler's SDK client at it. The handler creates its
 * client once per module registry (one per test file), so this runs once per file.
 */
export async function startEmulator(): Promise<IotEmulator> {
  const emu = await IotEmulator.start();
  process.env.AWS_ENDPOINT_URL_IOT = emu.endpoint;
  process.env.AWS_REGION = emu.region;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  process.env.IOT_RETRY_BASE_DELAY_MS = '5';
  // No CloudFormation here: a refused change is handled as a forward update, at once.
  process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = 'http://127.0.0.1:9';
  return emu;
}

type Props = Record<string, unknown>;

export interface EventOptions {
  readonly logicalId?: string;
  readonly physicalId?: string;
  readonly old?: Props;
  readonly requestId?: string;
  readonly responseUrl?: string;
}

/** A CloudFormation custom-resource event, with scalars as strings as CloudFormation sends them. */
export function cfnEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  resourceType: string,
  properties: Props,
  options: EventOptions = {},
): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
    ResponseURL: options.responseUrl ?? 'http://127.0.0.1:9/unused',
    StackId: STACK_ID,
    RequestId: options.requestId ?? randomUUID(),
    LogicalResourceId: options.logicalId ?? 'Resource',
    ResourceType: resourceType,
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider', ...properties },
  };
  switch (requestType) {
    case 'Create':
      return { ...base, RequestType: 'Create' };
    case 'Update':
      return {
        ...base,
        RequestType: 'Update',
        PhysicalResourceId: options.physicalId ?? '',
        OldResourceProperties: { ServiceToken: base.ServiceToken, ...(options.old ?? {}) },
      };
    case 'Delete':
      return { ...base, RequestType: 'Delete', PhysicalResourceId: options.physicalId ?? '' };
  }
}

export interface CapturedResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
  readonly rawBytes: number;
}

/**
 * Runs the Lambda entry point as Lambda would and returns what it PUT to the ResponseURL,
 * with everything it logged.
 */
export async function invoke(build: (responseUrl: string) => CloudFormationCustomResourceEvent):
Promise<{ response: CapturedResponse; logs: string[]; responseUrl: string }> {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cfn-response/signature=SECRET`;
  const logs: string[] = [];
  const spy = jest.spyOn(console, 'log').mockImplementation((...args) => logs.push(args.join(' ')));
  try {
    await handler(build(responseUrl));
  } finally {
    spy.mockRestore();
    server.close();
  }
  expect(bodies).toHaveLength(1);
  return { response: { ...JSON.parse(bodies[0]), rawBytes: Buffer.byteLength(bodies[0]) }, logs, responseUrl };
}

/** Mutating calls the emulator received (reads left out). */
export function mutatingCalls(emu: IotEmulator): string[] {
  return emu.calls
    .filter((call) => !/^(Get|List|Describe)/.test(call.operation))
    .map((call) => `${call.operation}${call.input.action ? `:${call.input.action}` : ''} ${call.status}`);
}
