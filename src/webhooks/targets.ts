import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may be sent. A client chooses the URL, and Portico's worker makes the request
 * from inside the provider's network, so an unchecked URL would let any client reach the
 * provider's private services (server-side request forgery). A target must be https and every
 * address its host resolves to must be public. The check runs when the endpoint is saved and
 * again for every connection the sender opens — on the address it then connects to, so a name
 * that resolves to a public address when saved and to a private one later (DNS rebinding) is
 * refused at delivery. `webhooks.allow_private_targets on` lifts both rules, for labs and tests.
 */

/** Every range that is not the public Internet: loopback, private, link-local, shared, documentation, multicast, reserved. */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  // IPv4-compatible, NAT64 and 6to4 addresses embed an IPv4 address that may be private.
  ['::', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** True when `address` (an IPv4 or IPv6 literal) is on the public Internet. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return isPublicAddress(mapped[1]!);
    if (/^::ffff:/i.test(address)) return false;
    return !NOT_PUBLIC.check(address, 'ipv6');
  }
  return !NOT_PUBLIC.check(address, 'ipv4');
}

/** The first address that is not public, unless private targets are allowed. */
function firstNotPublic(addresses: readonly LookupAddress[], allowPrivate: boolean): LookupAddress | undefined {
  return allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
}

/** Looks up every address of a host name (the resolver the sender and the check use; tests pass their own). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

export class TargetRefused extends Error {
  override name = 'TargetRefused';
}

/** A URL's host without the brackets of an IPv6 literal. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * Checks a URL as a webhook target; throws TargetRefused with the reason, addressed to the person
 * who typed the URL. Returns the addresses the host resolves to.
 */
export async function checkTarget(
  raw: string,
  options: { allowPrivate: boolean; resolve?: Resolver },
): Promise<LookupAddress[]> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused('must be an absolute URL, e.g. https://hooks.example.com/portico');
  }
  if (url.username || url.password) {
    throw new TargetRefused('must not carry a user name or password; authenticate requests by their signature');
  }
  if (url.protocol !== 'https:' && !(options.allowPrivate && url.protocol === 'http:')) {
    throw new TargetRefused(
      options.allowPrivate ? 'must be an http or https URL' : 'must be an https URL (webhooks are sent over TLS only)',
    );
  }
  const host = hostOf(url);
  const addresses = isIP(host)
    ? [{ address: host, family: isIP(host) }]
    : await (options.resolve ?? systemResolver)(host).catch((error: NodeJS.ErrnoException) => {
        throw new TargetRefused(
          `has a host name that does not resolve (${host}: ${error.code ?? error.message}); use a name with a public address`,
        );
      });
  if (addresses.length === 0) throw new TargetRefused(`has a host name with no address (${host})`);
  const inner = firstNotPublic(addresses, options.allowPrivate);
  if (inner) {
    throw new TargetRefused(
      `points at ${inner.address === host ? 'the address' : `${host}, which resolves to`} ${inner.address}, which is not a public Internet address; webhooks go to public hosts only`,
    );
  }
  return addresses;
}

/**
 * A `lookup` for the sender's connections (net.connect / tls.connect's option): resolves, checks
 * every address and connects to a checked one — the check and the connection see the same address.
 */
export function guardedLookup(options: { allowPrivate: () => boolean; resolve?: Resolver }) {
  return (
    hostname: string,
    lookupOptions: { all?: boolean } | number | undefined,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const resolve = options.resolve ?? systemResolver;
    resolve(hostname)
      .then((addresses) => {
        const inner = firstNotPublic(addresses, options.allowPrivate());
        if (inner) {
          throw new TargetRefused(
            `${hostname} resolves to ${inner.address}, which is not a public Internet address; not connecting`,
          );
        }
        if (addresses.length === 0) throw new TargetRefused(`${hostname} has no address`);
        const all = typeof lookupOptions === 'object' && lookupOptions?.all;
        if (all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, ''));
  };
}
