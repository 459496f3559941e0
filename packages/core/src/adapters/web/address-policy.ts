/**
 * Which addresses the fetcher may connect to (ADR 0038).
 *
 * Public unicast only, decided with `ipaddr.js` ranges rather than first octets: IPv4
 * must fall in no special range at all, IPv6 must be global unicast (2000::/3) and in no
 * special range. IPv6 forms that carry an IPv4 address (mapped, SIIT, the NAT64
 * well-known prefix) are judged by the IPv4 address they carry; the deprecated forms
 * that tunnel to one (IPv4-compatible, 6to4, Teredo) are refused whatever they carry.
 *
 * `ATRIUM_CRAWLER_ALLOW_HOSTS` opens host names and CIDRs that would otherwise be refused
 * (intranets, tests). Unspecified, multicast and broadcast addresses, and the
 * cloud-metadata endpoints, stay refused even then: no web server lives there, and a
 * wide CIDR such as 169.254.0.0/16 must not open a metadata service by accident.
 */
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

export type AddressVerdict =
  | { allowed: true }
  | {
      allowed: false;
      /** The address as shown in messages: with the IPv4 address it stands for, for mapped and NAT64 forms. */
      address: string;
      /** What it is, e.g. "a loopback address". */
      why: string;
      /** Whether ATRIUM_CRAWLER_ALLOW_HOSTS could open it (not for metadata, unspecified, multicast, broadcast). */
      allowable: boolean;
    };

/** Instance-metadata and platform endpoints of the big clouds. Refused whatever the allow-list says. */
const METADATA: readonly string[] = [
  '169.254.169.254/32', // AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
  '169.254.170.2/32', // AWS ECS task metadata
  '169.254.169.123/32', // AWS time sync
  '100.100.100.200/32', // Alibaba Cloud
  '192.0.0.192/32', // Oracle Cloud Classic
  '168.63.129.16/32', // Azure WireServer (a public-range address)
  'fd00:ec2::254/128', // AWS IMDS over IPv6
  'fd00:ec2::23/128', // AWS time sync over IPv6
];
const METADATA_CIDRS: Cidr[] = METADATA.map((c) => ipaddr.parseCIDR(c));

/** ipaddr.js range names that never hold a web server, allow-list or not. */
const NEVER = new Set(['unspecified', 'multicast', 'broadcast']);

const GLOBAL_UNICAST_V6: Cidr = ipaddr.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN: Cidr = ipaddr.parseCIDR('64:ff9b::/96');
const IPV4_COMPATIBLE: Cidr = ipaddr.parseCIDR('::/96');

const inCidr = (address: Address, [network, bits]: Cidr): boolean =>
  address.kind() === network.kind() && address.match(network, bits);

/** The IPv4 address in the low 32 bits of an IPv6 address. */
const low32 = (address: ipaddr.IPv6): ipaddr.IPv4 => {
  const bytes = address.toByteArray();
  return new ipaddr.IPv4(bytes.slice(12, 16));
};

/** The IPv4 address an IPv6 address stands for, when it is one of the translation forms judged by it. */
const embeddedIPv4 = (address: ipaddr.IPv6): ipaddr.IPv4 | null => {
  const range = address.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145') return low32(address);
  if (inCidr(address, NAT64_WELL_KNOWN)) return low32(address);
  return null;
};

/** Why an IPv6 address that is not public unicast is refused, in words. */
const describeV6 = (address: ipaddr.IPv6): string => {
  const range = address.range();
  if (range === '6to4') {
    const bytes = address.toByteArray();
    return `a 6to4 address (2002::/16, tunnelling to ${new ipaddr.IPv4(bytes.slice(2, 6)).toString()})`;
  }
  if (range === 'teredo') return 'a Teredo tunnel address (2001::/32)';
  if (inCidr(address, IPV4_COMPATIBLE) && range === 'unicast') return `an IPv4-compatible address (::/96, standing for ${low32(address).toString()})`;
  if (range === 'rfc6052') return 'a local-use NAT64 address (64:ff9b:1::/48)';
  if (range === 'unicast') return 'outside the global unicast range (2000::/3)';
  return `a ${range} address`;
};

/** True when no allow-list is needed: public unicast. */
const isPublic = (address: Address): { public: true } | { public: false; why: string; range: string } => {
  if (address.kind() === 'ipv4') {
    const range = address.range();
    return range === 'unicast' ? { public: true } : { public: false, why: `a ${range} address`, range };
  }
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'unicast' && inCidr(v6, GLOBAL_UNICAST_V6)) return { public: true };
  return { public: false, why: describeV6(v6), range };
};

