import { AppError } from '../platform/http/errors.js';
import type { AuthMethod } from '../settings/definitions.js';
import type { PasswordVerifier } from './basic.js';
import type { Principal } from './principal.js';
import type { LoginThrottle } from './throttle.js';

/** Verifies one kind of bearer credential (a JWT access token or a personal API token). */
export interface BearerVerifier {
  /** Returns the principal, or throws an AppError (401) saying why the credential is refused. */
  verify(credential: string): Promise<Principal>;
}

export const API_TOKEN_PREFIX = 'ptk_';

const METHOD_HINT: Record<AuthMethod, string> = {
  basic: 'HTTP Basic with your account email and password',
  jwt: 'a Bearer access token from POST /api/v1/auth/login',
  token: 'a Bearer personal API token (ptk_…) from POST /api/v1/tokens',
};

export function describeMethods(methods: readonly AuthMethod[]): string {
  return methods.map((m) => METHOD_HINT[m]).join('; or ');
}

export function wwwAuthenticate(methods: readonly AuthMethod[]): string {
  const challenges: string[] = [];
  if (methods.includes('basic')) challenges.push('Basic realm="Portico User API", charset="UTF-8"');
  if (methods.includes('jwt') || methods.includes('token')) challenges.push('Bearer realm="Portico User API"');
  return challenges.join(', ');
}

function unauthorized(
  detail: string,
  methods: readonly AuthMethod[],
  code: 'unauthorized' | 'auth_method_disabled' = 'unauthorized',
) {
  return new AppError(code, detail, { headers: { 'www-authenticate': wwwAuthenticate(methods) } });
}

function decodeBasic(value: string): { email: string; password: string } | null {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { email: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Turns the Authorization header into a Principal using whichever methods the admin has enabled
 * (`userapi.auth_methods`). The scheme picks the method: `Basic` → email+password, `Bearer ptk_…`
 * → personal API token, any other `Bearer` → JWT access token.
 */
export class Authenticator {
  constructor(
    private readonly deps: {
      passwords: PasswordVerifier;
      throttle: LoginThrottle;
      jwt: BearerVerifier;
      apiTokens: BearerVerifier;
      enabledMethods: () => readonly AuthMethod[];
    },
  ) {}

  async authenticate(authorization: string | undefined, ip: string): Promise<Principal> {
    const methods = this.deps.enabledMethods();
    if (!authorization) {
      throw unauthorized(`This route needs authentication. Use ${describeMethods(methods)}.`, methods);
    }
    const space = authorization.indexOf(' ');
    const scheme = (space === -1 ? authorization : authorization.slice(0, space)).toLowerCase();
    const credential = space === -1 ? '' : authorization.slice(space + 1).trim();
    const method: AuthMethod | undefined =
      scheme === 'basic'
        ? 'basic'
        : scheme === 'bearer'
          ? credential.startsWith(API_TOKEN_PREFIX)
            ? 'token'
            : 'jwt'
          : undefined;
    if (!method) {
      throw unauthorized(`Unsupported Authorization scheme. Use ${describeMethods(methods)}.`, methods);
    }
    if (!methods.includes(method)) {
      throw unauthorized(
        `The ${method} authentication method is disabled by the provider. Enabled methods: ${methods.join(', ')} — use ${describeMethods(methods)}.`,
        methods,
        'auth_method_disabled',
      );
    }
    if (method === 'basic') return this.basic(credential, ip, methods);
    return method === 'token' ? this.deps.apiTokens.verify(credential) : this.deps.jwt.verify(credential);
  }

  private async basic(credential: string, ip: string, methods: readonly AuthMethod[]): Promise<Principal> {
    const pair = decodeBasic(credential);
    if (!pair) throw unauthorized('Malformed Basic credentials: send base64(email:password).', methods);
    const clientId = await this.deps.passwords.verify(pair.email, pair.password, () =>
      this.deps.throttle.check(pair.email, ip),
    );
    if (!clientId) {
      await this.deps.throttle.fail(pair.email, ip);
      throw unauthorized('The email or password is wrong, or the account is not active.', methods);
    }
    return { clientId, method: 'basic', scope: 'write' };
  }
}
