import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/platform/http/errors.js';
import { withIdempotency } from '../../src/userapi/idempotency.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient } from '../helpers/factories.js';

/** The Idempotency-Key record, driven directly so the first request can be held mid-flight. */
describe('Idempotency-Key while the first request is still running', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 409 to a retry during the first request, then replays its response', async () => {
    const me = await newClient(t.app);
    const input = { clientId: me.row.id, key: 'pay-inv-1', method: 'POST', path: '/api/v1/x', body: { a: 1 } };
    let finish: (value: { status: number; body: unknown }) => void = () => {};
    let runs = 0;
    const first = withIdempotency(t.app, input, () => {
      runs += 1;
      return new Promise((resolve) => {
        finish = resolve;
      });
    });
    // Let the first request claim the key.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const retry = withIdempotency(t.app, input, async () => {
      runs += 1;
      return { status: 201, body: { paid: 'twice' } };
    });
    const refused = await retry.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('conflict');
    expect((refused as AppError).status).toBe(409);
    expect((refused as AppError).message).toMatch(/still being processed; retry in a moment/);

    finish({ status: 201, body: { paid: 'once' } });
    expect(await first).toEqual({ status: 201, body: { paid: 'once' }, replayed: false });
    const replay = await withIdempotency(t.app, input, async () => {
      runs += 1;
      return { status: 201, body: { paid: 'twice' } };
    });
    expect(replay).toEqual({ status: 201, body: { paid: 'once' }, replayed: true });
    expect(runs).toBe(1);
  });
});
