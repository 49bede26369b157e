import proxyAddr from '@fastify/proxy-addr';
import type { TrustProxy } from '../../settings/definitions.js';

/**
 * Fastify asks "do I trust the peer at this hop?" for every request; answering from the current
 * setting lets an admin fix the client IP behind nginx or Apache without a restart.
 */
export function trustProxyFunction(current: () => TrustProxy): (address: string, hop: number) => boolean {
  let compiledFor: TrustProxy | undefined;
  let compiled: (address: string, hop: number) => boolean = () => false;
  return (address, hop) => {
    const setting = current();
    if (setting !== compiledFor) {
      compiledFor = setting;
      if (setting.mode === 'off') compiled = () => false;
      else if (setting.mode === 'hops') compiled = (_a, i) => i < setting.hops;
      else compiled = proxyAddr.compile(setting.addresses);
    }
    return compiled(address, hop);
  };
}
