import type { TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/factories.js';

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export async function loginAs(t: TestApp, who: TestClient): Promise<Tokens> {
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: who.email, password: who.password },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function account(t: TestApp, token: string) {
  return t.inject({ method: 'GET', url: '/api/v1/account', headers: bearer(token) });
}
