/**
 * The part of the CloudFormation API a custom-resource handler may call about its own stack:
 * DescribeStacks (AWS Query protocol, XML answers), served from the harness's stack states, so
 * that a handler can tell a rollback (`UPDATE_ROLLBACK_IN_PROGRESS`) from a forward update.
 * Requests are checked against the caller's IAM policies (`cloudformation:DescribeStacks` on
 * the stack's ARN) when an IAM authority is given. Handlers reach it through
 * `AWS_ENDPOINT_URL_CLOUDFORMATION`.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { accessKeyIdOf, IamAuthority } from '../emulator/iam-authority';

/** What DescribeStacks tells of one stack. */
export interface StackDescription {
  readonly stackName: string;
  readonly stackId: string;
  readonly status: string;
  readonly creationTime: Date;
}

export class CloudFormationEndpoint {
  public static async start(describe: (nameOrId: string) => StackDescription | undefined, iam?: IamAuthority): Promise<CloudFormationEndpoint> {
    const endpoint = new CloudFormationEndpoint(describe, iam);
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    endpoint.url = `http://127.0.0.1:${(endpoint.server.address() as AddressInfo).port}`;
    return endpoint;
  }

  public url = '';
  /** Every request's Action and StackName, in order. */
  public readonly requests: Array<{ action: string; stackName?: string }> = [];
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private counter = 0;

  private constructor(private readonly describe: (nameOrId: string) => StackDescription | undefined, private readonly iam?: IamAuthority) {}

  public async close(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const action = params.get('Action') ?? '';
      const stackName = params.get('StackName') ?? undefined;
      this.requests.push({ action, stackName });
      if (action !== 'DescribeStacks') {
        return this.error(res, 400, 'InvalidAction', `The action ${action} is not valid for this endpoint.`);
      }
      if (!stackName) {
        return this.error(res, 400, 'ValidationError', 'The harness answers DescribeStacks only for one named stack.');
      }
      const stack = this.describe(stackName);
      // IAM authorizes against the stack's ARN; a stack that does not exist is reported only to a caller allowed to see it.
      const resource = stack?.stackId ?? stackName;
      const denial = this.iam?.authorize(accessKeyIdOf(req.headers.authorization), [{ action: 'cloudformation:DescribeStacks', resource }]);
      if (denial) return this.error(res, 403, 'AccessDenied', denial.message);
      if (!stack) return this.error(res, 400, 'ValidationError', `Stack with id ${stackName} does not exist`);
      this.send(res, 200, [
        '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">',
        '<DescribeStacksResult><Stacks><member>',
        `<StackName>${xml(stack.stackName)}</StackName>`,
        `<StackId>${xml(stack.stackId)}</StackId>`,
        `<CreationTime>${stack.creationTime.toISOString()}</CreationTime>`,
        `<StackStatus>${xml(stack.status)}</StackStatus>`,
        '</member></Stacks></DescribeStacksResult>',
        `<ResponseMetadata><RequestId>${this.requestId()}</RequestId></ResponseMetadata>`,
        '</DescribeStacksResponse>',
      ].join(''));
    });
  }

  private error(res: http.ServerResponse, status: number, code: string, message: string): void {
    this.send(res, status, [
      '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">',
      `<Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error>`,
      `<RequestId>${this.requestId()}</RequestId>`,
      '</ErrorResponse>',
    ].join(''));
  }

  private send(res: http.ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private requestId(): string {
    return `00000000-0000-4000-9000-${(++this.counter).toString(16).padStart(12, '0')}`;
  }
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
