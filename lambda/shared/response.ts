import * as http from 'http';
import * as https from 'https';
import { CustomResourceEvent } from './event';

/** CloudFormation rejects a response body over 4096 bytes. */
export const MAX_RESPONSE_BYTES = 4096;

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  /** The resource's attributes (its contract's `AttributesOf`). */
  readonly Data?: object;
}

/**
 * The response body, shortened to CloudFormation's limit by truncating the reason: the
 * status, ids and data are never cut.
 */
export function renderResponse(
  event: CustomResourceEvent,
  result: { status: 'SUCCESS' | 'FAILED'; physicalResourceId: string; reason?: string; data?: object },
): string {
  const response: CustomResourceResponse = {
    Status: result.status,
    Reason: result.reason,
    PhysicalResourceId: result.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: result.data,
  };
  let body = JSON.stringify(response);
  const excess = Buffer.byteLength(body, 'utf8') - MAX_RESPONSE_BYTES;
  if (excess > 0 && response.Reason) {
    const marker = ' [truncated]';
    let reason = response.Reason.slice(0, Math.max(0, response.Reason.length - excess - marker.length - 8)) + marker;
    body = JSON.stringify({ ...response, Reason: reason });
    while (Buffer.byteLength(body, 'utf8') > MAX_RESPONSE_BYTES && reason.length > marker.length) {
      reason = reason.slice(0, reason.length - marker.length - 16) + marker;
      body = JSON.stringify({ ...response, Reason: reason });
    }
  }
  return body;
}

/** PUTs the response to the pre-signed ResponseURL, retrying network failures. */
export async function sendResponse(responseUrl: string, body: string, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await put(responseUrl, body);
      return;
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
}

function put(url: string, body: string): Promise<void> {
  const target = new URL(url);
  const transport = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const request = transport.request(target, {
      method: 'PUT',
      // The URL is signed for an empty content type.
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body, 'utf8') },
    }, (response) => {
      response.resume();
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`The response upload answered HTTP ${status}`));
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}
