import type { AuthMethod } from '../settings/definitions.js';

/** Who is calling: a client authenticated by one of the User API's methods. */
export interface Principal {
  clientId: string;
  method: AuthMethod;
  /** Personal API tokens can be read-only; Basic and JWT are always read-write. */
  scope: 'read' | 'write';
  /** The login session (refresh-token family) behind a JWT. */
  sessionId?: string;
  /** The personal API token used. */
  tokenId?: string;
}
