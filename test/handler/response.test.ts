import * as http from 'http';
import { AddressInfo } from 'net';
import { cfnEvent, TYPES } from './util';
import { renderResponse, sendResponse } from '../../lambda/shared/response';

async function responseServer(statuses: number[]) {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push(`${req.method} ${req.headers['content-type'] ?? '(none)'} ${body}`);
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`, received, close: () => server.close() };
}

describe('the response upload', () => {
  test('is a PUT with an empty content type (the URL is signed for it), retried when the upload fails', async () => {
    const server = await responseServer([500, 200]);
    try {
      await sendResponse(server.url, '{"Status":"SUCCESS"}', 3);
      expect(server.received).toEqual(['PUT  {"Status":"SUCCESS"}', 'PUT  {"Status":"SUCCESS"}']);
    } finally {
      server.close();
    }
  });

  test('gives up after its attempts, with the HTTP status', async () => {
    const server = await responseServer([500, 500]);
    try {
      await expect(sendResponse(server.url, '{}', 2)).rejects.toThrow('The response upload answered HTTP 500');
    } finally {
      server.close();
    }
  });
});

describe('the response body', () => {
  test('a reason of multi-byte characters is cut to fit 4096 bytes; ids and data are kept whole', () => {
    const event = cfnEvent('Create', TYPES.softwarePackage, { PackageName: 'fw' }, { logicalId: 'Pkg' });
    const body = renderResponse(event, { status: 'FAILED', physicalResourceId: 'create-failed:1', reason: 'é'.repeat(5000), data: { A: 'b' } });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(4096);
    const parsed = JSON.parse(body);
    expect(parsed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'create-failed:1', LogicalResourceId: 'Pkg', Data: { A: 'b' } });
    expect(parsed.Reason).toMatch(/\[truncated\]$/);
  });
});