export interface AllowList {
  /** Host names (lower-case, without a trailing dot) whose addresses are reachable although private. */
  readonly hosts: ReadonlySet<string>;
  /** Networks reachable although private. */
  readonly networks: readonly Cidr[];
  /** The entries as configured, for messages. */
  readonly entries: readonly string[];
}

export const EMPTY_ALLOW_LIST: AllowList = { hosts: new Set(), networks: [], entries: [] };

export class AllowListError extends Error {
  override readonly name = 'AllowListError';
}

/** RFC 1123 host names: dot-separated labels of letters, digits and hyphens. */
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const normalizeHost = (host: string): string => host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');

/**
 * Parses `ATRIUM_CRAWLER_ALLOW_HOSTS`: comma-separated host names (`intranet.example`,
 * `localhost`), IP addresses (`10.0.0.5`, `fd00::5`) and CIDRs (`10.1.0.0/16`,
 * `fd00:1::/64`). Throws an AllowListError naming the first bad entry.
 */
export const parseAllowList = (value: string | readonly string[] | undefined): AllowList => {
  const entries = (typeof value === 'string' ? value.split(',') : (value ?? [])).map((e) => e.trim()).filter((e) => e !== '');
  const hosts = new Set<string>();
  const networks: Cidr[] = [];
  for (const entry of entries) {
    if (entry.includes('/') && !entry.includes('://')) {
      try {
        networks.push(ipaddr.parseCIDR(entry));
        continue;
      } catch {
        throw new AllowListError(`"${entry}" is not a valid CIDR (e.g. 10.1.0.0/16 or fd00:1::/64)`);
      }
    }
    const bare = entry.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(bare)) {
      const address = ipaddr.parse(bare);
      networks.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      continue;
    }
    const host = normalizeHost(entry);
    if (!HOST_NAME.test(host))
      throw new AllowListError(`"${entry}" is neither a host name, an IP address nor a CIDR (no scheme, port, path or wildcard)`);
    hosts.add(host);
  }
  return { hosts, networks, entries };
};

/**
 * IPv6 text in its WHATWG (RFC 5952) form, without a zone. ipaddr.js reads the dotted tail
 * of `::127.0.0.1` as an IPv4-mapped address, while it is the IPv4-compatible `::7f00:1`.
 */
const canonical = (raw: string): string => {
  const bare = raw.replace(/%.*$/, '');
  if (!bare.includes(':')) return bare;
  try {
    return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return bare;
  }
};

/**
 * May the fetcher connect to `address`, found for `host`? Public unicast always; a
 * private, loopback, link-local or otherwise special address only when the allow-list
 * names the host or covers the address; never the metadata endpoints, unspecified,
 * multicast or broadcast.
 */
export const judgeAddress = (rawAddress: string, host: string, allowList: AllowList = EMPTY_ALLOW_LIST): AddressVerdict => {
  let parsed: Address;
  try {
    parsed = ipaddr.parse(canonical(rawAddress));
  } catch {
    return { allowed: false, address: rawAddress, why: 'not an IP address', allowable: false };
  }
  // Judge what actually gets reached: a mapped or NAT64 IPv6 address reaches its IPv4 address.
  const embedded = parsed.kind() === 'ipv6' ? embeddedIPv4(parsed as ipaddr.IPv6) : null;
  const address: Address = embedded ?? parsed;
  const shown = embedded ? `${rawAddress} (${embedded.toString()})` : rawAddress;

  if (METADATA_CIDRS.some((cidr) => inCidr(address, cidr)) || METADATA_CIDRS.some((cidr) => inCidr(parsed, cidr)))
    return { allowed: false, address: shown, why: 'a cloud metadata address', allowable: false };
  const verdict = isPublic(address);
  if (verdict.public) return { allowed: true };
  if (NEVER.has(verdict.range)) return { allowed: false, address: shown, why: verdict.why, allowable: false };
  const named = allowList.hosts.has(normalizeHost(host));
  const covered = allowList.networks.some((cidr) => inCidr(address, cidr) || inCidr(parsed, cidr));
  if (named || covered) return { allowed: true };
  return { allowed: false, address: shown, why: `${verdict.why}, not a public one`, allowable: true };
};

/** An IP literal (IPv4 dotted, or IPv6 with or without brackets), or null for a host name. */
export const literalAddress = (hostname: string): { address: string; family: 4 | 6 } | null => {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return { address: bare, family: 4 };
  if (ipaddr.IPv6.isValid(bare)) return { address: bare, family: 6 };
  return null;
};
