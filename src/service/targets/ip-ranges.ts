/**
 * Which IP addresses a webhook may never reach: loopback, private, link-local, CGNAT, multicast, reserved, cloud
 * metadata, and IPv6 forms that embed one of those IPv4 addresses (mapped, compatible, NAT64, 6to4). Pure functions.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** IPv4 ranges refused, each with the reason shown in the error. */
const V4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified / "this network"'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved / broadcast'],
];

/** IPv6 ranges refused outright (forms embedding IPv4 are judged by the embedded address instead). */
const V6_RANGES: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible (deprecated)'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001::', 32, 'Teredo'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique-local (includes fd00:ec2::254, the EC2 metadata address)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

function buildLists(): { list: BlockList; reasons: { list: BlockList; reason: string }[] } {
  const list = new BlockList();
  const reasons: { list: BlockList; reason: string }[] = [];
  for (const [net, prefix, reason] of V4_RANGES) {
    list.addSubnet(net, prefix, 'ipv4');
    const one = new BlockList();
    one.addSubnet(net, prefix, 'ipv4');
    reasons.push({ list: one, reason });
  }
  for (const [net, prefix, reason] of V6_RANGES) {
    list.addSubnet(net, prefix, 'ipv6');
    const one = new BlockList();
    one.addSubnet(net, prefix, 'ipv6');
    reasons.push({ list: one, reason });
  }
  return { list, reasons };
}

const BLOCKED = buildLists();

/** The 8 groups of an IPv6 address (zone id dropped, trailing dotted IPv4 folded in), or null when it is not one. */
export function ipv6Groups(address: string): number[] | null {
  const text = address.replace(/^\[|\]$/g, '').split('%')[0] ?? '';
  if (!isIPv6(text)) return null;
  let body = text;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (dotted !== null) {
    const bytes = dotted[1]!.split('.').map(Number);
    tail.push((bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!);
    body = body.slice(0, -dotted[1]!.length);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const [head, rest] = body.split('::') as [string, string | undefined];
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const missing = 8 - left.length - right.length - tail.length;
  const groups = rest === undefined ? [...left, ...tail] : [...left, ...new Array<number>(missing).fill(0), ...right, ...tail];
  return groups.length === 8 ? groups : null;
}

function v4FromGroups(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/**
 * The IPv4 address an IPv6 address carries and would reach: IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`,
 * 6to4 `2002:AABB:CCDD::`; null for other addresses.
 */
export function embeddedIPv4(address: string): string | null {
  const g = ipv6Groups(address);
  if (g === null) return null;
  const zero = (from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return v4FromGroups(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4FromGroups(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4FromGroups(g[1]!, g[2]!);
  return null;
}

/** Why `address` (an IP literal) must not be reached, or null when it is a public address. */
export function blockedReason(address: string): string | null {
  const ip = address.replace(/^\[|\]$/g, '').split('%')[0] ?? '';
  if (isIPv4(ip)) {
    if (!BLOCKED.list.check(ip, 'ipv4')) return null;
    return BLOCKED.reasons.find((r) => r.list.check(ip, 'ipv4'))?.reason ?? 'reserved';
  }
  if (!isIPv6(ip)) return 'not an IP address';
  const inner = embeddedIPv4(ip);
  if (inner !== null) {
    const reason = blockedReason(inner);
    return reason === null ? null : `${reason}, embedded in IPv6 as ${inner}`;
  }
  if (!BLOCKED.list.check(ip, 'ipv6')) return null;
  return BLOCKED.reasons.find((r) => r.list.check(ip, 'ipv6'))?.reason ?? 'reserved';
}
