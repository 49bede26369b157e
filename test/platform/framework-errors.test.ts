import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { openRaw as open, parseRaw as parse } from '../helpers/raw-http.js';

const app = (): Promise<TestApp> => createTestApp();

async function listening() {
  const t = await app();
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  return { t, port: (t.server.server.address() as AddressInfo).port };
}

describe('errors raised while routing', () => {
  it.each([
    ['not valid percent-encoding', '/api/v1/services/%zz'],
    ['a path segment over 100 characters', `/api/v1/services/${'a'.repeat(200)}`],
  ])('answer %s with 400 problem+json and X-Request-Id', async (_case, url) => {
    const t = await app();
    const res = await t.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    expect(res.json()).toMatchObject({ code: 'bad_url', requestId: res.headers['x-request-id'] });
  });
});

describe('while shutting down', () => {
  it('answers a request arriving on an open connection with 503 problem+json, X-Request-Id and Retry-After', async () => {
    const { t, port } = await listening();
    const raw = await open(port);
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'not-the-password' });
    // A login whose body is half sent keeps the connection busy while closing begins.
    raw.socket.write(
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    // Its guard has run once the rate limit has counted it.
    const rule = t.app.settings.snapshot['userapi.rate_limit']!;
    while ((await t.app.rateLimits.peek('api', 'ip:127.0.0.1', rule)).remaining === rule.points) {
      await new Promise((r) => setImmediate(r));
    }
    const closed = t.server.close();
    // Closing has begun once the listener refuses new connections.
    while (
      (await open(port).then(
        (probe) => probe.socket.destroy(),
        () => 'refused',
      )) !== 'refused'
    );
    raw.socket.write(`${body.slice(10)}GET /api/v1/categories HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await raw.closed;
    await closed;
    const second = raw.received().slice(raw.received().indexOf('HTTP/1.1', 1));
    const response = parse(second);
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers['x-request-id']).toMatch(/^req_/);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'unavailable', status: 503 });
  });
});

describe("the HTTP parser's own errors", () => {
  it('answer a malformed request line with 400 problem+json and a request id', async () => {
    const { port } = await listening();
    const raw = await open(port);
    raw.socket.write('GET /api/v1/categories HTTP/1.1 trailing\r\nHost: 127.0.0.1\r\n\r\n');
    await raw.closed;
    const response = parse(raw.received());
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['x-request-id']).toMatch(/^req_/);
    const problem = JSON.parse(response.body);
    expect(problem).toMatchObject({ code: 'malformed_request', status: 400 });
    expect(problem.requestId).toBe(response.headers['x-request-id']);
  });

  it('answer headers over 16 KiB with 431 problem+json and a request id', async () => {
    const { port } = await listening();
    const raw = await open(port);
    raw.socket.write(`GET /api/v1/categories HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${'a'.repeat(20_000)}\r\n\r\n`);
    await raw.closed;
    const response = parse(raw.received());
    expect(response.status).toBe(431);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['x-request-id']).toMatch(/^req_/);
    expect(JSON.parse(response.body)).toMatchObject({
      code: 'headers_too_large',
      instance: '/api/v1/categories',
    });
  });
});
