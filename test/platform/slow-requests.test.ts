import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { openRaw as open, parseRaw as parse } from '../helpers/raw-http.js';

/** A real listening Portico, with the request timeouts and connection ceiling set low. */
async function listening(env: Record<string, string> = {}) {
  const t = await createTestApp({
    env: { PORTICO_REQUEST_TIMEOUT_MS: '1000', PORTICO_HEADERS_TIMEOUT_MS: '500', ...env },
  });
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  return { t, port: (t.server.server.address() as AddressInfo).port };
}

describe('requests that arrive slowly or not at all', () => {
  it('answers 408 problem+json and closes a connection whose body trickles in', async () => {
    const { port } = await listening();
    const raw = await open(port);
    const length = 10_000;
    raw.socket.write(
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`,
    );
    // One byte every 50 ms: the whole body would take over 8 minutes.
    let sent = 0;
    const trickle = setInterval(() => {
      if (!raw.socket.destroyed && sent < length) {
        raw.socket.write(sent === 0 ? '{' : ' ');
        sent += 1;
      }
    }, 50);
    await raw.closed;
    clearInterval(trickle);
    expect(sent).toBeLessThan(length);
    const response = parse(raw.received());
    expect(response.status).toBe(408);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['x-request-id']).toMatch(/^req_/);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'request_timeout', status: 408 });
  });

  it('answers 408 and closes a connection whose headers trickle in', async () => {
    const { port } = await listening();
    const raw = await open(port);
    raw.socket.write('GET /api/v1/categories HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const trickle = setInterval(() => {
      if (!raw.socket.destroyed) raw.socket.write('a');
    }, 50);
    await raw.closed;
    clearInterval(trickle);
    const response = parse(raw.received());
    expect(response.status).toBe(408);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'request_timeout' });
  });

  it('answers 401 to a route that needs credentials before reading the body, and closes', async () => {
    const { port } = await listening();
    const raw = await open(port);
    // Without a body, an error keeps the connection for the next request.
    raw.socket.write('GET /api/v1/account HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    while (!raw.received().includes('}')) await once(raw.socket, 'data');
    expect(parse(raw.received()).status).toBe(401);
    expect(parse(raw.received()).headers.connection).toBe('keep-alive');
    const first = raw.received().length;
    // Headers only: the 1,000 announced bytes of body are never sent.
    raw.socket.write(
      'POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
    );
    await raw.closed;
    const response = parse(raw.received().slice(first));
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body)).toMatchObject({ code: 'unauthorized' });
  });

  it('closes connections over the configured ceiling as they arrive', async () => {
    const { port } = await listening({ PORTICO_MAX_CONNECTIONS: '2' });
    const held = [await open(port), await open(port)];
    for (const raw of held) {
      raw.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      while (!raw.received().includes('"ok"')) await once(raw.socket, 'data');
    }
    const third = await open(port);
    third.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await third.closed;
    expect(third.received()).toBe('');
    // A held connection still works, and once one goes a new one is served again.
    held[0]?.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    held[1]?.socket.destroy();
    await held[1]?.closed;
    let served = '';
    while (!served.includes('"ok"')) {
      const next = await open(port);
      next.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      await next.closed;
      served = next.received();
    }
    expect(parse(served).status).toBe(200);
    held[0]?.socket.destroy();
  });
});
