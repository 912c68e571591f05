import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../../core/errors.ts';

/**
 * Where a webhook may send: an absolute http(s) URL without credentials, whose host is not (and
 * does not resolve to) a loopback, private, link-local, shared (CGNAT), unspecified or cloud
 * metadata address, unless private targets are allowed. The same check runs at creation and on
 * the address each delivery connects to (a name that later resolves elsewhere is caught).
 */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address of a host name (dns.lookup with all: true by default). */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export interface TargetPolicyOptions {
  /** Loopback, private, link-local and metadata targets are allowed (OPENWX_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  lookup?: HostLookup;
}

const defaultLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const RANGES: ReadonlyArray<[kind: string, cidr: string, family: 'ipv4' | 'ipv6']> = [
  ['metadata', '169.254.169.254/32', 'ipv4'],
  ['metadata', 'fd00:ec2::254/128', 'ipv6'],
  ['unspecified', '0.0.0.0/8', 'ipv4'],
  ['unspecified', '::/128', 'ipv6'],
  ['loopback', '127.0.0.0/8', 'ipv4'],
  ['loopback', '::1/128', 'ipv6'],
  ['private', '10.0.0.0/8', 'ipv4'],
  ['private', '172.16.0.0/12', 'ipv4'],
  ['private', '192.168.0.0/16', 'ipv4'],
  ['private', 'fc00::/7', 'ipv6'],
  ['link-local', '169.254.0.0/16', 'ipv4'],
  ['link-local', 'fe80::/10', 'ipv6'],
  ['shared (CGNAT)', '100.64.0.0/10', 'ipv4'],
];

/** The `params.reason` of a refused address, by its kind (the console words each one). */
export const ADDRESS_REASONS: Readonly<Record<string, string>> = {
  metadata: 'address_metadata',
  unspecified: 'address_unspecified',
  loopback: 'address_loopback',
  private: 'address_private',
  'link-local': 'address_link_local',
  'shared (CGNAT)': 'address_shared',
};

const LISTS = RANGES.map(([kind, cidr, family]) => {
  const [net, prefix] = cidr.split('/') as [string, string];
  const list = new BlockList();
  list.addSubnet(net, Number(prefix), family);
  return { kind, list };
});

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:10.0.0.1), if it is one. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m?.[1]) return m[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex?.[1] && hex[2]) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return address;
}

/** Why an address may not be a webhook target (e.g. 'private'), or undefined when it may. */
export function refusedAddressKind(address: string): string | undefined {
  const ip = unmapped(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  const family = isIP(ip);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return LISTS.find(({ list }) => list.check(ip, type))?.kind;
}

/** The URL with its password (and user name) replaced, for logs and views. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (!url.username && !url.password) return raw;
    url.username = 'redacted';
    url.password = '';
    return url.toString();
  } catch {
    return '[unparsable url]';
  }
}

/** Only absolute http(s) URLs with a host and without credentials. Returns the normalised URL. */
export function checkWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('bad_request', 'url must be an absolute http:// or https:// URL', {
      details: { field: 'url', params: { reason: 'url_not_absolute' } },
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const scheme = url.protocol.replace(/:$/, '');
    throw new AppError('bad_request', `url must use http or https, not ${scheme}`, {
      details: { field: 'url', params: { reason: 'url_scheme', scheme } },
    });
  }
  if (!url.hostname) {
    throw new AppError('bad_request', 'url must name a host', {
      details: { field: 'url', params: { reason: 'url_no_host' } },
    });
  }
  if (url.username || url.password) {
    throw new AppError(
      'webhook_url_credentials',
      'url must not carry a user name or password; authenticate the request with the signature header instead',
      { details: { field: 'url', params: { reason: 'url_credentials', host: url.host } } },
    );
  }
  return url.toString();
}

export class RefusedTargetError extends AppError {
  constructor(host: string, address: string, kind: string) {
    const what = `${/^[aeiu]/.test(kind) ? 'an' : 'a'} ${kind} address`;
    super(
      'webhook_url_forbidden',
      `url host ${host} ${host === address ? 'is' : `resolves to ${address},`} ${what}; webhooks may target such addresses only with OPENWX_WEBHOOK_ALLOW_PRIVATE=1`,
      {
        details: {
          field: 'url',
          params: { reason: ADDRESS_REASONS[kind] ?? 'address_refused', host, address, kind },
        },
      },
    );
    this.name = 'RefusedTargetError';
  }
}

export type TargetPolicy = ReturnType<typeof createTargetPolicy>;

export function createTargetPolicy(opts: TargetPolicyOptions) {
  const lookup = opts.lookup ?? defaultLookup;

  function check(host: string, address: string): void {
    if (opts.allowPrivate) return;
    const kind = refusedAddressKind(address);
    if (kind !== undefined) throw new RefusedTargetError(host, address, kind);
  }

  /**
   * Every address the URL's host stands for, each checked. A literal address is its own answer;
   * a name is resolved (its lookup errors are thrown as they come).
   */
  async function resolve(url: URL): Promise<ResolvedAddress[]> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const family = isIP(host);
    const addresses = family !== 0 ? [{ address: host, family }] : await lookup(host);
    if (addresses.length === 0) throw new Error(`${host} has no address`);
    for (const a of addresses) check(host, a.address);
    return addresses;
  }

  return {
    allowPrivate: opts.allowPrivate,
    /**
     * At creation: the URL's form, then its host. A name that does not resolve (yet) is
     * accepted; each delivery checks again.
     */
    async checkTarget(raw: string): Promise<string> {
      const normalised = checkWebhookUrl(raw);
      if (opts.allowPrivate) return normalised;
      const url = new URL(normalised);
      try {
        await resolve(url);
      } catch (err) {
        if (err instanceof AppError) throw err;
      }
      return normalised;
    },
    /** At delivery: the address to connect to, checked (throws RefusedTargetError or the lookup's error). */
    async pin(url: URL): Promise<ResolvedAddress> {
      const [first] = await resolve(url);
      return first as ResolvedAddress;
    },
  };
}
