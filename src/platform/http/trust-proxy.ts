import proxyAddr from '@fastify/proxy-addr';

/** Which peers may set X-Forwarded-For: none, the nearest `hops`, or the listed addresses and ranges. */
export type TrustProxy = { mode: 'off' } | { mode: 'hops'; hops: number } | { mode: 'list'; addresses: string[] };

/**
 * Fastify asks "do I trust the peer at this hop?" for every request; answering from the current
 * setting lets an admin fix the client IP behind nginx or Apache without a restart. `current`
 * returns the setting's value; a new value (a new object) is compiled once.
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
