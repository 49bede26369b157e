import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTestApp } from '../helpers/app.js';

const TOKEN = 'scrape-token-0123456789abcdef';

describe('/metrics with PORTICO_METRICS_TOKEN', () => {
  it('answers only a scrape that sends the token as a Bearer token', async () => {
    const t = await createTestApp({ env: { PORTICO_METRICS_TOKEN: TOKEN } });
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TOKEN}`]) {
      const res = await t.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="Portico metrics"');
      expect(res.json()).toMatchObject({
        code: 'unauthorized',
        detail: expect.stringContaining('PORTICO_METRICS_TOKEN'),
      });
      expect(res.body).not.toContain('portico_jobs');
    }
    const res = await t.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('portico_jobs');
  });

  it('refuses a token too short to be a secret', () => {
    expect(() => loadConfig({ PORTICO_METRICS_TOKEN: 'short' })).toThrow(/at least 16 characters/);
  });
});
