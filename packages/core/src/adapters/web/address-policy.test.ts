import { describe, expect, it } from 'vitest';
import { AllowListError, judgeAddress, literalAddress, parseAllowList } from './address-policy.js';

/** Every form of a non-public address the fetcher must never connect to (without an allow-list). */
const REFUSED: [address: string, what: RegExp][] = [
  // IPv4
  ['0.0.0.0', /unspecified/],
  ['0.1.2.3', /unspecified/],
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['10.0.0.1', /private/],
  ['172.16.0.1', /private/],
  ['172.31.255.255', /private/],
  ['192.168.1.1', /private/],
  ['169.254.169.254', /metadata/],
  ['169.254.170.2', /metadata/],
  ['169.254.1.1', /linkLocal/],
  ['100.64.0.1', /carrierGradeNat/],
  ['100.127.255.255', /carrierGradeNat/],
  ['100.100.100.200', /metadata/],
  ['168.63.129.16', /metadata/],
  ['192.0.0.192', /metadata/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['255.255.255.255', /broadcast/],
  ['240.0.0.1', /reserved/],
  ['192.0.0.8', /reserved/],
  ['192.0.2.1', /reserved/], // TEST-NET-1 (documentation)
  ['198.51.100.7', /reserved/], // TEST-NET-2
  ['203.0.113.9', /reserved/], // TEST-NET-3
  ['198.18.0.1', /reserved/], // benchmarking
  ['198.19.255.1', /reserved/],
  ['192.88.99.1', /reserved/], // 6to4 relay anycast
  // IPv6
  ['::', /unspecified/],
  ['::1', /loopback/],
  ['fe80::1', /linkLocal/],
  ['fe80::1%eth0', /linkLocal/],
  ['fc00::1', /uniqueLocal/],
  ['fd00::', /uniqueLocal/],
  ['fd12:3456:789a::1', /uniqueLocal/],
  ['fd00:ec2::254', /metadata/],
  ['fec0::1', /deprecatedSiteLocal/],
  ['ff02::1', /multicast/],
  ['ff05::2', /multicast/],
  ['100::1', /discard/],
  ['2001:db8::1', /reserved/], // documentation
  ['3fff::1', /reserved/], // documentation (RFC 9637)
  ['2001:2::1', /benchmarking/],
  // IPv4 in IPv6: judged by the IPv4 address they reach
  ['::ffff:127.0.0.1', /::ffff:127\.0\.0\.1 \(127\.0\.0\.1\).*loopback/],
  ['::ffff:7f00:1', /loopback/],
  ['::ffff:10.1.2.3', /private/],
  ['::ffff:169.254.169.254', /metadata/],
  ['::ffff:0.0.0.0', /unspecified/],
  ['::ffff:0:7f00:1', /loopback/], // SIIT (RFC 6145)
  ['64:ff9b::7f00:1', /loopback/], // NAT64 well-known prefix
  ['64:ff9b::a9fe:a9fe', /metadata/],
  ['64:ff9b::192.168.0.1', /private/],
  ['64:ff9b:1::a00:1', /local-use NAT64/],
  // Tunnelling and deprecated forms: refused whatever they carry
  ['::127.0.0.1', /IPv4-compatible.*127\.0\.0\.1/],
  ['::8.8.8.8', /IPv4-compatible/],
  ['2002:7f00:1::1', /6to4.*127\.0\.0\.1/],
  ['2002:a9fe:a9fe::', /6to4.*169\.254\.169\.254/],
  ['2002:808:808::1', /6to4/],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
  ['2001::1', /Teredo/],
  ['5f00::1', /segmentRouting/],
];

const PUBLIC = [
  '93.184.216.34',
  '8.8.8.8',
  '1.1.1.1',
  '172.32.0.1', // just past 172.16.0.0/12
  '172.15.255.255',
  '100.63.255.255', // just outside CGNAT
  '100.128.0.1',
  '169.253.255.255',
  '192.167.255.255',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '2600::1',
  '::ffff:8.8.8.8', // mapped public
  '64:ff9b::808:808', // NAT64 of 8.8.8.8 (IPv6-only hosts with DNS64)
];

describe('judgeAddress', () => {
  it.each(REFUSED)('refuses %s', (address, what) => {
    const verdict = judgeAddress(address, 'example.test');
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(`${verdict.address} is ${verdict.why}`).toMatch(what);
  });

  it.each(PUBLIC)('allows the public address %s', (address) => {
    expect(judgeAddress(address, 'example.test')).toEqual({ allowed: true });
  });

  it('refuses what is not an IP address', () => {
    expect(judgeAddress('not-an-ip', 'x.test').allowed).toBe(false);
  });
});

describe('the allow-list (ATRIUM_CRAWLER_ALLOW_HOSTS)', () => {
  it('opens exactly the hosts and networks it names', () => {
    const list = parseAllowList('intranet.example, 10.1.0.0/16, 127.0.0.1, fd00:1::/64, [fd00:2::5]');
    expect(judgeAddress('10.9.9.9', 'intranet.example', list).allowed).toBe(true); // named host, any private address
    expect(judgeAddress('10.9.9.9', 'INTRANET.example.', list).allowed).toBe(true);
    expect(judgeAddress('10.9.9.9', 'other.example', list).allowed).toBe(false);
    expect(judgeAddress('10.1.200.3', 'other.example', list).allowed).toBe(true); // in the CIDR
    expect(judgeAddress('10.2.0.1', 'other.example', list).allowed).toBe(false);
    expect(judgeAddress('127.0.0.1', 'x', list).allowed).toBe(true);
    expect(judgeAddress('::ffff:127.0.0.1', 'x', list).allowed).toBe(true); // the same address, mapped
    expect(judgeAddress('127.0.0.2', 'x', list).allowed).toBe(false);
    expect(judgeAddress('::1', 'x', list).allowed).toBe(false);
    expect(judgeAddress('fd00:1::abcd', 'x', list).allowed).toBe(true);
    expect(judgeAddress('fd00:2::5', 'x', list).allowed).toBe(true);
    expect(judgeAddress('fd00:3::1', 'x', list).allowed).toBe(false);
  });

  it('never opens metadata, unspecified, multicast or broadcast addresses', () => {
    const list = parseAllowList('169.254.0.0/16, 0.0.0.0/0, ::/0, metadata.internal');
    for (const address of ['169.254.169.254', '100.100.100.200', 'fd00:ec2::254', '0.0.0.0', '::', '224.0.0.1', '255.255.255.255', 'ff02::1'])
      expect(judgeAddress(address, 'metadata.internal', list), address).toMatchObject({ allowed: false, allowable: false });
    expect(judgeAddress('169.254.10.10', 'x', list).allowed).toBe(true);
  });

  it.each([
    'http://intranet.example',
    'intranet.example:8080',
    '*.example.com',
    '10.0.0.0/33',
    'fd00::/129',
    'intra_net',
    'bad host',
    '10.0.0.1/abc',
  ])('refuses the entry %j', (entry) => {
    expect(() => parseAllowList(`ok.example,${entry}`)).toThrow(AllowListError);
    expect(() => parseAllowList(entry)).toThrow(entry);
  });

  it('ignores blanks and whitespace', () => {
    expect(parseAllowList(' a.example , ,10.0.0.0/8,').entries).toEqual(['a.example', '10.0.0.0/8']);
    expect(parseAllowList('').entries).toEqual([]);
  });
});

describe('literalAddress', () => {
  it('tells IP literals from host names', () => {
    expect(literalAddress('127.0.0.1')).toEqual({ address: '127.0.0.1', family: 4 });
    expect(literalAddress('[::1]')).toEqual({ address: '::1', family: 6 });
    expect(literalAddress('example.com')).toBeNull();
    expect(literalAddress('1.2.3.4.example')).toBeNull();
  });
});
