import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/log.js';
import { userApiRoutes } from '../../src/userapi/routes.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient, type TestClient } from '../helpers/factories.js';

/**
 * Every route fed malformed input: the answer is always a 4xx problem+json (never a 500), and no
 * secret — the caller's password, a token — ever appears in a response or a log line.
 */
function* seeded(seed: number) {
  let x = seed;
  while (true) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    yield x / 2 ** 31;
  }
}

const NASTY = [
  '',
  ' ',
  'null',
  '0',
  '-1',
  '1e309',
  'NaN',
  'true',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\u001b[2J',
  'name\u202Egpj.exe',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  'x'.repeat(5000),
  '😀',
  '{"$ne":null}',
  'svc_',
  'svc_00000000000000000000000000',
  'cli_01M86WVZA5E1WETD2EBGVN3NTX',
];
const NASTY_VALUES: unknown[] = [
  null,
  true,
  -1,
  1.5,
  Number.MAX_VALUE,
  '',
  [],
  {},
  [1, 'a'],
  { a: { b: { c: [] } } },
  ...NASTY,
];

describe('fuzzing every User API route', () => {
  let t: TestApp;
  let me: TestClient;
  const lines: string[] = [];
  const SECRET_PASSWORD = 'fuzz-secret-password-42';

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    t = await createTestApp({ logger: createLogger({ level: 'debug', destination }) });
    await t.app.settings.set('userapi.rate_limit', 'off');
    me = await newClient(t.app, { password: SECRET_PASSWORD });
  });

  it.each(userApiRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s never answers 500', async (_l, spec) => {
    const random = seeded(spec.operationId.length * 7919);
    const pick = <T>(items: T[]) => items[Math.floor((random.next().value as number) * items.length)]!;
    for (let i = 0; i < 25; i++) {
      const path = spec.path.replace(/\{\w+\}/g, () => encodeURIComponent(pick(NASTY)));
      const query = new URLSearchParams({ [pick(['limit', 'cursor', 'status', 'x', 'category_id'])]: pick(NASTY) });
      const field = pick(['name', 'email', 'password', 'current_password', 'new_password', 'scope', 'x', 'company']);
      const body = pick([
        JSON.stringify({ [field]: pick(NASTY_VALUES) }),
        pick(NASTY),
        JSON.stringify(pick(NASTY_VALUES)),
      ]);
      const res = await t.inject({
        method: spec.method,
        url: `/api/v1${path}?${query}`,
        headers: { authorization: me.basic, ...(spec.body ? { 'content-type': 'application/json' } : {}) },
        ...(spec.body ? { payload: body } : {}),
      });
      expect(res.statusCode, `${spec.method} ${path} ${body.slice(0, 80)}`).toBeLessThan(500);
      if (res.statusCode >= 400) expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).not.toContain(SECRET_PASSWORD);
    }
  });

  it('wrote no secret into any log line', () => {
    const all = lines.join('');
    expect(all).not.toContain(SECRET_PASSWORD);
    expect(all).not.toContain(me.basic.slice('Basic '.length));
  });
});
