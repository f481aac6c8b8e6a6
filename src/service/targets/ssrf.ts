/**
 * The SSRF guard of webhook targets: a host is resolved to every address, each address is checked against the refused
 * ranges (ip-ranges.ts) unless the allowlist names it, and the connection is pinned to the checked addresses through a
 * `lookup` function, so the socket never connects to an address that was not checked.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { describeValue, KairosError } from '../../core/errors.js';
import { blockedReason } from './ip-ranges.js';

/** Resolves a host name to every address (the default is `dns.lookup(host, { all: true, verbatim: true })`). */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

/** Options of an {@link SsrfGuard}. */
export interface SsrfGuardOptions {
  /**
   * Hosts let through although they are, or resolve to, refused addresses: exact host names (`receiver.internal`), IP
   * addresses (`127.0.0.1`, `::1`) or CIDR ranges (`10.1.0.0/16`). For local development and tests; empty by default.
   */
  allowHosts?: readonly string[];
  /** Resolves host names; tests inject names that resolve to chosen addresses. */
  resolve?: HostResolver;
  /**
   * How long a host that passed is remembered by {@link SsrfGuard.checkRecent} (the check before each delivery), ms.
   * The connection's own lookup never uses it. Default 5000; 0 resolves before every delivery.
   */
  recentMs?: number;
  /** The clock of recentMs, epoch ms. Default Date.now. */
  now?: () => number;
}

/** Names refused before any lookup: metadata services and the loopback names. */
const REFUSED_NAMES = new Set(['localhost', 'metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

/** A host that passed the guard and the addresses it may be reached at. */
export interface CheckedHost {
  hostname: string;
  addresses: LookupAddress[];
}

const defaultResolve: HostResolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error === null ? resolve(addresses) : reject(error)));
  });

/** Host name without brackets or a trailing dot, lower case. */
export function normalizeHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

function refused(hostname: string, why: string, cause?: unknown): KairosError {
  return new KairosError('TARGET_REFUSED', `target host ${describeValue(hostname)} is refused: ${why}`, {
    // unresolved: the lookup failed, which may pass (a delivery retries it); any other refusal is final.
    details: { field: 'url', host: hostname, unresolved: cause !== undefined },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Parses one allowlist entry into the allowlist's name set or block list; throws TARGET_INVALID on a bad CIDR. */
function addAllowed(entry: string, names: Set<string>, list: BlockList): void {
  const text = normalizeHost(entry.trim());
  const slash = text.indexOf('/');
  if (slash === -1) {
    const family = isIP(text);
    if (family === 0) names.add(text);
    else list.addAddress(text, family === 4 ? 'ipv4' : 'ipv6');
    return;
  }
  const net = text.slice(0, slash);
  const prefix = Number(text.slice(slash + 1));
  const family = isIP(net);
  if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
    throw new KairosError('TARGET_INVALID', `allowHosts: ${describeValue(entry)} is not a host name, an IP address or a CIDR range`, { details: { field: 'allowHosts' } });
  }
  list.addSubnet(net, prefix, family === 4 ? 'ipv4' : 'ipv6');
}

/** Checks target hosts against the refused ranges and pins connections to the checked addresses. */
export class SsrfGuard {
  private readonly allowedNames = new Set<string>();
  private readonly allowedAddresses = new BlockList();
  private readonly resolver: HostResolver;
  private readonly recentMs: number;
  private readonly now: () => number;
  private readonly recent = new Map<string, { host: CheckedHost; until: number }>();

  constructor(options: SsrfGuardOptions = {}) {
    for (const entry of options.allowHosts ?? []) addAllowed(entry, this.allowedNames, this.allowedAddresses);
    this.resolver = options.resolve ?? defaultResolve;
    this.recentMs = options.recentMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * {@link check}, remembering a host that passed for recentMs so a busy webhook is not resolved on every delivery.
   * Safe to remember: a new connection is still pinned by {@link lookup}, which resolves and checks afresh, so a name
   * that rebinds to a refused address meanwhile is refused when it matters (at connect). Refusals are not remembered.
   */
  async checkRecent(hostname: string): Promise<CheckedHost> {
    const hit = this.recent.get(hostname);
    if (hit !== undefined && hit.until > this.now()) return hit.host;
    const host = await this.check(hostname);
    // An IP literal that passed always passes (the ranges and the allowlist do not change): kept for good.
    const literal = isIP(host.hostname) !== 0;
    if (this.recentMs <= 0 && !literal) return host;
    if (this.recent.size >= 10_000) this.recent.clear();
    this.recent.set(hostname, { host, until: literal ? Infinity : this.now() + this.recentMs });
    return host;
  }

  /** True when `address` (an IP) is on the allowlist. */
  private addressAllowed(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.allowedAddresses.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * Resolves `hostname` to every address and checks each; resolves to the host and its addresses, or rejects with
   * TARGET_REFUSED naming the first refused address and why. One refused address refuses the host.
   */
  async check(hostname: string): Promise<CheckedHost> {
    const host = normalizeHost(hostname);
    if (host === '') throw refused(hostname, 'the host is empty');
    if (this.allowedNames.has(host)) return { hostname: host, addresses: await this.resolveAll(host) };
    const family = isIP(host);
    if (family !== 0) {
      this.checkAddress(host, host);
      return { hostname: host, addresses: [{ address: host, family }] };
    }
    if (REFUSED_NAMES.has(host) || host.endsWith('.localhost')) throw refused(host, 'the name is a loopback or metadata name');
    const addresses = await this.resolveAll(host);
    for (const a of addresses) this.checkAddress(host, a.address);
    return { hostname: host, addresses };
  }

  private checkAddress(host: string, address: string): void {
    if (this.addressAllowed(address)) return;
    const reason = blockedReason(address);
    if (reason !== null) throw refused(host, host === address ? reason : `it resolves to ${address} (${reason})`);
  }

  private async resolveAll(host: string): Promise<LookupAddress[]> {
    let addresses: LookupAddress[];
    try {
      addresses = await this.resolver(host);
    } catch (error) {
      throw refused(host, `it does not resolve (${(error as { code?: string }).code ?? String(error)})`, error);
    }
    if (addresses.length === 0) throw refused(host, 'it resolves to no address');
    return addresses;
  }

  /**
   * A `lookup` for `net.connect` (undici's `connect.lookup`): resolves and checks like {@link check}, then hands the
   * socket only the checked addresses, so the connection is pinned to what was checked and no second lookup happens.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.check(hostname).then(
      ({ addresses }) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        const usable = wanted.length > 0 ? wanted : addresses;
        if (options.all === true) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}
