import { describe, expect, it } from 'vitest';
import { BODY_CAP_BYTES, redactBody, redactHeaders, redactQuery } from '../../src/requestlog/redact.js';

describe('request log redaction', () => {
  it.each([
    ['{"password":"hunter2-secret"}', 'hunter2-secret'],
    ['{"current_password":"a\\"b-secret","x":1}', 'a\\"b-secret'],
    ['{"access_token":"eyJhbGciOi.secret.sig","token_type":"Bearer"}', 'eyJhbGciOi.secret.sig'],
    ['{"refresh_token":"rt_abc-secret"}', 'rt_abc-secret'],
    ['{"items":[{"token":"ptk_X_secret"}]}', 'ptk_X_secret'],
    ['{"api_key":"k-secret","nested":{"secret_key":"s-secret"}}', 's-secret'],
    ['{"note":"card 4111-1111-1111-1111 please"}', '4111-1111-1111-1111'],
    ['password=plain-secret&user=x', 'plain-secret'],
  ])('removes the secret from %s', (body, secret) => {
    const out = redactBody(body)!;
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
  });

  it('keeps what is not secret', () => {
    expect(redactBody('{"name":"Jane","domain":"example.com","limit":20}')).toBe(
      '{"name":"Jane","domain":"example.com","limit":20}',
    );
  });

  it('keeps the description of a token but not the token', () => {
    const login =
      '{"access_token":"eyJ.a.b","token_type":"Bearer","expires_in":900,"refresh_token":"rt_x","refresh_token_expires_in":2592000}';
    expect(redactBody(login)).toBe(
      '{"access_token":"[REDACTED]","token_type":"Bearer","expires_in":900,"refresh_token":"[REDACTED]","refresh_token_expires_in":2592000}',
    );
  });

  it('caps bodies at 16 KiB and says how much was cut', () => {
    const out = redactBody(JSON.stringify({ data: 'x'.repeat(40_000) }))!;
    expect(Buffer.byteLength(out)).toBeLessThan(BODY_CAP_BYTES + 100);
    expect(out).toMatch(/…\[truncated \d+ bytes\]$/);
  });

  it('redacts query strings and credential headers', () => {
    expect(redactQuery('token=abc&limit=5')).toBe('token=[REDACTED]&limit=5');
    const headers = redactHeaders({ authorization: 'Bearer eyJsecret', cookie: 'a=b', 'user-agent': 'curl/8' });
    expect(headers).toEqual({ authorization: 'Bearer [REDACTED]', cookie: '[REDACTED]', 'user-agent': 'curl/8' });
  });
});
